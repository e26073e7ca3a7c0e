"""Registering and asking for a password reset take as long whether or not the address has an
account, even when the mail server is slow: mail goes out after the response."""

from __future__ import annotations

import statistics
import time

import pytest
from server_helpers import Browser, gunicorn
from smtp_helpers import fake_smtp

from assess import create_app, db
from assess.services import accounts

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple"
SMTP_DELAY = 2.0


def _timed(browser: Browser, path: str, data: dict[str, str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    status, page = browser.post(path, data)
    return time.perf_counter() - started, status, page


def _differ_by(a: list[float], b: list[float]) -> float:
    first, second = statistics.median(a), statistics.median(b)
    return abs(first - second) / min(first, second)


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
        reset_difference = _differ_by(known, unknown)

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
        register_difference = _differ_by(taken, new)

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
    assert reset_difference < 0.2, (known, unknown)
    assert register_difference < 0.2, (taken, new)
    # The answers did not wait for the mail server.
    assert max(map(statistics.median, (known, unknown, taken, new))) < SMTP_DELAY
