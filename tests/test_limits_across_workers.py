"""Limits hold in the documented deployment: ``gunicorn -w 4``, counts shared by the workers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from server_helpers import Browser, gunicorn

pytestmark = pytest.mark.slow


def _at_once(calls):
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_wrong_passwords_and_report_checks_are_limited_across_four_workers(make_database, tmp_path):
    with gunicorn(
        make_database(),
        tmp_path,
        5125,
        workers=4,
        RATELIMIT_ENABLED="true",
        RATELIMIT_VERIFY="5 per 15 minutes",
    ) as base:
        # Twelve wrong passwords for one account from one address, sent at the same moment to
        # whichever worker takes them: the limit of ten holds.
        browsers = [Browser(base) for _ in range(12)]
        for browser in browsers:
            browser.post("/password/forgot", {"email": ""})  # fetches a token first
        statuses = _at_once(
            [
                lambda b=browser: b.post(
                    "/login", {"email": "ada@example.org", "password": "not the password"}
                )[0]
                for browser in browsers
            ]
        )
        assert sorted(statuses) == [401] * 10 + [429] * 2

        # The report check allows five files per address: twelve posts, five answered.
        checkers = [Browser(base) for _ in range(12)]
        for checker in checkers:
            checker.post("/password/forgot", {"email": ""})
        statuses = _at_once([lambda c=checker: c.post("/verify", {})[0] for checker in checkers])
        assert statuses.count(429) == 7, statuses
        assert all(status < 500 for status in statuses)
