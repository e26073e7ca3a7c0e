"""PostgreSQL: the privileges of the role the application runs as, which does not own the schema.

The owner role runs the migrations (``assess db upgrade``) and so owns every table; only an owner
(or a superuser) can drop or disable the triggers that protect finalised answers, stored reports
and the audit trail, or TRUNCATE. The application connects as another role with only the
privileges it needs, which :func:`app_role_grants` lists and ``assess db grant-app-role`` applies,
as the owner, after every upgrade (a new table needs its grants). ``docs/security.md`` shows them;
a test checks that it shows these, and runs the application under them.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def valid_name(name: str) -> bool:
    """Whether ``name`` is a plain PostgreSQL identifier (lower case, no quoting needed)."""
    return bool(_NAME.match(name))


def app_role_grants(role: str, database: str) -> list[str]:
    """The statements that give ``role`` what the application needs in ``database``, and no more.

    Everything it reads and writes, with these exceptions: it cannot change the schema's version;
    cannot change or delete audit events (only add them); cannot delete stored reports (the
    triggers also refuse it, and allow only marking one superseded) nor change or delete their
    copies in other languages; cannot add or delete the
    audit chain's end (only the triggers move it). No TRUNCATE, REFERENCES or TRIGGER anywhere,
    and no CREATE on the schema.
    """
    for name in (role, database):
        if not valid_name(name):
            raise ValueError(f"{name!r} is not a plain PostgreSQL name (a-z, 0-9, _)")
    return [
        f"GRANT CONNECT ON DATABASE {database} TO {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {role}",
        f"REVOKE UPDATE, DELETE ON audit_event FROM {role}",
        f"REVOKE DELETE ON stored_report FROM {role}",
        f"REVOKE UPDATE, DELETE ON stored_report_language FROM {role}",
        f"REVOKE INSERT, DELETE ON audit_chain FROM {role}",
    ]


def grant_app_role(connection: Connection, role: str) -> list[str]:
    """Apply :func:`app_role_grants` for the connected database; returns the statements run.

    Refuses a role that owns the schema or can bypass the triggers (a superuser), since the
    grants would then protect nothing.
    """
    database = connection.execute(text("SELECT current_database()")).scalar_one()
    statements = app_role_grants(role, database)
    found = connection.execute(
        text("SELECT rolsuper FROM pg_roles WHERE rolname = :role"), {"role": role}
    ).first()
    if found is None:
        raise ValueError(f"there is no role {role!r}: create it first (CREATE ROLE ... LOGIN)")
    if found[0]:
        raise ValueError(f"{role!r} is a superuser: the application must run as an ordinary role")
    owner = connection.execute(
        text("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'audit_event'")
    ).scalar()
    if owner == role:
        raise ValueError(f"{role!r} owns the tables: run the application as another role")
    for statement in statements:
        connection.execute(text(statement))
    return statements
