"""PostgreSQL: the application runs as a role that does not own the schema (docs/security.md).

The test makes the setup the documentation describes in the test cluster: an owner role that
runs the migrations, an application role given exactly the documented grants, the application
running as the latter. Ordinary use works; TRUNCATE, changing finalised answers, stored reports or
audit events, back-dated events and switching the triggers off do not. It needs the superuser URL
that CI gives, makes its roles and database itself, and drops them afterwards.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from database_helpers import ON_POSTGRES, _base_config, _postgres_admin_url, _run_admin
from finalise_helpers import answered_draft, finalise
from helpers import PASSWORD, login
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from assess import create_app, db, db_roles, migrate
from assess.models import Membership, Organisation
from assess.services import accounts, maintenance, privacy

pytestmark = pytest.mark.skipif(
    not ON_POSTGRES, reason="PostgreSQL only: SQLite has no roles (set ASSESS_DATABASE_URL)"
)

SECURITY_MD = Path(__file__).resolve().parent.parent / "docs" / "security.md"


@dataclass
class Roles:
    owner_url: str
    app_url: str
    owner: str
    app_role: str


@pytest.fixture
def roles() -> Iterator[Roles]:
    """An owner role, an application role and a database the owner owns; all dropped after."""
    suffix = uuid.uuid4().hex[:10]
    owner, app_role, database = (f"assess_{k}_{suffix}" for k in ("owner", "app", "roles"))
    password = secrets.token_hex(16)
    created: list[str] = []
    try:
        for role in (owner, app_role):
            _run_admin(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
            created.append(role)
        _run_admin(f"CREATE DATABASE {database} OWNER {owner}")
        base = make_url(_postgres_admin_url()).set(password=password, database=database)
        yield Roles(
            owner_url=base.set(username=owner).render_as_string(hide_password=False),
            app_url=base.set(username=app_role).render_as_string(hide_password=False),
            owner=owner,
            app_role=app_role,
        )
    finally:
        _run_admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        for role in reversed(created):
            _run_admin(f"DROP ROLE IF EXISTS {role}")


def _app(url: str, instance: Path):
    return create_app(_base_config(url, instance))


def test_the_documented_grants_are_the_ones_applied():
    documented = SECURITY_MD.read_text(encoding="utf-8")
    for statement in db_roles.app_role_grants("assess_app", "assess"):
        assert f"{statement};" in documented


def test_the_application_runs_as_a_role_that_does_not_own_the_schema(roles, tmp_path):
    owner_app = _app(roles.owner_url, tmp_path / "owner")
    migrate.upgrade(owner_app)
    granted = owner_app.test_cli_runner().invoke(args=["db", "grant-app-role", roles.app_role])
    assert granted.exit_code == 0, granted.output
    refused = owner_app.test_cli_runner().invoke(args=["db", "grant-app-role", roles.owner])
    assert refused.exit_code == 1 and "owns the tables" in refused.output

    app = _app(roles.app_url, tmp_path / "app")
    try:
        _ordinary_use_works(app)
        _tampering_is_refused(app)
        verified = app.test_cli_runner().invoke(args=["audit", "verify"])
        assert verified.exit_code == 0, verified.output
    finally:
        db.engine(app).dispose()

    # The owner may TRUNCATE, but the triggers still refuse it.
    owner_engine = db.engine(owner_app)
    try:
        with pytest.raises(DBAPIError, match="TRUNCATE is refused"), owner_engine.begin() as c:
            c.execute(text("TRUNCATE answer"))
    finally:
        owner_engine.dispose()


def _ordinary_use_works(app) -> None:
    with app.test_request_context():
        admin = accounts.create_user("Ada Admin", "ada@example.org", PASSWORD)
        leaver = accounts.create_user("Lee Leaver", "lee@example.org", PASSWORD)
        db.session().commit()
        organisation = Organisation(
            name="Role Test Council",
            sector="local_government",
            size_band="250_999",
            country="GB",
            time_zone="Europe/London",
            status="active",
        )
        db.session().add(organisation)
        db.session().add(Membership(user=admin, organisation=organisation, role="admin"))
        db.session().add(Membership(user=leaver, organisation=organisation, role="respondent"))
        db.session().commit()
        doomed = Organisation(
            name="Doomed Council",
            sector="local_government",
            size_band="250_999",
            country="GB",
            time_zone="Europe/London",
            status="active",
        )
        db.session().add(doomed)
        db.session().add(Membership(user=admin, organisation=doomed, role="admin"))
        db.session().commit()
    client = app.test_client()
    login(client, admin)
    assert client.get(f"/organisations/{organisation.id}/audit").status_code == 200

    assessment_id = answered_draft(app, organisation, admin)
    finalise(app, assessment_id, admin)
    with app.test_request_context():
        privacy.erase_person(db.session().get(type(leaver), leaver.id))
        doomed = db.session().get(Organisation, doomed.id)
        privacy.schedule_deletion(doomed, doomed.name, by=db.session().get(type(admin), admin.id))
        counts = maintenance.purge(db.utcnow() + timedelta(days=365))
        assert counts["organisations past their deletion grace period"] == 1
    app.config["FINALISED_ASSESSMENT_ID"] = assessment_id


def _tampering_is_refused(app) -> None:
    assessment_id = app.config["FINALISED_ASSESSMENT_ID"]
    engine = db.engine(app)
    attempts = {
        "TRUNCATE answer": "permission denied",
        "TRUNCATE assessment, answer, stored_report CASCADE": "permission denied",
        "TRUNCATE audit_event": "permission denied",
        f"UPDATE answer SET note = 'Rewritten' WHERE assessment_id = {assessment_id}": (
            "cannot change"
        ),
        f"DELETE FROM answer WHERE assessment_id = {assessment_id}": "cannot change",
        f"UPDATE assessment SET title = 'Rewritten' WHERE id = {assessment_id}": "cannot change",
        "UPDATE stored_report SET sha256 = repeat('0', 64)": "stored report cannot change",
        "DELETE FROM stored_report": "permission denied",
        "UPDATE stored_report_language SET sha256 = repeat('0', 64)": "permission denied",
        "DELETE FROM stored_report_language": "permission denied",
        "UPDATE audit_event SET action = 'logout'": "permission denied",
        "DELETE FROM audit_event": "permission denied",
        "DELETE FROM audit_chain": "permission denied",
        "UPDATE audit_chain SET last_hash = repeat('a', 64)": "audit_chain can only name",
        "UPDATE alembic_version SET version_num = 'x'": "permission denied",
        "ALTER TABLE answer DISABLE TRIGGER ALL": "must be owner",
        "DROP TRIGGER audit_event_no_change ON audit_event": "must be owner",
        "SET session_replication_role = replica": "permission denied",
        "CREATE TABLE shadow (id integer)": "permission denied",
        # Back-dated by an hour, following the chain (the hash is not even looked at first).
        "INSERT INTO audit_event (occurred_at, action, object_type, source, prev_hash, "
        "event_hash) SELECT now() - interval '1 hour', 'logout', 'account', 'online', "
        "last_hash, repeat('b', 64) FROM audit_chain": "current time of the database",
    }
    for statement, message in attempts.items():
        with (
            pytest.raises(DBAPIError, match=re.escape(message)),
            engine.begin() as connection,
        ):
            connection.execute(text(statement))
    with engine.connect() as connection:
        answers = connection.execute(
            text("SELECT count(*) FROM answer WHERE assessment_id = :id"), {"id": assessment_id}
        ).scalar_one()
    assert answers > 0
