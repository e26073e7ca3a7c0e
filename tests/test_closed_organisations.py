"""A suspended organisation, or one scheduled for deletion, stops everywhere: its members, its
workshop participants, anyone with its join code or an invitation link, pages and scripts alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import login, post
from sqlalchemy import func, select
from workshop_helpers import answer_level, join, open_room

from assess import db
from assess.models import (
    AnswerRecord,
    Invitation,
    Membership,
    Organisation,
    Participant,
    ParticipantAnswer,
    WorkshopSession,
)
from assess.services import organisations, privacy


def _suspend(app, organisation_id):
    with app.app_context():
        organisation = db.session().get(Organisation, organisation_id)
        operator = organisation.memberships[0].user
        organisations.set_status(organisation, "suspended", by=operator)


def _schedule_deletion(app, organisation_id):
    with app.app_context():
        organisation = db.session().get(Organisation, organisation_id)
        organisation.deletion_requested_at = db.utcnow()
        organisation.deletion_due_at = db.utcnow() + privacy.grace_period()
        db.session().commit()


def _reactivate(app, organisation_id):
    with app.app_context():
        organisation = db.session().get(Organisation, organisation_id)
        organisation.status = "active"
        organisation.deletion_requested_at = organisation.deletion_due_at = None
        db.session().commit()


CLOSE = {"suspended": _suspend, "deletion": _schedule_deletion}


def _count(app, model):
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("how", CLOSE)
def test_nobody_can_join_a_closed_organisations_workshop_with_its_code(
    app, make_user, make_org, how
):
    room = open_room(app, make_user, make_org)
    CLOSE[how](app, room.organisation_id)
    device = app.test_client()
    # The link with the code already says so...
    page = device.get("/workshop/join", query_string={"code": room.code})
    assert page.status_code == 403
    # ...and so does posting the join form.
    response = post(device, "/workshop/join", {"code": room.code, "name": "Pat Participant"})
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    if how == "suspended":
        assert "is suspended" in text and "nobody can join them" in text
    else:
        assert "is being deleted" in text and "no more answers or names are collected" in text
    assert _count(app, Participant) == 0
    # A mistyped code still gets the usual message (nothing is revealed about other codes).
    wrong = post(device, "/workshop/join", {"code": "ZZZZ-ZZZZ", "name": "Pat"})
    assert wrong.status_code == 400


@pytest.mark.parametrize("how", CLOSE)
def test_participants_of_a_closed_organisation_cannot_save_and_are_told_why(
    app, make_user, make_org, how
):
    room = open_room(app, make_user, make_org)
    device = join(app, room.code, "Pat Participant")
    assert answer_level(device, room.session_id, "lead-commitment", 3).status_code == 200
    CLOSE[how](app, room.organisation_id)

    # The script's save: refused with a message it can show, nothing stored.
    refused = answer_level(device, room.session_id, "lead-commitment", 5)
    assert refused.status_code == 403
    body = refused.get_json()
    assert body["status"] == "closed" and "nothing" in body["message"].lower()
    # The page's save, and the pages themselves.
    url = f"/workshop/{room.session_id}/adoption/leadership"
    saved = post(device, url, {"q_lead-commitment": "5", "q_lead-commitment__was": ""})
    assert saved.status_code == 403
    assert device.get(url).status_code == 403
    assert device.get(f"/workshop/{room.session_id}/").status_code == 403
    with app.app_context():
        stored = db.session().scalars(select(ParticipantAnswer)).all()
        assert [(a.question_id, a.value) for a in stored] == [("lead-commitment", 3)]

    # Once the operator reactivates it (or cancels the deletion) the participant carries on.
    _reactivate(app, room.organisation_id)
    assert answer_level(device, room.session_id, "lead-commitment", 5).status_code == 200


@pytest.mark.parametrize("how", CLOSE)
def test_members_of_a_closed_organisation_change_nothing_and_see_why(app, make_user, make_org, how):
    room = open_room(app, make_user, make_org)
    CLOSE[how](app, room.organisation_id)
    # The facilitator's own controls: closed, with the organisation's page explaining.
    response = post(room.client, f"/workshops/{room.session_id}/close")
    assert response.status_code == 403
    assert "suspended" in response.get_data(as_text=True) or how == "deletion"
    autosave = post(
        room.client,
        f"/assessments/{room.assessment_id}/definition/answers/def-owner",
        {"q_def-owner": "nobody"},
        headers={"Accept": "application/json"},
    )
    assert autosave.status_code == 403 and autosave.get_json()["status"] == "closed"
    with app.app_context():
        assert db.session().scalar(select(AnswerRecord)) is None
        assert db.session().get(WorkshopSession, room.session_id).status == "open"


def test_an_invitation_to_a_suspended_organisation_cannot_be_accepted(
    app, make_user, make_org, mailbox
):
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    client = app.test_client()
    login(client, admin)
    post(
        client,
        f"/organisations/{organisation.id}/invitations/new",
        {"email": "newcomer@example.org", "role": "respondent"},
    )
    link = mailbox()[-1].link()
    _suspend(app, organisation.id)
    newcomer = make_user(email="newcomer@example.org")
    browser = app.test_client()
    login(browser, newcomer)
    assert browser.get(link).status_code == 403
    response = post(browser, link)
    assert response.status_code == 403
    assert "is suspended" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(Invitation)).accepted_at is None
        assert (
            db.session().scalar(select(Membership).where(Membership.user_id == newcomer.id)) is None
        )
    # After reactivation the same link works.
    _reactivate(app, organisation.id)
    assert post(browser, link).status_code == 302


def test_deletion_scheduled_in_the_past_or_future_both_close(app, make_user, make_org):
    """Scheduled for deletion means closed from the moment it is scheduled, whatever the date."""
    room = open_room(app, make_user, make_org)
    with app.app_context():
        organisation = db.session().get(Organisation, room.organisation_id)
        organisation.deletion_due_at = db.utcnow() - timedelta(minutes=1)
        db.session().commit()
    assert (
        post(app.test_client(), "/workshop/join", {"code": room.code, "name": "Pat"}).status_code
        == 403
    )
