"""An assessment's answers and register as CSV files: one row per answer with its levels, note,
who and when; the register's groups; UTF-8 with a byte-order mark; every cell defused; who may
download them."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from helpers import login

from assess.questionnaire.answers import Answer, CriterionCheck, RegisterRow, Status
from assess.services import assessments, csv_data
from assess.services.questionnaires import current_questionnaires
from assess.spreadsheet import FORMULA_STARTS


@pytest.fixture
def answered(app, make_user, make_org, add_member):
    admin = make_user(name="Siân Morgan")
    auditor = make_user(name="Graham Auditor")
    org = make_org(members={admin: "admin"})
    add_member(auditor, org, "auditor")
    with app.app_context():
        assessment = assessments.start(org.id, admin, "Annual", current_questionnaires())

        def save(questionnaire_id, *answers):
            outcome = assessments.save_answers(
                assessment,
                admin,
                questionnaire_id,
                {a.question_id: assessments.Submission(a) for a in answers},
            )
            assert outcome.ok, outcome.errors

        save(
            "definition",
            Answer(
                "def-own-words", value="Trigolion: pobl sy\u2019n byw yma", note="=1+1 is not a sum"
            ),
            Answer("def-written", value="yes-corporate", note="Cynllun corfforaethol, tudalen 3"),
            Answer("def-where", value=("website", "corporate-plan")),
            Answer("def-owner", status=Status.DONT_KNOW),
            Answer(
                "register",
                value=(
                    RegisterRow("residents", power=3, legitimacy=4, urgency=2, interest=3),
                    RegisterRow("custom-group-1", label="@Tenants' forum", power=2),
                ),
            ),
        )
        save(
            "adoption",
            Answer(
                "lead-commitment",
                value=4,
                note="Cabinet minutes",
                criteria=(
                    CriterionCheck(3, 1, True),
                    CriterionCheck(3, 2, True),
                    CriterionCheck(4, 1, False),
                ),
            ),
        )
        assessment_id = assessment.id
    return {"app": app, "id": assessment_id, "admin": admin, "auditor": auditor, "org": org}


def _rows(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_one_row_per_answer_with_levels_note_who_and_when(answered):
    client = answered["app"].test_client()
    login(client, answered["auditor"])  # reading is enough
    rows = _rows(client.get(f"/assessments/{answered['id']}/answers.csv"))
    assert list(rows[0]) == list(csv_data.ANSWER_COLUMNS)
    by_id = {r["question_id"]: r for r in rows}
    assert [r["question_id"] for r in rows] == [
        "def-own-words",
        "def-written",
        "def-where",
        "def-owner",
        "register",
        "lead-commitment",
    ]
    written = by_id["def-written"]
    assert written["questionnaire"] == "definition"
    assert written["area"] == "Who the organisation serves"
    assert written["question"].startswith("Does the organisation have a written statement")
    assert written["answer_value"] == "yes-corporate"
    assert written["answer"].startswith("Yes: one statement covers the whole organisation")
    assert written["note"] == "Cynllun corfforaethol, tudalen 3"
    assert written["changed_by"] == "Siân Morgan"
    assert written["revision"] == "1" and written["source"] == "online"
    when = datetime.fromisoformat(written["changed_at"])
    assert when.utcoffset() is not None and written["changed_at"][-6] in "+-"
    assert by_id["def-where"]["answer_value"] == "website; corporate-plan"
    assert by_id["def-owner"]["status"] == "dont_know"
    assert by_id["def-own-words"]["answer"] == "Trigolion: pobl sy\u2019n byw yma"
    lead = by_id["lead-commitment"]
    assert (lead["claimed_level"], lead["evidenced_level"]) == ("4", "3")
    assert lead["criteria_met"] == "3.1; 3.2"
    assert lead["criteria_not_met"] == "4.1"
    assert lead["answer"].startswith("4: ")
    assert by_id["register"]["answer"] == "2 groups"


def test_every_cell_is_defused(answered):
    client = answered["app"].test_client()
    login(client, answered["admin"])
    for url in ("answers.csv", "register.csv"):
        rows = _rows(client.get(f"/assessments/{answered['id']}/{url}"))
        for row in rows:
            for cell in row.values():
                assert not cell.startswith(FORMULA_STARTS), cell
    rows = _rows(client.get(f"/assessments/{answered['id']}/answers.csv"))
    assert {r["question_id"]: r for r in rows}["def-own-words"]["note"] == "'=1+1 is not a sum"


def test_the_register_one_row_per_group(answered):
    client = answered["app"].test_client()
    login(client, answered["admin"])
    rows = _rows(client.get(f"/assessments/{answered['id']}/register.csv"))
    assert list(rows[0]) == list(csv_data.REGISTER_COLUMNS)
    by_id = {r["segment_id"]: r for r in rows}
    residents = by_id["residents"]
    assert [residents[a] for a in ("power", "legitimacy", "urgency", "interest")] == [
        "3",
        "4",
        "2",
        "3",
    ]
    assert residents["added_by_organisation"] == "no"
    own = by_id["custom-group-1"]
    assert own["group"] == "'@Tenants' forum" and own["added_by_organisation"] == "yes"
    assert own["power"] == "2" and own["legitimacy"] == ""
    # Listed groups not rated yet are there too, with empty cells: the file lists every group.
    unrated = [r for sid, r in by_id.items() if sid not in ("residents", "custom-group-1")]
    assert unrated and all(r["power"] == "" and r["regard"] == "" for r in unrated)
    assert rows[-1]["segment_id"] == "custom-group-1"


def test_the_spreadsheets_page_links_every_download(answered):
    client = answered["app"].test_client()
    login(client, answered["admin"])
    page = client.get(f"/assessments/{answered['id']}/spreadsheets").get_data(as_text=True)
    for url in ("answers.csv", "register.csv", "plan.csv", "import/template.csv"):
        assert f"/assessments/{answered['id']}/{url}" in page
    overview = client.get(f"/assessments/{answered['id']}").get_data(as_text=True)
    assert f"/assessments/{answered['id']}/spreadsheets" in overview


def test_people_of_another_organisation_get_nothing(answered, make_user, make_org):
    stranger = make_user(name="Other Council")
    make_org(members={stranger: "admin"})
    client = answered["app"].test_client()
    login(client, stranger)
    for url in ("answers.csv", "register.csv", "spreadsheets", "import/template.csv"):
        assert client.get(f"/assessments/{answered['id']}/{url}").status_code == 404
