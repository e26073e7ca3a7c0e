"""Every route declares who may reach it, and another organisation's people never reach its data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Blueprint
from helpers import login, post
from sqlalchemy import select

from assess import access, db
from assess.models import AnswerRecord, Invitation, Membership, Organisation, User
from assess.permissions import INSTANCE_PERMISSIONS
from assess.services import action_plan, api_tokens, assessments, organisations, surveys, workshops
from assess.services.questionnaires import current_questionnaires

# Filled in for the URL arguments of object-scoped routes. A later route with a new argument fails
# test_people_of_another_organisation_cannot_reach_its_objects until its argument is added here.
URL_ARGUMENTS = {
    "org_id",
    "membership_id",
    "invitation_id",
    "assessment_id",
    "questionnaire_id",
    "section_id",
    "question_id",
    "session_id",
    "survey_id",
    "segment_id",
    "action_id",
    "job_id",
    "pack_id",
}


def _own_action(assessment, owner):
    """An action in the assessment's plan, for the routes about one action."""
    return action_plan.add_own(
        assessment,
        owner,
        action_plan.OwnAction(
            question_id="lead-commitment",
            title="Brief the cabinet",
            done_when="Cabinet minutes record the briefing",
            owner=action_plan.Owner(role="Chief executive"),
            due_on=date(2027, 3, 31),
        ),
    )


def test_every_route_declares_its_access(app):
    assert access.undeclared_routes(app) == []


def test_a_route_added_without_a_declaration_is_reported_and_refused(app):
    extra = Blueprint("extra", __name__)

    @extra.get("/extra/forgotten")
    def forgotten():
        return "should not be served"

    @extra.get("/extra/declared")
    @access.public
    def declared():
        return "fine"

    app.register_blueprint(extra)
    assert access.undeclared_routes(app) == ["/extra/forgotten (extra.forgotten)"]
    client = app.test_client()
    assert client.get("/extra/forgotten").status_code == 403
    assert client.get("/extra/declared").status_code == 200


def test_a_declaration_above_the_route_decorator_does_not_count(app):
    @access.login_required
    @app.get("/extra/upside-down")
    def upside_down():
        return "the app registered the undecorated view"

    assert "/extra/upside-down (upside_down)" in access.undeclared_routes(app)


def test_a_permission_that_does_not_exist_is_refused_at_import():
    with pytest.raises(ValueError, match="unknown permission"):
        access.requires("assessment.anwser", load=lambda **_: None)


def test_an_organisation_permission_needs_a_loader():
    with pytest.raises(ValueError, match="loader"):
        access.requires("org.view")


def _survey(assessment, owner):
    """A survey on ``assessment`` for the register's first group, open from today."""
    return surveys.open_survey(
        assessment,
        owner,
        title="Their survey",
        segment_ids=["residents"],
        opens_on=date.today() - timedelta(days=1),
        closes_on=date.today() + timedelta(days=30),
        threshold=5,
        alert_per_hour=60,
        perception=current_questionnaires().perception,
    )


def _staged_pack(app) -> int:
    """A checked questionnaire pack waiting to be installed (packs belong to the instance)."""
    from pack_helpers import pack_zip

    from assess.services import packs

    with app.test_request_context():
        row, result = packs.stage(pack_zip(), "pack.zip", None)
        assert row is not None, result.problems
        return row.id


def _object_scoped_rules(app):
    for rule in app.url_map.iter_rules():
        declared = access.rule_of(app.view_functions.get(rule.endpoint))
        if declared is not None and declared.kind == access.PERMISSION:
            yield rule


def test_people_of_another_organisation_cannot_reach_its_objects(
    app, make_user, make_org, add_member
):
    owner, other = make_user(), make_user()
    target = make_org(name="Target council", members={owner: "admin"})
    colleague = make_user()
    add_member(colleague, target, "respondent")
    make_org(name="Elsewhere council", members={other: "admin"})
    client = app.test_client()
    login(client, owner)
    post(
        client,
        f"/organisations/{target.id}/invitations/new",
        {"email": "new@example.org", "role": "auditor"},
    )
    with app.app_context():
        invitation = db.session().scalar(select(Invitation))
        membership = db.session().scalar(
            select(Membership).where(Membership.user_id == colleague.id)
        )
        assessment = assessments.start(
            target.id, owner, "Target's assessment", current_questionnaires()
        )
        workshop, _code = workshops.open_session(assessment, owner, "Their workshop")
        survey = _survey(assessment, owner)
        action = _own_action(assessment, owner)
        values = {
            "org_id": target.id,
            "membership_id": membership.id,
            "invitation_id": invitation.id,
            "assessment_id": assessment.id,
            "questionnaire_id": "adoption",
            "section_id": "leadership",
            "question_id": "lead-commitment",
            "session_id": workshop.id,
            "survey_id": survey.id,
            "segment_id": "residents",
            "action_id": action.id,
            "job_id": "a-job",
            "pack_id": _staged_pack(app),
        }
    assert set(values) == URL_ARGUMENTS

    outsider = app.test_client()
    login(outsider, other)
    checked = 0
    for rule in _object_scoped_rules(app):
        missing = set(rule.arguments) - set(values)
        assert not missing, f"{rule.rule}: give test_access.py a value for {sorted(missing)}"
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = (
                outsider.get(url) if method == "GET" else post(outsider, url, {"role": "admin"})
            )
            assert response.status_code in (403, 404), (method, rule.rule, response.status_code)
            checked += 1
    assert checked >= 10

    # The read API: a token of the other organisation's person, and a token of the target's own
    # admin scoped to another organisation, reach none of the target's objects (404 each).
    with app.app_context():
        outsider_token = api_tokens.create(
            db.session().get(User, other.id), "Outsider", _organisation_ids(other), 30
        )[1]
        elsewhere = Organisation(
            name="Second council",
            sector="local_government",
            size_band="250_999",
            country="GB",
            time_zone="Europe/London",
        )
        db.session().add(elsewhere)
        db.session().add(Membership(user_id=owner.id, organisation=elsewhere, role="admin"))
        db.session().commit()
        scoped_away = api_tokens.create(
            db.session().get(User, owner.id), "Scoped away", [elsewhere.id], 30
        )[1]
        own_token = api_tokens.create(db.session().get(User, owner.id), "Own", [target.id], 30)[1]
    api_checked = 0
    for rule in _api_rules(app):
        missing = set(rule.arguments) - set(values)
        assert not missing, f"{rule.rule}: give test_access.py a value for {sorted(missing)}"
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        for token in (outsider_token, scoped_away):
            response = outsider.get(url, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 404, (rule.rule, response.status_code)
            assert response.mimetype == "application/problem+json"
        # The target's admin with a token for it does reach it: the 404s above are the rule's.
        assert (
            outsider.get(url, headers={"Authorization": f"Bearer {own_token}"}).status_code == 200
        )
        api_checked += 1
    assert api_checked >= 7
    # Nothing changed for the target's people.
    with app.app_context():
        assert db.session().get(Membership, values["membership_id"]).role == "respondent"
        assert db.session().get(Invitation, values["invitation_id"]).revoked_at is None
        assert db.session().scalar(select(AnswerRecord)) is None


def _api_rules(app):
    """The read API's routes about one object (those with a loader)."""
    for rule in app.url_map.iter_rules():
        declared = access.rule_of(app.view_functions.get(rule.endpoint))
        if declared is not None and declared.kind == access.API and declared.load is not None:
            yield rule


def _organisation_ids(user):
    return [m.organisation_id for m in organisations.memberships_of(user.id)]


def test_every_api_route_is_declared_for_tokens_and_every_token_route_is_the_apis(app):
    for rule in app.url_map.iter_rules():
        declared = access.rule_of(app.view_functions.get(rule.endpoint))
        is_api = rule.rule.startswith("/api/v1/")
        if rule.rule == "/api/v1/openapi.json":
            assert declared.kind == access.PUBLIC
            continue
        assert (declared is not None and declared.kind == access.API) == is_api, rule.rule


def test_another_organisations_objects_are_not_found_rather_than_forbidden(
    client, make_user, make_org
):
    me, them = make_user(), make_user()
    make_org(members={me: "admin"})
    theirs = make_org(members={them: "admin"})
    login(client, me)
    assert client.get(f"/organisations/{theirs.id}").status_code == 404
    assert client.get(f"/organisations/{theirs.id}/members").status_code == 404


def test_a_membership_is_not_reached_through_another_organisations_url(
    app, client, make_user, make_org, add_member
):
    me, them, their_colleague = make_user(), make_user(), make_user()
    mine = make_org(members={me: "admin"})
    theirs = make_org(members={them: "admin"})
    add_member(their_colleague, theirs, "respondent")
    with app.app_context():
        membership = db.session().scalar(
            select(Membership).where(Membership.user_id == their_colleague.id)
        )
    login(client, me)
    # My organisation in the URL, their membership's id: still not found, and nothing removed.
    response = post(client, f"/organisations/{mine.id}/members/{membership.id}/remove")
    assert response.status_code == 404
    with app.app_context():
        assert db.session().get(Membership, membership.id) is not None


@pytest.mark.parametrize(
    "url", ["/account", "/organisations", "/organisations/new", "/organisations/1"]
)
def test_signed_out_people_are_sent_to_sign_in_and_back(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={url}"


def test_public_pages_need_no_account(client):
    for url in ("/", "/healthz", "/login", "/register", "/password/forgot", "/privacy"):
        assert client.get(url).status_code == 200, url


# ---- an organisation that is closed (suspended, scheduled for deletion, pending) ----------------


def _snapshot(app):
    """Every row of every table that holds an organisation's data (sign-in records, API tokens'
    last use and limit counters change with any request and are left out)."""
    ignored = {"user_session", "alembic_version", "rate_limit", "kept_form", "api_token"}
    rows = {}
    with app.app_context():
        connection = db.session().connection()
        for table in db.Base.metadata.sorted_tables:
            if table.name in ignored:
                continue
            rows[table.name] = sorted(map(repr, connection.execute(table.select()).all()))
    return rows


def _close(app, organisation_id, how):
    with app.app_context():
        organisation = db.session().get(Organisation, organisation_id)
        if how == "suspended":
            organisation.status = "suspended"
        elif how == "pending":
            organisation.status = "pending"
        else:
            organisation.deletion_requested_at = db.utcnow()
            organisation.deletion_due_at = db.utcnow() + timedelta(days=30)
        db.session().commit()


@pytest.mark.parametrize("how", ["suspended", "deletion", "pending"])
def test_nothing_of_a_closed_organisation_changes_through_any_route(
    app, make_user, make_org, add_member, mailbox, how
):
    """Every route that acts on an organisation's objects, as its own admin, as one of its
    workshop participants, and as anyone holding its join code or invitation link."""
    owner, colleague = make_user(), make_user()
    target = make_org(name="Target council", members={owner: "admin"})
    add_member(colleague, target, "respondent")
    admin = app.test_client()
    login(admin, owner)
    post(
        admin,
        f"/organisations/{target.id}/invitations/new",
        {"email": "new@example.org", "role": "auditor"},
    )
    token = mailbox()[-1].link().rsplit("/", 1)[1]
    with app.app_context():
        invitation = db.session().scalar(select(Invitation))
        membership = db.session().scalar(
            select(Membership).where(Membership.user_id == colleague.id)
        )
        assessment = assessments.start(
            target.id, owner, "Target's assessment", current_questionnaires()
        )
        workshop, code = workshops.open_session(assessment, owner, "Their workshop")
        workshops.set_sections(workshop, owner, ["adoption/leadership"])
        survey = _survey(assessment, owner)
        action = _own_action(assessment, owner)
        values = {
            "org_id": target.id,
            "membership_id": membership.id,
            "invitation_id": invitation.id,
            "assessment_id": assessment.id,
            "questionnaire_id": "adoption",
            "section_id": "leadership",
            "question_id": "lead-commitment",
            "session_id": workshop.id,
            "segment_id": "residents",
            "action_id": action.id,
            "job_id": "a-job",
            "token": token,
            "survey_id": survey.id,
            "survey_token": survey.token,
            "group_token": survey.groups[0].token,
        }
        api_token = api_tokens.create(
            db.session().get(User, owner.id), "Dashboard", [target.id], 30
        )[1]
    device = app.test_client()
    assert post(device, "/workshop/join", {"code": code, "name": "Pat"}).status_code == 302
    _close(app, target.id, how)
    before = _snapshot(app)
    stranger = app.test_client()
    form = {
        "role": "admin",
        "code": code,
        "name": "Someone new",
        "email": "new@example.org",
        "password": "a long enough password for this",
        "confirm": "a long enough password for this",
        "title": "Another",
        "q_lead-commitment": "3",
        "q_lead-commitment__rev": "",
        "q_lead-commitment__was": "",
        "q_def-owner": "nobody",
        "threshold": "2",
        "sections": "adoption/leadership",
    }
    checked = {access.PERMISSION: 0, access.PARTICIPANT: 0, access.PUBLIC: 0, access.API: 0}
    for rule in app.url_map.iter_rules():
        declared = access.rule_of(app.view_functions.get(rule.endpoint))
        if declared is None or (declared.kind == access.PUBLIC and declared.load is None):
            continue
        if declared.kind == access.API:
            if declared.load is None:
                continue  # the token's list of organisations, each with its status
            url = rule.build({name: values[name] for name in rule.arguments})[1]
            response = stranger.get(url, headers={"Authorization": f"Bearer {api_token}"})
            assert response.status_code == 403, (rule.rule, response.status_code)
            assert response.mimetype == "application/problem+json"
            checked[access.API] += 1
            continue
        if declared.kind == access.LOGIN or declared.permission in INSTANCE_PERMISSIONS:
            continue  # the person's own account, and the operator who suspends and reactivates
        missing = set(rule.arguments) - set(values)
        assert not missing, f"{rule.rule}: give this test a value for {sorted(missing)}"
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        who = {access.PERMISSION: admin, access.PARTICIPANT: device, access.PUBLIC: stranger}
        browser = who[declared.kind]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = browser.get(url, query_string={"code": code})
            else:
                response = post(browser, url, form)
            assert response.status_code == 403, (method, rule.rule, response.status_code)
            checked[declared.kind] += 1
            if method == "POST":
                json_response = post(browser, url, form, headers={"Accept": "application/json"})
                assert json_response.status_code == 403, (rule.rule, json_response.status_code)
                assert json_response.get_json()["status"] == "closed"
    assert checked[access.PERMISSION] >= 30
    assert checked[access.PARTICIPANT] >= 4
    assert checked[access.PUBLIC] >= 3  # joining (page and form) and the invitation link
    assert checked[access.API] >= 7
    assert _snapshot(app) == before
