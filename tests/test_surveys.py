"""Perception surveys: opening one for register groups, answering it without an account (online,
by a group's link, on paper), anonymity and privacy, abuse, and the threshold in every output."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta

import pikepdf
import pytest
from helpers import csrf_token, login, post
from report_helpers import page_texts
from sqlalchemy import inspect, select
from survey_helpers import assessment_with_levels, everything, open_survey, own_people, respond

from assess import db
from assess.models import AuditEvent, Survey, SurveyResponse
from assess.services import maintenance, surveys


@pytest.fixture
def setup(app, make_user, make_org):
    return assessment_with_levels(app, make_user, make_org)


@pytest.fixture
def admin(app, setup):
    client = app.test_client()
    login(client, setup.admin)
    return client


def _survey(app, survey_id) -> Survey:
    return db.session().get(Survey, survey_id)


def _tokens(app, survey_id) -> tuple[str, dict[str, str]]:
    with app.app_context():
        survey = _survey(app, survey_id)
        return survey.token, {g.segment_id: g.token for g in survey.groups}


def _answer_form(client, url: str, **fields: str) -> object:
    return post(client, url, fields)


def _stored(app, survey_id) -> list[SurveyResponse]:
    with app.app_context():
        rows = db.session().scalars(
            select(SurveyResponse).where(SurveyResponse.survey_id == survey_id)
        )
        return list(rows)


# ---- 2. surveys per group ----------------------------------------------------------------


def test_an_admin_opens_a_survey_for_chosen_groups_each_with_a_link_and_qr_code(app, setup, admin):
    page = admin.get(f"/assessments/{setup.assessment_id}/surveys")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="residents"' in html and 'value="lobbies"' in html  # the register's groups
    today = date.today()
    response = post(
        admin,
        f"/assessments/{setup.assessment_id}/surveys",
        {
            "title": "Spring survey",
            "groups": ["residents", "businesses"],
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=21)).isoformat(),
            "threshold": "6",
            "alert_per_hour": "40",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        survey = db.session().scalars(select(Survey)).one()
        assert [g.segment_id for g in survey.groups] == ["residents", "businesses"]
        assert (survey.threshold, survey.alert_per_hour) == (6, 40)
        assert survey.closes_on == today + timedelta(days=21)
        event = (
            db.session()
            .scalars(select(AuditEvent).where(AuditEvent.action == "survey.opened"))
            .one()
        )
        assert event.new_value["groups"] == ["residents", "businesses"]
        links = [f"/s/{survey.token}"] + [f"/s/{survey.token}/{g.token}" for g in survey.groups]
        survey_id = survey.id
    html = admin.get(f"/surveys/{survey_id}").get_data(as_text=True)
    for link in links:
        assert link in html
    # One inline SVG QR code for the survey and one for each group, with a text alternative.
    assert html.count('<svg role="img" aria-label="QR code') == 3
    paper = admin.get(f"/surveys/{survey_id}/paper").get_data(as_text=True)
    assert "They know what people like me need." in paper
    assert paper.count('class="paper-box"') == 2 + 9 * 6  # groups, and 9 statements x 6 boxes
    assert '<svg role="img"' in paper


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"groups": []}, "Choose at least one group to ask."),
        ({"groups": ["nobody"]}, "Choose groups from the register only."),
        ({"closes_on": "2020-01-01", "opens_on": "2019-12-01"}, "The closing date has already"),
        ({"closes_on": "2030-01-01", "opens_on": "2030-02-01"}, "The closing date is before"),
        ({"opens_on": "next week"}, "Give an opening and a closing date."),
        ({"threshold": "2"}, "The threshold is a whole number from 3 to 100."),
        ({"threshold": "five"}, "The threshold is a whole number from 3 to 100."),
        ({"alert_per_hour": "0"}, "The alert rate is a whole number"),
        ({"title": "   "}, "Give the survey a name"),
    ],
)
def test_bad_settings_are_explained_and_nothing_is_opened(app, setup, admin, fields, message):
    today = date.today()
    form = {
        "title": "Spring survey",
        "groups": ["residents"],
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=7)).isoformat(),
        "threshold": "5",
        "alert_per_hour": "60",
        **fields,
    }
    response = post(admin, f"/assessments/{setup.assessment_id}/surveys", form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalars(select(Survey)).first() is None


def test_only_admins_open_surveys(app, setup, make_user, add_member):
    respondent = make_user()
    with app.app_context():
        from assess.models import Organisation

        organisation = db.session().get(Organisation, setup.organisation_id)
    add_member(respondent, organisation, "respondent")
    client = app.test_client()
    login(client, respondent)
    assert client.get(f"/assessments/{setup.assessment_id}/surveys").status_code == 403
    survey_id = open_survey(app, setup)
    assert client.get(f"/surveys/{survey_id}").status_code == 403
    assert post(client, f"/surveys/{survey_id}/close").status_code == 403


def test_a_respondent_says_their_group_or_arrives_by_its_own_link(app, setup):
    survey_id = open_survey(app, setup)
    token, groups = _tokens(app, survey_id)
    person = app.test_client()
    page = person.get(f"/s/{token}").get_data(as_text=True)
    assert "Which of these describes you best?" in page
    assert "Sign in" not in page  # no account, no sign-in offered
    missing = post(person, f"/s/{token}", {"s_know-needs": "4"})
    assert missing.status_code == 400
    assert "Choose the group you belong to." in missing.get_data(as_text=True)
    assert 'value="4" checked' in missing.get_data(as_text=True)  # nothing entered is lost
    chosen = post(person, f"/s/{token}", {"group": groups["businesses"], "s_know-needs": "4"})
    assert chosen.status_code == 302 and chosen.location.endswith(f"/s/{token}/thanks")
    other = app.test_client()
    by_link = other.get(f"/s/{token}/{groups['residents']}").get_data(as_text=True)
    assert "Which of these describes you best?" not in by_link
    assert "You are answering as one of: Residents." in by_link
    post(other, f"/s/{token}/{groups['residents']}", {"s_know-needs": "dont_know"})
    stored = _stored(app, survey_id)
    with app.app_context():
        labels = [db.session().get(SurveyResponse, r.id).group.segment_id for r in stored]
    assert labels == ["businesses", "residents"]
    assert [r.answers for r in stored] == [{"know-needs": 4}, {"know-needs": "dont_know"}]
    assert all(r.source == "online" for r in stored)


def test_an_empty_or_tampered_response_is_refused_with_a_message(app, setup):
    survey_id = open_survey(app, setup)
    token, groups = _tokens(app, survey_id)
    person = app.test_client()
    url = f"/s/{token}/{groups['residents']}"
    empty = post(person, url, {})
    assert empty.status_code == 400
    assert "Answer at least one sentence" in empty.get_data(as_text=True)
    tampered = post(person, url, {"s_know-needs": "9"})
    assert tampered.status_code == 400
    assert "Choose one of the answers offered" in tampered.get_data(as_text=True)
    long = post(person, url, {"s_know-needs": "3", "comment": "x" * 1001})
    assert "1001 characters long" in long.get_data(as_text=True)
    assert person.get(f"/s/{token}/not-a-group").status_code == 404
    assert person.get(f"/s/{token}/caf\u00e9-gr\u00f6up").status_code == 404
    assert person.get("/s/no-such-survey").status_code == 404
    assert _stored(app, survey_id) == []


def test_a_survey_answers_only_between_its_dates_and_until_closed(app, setup, admin):
    survey_id = open_survey(app, setup)
    token, groups = _tokens(app, survey_id)
    with app.app_context():
        survey = _survey(app, survey_id)
        survey.opens_on = date.today() + timedelta(days=3)
        survey.closes_on = date.today() + timedelta(days=9)
        db.session().commit()
    person = app.test_client()
    assert "This survey is not open yet" in person.get(f"/s/{token}").get_data(as_text=True)
    with app.app_context():
        _survey(app, survey_id).opens_on = date.today()
        db.session().commit()
    assert post(admin, f"/surveys/{survey_id}/close").status_code == 302
    closed = person.get(f"/s/{token}")
    assert closed.status_code == 410
    assert "This survey has closed" in closed.get_data(as_text=True)
    late = post(person, f"/s/{token}/{groups['residents']}", {"s_know-needs": "3"})
    assert late.status_code == 410
    assert _stored(app, survey_id) == []


# ---- 3. anonymity and privacy ------------------------------------------------------------


def test_no_address_or_browser_is_stored_with_a_response(app, setup):
    survey_id = open_survey(app, setup)
    token, groups = _tokens(app, survey_id)
    person = app.test_client()
    browser = "Mozilla/5.0 (Linux; Android 14) Firefox/130.0 UniqueBrowserMarker"
    post(
        person,
        f"/s/{token}/{groups['residents']}",
        {"s_know-needs": "2", "comment": "Fine."},
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
        headers={"User-Agent": browser},
    )
    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine()).get_columns("survey_response")}
        assert columns == {
            "id",
            "survey_id",
            "group_id",
            "submitted_at",
            "answers",
            "comment",
            "source",
            "possible_duplicate",
        }
        row = db.session().execute(select(SurveyResponse.__table__)).one()
    stored = " ".join(str(value) for value in row)
    assert "203.0.113" not in stored and "UniqueBrowserMarker" not in stored


def test_contact_details_in_comments_are_removed_before_they_are_stored(app, setup):
    survey_id = open_survey(app, setup)
    token, groups = _tokens(app, survey_id)
    comment = (
        "Ring me on 07700 900123 or +44 (0)20 7946 0018, email jo.bloggs+x@example.co.uk, "
        "I live at SW1A 1AA (or m11ae). The bus on 12.03.2024 cost £2,500."
    )
    post(app.test_client(), f"/s/{token}/{groups['residents']}", {"comment": comment})
    (stored,) = _stored(app, survey_id)
    assert stored.comment == (
        "Ring me on [phone number removed] or [phone number removed], email "
        "[email address removed], I live at [postcode removed] (or [postcode removed]). "
        "The bus on 12.03.2024 cost £2,500."
    )


def test_the_privacy_notice_is_written_for_respondents(app, setup):
    survey_id = open_survey(app, setup, threshold=4)
    token, _groups = _tokens(app, survey_id)
    page = app.test_client().get(f"/s/{token}/privacy").get_data(as_text=True)
    assert "at least 4 people from it have answered" in page
    assert "deleted 90 days after the survey closes" in page
    assert "internet address" in page
    assert f'href="/s/{token}/privacy"' in app.test_client().get(f"/s/{token}").get_data(
        as_text=True
    )


@pytest.fixture
def below_and_above(app, setup):
    """Residents (6) and businesses (5) past the threshold of 5; lobbies (4) below it, each with
    a comment that must never be seen."""
    survey_id = open_survey(app, setup)
    respond(app, survey_id, "residents", 6, everything(2), comment="Residents say hello")
    respond(app, survey_id, "businesses", 5, everything(3), comment="Businesses say hello")
    respond(app, survey_id, "lobbies", 4, everything(5), comment="LOBBY SECRET REMARK")
    return survey_id


#: The groups below the threshold: the lobbies (4 responses) and those nobody answered for.
HIDDEN = ["Service users", "People who need extra support", "Lobbies and pressure groups"]


def _no_lobby_figures(text: str) -> None:
    assert "LOBBY SECRET REMARK" not in text
    # The lobbies' fives would show as 5.0 somewhere, and 15 responses would be the total.
    assert "5.0" not in text
    assert not re.search(r">\s*15\s*<|\b15 responses|[,:] ?15[,}\r\n]", text)


def test_the_threshold_holds_on_the_results_page_and_the_admin_page(app, admin, below_and_above):
    survey_id = below_and_above
    results = admin.get(f"/surveys/{survey_id}/results").get_data(as_text=True)
    assert "Residents say hello" in results and "Businesses say hello" in results
    assert "11 responses from 2 group(s) are counted." in results
    assert "Lobbies and pressure groups" in results  # named, without a figure
    _no_lobby_figures(results)
    page = admin.get(f"/surveys/{survey_id}").get_data(as_text=True)
    assert "Fewer than 5 so far" in page
    _no_lobby_figures(page)


def test_the_threshold_holds_in_the_csv_and_json(app, admin, below_and_above):
    survey_id = below_and_above
    data = admin.get(f"/surveys/{survey_id}/results.json").get_json()
    assert [g["label"] for g in data["groups"]] == ["Residents", "Businesses"]
    assert data["hidden_groups"] == HIDDEN
    assert data["responses"] == 11
    _no_lobby_figures(json.dumps(data))
    text = admin.get(f"/surveys/{survey_id}/results.csv").get_data(as_text=True)
    assert "below threshold,Lobbies and pressure groups,,,," in text
    assert "Businesses say hello" in text
    _no_lobby_figures(text)


def test_the_threshold_holds_in_the_report_pdf_and_its_data(app, admin, setup, below_and_above):
    pdf = admin.get(f"/assessments/{setup.assessment_id}/report.pdf").data
    text = " ".join(" ".join(page_texts(pdf)).split())
    assert "What stakeholders say" in text
    assert "11 responses from 2 groups are counted" in text
    assert "Not shown, with too few responses: " + ", ".join(HIDDEN) in text
    survey_part = text[text.index("What stakeholders say The survey") :]
    survey_part = survey_part[: survey_part.index("Evidence and audit marks")]
    _no_lobby_figures(survey_part)
    data = admin.get(f"/assessments/{setup.assessment_id}/report.json").get_json()
    assert [g["label"] for g in data["perception"]["groups"]] == ["Residents", "Businesses"]
    _no_lobby_figures(json.dumps(data["perception"]))
    assert "Residents say hello" not in json.dumps(data)  # a report is kept; comments are not
    with pikepdf.open(io.BytesIO(pdf)) as document:
        attached = document.attachments["assessment.json"].get_file().read_bytes()
    assert json.loads(attached)["perception"]["hidden_groups"] == HIDDEN


def test_the_threshold_is_configurable_and_never_below_three(app, setup):
    assert app.config["SURVEY_THRESHOLD"] == 5
    with pytest.raises(Exception, match="from 3 to 100"):
        open_survey(app, setup, threshold=2)
    survey_id = open_survey(app, setup, threshold=3)
    respond(app, survey_id, "lobbies", 3, everything(4))
    with app.app_context():
        data = surveys.export(_survey(app, survey_id))
    assert [g["label"] for g in data["groups"]] == ["Lobbies and pressure groups"]
    app.config["SURVEY_THRESHOLD"] = 8  # the default a new survey's form offers
    client = app.test_client()
    login(client, setup.admin)
    form = client.get(f"/assessments/{setup.assessment_id}/surveys").get_data(as_text=True)
    assert 'id="threshold" name="threshold" value="8"' in form
    app.config["SURVEY_THRESHOLD"] = 2  # a setting below the floor is raised to it
    form = client.get(f"/assessments/{setup.assessment_id}/surveys").get_data(as_text=True)
    assert 'id="threshold" name="threshold" value="3"' in form


def test_responses_are_deleted_after_retention_and_their_counts_kept(app, admin, below_and_above):
    survey_id = below_and_above
    with app.app_context():
        before = surveys.export(_survey(app, survey_id))
        survey = _survey(app, survey_id)
        survey.closed_at = db.utcnow() - timedelta(days=89)
        db.session().commit()
        assert (
            maintenance.purge()["responses of perception surveys closed past their retention"] == 0
        )  # 89 days: kept
        survey = _survey(app, survey_id)
        survey.closed_at = db.utcnow() - timedelta(days=91)
        db.session().commit()
        counts = maintenance.purge()
        assert counts["responses of perception surveys closed past their retention"] == 15
        assert db.session().scalars(select(SurveyResponse)).first() is None
        after = surveys.export(_survey(app, survey_id))
        event = (
            db.session()
            .scalars(select(AuditEvent).where(AuditEvent.action == "survey.purged"))
            .one()
        )
        assert event.detail == {"responses": 15}
    for key in ("areas", "responses", "hidden_groups", "least_heard", "regard_checks"):
        assert after[key] == before[key]
    assert [g["comments"] for g in after["groups"]] == [[], []]
    assert after["survey"]["responses_deleted"] is True
    page = admin.get(f"/surveys/{survey_id}/results").get_data(as_text=True)
    assert "have been deleted after the retention period" in page
    assert "Residents say hello" not in page


def test_retention_is_configurable(app, setup):
    app.config["SURVEY_RESPONSE_RETENTION_DAYS"] = 7
    survey_id = open_survey(app, setup)
    respond(app, survey_id, "residents", 2, everything(3))
    with app.app_context():
        _survey(app, survey_id).closed_at = db.utcnow() - timedelta(days=8)
        db.session().commit()
        assert (
            maintenance.purge()["responses of perception surveys closed past their retention"] == 2
        )


# ---- 4. abuse ----------------------------------------------------------------------------


def test_a_second_response_from_one_browser_is_marked_not_refused(app, setup, admin):
    survey_id = open_survey(app, setup)
    token, groups = _tokens(app, survey_id)
    library_computer = app.test_client()
    url = f"/s/{token}/{groups['residents']}"
    assert post(library_computer, url, {"s_know-needs": "4"}).status_code == 302
    assert post(library_computer, url, {"s_know-needs": "2"}).status_code == 302
    assert post(app.test_client(), url, {"s_know-needs": "5"}).status_code == 302
    assert [r.possible_duplicate for r in _stored(app, survey_id)] == [False, True, False]
    respond(app, survey_id, "residents", 2, everything(3))
    page = admin.get(f"/surveys/{survey_id}").get_data(as_text=True)
    row = re.search(r"<th scope=\"row\">Residents</th><td>5</td><td>0</td><td>1</td>", page)
    assert row, "the admin sees how many were possibly sent twice"


def test_a_form_that_fills_the_hidden_field_is_thanked_and_not_kept(app, setup):
    survey_id = open_survey(app, setup)
    token, groups = _tokens(app, survey_id)
    person = app.test_client()
    page = person.get(f"/s/{token}").get_data(as_text=True)
    assert 'name="website"' in page and 'tabindex="-1"' in page
    robot = post(
        person,
        f"/s/{token}/{groups['residents']}",
        {"s_know-needs": "5", "website": "http://spam.example"},
    )
    assert robot.status_code == 302 and robot.location.endswith("/thanks")
    assert _stored(app, survey_id) == []


def test_submitting_is_rate_limited_per_address(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_SURVEY_SUBMIT="3 per 10 minutes")
    setup = assessment_with_levels(app, *own_people(app))
    survey_id = open_survey(app, setup)
    token, groups = _tokens(app, survey_id)
    url = f"/s/{token}/{groups['residents']}"
    codes = [post(app.test_client(), url, {"s_know-needs": "3"}).status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]
    # Reading the survey is never limited, and another address may still answer.
    assert app.test_client().get(url).status_code == 200
    other = app.test_client()
    elsewhere = {"REMOTE_ADDR": "198.51.100.9"}
    assert post(other, url, {"s_know-needs": "3"}, environ_base=elsewhere).status_code == 302
    assert len(_stored(app, survey_id)) == 4


def test_an_alert_shows_when_responses_arrive_faster_than_the_set_rate(app, setup, admin):
    survey_id = open_survey(app, setup, alert_per_hour=4)
    respond(app, survey_id, "residents", 4, everything(3))
    assert "Responses arrived unusually fast" not in admin.get(f"/surveys/{survey_id}").get_data(
        as_text=True
    )
    respond(app, survey_id, "residents", 3, everything(3), source="paper")  # typing: no alert
    assert "Responses arrived unusually fast" not in admin.get(f"/surveys/{survey_id}").get_data(
        as_text=True
    )
    respond(app, survey_id, "businesses", 1, everything(3))
    page = admin.get(f"/surveys/{survey_id}").get_data(as_text=True)
    assert "Responses arrived unusually fast" in page
    assert "5 responses arrived within one hour" in page
    # Spread over the day, the same number raises nothing.
    with app.app_context():
        for n, response in enumerate(db.session().scalars(select(SurveyResponse))):
            response.submitted_at = db.utcnow() - timedelta(hours=2 * n)
        db.session().commit()
    assert "Responses arrived unusually fast" not in admin.get(f"/surveys/{survey_id}").get_data(
        as_text=True
    )


# ---- 5. paper ----------------------------------------------------------------------------


def test_staff_type_in_paper_responses_through_the_same_form(app, setup, make_user, add_member):
    survey_id = open_survey(app, setup)
    clerk = make_user()
    with app.app_context():
        from assess.models import Organisation

        organisation = db.session().get(Organisation, setup.organisation_id)
        group_id = next(g.id for g in _survey(app, survey_id).groups if g.segment_id == "lobbies")
    add_member(clerk, organisation, "respondent")
    client = app.test_client()
    login(client, clerk)
    page = client.get(f"/surveys/{survey_id}/paper-entry").get_data(as_text=True)
    assert f'name="group" value="{group_id}"' in page  # staff pick the group from the form
    assert "Save this paper response" in page
    token, _groups = _tokens(app, survey_id)
    online = app.test_client().get(f"/s/{token}").get_data(as_text=True)
    names = set(re.findall(r'name="(s_[a-z-]+|comment)"', page))
    assert names == set(re.findall(r'name="(s_[a-z-]+|comment)"', online))
    assert len(names) == 10
    saved = post(
        client,
        f"/surveys/{survey_id}/paper-entry",
        {"group": str(group_id), "s_real-say": "1", "comment": "Written by hand"},
    )
    assert saved.status_code == 302
    (stored,) = _stored(app, survey_id)
    assert (stored.source, stored.answers, stored.comment) == (
        "paper",
        {"real-say": 1},
        "Written by hand",
    )
    with app.app_context():
        event = (
            db.session()
            .scalars(select(AuditEvent).where(AuditEvent.action == "survey.paper_entered"))
            .one()
        )
        assert event.object_id == str(survey_id)
    # An auditor reads but does not type in.
    auditor = make_user()
    add_member(auditor, organisation, "auditor")
    reader = app.test_client()
    login(reader, auditor)
    assert reader.get(f"/surveys/{survey_id}/paper-entry").status_code == 403
    assert reader.get(f"/surveys/{survey_id}/results").status_code == 200


def test_the_survey_works_without_javascript_and_every_field_is_labelled(app, setup):
    survey_id = open_survey(app, setup)
    token, _groups = _tokens(app, survey_id)
    html = app.test_client().get(f"/s/{token}").get_data(as_text=True)
    assert "<script" not in html.split("</main>")[0].split("<main")[1]
    assert html.count("<fieldset") == 1 + 9  # the group, then one per statement
    assert html.count("<legend") == 1 + 9
    for input_id in re.findall(r'<input class="radios__input" type="radio" id="([^"]+)"', html):
        assert f'for="{input_id}"' in html
    assert html.count("Don&#39;t know") == 9 or html.count("Don't know") == 9
    assert '<textarea class="textarea" id="comment"' in html and 'for="comment"' in html
    assert "csrf_token" in html


# ---- 6. side by side ---------------------------------------------------------------------


def test_the_results_set_each_area_beside_the_bodys_own_level(app, make_user, make_org):
    setup = assessment_with_levels(app, make_user, make_org, levels={"mapping": 5}, default=3)
    survey_id = open_survey(app, setup)
    residents = {**everything(3), "know-needs": 1, "real-say": 2}
    users = {**everything(4), "know-needs": 2, "happy-with-service": 5}
    respond(app, survey_id, "residents", 6, residents)
    respond(app, survey_id, "service-users", 5, users)
    client = app.test_client()
    login(client, setup.admin)
    data = client.get(f"/surveys/{survey_id}/results.json").get_json()
    mapping = next(a for a in data["areas"] if a["area_id"] == "mapping")
    # 6 ones and 5 twos: 16 / 11 = 1.45; own level 5.0; a blind spot.
    assert (mapping["body_level"], mapping["agreement"], mapping["ratings"]) == (5.0, 1.5, 11)
    assert mapping["blind_spot"] is True
    assert data["blind_spots"] == ["Knowing your stakeholders"]
    assert data["least_heard"] == ["Residents"]
    checks = {c["label"]: c["verdict"] for c in data["regard_checks"]}
    assert checks == {"Residents": "no", "Service users": "yes"}
    html = client.get(f"/surveys/{survey_id}/results").get_data(as_text=True)
    assert "Blind spot" in html and "Least heard" in html
    assert "No: they do not feel treated as citizens" in html
    assert "Yes: they feel treated as customers" in html
    assert "a very small sample: an indication only" in html
    overview = client.get(f"/assessments/{setup.assessment_id}").get_data(as_text=True)
    assert f"/surveys/{survey_id}/results" in overview


# ---- 7. workshops ------------------------------------------------------------------------


def test_the_facilitator_shows_the_results_in_the_room(app, setup, admin, below_and_above):
    from assess.models import Assessment, User
    from assess.services import workshops

    with app.app_context():
        assessment = db.session().get(Assessment, setup.assessment_id)
        workshop, _code = workshops.open_session(
            assessment, db.session().get(User, setup.admin.id), "Board away day"
        )
        session_id = workshop.id
    join = admin.get(f"/workshops/{session_id}/room").get_data(as_text=True)
    assert f'href="/workshops/{session_id}/room/survey"' in join  # the next slide
    slide = admin.get(f"/workshops/{session_id}/room/survey")
    assert slide.status_code == 200
    text = slide.get_data(as_text=True)
    assert "What our stakeholders say" in text
    assert "11 responses from 2 group(s)" in text
    _no_lobby_figures(text)


def test_the_room_has_no_survey_slide_before_a_group_passes_the_threshold(app, setup, admin):
    from assess.models import Assessment, User
    from assess.services import workshops

    survey_id = open_survey(app, setup)
    respond(app, survey_id, "lobbies", 4, everything(5))
    with app.app_context():
        assessment = db.session().get(Assessment, setup.assessment_id)
        workshop, _code = workshops.open_session(
            assessment, db.session().get(User, setup.admin.id), "Board away day"
        )
        session_id = workshop.id
    assert "/room/survey" not in admin.get(f"/workshops/{session_id}/room").get_data(as_text=True)
    assert admin.get(f"/workshops/{session_id}/room/survey").status_code == 404
    assert csrf_token(admin)
