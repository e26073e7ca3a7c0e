"""Guessing is slowed down: per account and per network address, with a clear message."""

from __future__ import annotations

import pytest
from helpers import post


@pytest.fixture
def limited(make_app):
    return make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_PER_ACCOUNT="3 per 10 minutes",
        RATELIMIT_PER_ADDRESS="5 per 10 minutes",
    )


def _attempt(client, email, address="192.0.2.1", url="/login"):
    return post(
        client,
        url,
        {"email": email, "password": "wrong password here"},
        environ_base={"REMOTE_ADDR": address},
    )


def test_too_many_sign_in_attempts_on_one_account_are_refused_with_the_wait(limited):
    client = limited.test_client()
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        assert _attempt(client, "ada@example.org", address).status_code == 401
    # A fourth try from yet another address: the account's limit applies.
    response = _attempt(client, "ADA@example.org", "192.0.2.4")
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many attempts. Try again in 10 minutes." in page, page[page.find("<main") :]
    assert int(response.headers["Retry-After"]) > 500
    # Another account is not affected.
    assert _attempt(client, "bob@example.org", "192.0.2.4").status_code == 401


def test_too_many_attempts_from_one_address_are_refused(limited):
    client = limited.test_client()
    for n in range(5):
        assert _attempt(client, f"person{n}@example.org").status_code == 401
    assert _attempt(client, "someone.else@example.org").status_code == 429
    assert _attempt(client, "someone.else@example.org", "198.51.100.7").status_code == 401


@pytest.mark.parametrize("url", ["/register", "/password/forgot"])
def test_registration_and_reset_requests_are_limited_too(limited, url):
    client = limited.test_client()
    statuses = [_attempt(client, "ada@example.org", url=url).status_code for _ in range(4)]
    assert statuses[:3] != [429] * 3
    assert statuses[3] == 429


def test_looking_at_the_pages_is_not_limited(limited):
    client = limited.test_client()
    assert all(client.get("/login").status_code == 200 for _ in range(10))


def test_limits_are_off_in_the_other_tests(client):
    assert all(_attempt(client, "ada@example.org").status_code == 401 for _ in range(12))
