"""Personal data: the notice, a person's own copy, erasure by pseudonym, deleting organisations."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from audit_helpers import answer, events, ref_of, start_assessment
from helpers import PASSWORD, login, post
from sqlalchemy import select, update

from assess import audit, db
from assess.models import AnswerRecord, AuditPerson, Invitation, Membership, Organisation, User
from assess.services import assessments, maintenance


def _signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


# ---- the notice ----------------------------------------------------------------------------


def test_the_privacy_notice_says_what_why_how_long_and_whom_to_ask(make_app):
    app = make_app(
        PRIVACY_CONTACT="dpo@council.example",
        WORKSHOP_ANSWER_RETENTION_DAYS=45,
        ORGANISATION_DELETION_GRACE_DAYS=14,
    )
    response = app.test_client().get("/privacy")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for words in (
        "Your account",
        "Memberships and invitations",
        "Answers and evidence notes",
        "The audit trail",
        "Workshop display names",
        "45 days after the session closes",
        "grace period of 14 days",
        "dpo@council.example",
        "Former member",
    ):
        assert words in page, words
    assert 'href="/privacy"' in app.test_client().get("/").get_data(as_text=True)


# ---- a person's own data -------------------------------------------------------------------


def test_a_person_downloads_their_data(app, make_user, make_org):
    person = make_user(name="Dana Data", email="dana@example.org")
    organisation = make_org(name="Westshire", members={person: "respondent"})
    assessment_id = start_assessment(app, organisation.id, person)
    answer(app, assessment_id, person, 3, note="Committee papers")
    client = _signed_in(app, person)
    response = client.get("/account/data")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="assess-my-data'
    )
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "dana@example.org"
    assert data["account"]["audit_person_ref"] == ref_of(app, person)
    assert "password" not in json.dumps(data["account"]).replace("password_changed_at", "")
    assert data["memberships"] == [
        {
            "organisation_id": organisation.id,
            "organisation": "Westshire",
            "role": "respondent",
            "joined_at": data["memberships"][0]["joined_at"],
        }
    ]
    [given] = data["answers_you_last_changed"]
    assert (given["question"], given["value"], given["note"]) == (
        "lead-board-oversight",
        3,
        "Committee papers",
    )
    actions = [e["action"] for e in data["audit_events"]]
    assert audit.LOGIN_SUCCEEDED in actions and audit.ANSWER_CHANGED in actions
    assert data["sign_in_sessions"][0]["ended_at"] is None
    assert events(app, audit.PERSONAL_DATA_DOWNLOADED)[0].actor_ref == ref_of(app, person)


def test_the_data_download_needs_a_signed_in_person(client):
    response = client.get("/account/data")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


# ---- erasure -------------------------------------------------------------------------------


@pytest.fixture
def team(app, make_user, make_org):
    admin = make_user(name="Alice Admin")
    leaver = make_user(name="Lee Leaver", email="lee@example.org")
    organisation = make_org(members={admin: "admin", leaver: "respondent"})
    assessment_id = start_assessment(app, organisation.id, admin)
    answer(app, assessment_id, leaver, 2, note="From the survey")
    return {"admin": admin, "leaver": leaver, "org": organisation, "assessment": assessment_id}


def test_a_person_deletes_their_account_and_the_trail_keeps_a_pseudonym(app, team):
    leaver = team["leaver"]
    ref = ref_of(app, leaver)
    before = [(e.id, e.action, e.actor_ref) for e in events(app)]
    client = _signed_in(app, leaver)
    assert "Delete your account" in client.get("/account").get_data(as_text=True)
    refused = post(client, "/account/delete", {"password": "wrong password here", "confirm": "y"})
    assert "Your password is not right." in refused.get_data(as_text=True)
    unticked = post(client, "/account/delete", {"password": PASSWORD})
    assert "Tick the box" in unticked.get_data(as_text=True)

    response = post(client, "/account/delete", {"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 302  # signed out
    with app.app_context():
        assert db.session().scalar(select(User).where(User.email == "lee@example.org")) is None
        person = db.session().scalar(select(AuditPerson).where(AuditPerson.ref == ref))
        assert person.display_name == audit.pseudonym(ref)
        assert person.email is None and person.user_id is None
        assert person.pseudonymised_at is not None
        # The answer stays with the organisation, under the pseudonym.
        assert db.session().scalar(select(AnswerRecord.value)) == 2
        stored = assessments.stored_answers(assessments.get(team["assessment"]), "adoption")
        assert stored["lead-board-oversight"].updated_by == audit.pseudonym(ref)
    after = [(e.id, e.action, e.actor_ref) for e in events(app)]
    assert after[: len(before)] == before  # nothing changed, only added
    erased = events(app, audit.PERSON_ERASED)
    assert {e.organisation_id for e in erased} == {team["org"].id, None}
    assert all(e.subject_ref == ref for e in erased)

    page = _signed_in(app, team["admin"]).get(f"/organisations/{team['org'].id}/audit")
    text = page.get_data(as_text=True)
    assert audit.pseudonym(ref) in text
    assert "Lee Leaver" not in text and "lee@example.org" not in text


def test_the_only_admin_cannot_delete_their_account(app, team):
    client = _signed_in(app, team["admin"])
    response = post(client, "/account/delete", {"password": PASSWORD, "confirm": "y"})
    assert "You are the only admin of" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().get(User, team["admin"].id) is not None


def test_an_operator_erases_a_person_and_an_invited_address(app, team, make_user, mailbox):
    operator = make_user(operator=True)
    admin_client = _signed_in(app, team["admin"])
    post(
        admin_client,
        f"/organisations/{team['org'].id}/invitations/new",
        {"email": "maybe@example.org", "role": "respondent"},
    )
    client = _signed_in(app, operator)
    assert client.get("/operator/people/erase").status_code == 200
    mismatch = post(
        client,
        "/operator/people/erase",
        {"email": "lee@example.org", "confirm_email": "lea@example.org"},
    )
    assert "not the same" in mismatch.get_data(as_text=True)
    unknown = post(
        client,
        "/operator/people/erase",
        {"email": "ghost@example.org", "confirm_email": "ghost@example.org"},
    )
    assert "No account or invitation has that address." in unknown.get_data(as_text=True)
    for address in ("lee@example.org", "maybe@example.org"):
        done = post(client, "/operator/people/erase", {"email": address, "confirm_email": address})
        assert done.status_code == 302
    with app.app_context():
        session = db.session()
        assert session.scalar(select(User).where(User.email == "lee@example.org")) is None
        assert (
            session.scalar(select(Invitation).where(Invitation.email == "maybe@example.org"))
            is None
        )
        emails = set(session.scalars(select(AuditPerson.email)))
        assert not {"lee@example.org", "maybe@example.org"} & emails
    assert {e.actor_ref for e in events(app, audit.PERSON_ERASED)} == {ref_of(app, operator)}


def test_an_admin_removes_a_member_who_then_cannot_reach_the_organisation(app, team):
    with app.app_context():
        membership_id = db.session().scalar(
            select(Membership.id).where(Membership.user_id == team["leaver"].id)
        )
    leaver = _signed_in(app, team["leaver"])
    assert leaver.get(f"/organisations/{team['org'].id}").status_code == 200
    post(
        _signed_in(app, team["admin"]),
        f"/organisations/{team['org'].id}/members/{membership_id}/remove",
        {"confirm": "yes"},
    )
    assert leaver.get(f"/organisations/{team['org'].id}").status_code == 404
    assert events(app, audit.MEMBER_REMOVED)[0].subject_ref == ref_of(app, team["leaver"])


# ---- deleting an organisation --------------------------------------------------------------


def test_an_operator_deletes_an_organisation_after_confirmation_and_grace(
    app, team, make_user, runner
):
    operator = make_user(operator=True)
    client = _signed_in(app, operator)
    org_id = team["org"].id
    url = f"/operator/organisations/{org_id}/delete"
    assert client.get(url).status_code == 200
    wrong = post(client, url, {"confirm_name": "Some other council"})
    assert "exactly as shown" in wrong.get_data(as_text=True)
    with app.app_context():
        assert db.session().get(Organisation, org_id).deletion_due_at is None

    assert post(client, url, {"confirm_name": team["org"].name}).status_code == 302
    with app.app_context():
        organisation = db.session().get(Organisation, org_id)
        grace = organisation.deletion_due_at - organisation.deletion_requested_at
        assert grace == timedelta(days=30)
    # Closed to its members at once, with a message; the operator's list says when it goes.
    member_page = _signed_in(app, team["admin"]).get(f"/organisations/{org_id}")
    assert member_page.status_code == 403
    assert "is being deleted" in member_page.get_data(as_text=True)
    assert "To be deleted on" in client.get("/operator/organisations").get_data(as_text=True)

    # Within the grace period the purge leaves it alone.
    result = runner.invoke(args=["maintenance", "purge"])
    assert result.exit_code == 0, result.output
    assert "organisations past their deletion grace period: 0" in result.output
    with app.app_context():
        db.session().execute(
            update(Organisation)
            .where(Organisation.id == org_id)
            .values(deletion_due_at=db.utcnow() - timedelta(minutes=1))
        )
        db.session().commit()
    before = len(events(app))
    result = runner.invoke(args=["maintenance", "purge"])
    assert "organisations past their deletion grace period: 1" in result.output
    with app.app_context():
        assert db.session().get(Organisation, org_id) is None
        assert db.session().scalar(select(AnswerRecord)) is None
        assert db.session().get(User, team["leaver"].id) is not None  # accounts stay
    trail = events(app)
    assert len(trail) == before + 1 and trail[-1].action == audit.ORGANISATION_DELETED
    assert trail[-1].source == "system"


def test_a_scheduled_deletion_can_be_cancelled(app, team, make_user):
    client = _signed_in(app, make_user(operator=True))
    org_id = team["org"].id
    post(client, f"/operator/organisations/{org_id}/delete", {"confirm_name": team["org"].name})
    post(client, f"/operator/organisations/{org_id}/cancel-deletion")
    with app.app_context():
        assert db.session().get(Organisation, org_id).deletion_due_at is None
    assert _signed_in(app, team["admin"]).get(f"/organisations/{org_id}").status_code == 200
    assert [e.action for e in events(app) if e.action.startswith("organisation.deletion")] == [
        audit.ORGANISATION_DELETION_SCHEDULED,
        audit.ORGANISATION_DELETION_CANCELLED,
    ]


def test_the_grace_period_is_configurable(app, make_user, make_org):
    app.config["ORGANISATION_DELETION_GRACE_DAYS"] = 3
    organisation = make_org(name="Eastshire")
    client = _signed_in(app, make_user(operator=True))
    post(client, f"/operator/organisations/{organisation.id}/delete", {"confirm_name": "Eastshire"})
    with app.app_context():
        found = db.session().get(Organisation, organisation.id)
        assert found.deletion_due_at - found.deletion_requested_at == timedelta(days=3)


def test_features_add_their_own_purge_steps(app, runner, monkeypatch):
    seen = []
    monkeypatch.setattr(maintenance, "_steps", dict(maintenance._steps))

    @maintenance.purge_step("individual answers of closed workshop sessions")
    def purge_workshop_answers(now):
        seen.append(maintenance.workshop_answer_cutoff(now))
        return 4

    result = runner.invoke(args=["maintenance", "purge"])
    assert "individual answers of closed workshop sessions: 4" in result.output
    with app.app_context():
        assert (db.utcnow() - seen[0]).days == 90


def test_an_organisation_with_finalised_reports_is_kept_as_a_record(app, team, make_user, runner):
    from finalise_helpers import answered_draft, finalise

    from assess.models import StoredReport

    finalise(app, answered_draft(app, team["org"], team["admin"]), team["admin"])
    operator = make_user(operator=True)
    client = _signed_in(app, operator)
    org_id = team["org"].id
    response = post(
        client, f"/operator/organisations/{org_id}/delete", {"confirm_name": team["org"].name}
    )
    assert "finalised reports" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().get(Organisation, org_id).deletion_due_at is None
        # Even if a deletion had been scheduled, the daily purge keeps such an organisation.
        db.session().execute(
            update(Organisation)
            .where(Organisation.id == org_id)
            .values(deletion_due_at=db.utcnow() - timedelta(minutes=1))
        )
        db.session().commit()
    result = runner.invoke(args=["maintenance", "purge"])
    assert result.exit_code == 0, result.output
    assert "organisations past their deletion grace period: 0" in result.output
    with app.app_context():
        assert db.session().get(Organisation, org_id) is not None
        assert db.session().scalar(select(StoredReport)) is not None
