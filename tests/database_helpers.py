"""The suite's databases: which server the tests use, and the settings every test app starts
from. Shared by ``conftest.py`` and the tests that build their own apps (a module of its own,
since two ``conftest`` modules cannot both be imported by that name)."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SERVER_URL = os.environ.get("ASSESS_DATABASE_URL", "")
ON_POSTGRES = SERVER_URL.startswith(("postgresql", "postgres"))


def _base_config(url: str, instance: Path) -> dict[str, object]:
    return {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "INSTANCE_PATH": str(instance),
        # Cheap password hashing keeps the suite fast; the production cost is tested on its own.
        "PASSWORD_HASH_MEMORY_COST": 8,
        "PASSWORD_HASH_TIME_COST": 1,
        # Limits are switched on only by the tests about them.
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "file",
        # Queued email is sent as the request ends, so a test can read it straight away.
        "MAIL_SEND_IN_BACKGROUND": False,
    }


def _postgres_admin_url() -> str:
    url = make_url(SERVER_URL)
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def _database_url(name: str) -> str:
    return make_url(_postgres_admin_url()).set(database=name).render_as_string(hide_password=False)


def _run_admin(statement: str) -> None:
    engine = create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()
