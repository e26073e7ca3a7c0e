"""Each thing the issue asks to be audited leaves an event: who, what, the old and new value."""

from __future__ import annotations

from audit_helpers import answer, events, ref_of, start_assessment
from helpers import PASSWORD, login, post
from sqlalchemy import select

from assess import audit, db
from assess.models import AuditEvent, Membership
from assess.services import assessments


def test_signing_in_and_out_and_failing_are_recorded(app, client, make_user):
    user = make_user(email="ana@example.org")
    post(client, "/login", {"email": "ana@example.org", "password": "not the password at all"})
    post(client, "/login", {"email": "nobody@example.org", "password": "not the password at all"})
    login(client, user)
    post(client, "/logout")
    ref = ref_of(app, user)
    failed = events(app, audit.LOGIN_FAILED)
    assert [(e.actor_ref, e.subject_ref) for e in failed] == [(None, ref), (None, None)]
    # An address without an account is not kept, in any form.
    assert failed[1].detail == {"known_account": False}
    with app.app_context():
        stored = [
            str(v) for e in db.session().scalars(select(AuditEvent)) for v in vars(e).values()
        ]
    assert not any("nobody" in value for value in stored)
    assert [e.actor_ref for e in events(app, audit.LOGIN_SUCCEEDED)] == [ref]
    assert [e.actor_ref for e in events(app, audit.LOGOUT)] == [ref]
    assert all(e.organisation_id is None for e in events(app))


def test_answer_changes_keep_old_and_new_value_who_and_how(app, make_user, make_org):
    alice, bob = make_user(name="Alice"), make_user(name="Bob")
    organisation = make_org(members={alice: "admin", bob: "respondent"})
    assessment_id = start_assessment(app, organisation.id, alice)
    answer(app, assessment_id, alice, 2, note="First look")
    answer(app, assessment_id, bob, 4, base=1, source="workshop")
    answer(app, assessment_id, bob, 4, base=2, source="workshop")  # unchanged: no event
    answer(app, assessment_id, alice, None, base=2)
    changes = events(app, audit.ANSWER_CHANGED) + events(app, audit.ANSWER_CLEARED)
    assert [(e.action, e.actor_ref, e.source, e.old_value, e.new_value) for e in changes] == [
        (
            audit.ANSWER_CHANGED,
            ref_of(app, alice),
            "online",
            None,
            {"status": "answered", "value": 2, "note": "First look"},
        ),
        (
            audit.ANSWER_CHANGED,
            ref_of(app, bob),
            "workshop",
            {"status": "answered", "value": 2, "note": "First look"},
            {"status": "answered", "value": 4, "note": ""},
        ),
        (
            audit.ANSWER_CLEARED,
            ref_of(app, alice),
            "online",
            {"status": "answered", "value": 4, "note": ""},
            None,
        ),
    ]
    first = changes[0]
    assert (first.organisation_id, first.object_type, first.object_id) == (
        organisation.id,
        "assessment",
        str(assessment_id),
    )
    assert (first.questionnaire_id, first.question_id) == ("adoption", "lead-board-oversight")
    assert first.occurred_at.tzinfo is not None


def test_a_refused_save_leaves_no_event(app, make_user, make_org):
    alice, bob = make_user(), make_user()
    organisation = make_org(members={alice: "admin", bob: "respondent"})
    assessment_id = start_assessment(app, organisation.id, alice)
    answer(app, assessment_id, alice, 2)
    conflict = answer(app, assessment_id, bob, 3, base=None)  # based on an older page
    invalid = answer(app, assessment_id, bob, 9, base=1)
    assert conflict.conflicts and invalid.errors
    assert len(events(app, audit.ANSWER_CHANGED)) == 1


def test_starting_an_assessment_and_choosing_a_model_are_recorded(app, make_user, make_org):
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    assessment_id = start_assessment(app, organisation.id, admin)
    with app.app_context():
        assessment = assessments.get(assessment_id)
        models = assessments.questionnaires_of(assessment).model_fit.model_ids
        reason = "The board asked for it."
        assessments.choose_models(assessment, admin, [models[0]], reason)
        assessments.choose_models(assessment, admin, [models[-1]], reason)
    started = events(app, audit.ASSESSMENT_STARTED)[0]
    assert started.new_value["title"] == "Stakeholders 2026"
    assert set(started.new_value["questionnaires"]) == {"definition", "model-fit", "adoption"}
    first, second = events(app, audit.MODEL_CHOSEN)
    assert first.old_value is None
    assert first.new_value == {"models": [models[0]], "reason": reason}
    assert second.old_value == {"models": [models[0]], "reason": reason}
    assert second.new_value["models"] == [models[-1]]
    assert set(second.detail) == {"recommended"}


def test_membership_and_invitation_changes_are_recorded(app, client, make_user, make_org, mailbox):
    admin, colleague = make_user(), make_user()
    organisation = make_org(members={admin: "admin", colleague: "respondent"})
    with app.app_context():
        membership_id = db.session().scalar(
            select(Membership.id).where(Membership.user_id == colleague.id)
        )
    login(client, admin)
    base = f"/organisations/{organisation.id}"
    post(client, f"{base}/members/{membership_id}/role", {"role": "auditor"})
    post(client, f"{base}/invitations/new", {"email": "Invitee@Example.org", "role": "facilitator"})
    post(client, f"{base}/members/{membership_id}/remove", {"confirm": "yes"})
    admin_ref, colleague_ref = ref_of(app, admin), ref_of(app, colleague)

    role = events(app, audit.MEMBER_ROLE_CHANGED)[0]
    assert (role.actor_ref, role.subject_ref, role.old_value, role.new_value) == (
        admin_ref,
        colleague_ref,
        "respondent",
        "auditor",
    )
    removed = events(app, audit.MEMBER_REMOVED)[0]
    assert (removed.actor_ref, removed.subject_ref, removed.old_value) == (
        admin_ref,
        colleague_ref,
        "auditor",
    )
    sent = events(app, audit.INVITATION_SENT)[0]
    assert sent.new_value == "facilitator" and sent.actor_ref == admin_ref
    assert "invitee" not in str(sent.detail).lower()

    newcomer = app.test_client()
    link = mailbox()[-1].link()
    post(newcomer, link, {"name": "Ivy", "password": PASSWORD, "confirm": PASSWORD})
    accepted = events(app, audit.INVITATION_ACCEPTED)[0]
    assert accepted.actor_ref == sent.subject_ref  # the invitee's reference carried over
    assert accepted.new_value == "facilitator"


def test_organisation_registration_details_and_status_are_recorded(app, client, make_user):
    founder, operator = make_user(), make_user(operator=True)
    login(client, founder)
    details = {
        "name": "Northshire",
        "sector": "local_government",
        "size_band": "1000_4999",
        "country": "GB",
        "time_zone": "Europe/London",
    }
    post(client, "/organisations/new", details)
    created = events(app, audit.ORGANISATION_CREATED)[0]
    org_id = created.organisation_id
    assert created.new_value["name"] == "Northshire"
    post(client, f"/organisations/{org_id}/settings", {**details, "name": "Northshire Council"})
    updated = events(app, audit.ORGANISATION_UPDATED)[0]
    assert (updated.old_value, updated.new_value) == (
        {"name": "Northshire"},
        {"name": "Northshire Council"},
    )
    operating = app.test_client()
    login(operating, operator)
    post(operating, f"/operator/organisations/{org_id}/suspend")
    status = events(app, audit.ORGANISATION_STATUS_CHANGED)[0]
    assert (status.actor_ref, status.old_value, status.new_value) == (
        ref_of(app, operator),
        "active",
        "suspended",
    )
