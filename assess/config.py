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

from assess.scoring.benchmark import checked_min_peers

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
    # PostgreSQL connection pool of each worker process (see docs/benchmarks.md, "Workshops"):
    # connections kept open, extra ones allowed under a burst, and after how many seconds a
    # connection is replaced. A connection is pinged when checked out, so that a restarted
    # database server never fails a request; a request checks out once, so that costs one short
    # round trip per request (set DATABASE_POOL_PRE_PING to 0 to save it, and rely on
    # DATABASE_POOL_RECYCLE, where the database never restarts under a running app).
    "DATABASE_POOL_SIZE": 5,
    "DATABASE_MAX_OVERFLOW": 10,
    "DATABASE_POOL_RECYCLE": 1800,
    "DATABASE_POOL_PRE_PING": True,
    # The largest request body accepted, in bytes.
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    # The largest form field held in memory (non-file), and the most fields and files in a form.
    "MAX_FORM_MEMORY_SIZE": 500_000,
    "MAX_FORM_PARTS": 1000,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # A form's token lasts as long as the longest session, so that a page left open is not
    # refused when it is finally submitted (an expired session keeps the form; see sessions.py).
    "WTF_CSRF_TIME_LIMIT": 12 * 3600,
    # --- accounts and sessions ---
    # False: a new organisation waits for an instance operator's approval before it can be used.
    "OPEN_REGISTRATION": True,
    # Seconds without a request after which a person is signed out.
    "SESSION_IDLE_TIMEOUT": 30 * 60,
    # Seconds after signing in after which a person is signed out, however active.
    "SESSION_ABSOLUTE_TIMEOUT": 12 * 3600,
    # Seconds before the idle timeout at which the page offers to extend the session.
    "SESSION_WARNING": 5 * 60,
    # Seconds a password-reset link works for, and an invitation.
    "PASSWORD_RESET_TTL": 3600,
    "INVITATION_TTL": 7 * 24 * 3600,
    # Seconds a link confirming a new account's email address works for.
    "EMAIL_VERIFICATION_TTL": 48 * 3600,
    # Argon2id cost (OWASP: 19 MiB of memory, 2 iterations, 1 lane). Tests lower it.
    "PASSWORD_HASH_MEMORY_COST": 19456,
    "PASSWORD_HASH_TIME_COST": 2,
    "PASSWORD_HASH_PARALLELISM": 1,
    # --- email ---
    # "smtp", "file" (one .eml file per message in MAIL_FILE_DIR) or "console" (the log).
    # None: "smtp" when SMTP_HOST is set, otherwise "file".
    "MAIL_BACKEND": None,
    # None: instance/mail.
    "MAIL_FILE_DIR": None,
    "MAIL_FROM": "assess <assess@localhost>",
    "SMTP_HOST": None,
    "SMTP_PORT": 587,
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    # STARTTLS on a plain connection (port 587), or TLS from the start (SMTP_SSL, port 465).
    "SMTP_STARTTLS": True,
    "SMTP_SSL": False,
    "SMTP_TIMEOUT": 10,
    # Email is queued in the database and sent after the response by a thread in each worker.
    # False: sent at the end of the request instead (tests; still never shown as an error).
    "MAIL_SEND_IN_BACKGROUND": True,
    # Seconds between the sender thread's retries of failed email.
    "MAIL_RETRY_INTERVAL": 300,
    # Tries before a message is left failed (an admin can still resend an invitation).
    "MAIL_MAX_ATTEMPTS": 8,
    # Days the outbox keeps a record of each message (its text is dropped once it is sent).
    "MAIL_OUTBOX_RETENTION_DAYS": 30,
    # --- rate limits on signing in, registering and password resets (Flask-Limiter) ---
    "RATELIMIT_ENABLED": True,
    # Where counts are kept, shared by every worker: None uses REDIS_URL if set, else the app's
    # database. Any URI of the `limits` library works (redis://..., memory:// for one process).
    # REDIS_URL (redis://host:6379/0) also sends the slow work to `assess worker` (assess/jobs.py).
    "RATELIMIT_STORAGE_URI": None,
    "REDIS_URL": None,
    # Attempts allowed for one email address, and from one network address, per endpoint
    # (registering, password resets, confirmation links).
    "RATELIMIT_PER_ACCOUNT": "10 per 15 minutes",
    "RATELIMIT_PER_ADDRESS": "50 per 15 minutes",
    # Signing in: attempts per account and network address; wrong passwords per network address
    # across accounts; and per account, how many different addresses failed (only then is the
    # account locked everywhere, for the rest of that longer window).
    "RATELIMIT_LOGIN_FAILURES": "10 per 15 minutes",
    "RATELIMIT_LOGIN_FAILURES_PER_ADDRESS": "50 per 15 minutes",
    "RATELIMIT_LOGIN_ACCOUNT_ADDRESSES": "20 per 6 hours",
    # --- personal data ---
    # Days between an operator scheduling an organisation's deletion and its deletion by
    # `assess maintenance purge`; the operator can cancel until then.
    "ORGANISATION_DELETION_GRACE_DAYS": 30,
    # Days after a workshop session closes that its participants' individual answers and display
    # names are kept (the consensus is kept for good).
    "WORKSHOP_ANSWER_RETENTION_DAYS": 90,
    # Days after a perception survey closes that its responses (and comments) are kept; then
    # `assess maintenance purge` deletes them and keeps only their counts.
    "SURVEY_RESPONSE_RETENTION_DAYS": 90,
    # Who people write to about their personal data, shown on the privacy notice; None: MAIL_FROM.
    "PRIVACY_CONTACT": None,
    # The largest consultancy logo accepted (PNG or JPEG, re-encoded before use), in bytes.
    "CONSULTANCY_LOGO_MAX_BYTES": 1024 * 1024,
    # The largest export file `assess import` reads, in bytes (a file is read whole, then checked).
    "IMPORT_MAX_BYTES": 1024 * 1024 * 1024,
    # The largest questionnaire pack (a zip) an operator may upload, in bytes.
    "PACK_MAX_BYTES": 4 * 1024 * 1024,
    # --- finalised reports ---
    # The largest PDF the public verify page accepts, in bytes.
    "REPORT_VERIFY_MAX_BYTES": 20 * 1024 * 1024,
    # Files one network address may check on the verify page.
    "RATELIMIT_VERIFY": "30 per 15 minutes",
    # Failed workshop joins (a wrong or closed code) from one network address; successful joins
    # and answering are never limited, so a room behind one address is not throttled.
    # A room of 200 behind one address mistypes codes now and then; against a 50-bit code even 50
    # guesses every 10 minutes would need millions of years on average.
    "RATELIMIT_WORKSHOP_JOIN_FAILURES": "50 per 10 minutes",
    # --- perception surveys ---
    # Responses a new survey's groups need before their figures and comments are shown (admins
    # may raise or lower it per survey, never below 3).
    "SURVEY_THRESHOLD": 5,
    # More responses than this within one hour put an alert on the survey's page.
    "SURVEY_ALERT_PER_HOUR": 60,
    # Survey responses one network address may send. A library or an office answers from one
    # address, so it is generous: it stops a script, not a queue of people at one computer.
    "RATELIMIT_SURVEY_SUBMIT": "60 per 10 minutes",
    # --- the read API (/api/v1, docs/api.md) ---
    # Requests one API token may make, and one network address (whatever token it sends).
    "RATELIMIT_API_PER_TOKEN": "600 per minute",
    "RATELIMIT_API_PER_ADDRESS": "1200 per minute",
    # --- peer benchmark ---
    # Organisations a sector or size band needs before its benchmark figures are shown; never
    # below 3 (start-up refuses a lower value). See docs/methodology.md, "Peer benchmark".
    "BENCHMARK_MIN_PEERS": 5,
    # --- deployment ---
    # Served over HTTPS: secure, __Host- prefixed session cookie and HSTS (see assess.security).
    "HTTPS": False,
    # Behind reverse proxies: how many of them to trust for X-Forwarded-For/-Proto/-Host/-Port/
    # -Prefix (Werkzeug's ProxyFix). 0: none, the connecting address is the person's.
    "PROXY_FIX": 0,
    # The site's address, such as https://assess.example.gov.uk, for the links in email sent by
    # `assess maintenance purge` (action-plan reminders), which has no request to take it from;
    # None: those messages ask people to sign in instead of linking.
    "BASE_URL": None,
    # --- background jobs (only with REDIS_URL; see assess/jobs.py and docs/deploy.md) ---
    # With REDIS_URL set, reports are prepared, assessments finalised and email sent by
    # `assess worker` rather than in the web request; rate-limit counts are kept in Redis too.
    # A worker renders a report within these ceilings: seconds, and MiB of resident memory of the
    # process that lays it out. Past either, the person is told the report is too large.
    "REPORT_RENDER_TIMEOUT": 300,
    "REPORT_RENDER_MEMORY_MB": 1536,
    # Seconds a finished job's result (a draft's PDF) is kept, and a failed job's record.
    "JOB_RESULT_TTL": 3600,
    "JOB_FAILURE_TTL": 7 * 24 * 3600,
    # Seconds between a worker's checks for jobs abandoned by a worker that died (they are run
    # again once, about a minute after their worker stopped answering), and between a worker's
    # heartbeats while a job runs.
    "WORKER_MAINTENANCE_INTERVAL": 60,
    "WORKER_MONITORING_INTERVAL": 30,
    # The folder of questionnaire YAML files; None: the shipped questionnaires/.
    "QUESTIONNAIRES_DIR": None,
}

#: Settings read from the environment as booleans or integers rather than strings.
_BOOLEAN = {
    "DATABASE_ECHO",
    "DATABASE_POOL_PRE_PING",
    "HTTPS",
    "SESSION_COOKIE_SECURE",
    "TESTING",
    "DEBUG",
    "OPEN_REGISTRATION",
    "SMTP_STARTTLS",
    "SMTP_SSL",
    "RATELIMIT_ENABLED",
    "MAIL_SEND_IN_BACKGROUND",
}
_INTEGER = {
    "DATABASE_POOL_SIZE",
    "DATABASE_MAX_OVERFLOW",
    "DATABASE_POOL_RECYCLE",
    "MAX_CONTENT_LENGTH",
    "MAX_FORM_MEMORY_SIZE",
    "MAX_FORM_PARTS",
    "WTF_CSRF_TIME_LIMIT",
    "SESSION_IDLE_TIMEOUT",
    "SESSION_ABSOLUTE_TIMEOUT",
    "SESSION_WARNING",
    "PASSWORD_RESET_TTL",
    "INVITATION_TTL",
    "EMAIL_VERIFICATION_TTL",
    "PASSWORD_HASH_MEMORY_COST",
    "PASSWORD_HASH_TIME_COST",
    "PASSWORD_HASH_PARALLELISM",
    "SMTP_PORT",
    "SMTP_TIMEOUT",
    "MAIL_RETRY_INTERVAL",
    "MAIL_MAX_ATTEMPTS",
    "MAIL_OUTBOX_RETENTION_DAYS",
    "ORGANISATION_DELETION_GRACE_DAYS",
    "WORKSHOP_ANSWER_RETENTION_DAYS",
    "SURVEY_RESPONSE_RETENTION_DAYS",
    "SURVEY_THRESHOLD",
    "SURVEY_ALERT_PER_HOUR",
    "REPORT_VERIFY_MAX_BYTES",
    "CONSULTANCY_LOGO_MAX_BYTES",
    "IMPORT_MAX_BYTES",
    "PACK_MAX_BYTES",
    "PROXY_FIX",
    "REPORT_RENDER_TIMEOUT",
    "REPORT_RENDER_MEMORY_MB",
    "JOB_RESULT_TTL",
    "JOB_FAILURE_TTL",
    "WORKER_MAINTENANCE_INTERVAL",
    "WORKER_MONITORING_INTERVAL",
}


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
    if not app.config.get("MAIL_BACKEND"):
        app.config["MAIL_BACKEND"] = "smtp" if app.config.get("SMTP_HOST") else "file"
    if not app.config.get("MAIL_FILE_DIR"):
        app.config["MAIL_FILE_DIR"] = str(Path(app.instance_path) / "mail")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))
    try:
        app.config["BENCHMARK_MIN_PEERS"] = checked_min_peers(app.config["BENCHMARK_MIN_PEERS"])
    except ValueError as error:
        raise ConfigError(str(error)) from None


class ConfigError(ValueError):
    """A setting the application refuses to start with; the message says which and why."""


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
