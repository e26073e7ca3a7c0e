"""The read API (/api/v1) and its personal tokens: what a dashboard or an analyst's script sees.

Tokens are made and revoked on the account page; the API answers JSON with ETags, keyset pages
and RFC 9457 problem documents; every answer conforms to the OpenAPI document it serves.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from helpers import login, post
from jsonschema import Draft202012Validator
from sqlalchemy import select

from assess import db
from assess.api import openapi
from assess.models import ApiToken, AuditEvent, Membership, Organisation, User
from assess.services import action_plan, api_tokens, assessments
from assess.services.questionnaires import current_questionnaires
from assess.services.tokens import token_hash

PROBLEM = "application/problem+json"


# ---- helpers -------------------------------------------------------------------------------------


def _token(app: Flask, user: User, organisations: list[Organisation], days: int = 30) -> str:
    with app.test_request_context():
        person = db.session().get(User, user.id)
        _record, secret = api_tokens.create(
            person, "Dashboard", [o.id for o in organisations], days
        )
        return secret


def _get(client, url: str, token: str | None, **headers: str):
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.get(url, headers=headers)


def _validate(response, schema_name: str) -> None:
    """The answer conforms to the OpenAPI document's schema ``schema_name``."""
    document = openapi.document()
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    Draft202012Validator(schema).validate(response.get_json())


def _assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"] and body["detail"]
    _validate(response, "Problem")
    return body


@pytest.fixture
def council(app, make_user, make_org):
    """An admin of a council with one started assessment and one action in its plan."""
    admin = make_user(name="Priya Shah")
    org = make_org(name="Target council", members={admin: "admin"})
    with app.test_request_context():
        person = db.session().get(User, admin.id)
        assessment = assessments.start(
            org.id, person, "Stakeholders 2026", current_questionnaires()
        )
        action_plan.add_own(
            assessment,
            person,
            action_plan.OwnAction(
                question_id="lead-commitment",
                title="Brief the cabinet",
                done_when="Cabinet minutes record the briefing",
                owner=action_plan.Owner(role="Chief executive"),
                due_on=date(2027, 3, 31),
            ),
        )
        assessment_id = assessment.id
    return admin, org, assessment_id


@pytest.fixture
def demo(app, runner):
    """Demo Borough Council (a fully answered assessment) and its admin."""
    result = runner.invoke(args=["demo", "--quick"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        admin = db.session().scalar(select(User).where(User.email == "admin@demo.example"))
        org = db.session().scalar(select(Organisation))
        assessment = assessments.for_organisation(org.id)[0]
        return admin, org, assessment.id


# ---- tokens on the account page ------------------------------------------------------------------


def test_a_token_is_made_on_the_account_page_shown_once_and_stored_hashed(
    app, client, make_user, make_org
):
    me = make_user()
    mine = make_org(name="My council", members={me: "auditor"})
    login(client, me)
    assert "/account/api-tokens" in client.get("/account").get_data(as_text=True)
    response = post(
        client,
        "/account/api-tokens",
        {"name": "Power BI", "lifetime": "30", "organisations": str(mine.id)},
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'value="(assess_[^"]+)"', response.get_data(as_text=True)).group(1)
    with app.app_context():
        token = db.session().scalar(select(ApiToken))
        assert token.token_hash == token_hash(secret)
        assert secret not in repr(db.session().execute(select(ApiToken.__table__)).all())
        assert token.organisation_ids == {mine.id}
        lifetime = token.expires_at - token.created_at
        assert timedelta(days=30) - timedelta(seconds=5) < lifetime <= timedelta(days=30)
        event = db.session().scalar(
            select(AuditEvent).where(AuditEvent.action == "api_token.created")
        )
        assert event.organisation_id == mine.id and event.object_id == str(token.id)
    # The list shows the token by name and first characters, never the token itself again.
    listing = client.get("/account/api-tokens").get_data(as_text=True)
    assert "Power BI" in listing and secret[:11] in listing and secret not in listing
    assert _get(client, "/api/v1/organisations", secret).status_code == 200


def test_a_token_needs_a_name_and_one_of_my_organisations(app, client, make_user, make_org):
    me, them = make_user(), make_user()
    mine = make_org(members={me: "admin"})
    theirs = make_org(members={them: "admin"})
    login(client, me)
    none_chosen = post(client, "/account/api-tokens", {"name": "x", "lifetime": "30"})
    assert none_chosen.status_code == 400
    assert "Choose at least one organisation" in none_chosen.get_data(as_text=True)
    forged = post(
        client,
        "/account/api-tokens",
        {"name": "x", "lifetime": "30", "organisations": str(theirs.id)},
    )
    assert forged.status_code == 400
    unnamed = post(
        client, "/account/api-tokens", {"name": " ", "lifetime": "30", "organisations": mine.id}
    )
    assert unnamed.status_code == 400 and "Give the token a name" in unnamed.get_data(as_text=True)
    odd_lifetime = post(
        client, "/account/api-tokens", {"name": "x", "lifetime": "9999", "organisations": mine.id}
    )
    assert odd_lifetime.status_code == 400
    with app.app_context():
        assert db.session().scalar(select(ApiToken)) is None


def test_making_a_token_needs_the_forms_csrf_token(app, client, make_user, make_org):
    me = make_user()
    mine = make_org(members={me: "admin"})
    login(client, me)
    response = client.post(
        "/account/api-tokens", data={"name": "x", "lifetime": "30", "organisations": mine.id}
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session().scalar(select(ApiToken)) is None


def test_signed_out_people_are_sent_to_sign_in_from_the_tokens_page(client):
    response = client.get("/account/api-tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_revoked_token_stops_working_at_once_and_only_its_owner_can_revoke_it(
    app, client, make_user, make_org
):
    me, other = make_user(), make_user()
    mine = make_org(members={me: "admin", other: "admin"})
    secret = _token(app, me, [mine])
    with app.app_context():
        token_id = db.session().scalar(select(ApiToken.id))
    # Someone else cannot revoke it (not found), and it keeps working.
    login(client, other)
    assert post(client, f"/account/api-tokens/{token_id}/revoke").status_code == 404
    assert _get(client, "/api/v1/organisations", secret).status_code == 200
    client.get("/logout")
    mine_client = app.test_client()
    login(mine_client, me)
    response = post(mine_client, f"/account/api-tokens/{token_id}/revoke")
    assert response.status_code == 302
    assert "revoked" in mine_client.get("/account/api-tokens").get_data(as_text=True)
    _assert_problem(_get(client, "/api/v1/organisations", secret), 401)
    with app.app_context():
        assert db.session().scalar(
            select(AuditEvent).where(AuditEvent.action == "api_token.revoked")
        )


# ---- authentication --------------------------------------------------------------------------


def test_without_a_live_token_the_api_answers_401(app, client, council):
    admin, org, _assessment_id = council
    secret = _token(app, admin, [org])
    url = f"/api/v1/organisations/{org.id}"
    for token in (None, "", "assess_not-a-token", secret[:-1], "x" * 500):
        response = _get(client, url, token)
        _assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    # A scheme other than Bearer is not a token.
    assert client.get(url, headers={"Authorization": f"Basic {secret}"}).status_code == 401
    with app.app_context():
        token = db.session().scalar(select(ApiToken))
        token.expires_at = db.utcnow() - timedelta(seconds=1)
        db.session().commit()
    _assert_problem(_get(client, url, secret), 401)


def test_a_signed_in_browser_session_does_not_open_the_api(app, client, council):
    admin, org, _assessment_id = council
    login(client, admin)
    assert client.get(f"/organisations/{org.id}").status_code == 200
    _assert_problem(client.get(f"/api/v1/organisations/{org.id}"), 401)


def test_a_token_reads_only_the_organisations_in_its_scope_while_its_person_is_a_member(
    app, client, council, make_user, make_org
):
    admin, org, assessment_id = council
    other_org = make_org(name="Second council", members={admin: "admin"})
    secret = _token(app, admin, [other_org])
    # Out of scope: the same 404 as an organisation that does not exist.
    out_of_scope = _get(client, f"/api/v1/organisations/{org.id}", secret)
    missing = _get(client, "/api/v1/organisations/999999", secret)
    assert _assert_problem(out_of_scope, 404)["detail"] == _assert_problem(missing, 404)["detail"]
    _assert_problem(_get(client, f"/api/v1/assessments/{assessment_id}", secret), 404)
    _assert_problem(_get(client, f"/api/v1/assessments/{assessment_id}/answers", secret), 404)
    listed = _get(client, "/api/v1/organisations", secret).get_json()["items"]
    assert [o["id"] for o in listed] == [other_org.id]
    # Its person leaves the organisation: the token loses it too.
    with app.app_context():
        db.session().execute(
            Membership.__table__.delete().where(Membership.organisation_id == other_org.id)
        )
        db.session().commit()
    _assert_problem(_get(client, f"/api/v1/organisations/{other_org.id}", secret), 404)
    assert _get(client, "/api/v1/organisations", secret).get_json()["items"] == []


def test_a_token_of_another_organisation_finds_nothing_of_this_one(
    app, client, council, make_user, make_org
):
    _admin, org, assessment_id = council
    outsider = make_user()
    theirs = make_org(members={outsider: "admin"})
    secret = _token(app, outsider, [theirs])
    for url in (
        f"/api/v1/organisations/{org.id}",
        f"/api/v1/organisations/{org.id}/assessments",
        f"/api/v1/assessments/{assessment_id}",
        f"/api/v1/assessments/{assessment_id}/results",
        f"/api/v1/assessments/{assessment_id}/gaps",
        f"/api/v1/assessments/{assessment_id}/action-plan",
    ):
        _assert_problem(_get(client, url, secret), 404)


def test_a_suspended_organisation_is_closed_to_the_api(app, client, council):
    admin, org, assessment_id = council
    secret = _token(app, admin, [org])
    with app.app_context():
        db.session().get(Organisation, org.id).status = "suspended"
        db.session().commit()
    body = _assert_problem(_get(client, f"/api/v1/assessments/{assessment_id}", secret), 403)
    assert "suspended" in body["detail"]


# ---- the endpoints ---------------------------------------------------------------------------


def test_every_endpoint_answers_what_its_schema_says(app, client, demo):
    admin, org, assessment_id = demo
    secret = _token(app, admin, [org])
    for url, schema in (
        ("/api/v1/organisations", "OrganisationPage"),
        (f"/api/v1/organisations/{org.id}", "Organisation"),
        (f"/api/v1/organisations/{org.id}/assessments", "AssessmentPage"),
        (f"/api/v1/assessments/{assessment_id}", "Assessment"),
        (f"/api/v1/assessments/{assessment_id}/answers", "AnswerPage"),
        (f"/api/v1/assessments/{assessment_id}/results", "Results"),
        (f"/api/v1/assessments/{assessment_id}/gaps", "Gaps"),
        (f"/api/v1/assessments/{assessment_id}/action-plan", "ActionPage"),
    ):
        response = _get(client, url, secret)
        assert response.status_code == 200, (url, response.get_data(as_text=True))
        assert response.mimetype == "application/json"
        _validate(response, schema)


def test_the_organisation_and_assessment_are_the_serializers_records(app, client, demo):
    from assess.data_format import serializer

    admin, org, assessment_id = demo
    secret = _token(app, admin, [org])
    organisation = _get(client, f"/api/v1/organisations/{org.id}", secret).get_json()
    assessment = _get(client, f"/api/v1/assessments/{assessment_id}", secret).get_json()
    with app.app_context():
        expected_org = serializer.organisation_record(db.session().get(Organisation, org.id))
        expected = serializer.assessment_record(assessments.get(assessment_id))
    assert organisation == {**expected_org, "your_role": "admin"}
    assert {k: assessment[k] for k in expected} == expected
    assert [q["id"] for q in assessment["questionnaires"]] == [
        "definition",
        "model-fit",
        "adoption",
    ]


def test_results_and_gaps_are_the_scoring_engines(app, client, demo):
    admin, org, assessment_id = demo
    secret = _token(app, admin, [org])
    results = _get(client, f"/api/v1/assessments/{assessment_id}/results", secret).get_json()
    gaps = _get(client, f"/api/v1/assessments/{assessment_id}/gaps", secret).get_json()
    with app.test_request_context():
        scored = assessments.score(assessments.get(assessment_id)).to_dict()
    assert results["maturity"] == scored["maturity"]
    assert results["gaps"] == scored["gaps"] == gaps["gaps"]
    assert gaps["method_version"] == scored["method_version"]
    below = [g for g in gaps["gaps"] if g["status"] == "below_target"]
    assert below and below[0]["rank"] == 1


def test_the_action_plan_lists_the_assessments_actions(app, client, council):
    admin, org, assessment_id = council
    secret = _token(app, admin, [org])
    body = _get(client, f"/api/v1/assessments/{assessment_id}/action-plan", secret).get_json()
    (action,) = body["items"]
    assert action["title"] == "Brief the cabinet"
    assert action["owner_role"] == "Chief executive" and action["owner_user"] is None
    assert action["due_on"] == "2027-03-31"
    assert action["done_when"] == ["Cabinet minutes record the briefing"]


# ---- pages, ETags, problems ------------------------------------------------------------------


def test_answers_are_read_a_page_at_a_time_without_loss_or_repeat(app, client, demo):
    admin, org, assessment_id = demo
    secret = _token(app, admin, [org])
    url = f"/api/v1/assessments/{assessment_id}/answers"
    everything = _get(client, url + "?limit=200", secret).get_json()["items"]
    assert len(everything) > 30
    seen, cursor, pages = [], None, 0
    while True:
        page = _get(client, url + "?limit=7" + (f"&after={cursor}" if cursor else ""), secret)
        body = page.get_json()
        assert len(body["items"]) <= 7
        seen += [a["id"] for a in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            assert 'rel="next"' not in page.headers.get("Link", "")
            break
        assert f"after={cursor}" in page.headers["Link"]
    assert seen == [a["id"] for a in everything]
    assert pages == -(-len(everything) // 7)
    # And back: the page before the second page is the first, linked as rel="prev".
    first = _get(client, url + "?limit=7", secret).get_json()
    second = _get(client, url + f"?limit=7&after={first['next_cursor']}", secret)
    previous = second.get_json()["previous_cursor"]
    assert f"before={previous}" in second.headers["Link"] and 'rel="prev"' in second.headers["Link"]
    back = _get(client, url + f"?limit=7&before={previous}", secret).get_json()
    assert [a["id"] for a in back["items"]] == [a["id"] for a in first["items"]]
    assert back["previous_cursor"] is None


def test_a_bad_page_request_is_a_400_problem(app, client, demo):
    admin, org, assessment_id = demo
    secret = _token(app, admin, [org])
    url = f"/api/v1/assessments/{assessment_id}/answers"
    for query in (
        "?limit=0",
        "?limit=201",
        "?limit=ten",
        "?after=%%%",
        "?after=WzEsMl0",
        "?after=WzFd&before=WzFd",
        "?after=Wzk5OTk5OTk5OTk5OTk5OTk5OTk5OTld",
    ):
        _assert_problem(_get(client, url + query, secret), 400)


def test_an_unchanged_resource_is_304_with_its_etag_and_200_once_it_changes(app, client, council):
    admin, org, assessment_id = council
    secret = _token(app, admin, [org])
    url = f"/api/v1/assessments/{assessment_id}"
    first = _get(client, url, secret)
    etag = first.headers["ETag"]
    assert etag and "Authorization" in first.headers["Vary"]
    again = _get(client, url, secret, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    with app.app_context():
        assessments.get(assessment_id).title = "Renamed"
        db.session().commit()
    changed = _get(client, url, secret, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["title"] == "Renamed"


def test_errors_under_the_api_are_problem_documents(app, client, council, monkeypatch):
    admin, org, _assessment_id = council
    secret = _token(app, admin, [org])
    _assert_problem(_get(client, "/api/v1/nothing-here", secret), 404)
    not_allowed = client.post(
        "/api/v1/organisations", headers={"Authorization": f"Bearer {secret}"}
    )
    _assert_problem(not_allowed, 405)
    assert "GET" in not_allowed.headers["Allow"]

    def broken(*_args, **_kwargs):
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr("assess.api.representations.organisation", broken)
    body = _assert_problem(_get(client, f"/api/v1/organisations/{org.id}", secret), 500)
    assert "fault" not in body["detail"]
    # The pages keep their HTML error pages.
    assert client.get("/nothing-here").mimetype == "text/html"


def test_too_many_requests_with_one_token_is_a_429_problem(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_API_PER_TOKEN="3 per minute")
    with app.test_request_context():
        from assess.services import accounts

        person = accounts.create_user("Rate Tester", "rate@example.org", "a long passphrase 1")
        organisation = Organisation(
            name="Busy council",
            sector="local_government",
            size_band="250_999",
            country="GB",
            time_zone="Europe/London",
            status="active",
        )
        db.session().add(organisation)
        db.session().add(Membership(user_id=person.id, organisation=organisation, role="admin"))
        db.session().commit()
        _record, secret = api_tokens.create(person, "Busy", [organisation.id], 30)
    client = app.test_client()
    codes = [_get(client, "/api/v1/organisations", secret).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = _get(client, "/api/v1/organisations", secret)
    _assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) >= 1


# ---- the OpenAPI document --------------------------------------------------------------------


def test_the_openapi_document_is_served_and_names_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "http://localhost/api/v1"}]
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path, method.lower()))
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert routes == documented
    # Every reference in it resolves, and its schemas are valid JSON Schemas.
    for name, schema in document["components"]["schemas"].items():
        try:
            Draft202012Validator.check_schema(schema)
        except Exception as error:
            pytest.fail(f"{name}: {error}")
    text = response.get_data(as_text=True)
    for ref in set(re.findall(r'"\$ref": ?"#/([^"]+)"', text)):
        node = document
        for part in ref.split("/"):
            node = node[part]


def test_a_persons_tokens_go_with_their_account(app, client, council, make_user, add_member):
    from helpers import PASSWORD

    from assess.services import privacy

    _admin, org, _assessment_id = council
    colleague = make_user()
    add_member(colleague, org, "respondent")
    secret = _token(app, colleague, [org])
    assert _get(client, "/api/v1/organisations", secret).status_code == 200
    with app.test_request_context():
        privacy.erase_own_account(db.session().get(User, colleague.id), PASSWORD)
    with app.app_context():
        assert db.session().scalar(select(ApiToken)) is None
    _assert_problem(_get(client, "/api/v1/organisations", secret), 401)
