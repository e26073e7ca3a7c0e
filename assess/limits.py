"""Rate limits on the routes that guess at passwords or send email: signing in, registering and
password resets; and on failed workshop joins.

A view opts in with ``@limits.attempts`` (under its access declaration). Each posted attempt then
counts twice: against the email address it names (``RATELIMIT_PER_ACCOUNT``) and against the
network address it came from (``RATELIMIT_PER_ADDRESS``), each per endpoint. A person over a limit
gets a 429 page saying how long to wait.

Counts are shared by every worker process: by default they live in the app's database
(``assess.limit_storage``); with ``RATELIMIT_STORAGE_URI`` or ``REDIS_URL`` set, in that store.
Behind a reverse proxy, set ``PROXY_FIX`` so that the network address is the person's, not the
proxy's (see ``assess.security``).

Failures only: :func:`failures_exhausted` and :func:`count_failure` count attempts that failed
(a wrong workshop code) per network address, so that people who get it right are never counted.

Signing in (:func:`login_attempt`, :func:`count_login_failure`) counts attempts per account *and*
address (``RATELIMIT_LOGIN_FAILURES``; counted before the password is checked, so that
simultaneous guesses cannot slip past), so that one person's guesses do not lock the account's
owner out elsewhere; wrong passwords per address across accounts
(``RATELIMIT_LOGIN_FAILURES_PER_ADDRESS``); and per account, the number of different addresses
that failed
(``RATELIMIT_LOGIN_ACCOUNT_ADDRESSES``): only when many addresses guess at one account is it
locked everywhere, for the longer window of that setting.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItemPerSecond, parse
from werkzeug.exceptions import TooManyRequests

from assess import db, limit_storage
from assess.api import is_api_request, problems
from assess.services.tokens import token_hash

_EXTENSION = "assess.limiter"
View = TypeVar("View", bound=Callable[..., Any])


def attempts(view: View) -> View:
    """Mark ``view`` as rate-limited per account and per address (for POST requests)."""
    view.__rate_limited__ = True  # type: ignore[attr-defined]
    return view


def per_address(setting: str) -> Callable[[View], View]:
    """Mark ``view`` as rate-limited per network address only, by ``app.config[setting]``
    (for POST requests to pages that name no account, such as verifying a report)."""

    def mark(view: View) -> View:
        view.__rate_limit_setting__ = setting  # type: ignore[attr-defined]
        return view

    return mark


def api(view: View) -> View:
    """Mark ``view`` as the API's: every request counts against the token it sends
    (``RATELIMIT_API_PER_TOKEN``) and the network address (``RATELIMIT_API_PER_ADDRESS``)."""
    view.__rate_limit_api__ = True  # type: ignore[attr-defined]
    return view


def _by_api_token() -> str:
    """A key for the token a request sends (hashed; a request without one counts by address)."""
    header = request.headers.get("Authorization", "")
    return "api-token:" + token_hash(header)[:32] if header else _by_address()


def _by_address() -> str:
    return "address:" + get_remote_address()


def _account(email: str) -> str:
    """A key for the account an address names (hashed: counters are not a list of addresses)."""
    return token_hash(email.strip().lower())[:32]


def _by_account() -> str:
    email = (request.form.get("email") or "").strip().lower()
    if email:
        return "account:" + _account(email)
    # A reset link names no address; its token stands for the account.
    token = (request.view_args or {}).get("token")
    if token:
        return "token:" + token_hash(str(token))
    return _by_address()


def init_app(app: Flask) -> None:
    """Give ``app`` its own limiter and apply it to every view marked with :func:`attempts`.

    Call after the blueprints are registered. Each app has its own limiter so that apps built in
    one process (as in the tests) do not share counts or settings.
    """
    uri, options = storage(app)
    limiter = Limiter(
        key_func=_by_address,
        storage_uri=uri,
        storage_options=options,
        enabled=app.config["RATELIMIT_ENABLED"],
    )
    limiter.init_app(app)
    app.extensions[_EXTENSION] = limiter
    for endpoint, view in list(app.view_functions.items()):
        if getattr(view, "__rate_limit_api__", False):
            limited = limiter.limit(
                lambda: current_app.config["RATELIMIT_API_PER_TOKEN"], key_func=_by_api_token
            )(view)
            limited = limiter.limit(
                lambda: current_app.config["RATELIMIT_API_PER_ADDRESS"], key_func=_by_address
            )(limited)
            app.view_functions[endpoint] = limited
            continue
        setting = getattr(view, "__rate_limit_setting__", None)
        if setting:
            app.view_functions[endpoint] = limiter.limit(
                lambda setting=setting: current_app.config[setting],
                key_func=_by_address,
                methods=["POST"],
            )(view)
            continue
        if not getattr(view, "__rate_limited__", False):
            continue
        limited = limiter.limit(
            lambda: current_app.config["RATELIMIT_PER_ACCOUNT"],
            key_func=_by_account,
            methods=["POST"],
        )(view)
        limited = limiter.limit(
            lambda: current_app.config["RATELIMIT_PER_ADDRESS"],
            key_func=_by_address,
            methods=["POST"],
        )(limited)
        app.view_functions[endpoint] = limited
    app.register_error_handler(TooManyRequests, _too_many)


def storage(app: Flask) -> tuple[str, dict[str, Any]]:
    """Where counts are kept: ``RATELIMIT_STORAGE_URI``, else ``REDIS_URL``, else the database."""
    uri = app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL")
    if uri:
        return uri, {}
    return f"{limit_storage.SCHEME}://", {"engine": db.engine(app)}


def _too_many(error: TooManyRequests) -> ResponseReturnValue:
    limiter: Limiter = current_app.extensions[_EXTENSION]
    current = limiter.current_limit
    seconds = max(1.0, current.reset_at - time.time()) if current else 60.0
    return too_many(seconds)


def too_many(seconds: float) -> ResponseReturnValue:
    """The 429 page saying how long to wait."""
    if is_api_request():
        response = problems.problem(429)
        response.headers["Retry-After"] = str(math.ceil(seconds))
        return response
    # The limiter's reset time carries a second of margin; round to the nearest whole minute.
    minutes = max(1, round(seconds / 60))
    page = render_template("errors/429.html", minutes=minutes)
    return page, 429, {"Retry-After": str(math.ceil(seconds))}


def _login_limits(email: str) -> list[tuple[Any, tuple[str, ...]]]:
    config = current_app.config
    account, address = _account(email), get_remote_address()
    return [
        (parse(config["RATELIMIT_LOGIN_FAILURES"]), ("login-failures", account, address)),
        (parse(config["RATELIMIT_LOGIN_FAILURES_PER_ADDRESS"]), ("login-address", address)),
        (parse(config["RATELIMIT_LOGIN_ACCOUNT_ADDRESSES"]), ("login-account", account)),
    ]


def login_attempt(email: str) -> float | None:
    """Count this attempt to sign in as ``email`` from this address; the seconds to wait if it
    is over a limit (whether or not ``email`` has an account), else None."""
    found = _failure_limit("RATELIMIT_LOGIN_FAILURES")
    if found is None:
        return None
    strategy, _ = found
    wait = 0.0
    (pair, pair_key), *others = _login_limits(email)
    # Counted now, atomically, so that guesses sent at the same moment cannot all get through.
    if not strategy.hit(pair, *pair_key):
        wait = _seconds_left(strategy, pair, pair_key)
    for item, key in others:
        if not strategy.test(item, *key):
            wait = max(wait, _seconds_left(strategy, item, key))
    return wait or None


def _seconds_left(strategy: Any, item: Any, key: tuple[str, ...]) -> float:
    reset_at, _remaining = strategy.get_window_stats(item, *key)
    return max(reset_at - time.time(), 1.0)


def count_login_failure(email: str) -> None:
    """Count a wrong password for ``email`` from this address (the attempt itself was counted by
    :func:`login_attempt`)."""
    found = _failure_limit("RATELIMIT_LOGIN_FAILURES")
    if found is None:
        return
    strategy, _ = found
    (_pair, pair_key), (per_address, address_key), (accounts, account_key) = _login_limits(email)
    strategy.hit(per_address, *address_key)
    # The account's counter counts addresses: each address once per window.
    first_from_here = RateLimitItemPerSecond(1, accounts.get_expiry())
    if strategy.hit(first_from_here, "login-account-seen", account_key[1], pair_key[2]):
        strategy.hit(accounts, *account_key)


def _failure_limit(setting: str) -> tuple[Any, str] | None:
    limiter: Limiter | None = current_app.extensions.get(_EXTENSION)
    if limiter is None or not current_app.config["RATELIMIT_ENABLED"]:
        return None
    return limiter.limiter, setting


def failures_exhausted(setting: str, scope: str) -> int | None:
    """Seconds to wait when this address has used up the failures ``setting`` (a config key such
    as ``RATELIMIT_WORKSHOP_JOIN_FAILURES``) allows for ``scope``; None while it may try."""
    found = _failure_limit(setting)
    if found is None:
        return None
    strategy, _ = found
    item = parse(current_app.config[setting])
    key = (scope, get_remote_address())
    if strategy.test(item, *key):
        return None
    reset_at, _remaining = strategy.get_window_stats(item, *key)
    return max(1, math.ceil(reset_at - time.time()))


def count_failure(setting: str, scope: str) -> None:
    """Count one failed attempt from this address against ``setting`` for ``scope``."""
    found = _failure_limit(setting)
    if found is not None:
        strategy, _ = found
        strategy.hit(parse(current_app.config[setting]), scope, get_remote_address())
