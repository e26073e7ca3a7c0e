"""Configuration: defaults, then the instance folder, then ``ASSESS_*`` environment variables.

A test passes a mapping to ``create_app`` that overrides all three.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

ENV_PREFIX = "ASSESS_"

#: Settings every instance starts from. Each can be overridden in ``instance/config.py`` or by an
#: environment variable named ``ASSESS_<NAME>`` (for example ``ASSESS_DATABASE_URL``).
DEFAULTS: dict[str, Any] = {
    # None: an SQLite file in the instance folder (see database_url()).
    "DATABASE_URL": None,
    # None: read from, or generated once into, instance/secret_key.
    "SECRET_KEY": None,
    # Log SQL statements (noisy; for debugging only).
    "DATABASE_ECHO": False,
    # The largest request body accepted, in bytes.
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": 3600,
    # Served over HTTPS: secure, __Host- prefixed session cookie and HSTS (see assess.security).
    "HTTPS": False,
    # The folder of questionnaire YAML files; None: the shipped questionnaires/.
    "QUESTIONNAIRES_DIR": None,
}

#: Settings read from the environment as booleans or integers rather than strings.
_BOOLEAN = {"DATABASE_ECHO", "SESSION_COOKIE_SECURE", "TESTING", "DEBUG", "HTTPS"}
_INTEGER = {"MAX_CONTENT_LENGTH", "WTF_CSRF_TIME_LIMIT"}


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, raw in environ.items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX) :]
        if name in _BOOLEAN:
            values[name] = raw.strip().lower() in {"1", "true", "yes", "on"}
        elif name in _INTEGER:
            values[name] = int(raw)
        else:
            values[name] = raw
    return values


def load(app: Flask, test_config: Mapping[str, Any] | None = None) -> None:
    """Fill ``app.config`` in order: defaults, instance file, environment, ``test_config``."""
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(_from_environment(os.environ))
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.config["DATABASE_URL"] = database_url(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))


def database_url(app: Flask) -> str:
    """The SQLAlchemy URL: the configured one, or an SQLite file in the instance folder."""
    url = app.config.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(app.instance_path) / "assess.sqlite3")
    # Operators write postgresql://...; SQLAlchemy needs to be told to use psycopg 3.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret_key(instance: Path) -> str:
    """Return the key in ``instance/secret_key``, creating it first if it does not exist.

    Creation is atomic (written to a temporary file, then hard-linked into place), so several
    workers starting at once all end up with the one key that won the race.
    """
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=instance, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
            os.chmod(tmp, 0o600)
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    return path.read_text().strip()
