"""Guessing is slowed down: per account and per network address, with a clear message."""

from __future__ import annotations

import pytest
from helpers import post
from sqlalchemy import func, select

from assess import db
from assess.models import RateLimitCounter


@pytest.fixture
def limited(make_app):
    return make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_PER_ACCOUNT="3 per 10 minutes",
        RATELIMIT_PER_ADDRESS="5 per 10 minutes",
        RATELIMIT_LOGIN_FAILURES="3 per 10 minutes",
        RATELIMIT_LOGIN_FAILURES_PER_ADDRESS="5 per 10 minutes",
        RATELIMIT_LOGIN_ACCOUNT_ADDRESSES="4 per 6 hours",
    )


def _make_user(app, email: str):
    from helpers import PASSWORD

    from assess.services import accounts

    with app.test_request_context():
        user = accounts.create_user("Ada", email, PASSWORD)
        db.session().commit()
        return user


def _attempt(client, email, address="192.0.2.1", url="/login"):
    return post(
        client,
        url,
        {"email": email, "password": "wrong password here"},
        environ_base={"REMOTE_ADDR": address},
    )


def test_wrong_passwords_from_one_address_are_refused_with_the_wait(limited):
    client = limited.test_client()
    for _ in range(3):
        assert _attempt(client, "ada@example.org").status_code == 401
    response = _attempt(client, "ADA@example.org")
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many attempts. Try again in 10 minutes." in page, page[page.find("<main") :]
    assert int(response.headers["Retry-After"]) > 500
    # Another account is not affected.
    assert _attempt(client, "bob@example.org").status_code == 401


def test_one_persons_guesses_do_not_lock_the_owner_out_from_elsewhere(limited):
    """Counted per account and address: the owner signs in from their own address."""
    from helpers import PASSWORD

    owner = _make_user(limited, "ada@example.org")
    guesser = limited.test_client()
    for _ in range(3):
        assert _attempt(guesser, owner.email, "203.0.113.66").status_code == 401
    assert _attempt(guesser, owner.email, "203.0.113.66").status_code == 429
    response = post(
        limited.test_client(),
        "/login",
        {"email": owner.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.20"},
    )
    assert response.status_code == 302


def test_an_account_guessed_at_from_many_addresses_is_locked_everywhere_for_longer(limited):
    from helpers import PASSWORD

    owner = _make_user(limited, "ada@example.org")
    client = limited.test_client()
    # One wrong password from each of four addresses: the account's lock (4 addresses) is reached.
    for n in range(4):
        assert _attempt(client, owner.email, f"203.0.113.{n}").status_code == 401
    response = post(
        client,
        "/login",
        {"email": owner.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.20"},
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 5 * 3600  # the longer window
    # A successful sign-in never counts, and other accounts are not affected.
    assert _attempt(client, "bob@example.org", "198.51.100.20").status_code == 401


def test_the_same_address_failing_again_counts_once_towards_the_account_lock(limited):
    owner = _make_user(limited, "ada@example.org")
    client = limited.test_client()
    for _ in range(3):
        _attempt(client, owner.email, "203.0.113.1")
    for n in (2, 3):
        assert _attempt(client, owner.email, f"203.0.113.{n}").status_code == 401
    # Three addresses so far (the first counted once, not three times): not locked.
    assert _attempt(client, owner.email, "203.0.113.9").status_code == 401


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


def test_counts_are_kept_in_the_database_shared_by_every_worker(limited):
    client = limited.test_client()
    _attempt(client, "ada@example.org")
    with limited.app_context():
        keys = list(db.session().scalars(select(RateLimitCounter.key)))
        assert keys
        # Addresses are hashed in the keys: the counters are not a list of who tried.
        assert not any("ada@example.org" in key for key in keys)
    # A second app on the same database (another worker) sees the same counts.
    from assess import create_app

    other = create_app({**limited.config, "TESTING": True})
    other_client = other.test_client()
    for _ in range(2):
        assert _attempt(other_client, "ada@example.org").status_code == 401
    assert _attempt(other_client, "ada@example.org").status_code == 429
    db.engine(other).dispose()
    with limited.app_context():
        assert db.session().scalar(select(func.count()).select_from(RateLimitCounter)) > 0


def test_maintenance_forgets_counts_whose_window_has_ended(limited):
    from sqlalchemy import update

    _attempt(limited.test_client(), "ada@example.org")
    with limited.app_context():
        db.session().execute(update(RateLimitCounter).values(expires_at=0))
        db.session().commit()
    result = limited.test_cli_runner().invoke(args=["maintenance", "purge"])
    assert result.exit_code == 0, result.output
    with limited.app_context():
        assert db.session().scalar(select(func.count()).select_from(RateLimitCounter)) == 0


def test_behind_a_proxy_the_forwarded_address_is_counted(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_LOGIN_FAILURES_PER_ADDRESS="2 per 10 minutes",
        PROXY_FIX=1,
    )
    client = app.test_client()

    def attempt(email, forwarded):
        return post(
            client,
            "/login",
            {"email": email, "password": "wrong password here"},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
            headers={"X-Forwarded-For": forwarded},
        )

    assert attempt("a@example.org", "192.0.2.1").status_code == 401
    assert attempt("b@example.org", "192.0.2.1").status_code == 401
    assert attempt("c@example.org", "192.0.2.1").status_code == 429
    # Another person behind the same proxy is not locked out.
    assert attempt("c@example.org", "192.0.2.2").status_code == 401
    # Only the hops configured are trusted: a forged extra entry does not give a new address.
    assert attempt("d@example.org", "6.6.6.6, 192.0.2.1").status_code == 429


def test_without_proxy_fix_forwarded_headers_are_ignored(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_FAILURES_PER_ADDRESS="1 per 10 minutes")
    client = app.test_client()
    statuses = [
        post(
            client,
            "/login",
            {"email": f"{n}@example.org", "password": "wrong password here"},
            headers={"X-Forwarded-For": f"192.0.2.{n}"},
        ).status_code
        for n in range(2)
    ]
    assert statuses == [401, 429]


def test_the_storage_is_the_database_unless_a_shared_store_is_configured(app):
    from types import SimpleNamespace

    from assess import limits

    uri, options = limits.storage(app)
    assert uri == "assess+database://" and options["engine"] is db.engine(app)
    for config, expected in (
        ({"REDIS_URL": "redis://cache:6379/0"}, "redis://cache:6379/0"),
        ({"RATELIMIT_STORAGE_URI": "memory://", "REDIS_URL": "redis://cache"}, "memory://"),
    ):
        assert limits.storage(SimpleNamespace(config=config)) == (expected, {})


def test_a_negative_proxy_count_is_refused_at_start_up(make_app):
    with pytest.raises(ValueError, match="PROXY_FIX"):
        make_app(PROXY_FIX=-1)
