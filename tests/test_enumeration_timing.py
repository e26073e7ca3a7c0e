"""Registering and asking for a password reset take as long whether or not the address has an
account, even when the mail server is slow: mail goes out after the response.

What makes them take as long is checked exactly: a reset request runs the same statements for any
address, and registering hashes the password whether or not the address is taken. The timings,
taken through gunicorn, then check that nothing else tells the two apart. Their margins are ones a
busy machine cannot break (two parallel suites shift a 7 ms median by a few milliseconds) but a
real leak breaks many times over: a 2-second mail server in the request, or a skipped hash (about
nine tenths of a registration's time).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import request_finished, request_started
from helpers import post
from server_helpers import Browser, gunicorn
from smtp_helpers import fake_smtp
from sqlalchemy import event

from assess import create_app, db, passwords
from assess.services import accounts

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple"
SMTP_DELAY = 2.0
#: Two medians count as the same when they differ by less than this share of the smaller one...
SAME_SHARE = 0.5
#: ... or by less than this many seconds (scheduling noise on a loaded machine, not a leak).
SAME_SECONDS = 0.005


def _timed(browser: Browser, path: str, data: dict[str, str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    status, page = browser.post(path, data)
    return time.perf_counter() - started, status, page


def _the_same(a: list[float], b: list[float]) -> bool:
    first, second = statistics.median(a), statistics.median(b)
    return abs(first - second) < max(SAME_SHARE * min(first, second), SAME_SECONDS)


@contextmanager
def _statements_in_the_request(app) -> Iterator[list[str]]:
    """The SQL statements run while the last request was answered (not those run after its
    response, as the mail sender's are)."""
    statements: list[str] = []
    answering = [False]

    def started(*_args, **_kwargs) -> None:
        statements.clear()
        answering[0] = True

    def answered(*_args, **_kwargs) -> None:
        answering[0] = False

    def record(_conn, _cursor, statement, *_args) -> None:
        if answering[0]:
            statements.append(statement)

    engine = db.engine(app)
    event.listen(engine, "before_cursor_execute", record)
    request_started.connect(started, app)
    request_finished.connect(answered, app)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
        request_started.disconnect(started, app)
        request_finished.disconnect(answered, app)


def test_a_reset_request_runs_the_same_statements_for_any_address(app, make_user, mailbox):
    make_user(email="ada@example.org")
    client = app.test_client()
    client.get("/password/forgot")
    runs = []
    for address in ("ada@example.org", "nobody@example.org", "ada@example.org"):
        with _statements_in_the_request(app) as statements:
            response = post(client, "/password/forgot", {"email": address})
        assert response.status_code == 200
        assert "Check your email" in response.get_data(as_text=True)
        runs.append(statements)
    assert runs[0] and runs[0] == runs[1] == runs[2]
    assert not any("user" in s.lower() and "select" in s.lower() for s in runs[0]), runs[0]
    # After the response, only the known address got its link.
    assert [m.to for m in mailbox()] == ["ada@example.org", "ada@example.org"]


def test_registering_hashes_the_password_whether_or_not_the_address_is_taken(
    app, make_user, monkeypatch
):
    make_user(email="ada@example.org")
    hashed: list[str] = []
    real = passwords.hash_password

    def counted(password: str) -> str:
        hashed.append(password)
        return real(password)

    monkeypatch.setattr(passwords, "hash_password", counted)
    client = app.test_client()
    client.get("/register")
    for address in ("ada@example.org", "new@example.org"):
        before = len(hashed)
        response = post(
            client,
            "/register",
            {"name": "Someone", "email": address, "password": PASSWORD, "confirm": PASSWORD},
        )
        assert response.status_code == 200
        assert "Check your email" in response.get_data(as_text=True)
        assert len(hashed) == before + 1, address


def test_register_and_reset_take_as_long_for_any_address(make_database, tmp_path):
    url = make_database()
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "k", "INSTANCE_PATH": str(tmp_path / "setup")}
    )
    with app.test_request_context():
        accounts.create_user("Ada", "ada@example.org", PASSWORD)
        db.session().commit()
    db.engine(app).dispose()

    # A mail server that takes two seconds per message, as a slow relay does.
    with (
        fake_smtp(delay=SMTP_DELAY) as server,
        gunicorn(
            url,
            tmp_path,
            5128,
            workers=2,
            RATELIMIT_ENABLED="false",
            MAIL_BACKEND="smtp",
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(server.port),
            SMTP_STARTTLS="false",
        ) as base,
    ):
        browser = Browser(base)
        known: list[float] = []
        unknown: list[float] = []
        for n in range(30):
            pair = [
                (known, "ada@example.org"),
                (unknown, f"nobody{n}@example.org"),
            ]
            for times, address in pair if n % 2 else reversed(pair):
                elapsed, status, page = _timed(browser, "/password/forgot", {"email": address})
                assert status == 200 and "Check your email" in page
                times.append(elapsed)

        taken: list[float] = []
        new: list[float] = []
        for n in range(30):
            pair = [(taken, "ada@example.org"), (new, f"new{n}@example.org")]
            for times, address in pair if n % 2 else reversed(pair):
                elapsed, status, page = _timed(
                    browser,
                    "/register",
                    {
                        "name": "Someone",
                        "email": address,
                        "password": PASSWORD,
                        "confirm": PASSWORD,
                    },
                )
                assert status == 200 and "Check your email" in page
                times.append(elapsed)

        # The mail did go out, through the slow server, after the responses.
        deadline = time.monotonic() + 120
        while len(server.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        subjects = {str(message["Subject"]) for message in server.received}
        assert any("Reset" in subject for subject in subjects), subjects

    print(
        f"reset: known {statistics.median(known) * 1000:.1f} ms, "
        f"unknown {statistics.median(unknown) * 1000:.1f} ms; register: taken "
        f"{statistics.median(taken) * 1000:.1f} ms, new {statistics.median(new) * 1000:.1f} ms"
    )
    assert _the_same(known, unknown), (known, unknown)
    assert _the_same(taken, new), (taken, new)
    # The answers did not wait for the mail server.
    assert max(map(statistics.median, (known, unknown, taken, new))) < SMTP_DELAY
