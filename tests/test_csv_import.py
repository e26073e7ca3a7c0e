"""Bringing answers in from a CSV file: the template, the checked preview, confirming (all or
nothing, through the answering service), who may, and a finalised assessment refusing."""

from __future__ import annotations

import csv
import io
import re

import pytest
from finalise_helpers import answered_draft, finalise
from helpers import csrf_token, login, post
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from assess import audit, db
from assess.models import AnswerRecord, AuditEvent
from assess.questionnaire.answers import Answer, CriterionCheck, Status
from assess.services import assessments, csv_import

BOM = "\ufeff"


@pytest.fixture
def setup(app, make_user, make_org, add_member):
    admin = make_user(name="Ada Admin")
    respondent = make_user(name="Rhys Respondent")
    auditor = make_user(name="Aud Itor")
    org = make_org(members={admin: "admin"})
    add_member(respondent, org, "respondent")
    add_member(auditor, org, "auditor")
    with app.app_context():
        from assess.services.questionnaires import current_questionnaires

        assessment = assessments.start(org.id, admin, "Paper day", current_questionnaires())
        assessment_id = assessment.id
    client = app.test_client()
    login(client, respondent)
    return {
        "app": app,
        "admin": admin,
        "respondent": respondent,
        "auditor": auditor,
        "org": org,
        "id": assessment_id,
        "client": client,
    }


def template_rows(client, assessment_id):
    response = client.get(f"/assessments/{assessment_id}/import/template.csv")
    assert response.status_code == 200, response.get_data(as_text=True)
    text = response.get_data().decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def to_bytes(rows, *, delimiter=",", bom=True, newline="\r\n", encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(rows[0]), delimiter=delimiter, lineterminator=newline
    )
    writer.writeheader()
    writer.writerows(rows)
    return ((BOM if bom else "") + buffer.getvalue()).encode(encoding)


def fill(rows, answers):
    """``rows`` with ``answers``: question id -> (answer, criteria_met, note)."""
    filled = []
    for row in rows:
        row = dict(row)
        if row["question_id"] in answers:
            row["answer"], row["criteria_met"], row["note"] = answers[row["question_id"]]
        filled.append(row)
    return filled


def upload(client, assessment_id, content, name="answers.csv"):
    fields = MultiDict({"csrf_token": csrf_token(client)})
    fields.add("file", FileStorage(io.BytesIO(content), name, content_type="text/csv"))
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(fields)
    return client.post(
        f"/assessments/{assessment_id}/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def token_of(response):
    match = re.search(
        r'name="token" type="hidden" value="([^"]+)"', response.get_data(as_text=True)
    )
    return match.group(1) if match else None


def confirm(client, assessment_id, token):
    return post(client, f"/assessments/{assessment_id}/import/confirm", {"token": token})


def stored(app, assessment_id, questionnaire_id):
    with app.app_context():
        return assessments.stored_answers(assessments.get(assessment_id), questionnaire_id)


def answer_count(app, assessment_id):
    with app.app_context():
        return db.session().scalar(
            select(func.count()).where(AnswerRecord.assessment_id == assessment_id)
        )


PAPER = {
    "def-own-words": ("Residents, and the people who use our services", "", "Corporate plan p.3"),
    "def-written": ("yes-corporate", "", ""),
    "def-where": ("website; corporate-plan", "", ""),
    "lead-commitment": ("4", "3.1; 3.2", "Cabinet minutes 12 March"),
}


# ---- the template ------------------------------------------------------------------------------


def test_the_template_lists_every_question_but_the_register_with_what_it_allows(setup):
    rows = template_rows(setup["client"], setup["id"])
    assert list(rows[0]) == list(csv_import.COLUMNS)
    with setup["app"].app_context():
        qset = assessments.questionnaires_of(assessments.get(setup["id"]))
        expected = [
            (q.id, question.id)
            for q in qset
            for _section, question in q.questions()
            if question.type != "register"
        ]
    assert [(r["questionnaire"], r["question_id"]) for r in rows] == expected
    by_id = {r["question_id"]: r for r in rows}
    assert "yes-corporate: Yes: one statement" in by_id["def-written"]["allowed_answers"]
    assert "dont-know" in by_id["def-written"]["allowed_answers"]
    level = by_id["lead-commitment"]
    assert level["type"] == "level"
    assert "3.1: " in level["allowed_answers"] and "A level from 1 to 5" in level["allowed_answers"]
    assert "Asked only when def-written" in by_id["def-where"]["allowed_answers"]
    assert all(r["answer"] == "" for r in rows)  # nothing stored yet


def test_a_template_uploaded_unchanged_changes_nothing(setup):
    answered = fill(template_rows(setup["client"], setup["id"]), PAPER)
    response = upload(setup["client"], setup["id"], to_bytes(answered))
    confirm(setup["client"], setup["id"], token_of(response))
    before = answer_count(setup["app"], setup["id"])
    rows = template_rows(setup["client"], setup["id"])
    by_id = {r["question_id"]: r for r in rows}
    assert by_id["def-where"]["answer"] == "website; corporate-plan"
    assert by_id["lead-commitment"]["criteria_met"] == "3.1; 3.2"
    response = upload(setup["client"], setup["id"], to_bytes(rows))
    assert response.status_code == 200
    assert token_of(response) is None
    assert "every answer in it is already stored" in response.get_data(as_text=True)
    assert answer_count(setup["app"], setup["id"]) == before


def test_the_template_needs_the_right_to_answer(setup):
    client = setup["app"].test_client()
    login(client, setup["auditor"])
    assert client.get(f"/assessments/{setup['id']}/import/template.csv").status_code == 403
    page = client.get(f"/assessments/{setup['id']}/spreadsheets")
    assert page.status_code == 200
    assert "Only people who may answer this assessment" in page.get_data(as_text=True)
    response = upload(client, setup["id"], b"questionnaire,question_id,answer\r\n")
    assert response.status_code == 403


# ---- preview and confirm -----------------------------------------------------------------------


def test_upload_previews_then_confirm_stores_through_the_answering_service(setup):
    app, client = setup["app"], setup["client"]
    content = to_bytes(fill(template_rows(client, setup["id"]), PAPER))
    response = upload(client, setup["id"], content)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "4 answers to store" in page
    assert answer_count(app, setup["id"]) == 0  # the preview stores nothing
    response = confirm(client, setup["id"], token_of(response))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{setup['id']}")
    definition = stored(app, setup["id"], "definition")
    assert definition["def-where"].answer.value == ("website", "corporate-plan")
    assert definition["def-own-words"].answer.note == "Corporate plan p.3"
    assert definition["def-written"].updated_by == "Rhys Respondent"
    assert definition["def-written"].revision == 1
    lead = stored(app, setup["id"], "adoption")["lead-commitment"].answer
    assert lead.value == 4
    with app.app_context():
        question = assessments.questionnaires_of(assessments.get(setup["id"])).adoption.question(
            "lead-commitment"
        )
        keys = [(n, i) for n, i, _t in question.criteria_up_to(4)]
    assert [(c.level, c.number) for c in lead.criteria] == keys
    assert {c.key for c in lead.criteria if c.met} == {"3.1", "3.2"}
    with app.app_context():
        events = db.session().scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        changed = [e for e in events if e.action == audit.ANSWER_CHANGED]
        assert len(changed) == 4
        assert all(e.detail["imported_from"] == "csv" for e in changed)
        (imported,) = [e for e in events if e.action == audit.ANSWERS_IMPORTED]
        assert imported.new_value == {"answers": 4}
        assert "answers.csv" not in str(imported.detail)  # the file's name may name a person


def test_a_second_import_makes_new_revisions_and_a_note_alone_keeps_the_value(setup):
    app, client = setup["app"], setup["client"]
    rows = template_rows(client, setup["id"])
    confirm(client, setup["id"], token_of(upload(client, setup["id"], to_bytes(fill(rows, PAPER)))))
    second = fill(template_rows(client, setup["id"]), {"def-written": ("", "", "Agreed in 2024")})
    response = upload(client, setup["id"], to_bytes(second))
    assert "1 answer to store" in response.get_data(as_text=True)
    assert confirm(client, setup["id"], token_of(response)).status_code == 302
    written = stored(app, setup["id"], "definition")["def-written"]
    assert written.answer.value == "yes-corporate"
    assert written.answer.note == "Agreed in 2024"
    assert written.revision == 2


def test_criteria_left_empty_keep_the_stored_confirmations_and_none_means_none_met(setup):
    app, client = setup["app"], setup["client"]
    rows = template_rows(client, setup["id"])
    confirm(client, setup["id"], token_of(upload(client, setup["id"], to_bytes(fill(rows, PAPER)))))
    again = fill(template_rows(client, setup["id"]), {"lead-commitment": ("4", "", "New note")})
    confirm(client, setup["id"], token_of(upload(client, setup["id"], to_bytes(again))))
    lead = stored(app, setup["id"], "adoption")["lead-commitment"].answer
    assert {c.key for c in lead.criteria if c.met} == {"3.1", "3.2"}
    none = fill(template_rows(client, setup["id"]), {"lead-commitment": ("4", "none", "x")})
    confirm(client, setup["id"], token_of(upload(client, setup["id"], to_bytes(none))))
    lead = stored(app, setup["id"], "adoption")["lead-commitment"].answer
    assert lead.criteria and not any(c.met for c in lead.criteria)


def test_not_applicable_and_dont_know(setup):
    app, client = setup["app"], setup["client"]
    rows = fill(
        template_rows(client, setup["id"]),
        {"def-written": ("Don\u2019t know", "", ""), "def-owner": ("dont-know", "", "")},
    )
    response = upload(client, setup["id"], to_bytes(rows))
    assert confirm(client, setup["id"], token_of(response)).status_code == 302
    definition = stored(app, setup["id"], "definition")
    assert definition["def-written"].answer.status is Status.DONT_KNOW
    assert definition["def-owner"].answer.status is Status.DONT_KNOW


# ---- every row checked, nothing stored on any error -----------------------------------------


@pytest.mark.parametrize(
    ("question_id", "cells", "column", "message"),
    [
        ("def-written", ("maybe", "", ""), "answer", "is not one of this question's options"),
        ("def-where", ("website; moon", "", ""), "answer", "'moon' is not one of"),
        ("lead-commitment", ("6", "", ""), "answer", "is not a level"),
        ("lead-commitment", ("=1+2", "", ""), "answer", "is not a level"),
        ("lead-commitment", ("3.5", "", ""), "answer", "is not a level"),
        ("lead-commitment", ("2", "3.1", ""), "criteria_met", "Only a level answered 3"),
        ("lead-commitment", ("3", "4.1", ""), "criteria_met", "not a criterion of level 3"),
        ("lead-commitment", ("", "3.1", ""), "criteria_met", "Give the level"),
        ("def-written", ("not applicable", "", ""), "answer", "Not applicable"),
        ("def-own-words", ("x" * 1001, "", ""), "answer", "1000 characters or fewer"),
        ("def-written", ("no", "", "n" * 5001), "note", "5000 characters or fewer"),
        ("def-written", ("no", "", "bell\x07"), "note", "control character"),
    ],
)
def test_a_bad_cell_names_its_row_and_column_and_nothing_is_stored(
    setup, question_id, cells, column, message
):
    app, client = setup["app"], setup["client"]
    rows = fill(template_rows(client, setup["id"]), {**PAPER, question_id: cells})
    row_number = 2 + [r["question_id"] for r in rows].index(question_id)
    letter = "ABCDEFGHI"[list(csv_import.COLUMNS).index(column)]
    response = upload(client, setup["id"], to_bytes(rows))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert token_of(response) is None, "no way to confirm while a row has a problem"
    assert f"Row {row_number}, column {letter} ({column}):" in page
    assert message in page.replace("&#39;", "'").replace("&#34;", '"').replace("&quot;", '"')
    assert "Nothing has been stored" in page
    assert answer_count(app, setup["id"]) == 0


def test_unknown_questions_and_questionnaires_and_duplicates_are_errors(setup):
    client = setup["client"]
    header = "questionnaire,question_id,answer,note\r\n"
    body = (
        "definition,def-written,no,\r\n"
        "definition,def-nonsense,no,\r\n"
        "budget,def-written,no,\r\n"
        "definition,def-written,drafting,\r\n"
        "definition,register,x,\r\n"
        "adoption,,3,\r\n"
    )
    response = upload(client, setup["id"], (header + body).encode())
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 422
    assert "Row 3, column B (question_id): There is no question 'def-nonsense'" in page
    assert "Row 4, column A (questionnaire): 'budget' is not a questionnaire" in page
    assert "Row 5, column B (question_id): Question def-written is answered twice: in row 2" in page
    assert "Row 6, column B (question_id): The stakeholder register is filled in on its own" in page
    assert "Row 7, column B (question_id): Give the question" in page
    assert answer_count(setup["app"], setup["id"]) == 0


def test_a_colleagues_change_after_the_preview_stops_the_whole_import(setup):
    app, client = setup["app"], setup["client"]
    response = upload(
        client, setup["id"], to_bytes(fill(template_rows(client, setup["id"]), PAPER))
    )
    token = token_of(response)
    with app.app_context():
        assessment = assessments.get(setup["id"])
        outcome = assessments.save_answers(
            assessment,
            None,
            "definition",
            {"def-written": assessments.Submission(Answer("def-written", value="no"))},
        )
        assert outcome.ok
    response = confirm(client, setup["id"], token)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Nothing was stored" in page and "row(s) 3" in page
    assert answer_count(app, setup["id"]) == 1
    assert stored(app, setup["id"], "definition")["def-written"].answer.value == "no"


def test_a_token_is_good_for_its_person_and_assessment_only(setup, make_user, add_member):
    app, client = setup["app"], setup["client"]
    token = token_of(
        upload(client, setup["id"], to_bytes(fill(template_rows(client, setup["id"]), PAPER)))
    )
    other = app.test_client()
    login(other, setup["admin"])
    assert confirm(other, setup["id"], token).status_code == 409
    assert confirm(client, setup["id"], token[:-2] + "xx").status_code == 409
    assert answer_count(app, setup["id"]) == 0
    assert confirm(client, setup["id"], token).status_code == 302


def test_a_finalised_assessment_refuses_an_import(app, make_user, make_org):
    admin = make_user(name="Ada Admin")
    org = make_org(members={admin: "admin"})
    assessment_id = answered_draft(app, org, admin)
    client = app.test_client()
    login(client, admin)
    content = b"questionnaire,question_id,answer\r\ndefinition,def-written,no\r\n"
    response = upload(client, assessment_id, content)
    token_page = response
    assert token_page.status_code == 200
    token = token_of(token_page)
    finalise(app, assessment_id, admin)
    response = confirm(client, assessment_id, token)
    assert response.status_code == 409
    assert "has been finalised" in response.get_data(as_text=True)
    response = upload(client, assessment_id, content)
    assert response.status_code == 409
    page = client.get(f"/assessments/{assessment_id}/spreadsheets").get_data(as_text=True)
    assert "no answers can be brought in" in page and 'type="file"' not in page
    with app.app_context():
        assert (
            db.session().scalar(
                select(func.count()).where(
                    AnswerRecord.assessment_id == assessment_id,
                    AnswerRecord.question_id == "def-written",
                )
            )
            == 0
        )


def test_every_form_needs_its_csrf_token(setup):
    client = setup["client"]
    response = client.post(
        f"/assessments/{setup['id']}/import",
        data={"file": (io.BytesIO(b"a,b"), "a.csv", "text/csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert (
        client.post(f"/assessments/{setup['id']}/import/confirm", data={"token": "x"}).status_code
        == 400
    )


def test_criterion_references_stored_earlier_are_kept(setup):
    app, client = setup["app"], setup["client"]
    with app.app_context():
        assessment = assessments.get(setup["id"])
        answer = Answer(
            "lead-commitment",
            value=3,
            criteria=(CriterionCheck(3, 1, True, "Minute 14/2025"),),
        )
        assert assessments.save_answers(
            assessment, None, "adoption", {"lead-commitment": assessments.Submission(answer)}
        ).ok
    rows = fill(template_rows(client, setup["id"]), {"lead-commitment": ("3", "3.1; 3.2", "")})
    assert (
        confirm(
            client, setup["id"], token_of(upload(client, setup["id"], to_bytes(rows)))
        ).status_code
        == 302
    )
    lead = stored(app, setup["id"], "adoption")["lead-commitment"].answer
    assert lead.check(3, 1).reference == "Minute 14/2025"
    assert lead.check(3, 2).met


def test_save_batch_stores_every_questionnaire_or_none(setup):
    """An invalid answer, or one changed since, in the last questionnaire written leaves the
    answers of the first unwritten too."""
    app = setup["app"]
    with app.app_context():
        assessment = assessments.get(setup["id"])
        definition = {"def-written": assessments.Submission(Answer("def-written", value="no"))}
        bad = {"lead-commitment": assessments.Submission(Answer("lead-commitment", value=9))}
        outcome = assessments.save_batch(
            assessment, None, {"definition": definition, "adoption": bad}
        )
        assert not outcome.ok and ("adoption", "lead-commitment") in outcome.errors
        stale = {
            "lead-commitment": assessments.Submission(
                Answer("lead-commitment", value=2), base_revision=4
            )
        }
        outcome = assessments.save_batch(
            assessment, None, {"definition": definition, "adoption": stale}
        )
        assert outcome.conflicts == (("adoption", "lead-commitment"),)
    assert answer_count(app, setup["id"]) == 0
    with app.app_context():
        actions = set(db.session().scalars(select(AuditEvent.action)))
    assert audit.ANSWER_CHANGED not in actions, "no event of an answer that was not stored"
