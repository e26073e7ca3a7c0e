"""Every route declares who may reach it, and another organisation's people never reach its data."""

from __future__ import annotations

import pytest
from flask import Blueprint
from helpers import login, post
from sqlalchemy import select

from assess import access, db
from assess.models import AnswerRecord, Invitation, Membership
from assess.services import assessments, workshops
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
}


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
        values = {
            "org_id": target.id,
            "membership_id": membership.id,
            "invitation_id": invitation.id,
            "assessment_id": assessment.id,
            "questionnaire_id": "adoption",
            "section_id": "leadership",
            "question_id": "lead-commitment",
            "session_id": workshop.id,
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
    # Nothing changed for the target's people.
    with app.app_context():
        assert db.session().get(Membership, values["membership_id"]).role == "respondent"
        assert db.session().get(Invitation, values["invitation_id"]).revoked_at is None
        assert db.session().scalar(select(AnswerRecord)) is None


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
