"""The audit trail is append-only in the database itself, and survives what it records."""

from __future__ import annotations

import pytest
from audit_helpers import answer, events, start_assessment
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from assess import audit, db
from assess.models import AuditEvent, AuditPerson, Organisation, User
from assess.services import organisations


@pytest.fixture
def one_event(app, make_user, make_org):
    user = make_user()
    organisation = make_org(members={user: "admin"})
    with app.app_context():
        audit.record_now(
            audit.REPORT_DOWNLOADED,
            organisation_id=organisation.id,
            actor=user,
            object_type="assessment",
            object_id=1,
        )
    return events(app, audit.REPORT_DOWNLOADED)[0]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET action = 'answer.changed'",
        "UPDATE audit_event SET actor_ref = NULL",
        "DELETE FROM audit_event",
        "DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_event(app, one_event, statement):
    engine = db.engine(app)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    with engine.connect() as connection:
        row = connection.execute(text("SELECT action, actor_ref FROM audit_event")).one()
    assert tuple(row) == (audit.REPORT_DOWNLOADED, one_event.actor_ref)


def test_postgresql_refuses_to_truncate_the_trail(app, one_event):
    engine = db.engine(app)
    if engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; this run is on SQLite")
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("TRUNCATE audit_event"))
    assert len(events(app)) >= 1


def test_the_orm_cannot_change_an_event_either(app, one_event):
    with app.app_context():
        event = db.session().get(AuditEvent, one_event.id)
        event.action = audit.LOGOUT
        with pytest.raises(DBAPIError, match="append-only"):
            db.session().commit()
        db.session().rollback()
        db.session().delete(db.session().get(AuditEvent, one_event.id))
        with pytest.raises(DBAPIError, match="append-only"):
            db.session().commit()


def test_an_event_is_written_only_with_the_change_it_records(app, make_user, make_org):
    user = make_user()
    organisation = make_org(members={user: "admin"})
    with app.app_context():
        audit.record(
            audit.ORGANISATION_UPDATED,
            organisation_id=organisation.id,
            actor=user,
            object_type="organisation",
        )
        db.session().rollback()
    assert events(app, audit.ORGANISATION_UPDATED) == []


def test_unknown_actions_and_sources_are_refused(app):
    with app.app_context():
        with pytest.raises(ValueError, match="unknown audit action"):
            audit.record("answer.chnaged", organisation_id=1, actor=None, object_type="x")
        with pytest.raises(ValueError, match="unknown source"):
            audit.record(audit.LOGOUT, organisation_id=1, actor=None, object_type="x", source="fax")


def test_deleting_an_organisation_or_an_account_leaves_the_trail_alone(app, make_user, make_org):
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    assessment_id = start_assessment(app, organisation.id, admin)
    answer(app, assessment_id, admin, 3)
    before = [(e.id, e.action, e.actor_ref) for e in events(app)]
    with app.app_context():
        db.session().delete(db.session().get(Organisation, organisation.id))
        db.session().delete(db.session().get(User, admin.id))
        db.session().commit()
        person = db.session().scalar(select(AuditPerson))
        assert person.user_id is None  # the link goes; the name stays until erasure
    assert [(e.id, e.action, e.actor_ref) for e in events(app)] == before


def test_every_account_gets_a_person_reference_and_invitees_keep_theirs(app, make_user, make_org):
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    with app.test_request_context():
        organisations.invite(
            db.session().get(Organisation, organisation.id),
            "newcomer@example.org",
            "respondent",
            db.session().get(User, admin.id),
        )
    invited_ref = events(app, audit.INVITATION_SENT)[0].subject_ref
    newcomer = make_user(email="newcomer@example.org", name="Nia Newcomer")
    with app.app_context():
        person = db.session().scalar(select(AuditPerson).where(AuditPerson.user_id == newcomer.id))
        assert person.ref == invited_ref
        assert (person.display_name, person.email) == ("Nia Newcomer", "newcomer@example.org")
        assert person.ref.startswith("p-") and len(person.ref) == 14


def test_a_workshop_participant_gets_a_stable_reference_and_can_be_pseudonymised(app):
    with app.app_context():
        first = audit.person_ref_for_participant("workshop-participant:7", "Table 3, Sam")
        again = audit.person_ref_for_participant("workshop-participant:7", "Table 3, Sam")
        db.session().commit()
        assert first == again
        assert audit.pseudonymise_external("workshop-participant:7")
        db.session().commit()
        person = db.session().scalar(select(AuditPerson).where(AuditPerson.ref == first))
        assert person.display_name == audit.pseudonym(first)
        assert "Sam" not in person.display_name
        assert not audit.pseudonymise_external("workshop-participant:8")
