"""The audit trail is a hash chain that `assess audit verify` checks, and the database keeps it.

Tampering is done the way only the schema's owner could: on a connection where the protecting
triggers do not fire (PostgreSQL's replica mode; on SQLite, the triggers dropped).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import rfc8785
from audit_helpers import answer, events, start_assessment
from sqlalchemy import Connection, select, text
from sqlalchemy.exc import DBAPIError

from assess import audit, audit_chain, db, migrate
from assess.models import AuditChain, Organisation, User
from assess.services import audit_verification, privacy

#: The hashed members, as docs/security.md lists them.
DOCUMENTED_FIELDS = (
    "organisation_id",
    "action",
    "actor_ref",
    "subject_ref",
    "object_type",
    "object_id",
    "questionnaire_id",
    "question_id",
    "source",
    "old_value",
    "new_value",
    "detail",
)


def _documented_hash(event, prev_hash: str) -> str:
    """The hash as docs/security.md describes it, computed here without assess.audit_chain."""
    document = {name: getattr(event, name) for name in DOCUMENTED_FIELDS}
    document["v"] = 1
    document["occurred_at"] = event.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    document["prev_hash"] = prev_hash
    return hashlib.sha256(rfc8785.dumps(document)).hexdigest()


@contextmanager
def as_owner_without_triggers(app) -> Iterator[Connection]:
    """A transaction on which the protecting triggers do not fire."""
    engine = db.engine(app)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            for name in ("audit_event_no_update", "audit_event_no_delete", "audit_chain_newest"):
                connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        yield connection


def _verify(runner, *args: str):
    return runner.invoke(args=["audit", "verify", *args])


@pytest.fixture
def history(app, make_user, make_org):
    """Some ordinary use: an organisation, answers, an invitation, a person erased."""
    admin = make_user(name="Ada Admin")
    leaver = make_user(name="Lee Leaver")
    organisation = make_org(members={admin: "admin", leaver: "respondent"})
    assessment_id = start_assessment(app, organisation.id, admin)
    answer(app, assessment_id, admin, 2, note="Board minutes, March")
    answer(app, assessment_id, leaver, 3, base=1)
    answer(app, assessment_id, leaver, 1, question="lead-accountability")
    answer(app, assessment_id, admin, None, question="lead-accountability", base=1)
    with app.test_request_context():
        privacy.erase_person(db.session().get(User, leaver.id))
    return {"org": organisation, "admin": admin, "assessment_id": assessment_id}


def test_every_event_follows_the_one_before_it_as_documented(app, history, runner):
    trail = events(app)
    assert len(trail) >= 6
    previous = audit_chain.GENESIS
    for event in trail:
        assert event.prev_hash == previous
        assert event.event_hash == _documented_hash(event, previous)
        previous = event.event_hash
    with app.app_context():
        head = db.session().get(AuditChain, 1)
        assert (head.last_event_id, head.last_hash) == (trail[-1].id, trail[-1].event_hash)
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert f"intact: {len(trail)} events" in result.output
    assert f"last event: {trail[-1].id}:{trail[-1].event_hash}" in result.output


def test_erasing_a_person_keeps_the_chain_verifiable(app, history, runner):
    # The fixture erased Lee; erase Ada too (an operator may leave an organisation admin-less).
    with app.test_request_context():
        privacy.erase_person(
            db.session().get(User, history["admin"].id), leave_organisations_adminless=True
        )
    assert audit.PERSON_ERASED in {e.action for e in events(app)}
    result = _verify(runner)
    assert result.exit_code == 0, result.output


def test_an_empty_trail_verifies(runner):
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "empty" in result.output


def test_a_changed_event_is_the_first_broken_link(app, history, runner):
    trail = events(app)
    target = trail[3]
    with as_owner_without_triggers(app) as connection:
        connection.execute(
            text("UPDATE audit_event SET new_value = :value WHERE id = :id"),
            {"value": '{"status": "answered", "value": 4, "note": ""}', "id": target.id},
        )
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"broken at event {target.id} " in result.output
    assert "changed after it was written" in result.output
    assert f"The 3 events before it are intact, up to event {trail[2].id}:" in result.output


def test_a_back_dated_time_is_a_broken_link_too(app, history, runner):
    target = events(app)[2]
    with as_owner_without_triggers(app) as connection:
        connection.execute(
            text("UPDATE audit_event SET occurred_at = :when WHERE id = :id"),
            {"when": target.occurred_at - timedelta(days=30), "id": target.id},
        )
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"broken at event {target.id} " in result.output


def test_a_removed_event_breaks_the_link_after_it(app, history, runner):
    trail = events(app)
    with as_owner_without_triggers(app) as connection:
        connection.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": trail[4].id})
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"broken at event {trail[5].id} " in result.output
    assert f"does not follow the event before it (event {trail[3].id})" in result.output


def test_removing_the_first_or_the_last_events_is_found(app, history, runner):
    trail = events(app)
    with as_owner_without_triggers(app) as connection:
        connection.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": trail[-1].id})
    result = _verify(runner)
    assert result.exit_code == 1
    assert "broken at its end" in result.output
    assert f"names event {trail[-1].id}, but the last event is {trail[-2].id}" in result.output

    with as_owner_without_triggers(app) as connection:
        connection.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": trail[0].id})
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"broken at event {trail[1].id} " in result.output
    assert "does not start the chain" in result.output
    assert "No event before it could be checked." in result.output


def test_an_anchor_shows_a_chain_computed_again(app, history, runner):
    noted = _verify(runner).output.split("last event: ")[1].split()[0]
    trail = events(app)
    # Someone with the owner's powers changes an answer value and recomputes every later hash.
    with as_owner_without_triggers(app) as connection:
        previous = trail[1].event_hash
        for event in trail[2:]:
            if event.id == trail[2].id:
                event.new_value = {"status": "answered", "value": 4, "note": ""}
            new_hash = _documented_hash(event, previous)
            connection.execute(
                text(
                    "UPDATE audit_event SET new_value = :value, prev_hash = :prev, "
                    "event_hash = :hash WHERE id = :id"
                ),
                {
                    "value": rfc8785.dumps(event.new_value).decode(),
                    "prev": previous,
                    "hash": new_hash,
                    "id": event.id,
                },
            )
            previous = new_hash
        connection.execute(
            text("UPDATE audit_chain SET last_hash = :hash WHERE id = 1"), {"hash": previous}
        )
    assert _verify(runner).exit_code == 0  # the chain alone cannot tell...
    result = _verify(runner, "--anchor", noted)
    assert result.exit_code == 1  # ...the noted anchor can
    assert "no longer has the anchor's hash" in result.output
    bad = _verify(runner, "--anchor", "12:not-a-hash")
    assert bad.exit_code == 2
    assert "EVENT_ID:SHA256" in bad.output


# ---- what the database refuses ---------------------------------------------------------------


def _raw_event(connection: Connection, *, when: datetime, prev_hash: str | None = None) -> None:
    """Insert an event by hand, as SQL run with the application's privileges could."""
    head = connection.execute(text("SELECT last_hash FROM audit_chain WHERE id = 1")).scalar_one()
    content = dict.fromkeys(DOCUMENTED_FIELDS)
    content.update(
        action="report.downloaded",
        object_type="assessment",
        source="online",
        occurred_at=when,
        prev_hash=prev_hash or head,
    )
    connection.execute(
        text(
            "INSERT INTO audit_event (occurred_at, action, object_type, source, prev_hash, "
            "event_hash) VALUES (:when, 'report.downloaded', 'assessment', 'online', :prev, :hash)"
        ),
        {
            "when": when.strftime("%Y-%m-%d %H:%M:%S.%f")
            if connection.dialect.name == "sqlite"
            else when,
            "prev": content["prev_hash"],
            "hash": audit_chain.content_hash(content),
        },
    )


def _database_now(connection: Connection) -> datetime:
    if connection.dialect.name == "postgresql":
        return connection.execute(text("SELECT clock_timestamp()")).scalar_one()
    return db.utcnow()


@pytest.mark.parametrize(
    "shift", [timedelta(hours=-1), timedelta(minutes=-2), timedelta(days=-400), timedelta(hours=1)]
)
def test_the_database_refuses_an_event_not_dated_now(app, history, shift):
    before = len(events(app))
    engine = db.engine(app)
    with pytest.raises(DBAPIError, match="current time of the database"), engine.begin() as c:
        _raw_event(c, when=_database_now(c) + shift)
    assert len(events(app)) == before


def test_the_database_refuses_an_event_that_does_not_follow_the_chain(app, history, runner):
    engine = db.engine(app)
    with pytest.raises(DBAPIError, match="must follow the last event"), engine.begin() as c:
        _raw_event(c, when=_database_now(c), prev_hash=events(app)[2].event_hash)
    # A hand-made event that follows the chain at the database's time is accepted, and verifies.
    with engine.begin() as c:
        _raw_event(c, when=_database_now(c))
    assert _verify(runner).exit_code == 0


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_chain SET last_hash = '" + "a" * 64 + "'",
        "UPDATE audit_chain SET last_event_id = last_event_id - 1",
        "DELETE FROM audit_chain",
    ],
)
def test_the_chains_end_can_only_name_the_newest_event(app, history, statement):
    engine = db.engine(app)
    with pytest.raises(DBAPIError, match="audit_chain can only name"), engine.begin() as c:
        c.execute(text(statement))


PROTECTED_TABLES = ("answer", "assessment", "stored_report", "audit_event", "audit_person")


@pytest.mark.parametrize(
    "statement",
    [
        *(f"TRUNCATE {table}" for table in (*PROTECTED_TABLES, "audit_chain")),
        "TRUNCATE answer, assessment CASCADE",
        "TRUNCATE organisation CASCADE",
        "TRUNCATE user_account CASCADE",
    ],
)
def test_postgresql_refuses_to_truncate_a_protected_table(app, history, statement):
    engine = db.engine(app)
    if engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite has none (DELETE is refused instead)")
    counts = "SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in PROTECTED_TABLES)
    with engine.connect() as connection:
        before = tuple(connection.execute(text(counts)).one())
    refused = r"TRUNCATE is refused|append-only|stored report|referenced in a foreign key"
    with pytest.raises(DBAPIError, match=refused), engine.begin() as connection:
        connection.execute(text(statement))
    with engine.connect() as connection:
        assert tuple(connection.execute(text(counts)).one()) == before
    assert before[0] and before[1] and before[3]  # answers, assessments and events were there


def test_record_refuses_values_the_chain_cannot_hash(app):
    with app.app_context():
        for value in (float("nan"), 2**60):
            with pytest.raises(ValueError, match="cannot hold"):
                audit.record(
                    audit.LOGOUT, organisation_id=None, actor=None, object_type="x", new=value
                )


# ---- concurrent writers ----------------------------------------------------------------------


def test_concurrent_writers_never_fork_the_chain(app, make_user, make_org, runner):
    """Eight writers at once, each appending events alone and with a change, on this database."""
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    writers, rounds = 8, 5
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with app.app_context():
                start.wait()
                for r in range(rounds):
                    if n % 2:
                        audit.record_now(
                            audit.REPORT_DOWNLOADED,
                            organisation_id=organisation.id,
                            actor=None,
                            object_type="assessment",
                            object_id=f"{n}-{r}",
                        )
                    else:
                        session = db.session()
                        org = session.get(Organisation, organisation.id)
                        org.name = f"Council {n}-{r}"
                        for _ in range(2):
                            audit.record(
                                audit.ORGANISATION_UPDATED,
                                organisation_id=organisation.id,
                                actor=None,
                                object_type="organisation",
                                object_id=f"{n}-{r}",
                            )
                        session.commit()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    expected = sum(rounds * (1 if n % 2 else 2) for n in range(writers))
    written = [e for e in events(app) if e.object_id and "-" in e.object_id]
    assert len(written) == expected
    with app.app_context():
        check = audit_verification.verify()
    assert check.ok, check.broken
    result = _verify(runner)
    assert result.exit_code == 0, result.output


# ---- the migration ---------------------------------------------------------------------------


def test_the_migration_chains_the_events_already_there(app, runner):
    migrate.downgrade(app, "2b94338a5be9")
    engine = db.engine(app)
    moments = [datetime(2026, 11, d, 9, 30, 15, 123456, tzinfo=UTC) for d in (1, 2, 3)]
    with engine.begin() as connection:
        for when in moments:
            connection.execute(
                text(
                    "INSERT INTO audit_event (occurred_at, organisation_id, action, object_type, "
                    "source, new_value) VALUES (:when, 7, 'answer.changed', 'assessment', "
                    "'online', :new)"
                ),
                {
                    "when": when.strftime("%Y-%m-%d %H:%M:%S.%f")
                    if engine.dialect.name == "sqlite"
                    else when,
                    "new": '{"value": 3, "note": "caf\\u00e9"}',
                },
            )
    migrate.upgrade(app)
    trail = events(app)
    assert [e.occurred_at for e in trail] == moments
    previous = audit_chain.GENESIS
    for event in trail:
        assert event.prev_hash == previous
        assert event.event_hash == _documented_hash(event, previous)
        previous = event.event_hash
    with app.app_context():
        audit.record_now(audit.LOGOUT, organisation_id=None, actor=None, object_type="account")
    assert events(app)[-1].prev_hash == previous
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "intact: 4 events" in result.output
    with app.app_context():
        assert db.session().scalar(select(AuditChain.last_event_id)) == events(app)[-1].id
