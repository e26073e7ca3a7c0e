"""Signing in and out in the browser: Flask-Login on top of server-side session records.

Flask's cookie holds ``sid``, a random identifier whose hash is a
:class:`~assess.models.UserSession`. Every request checks that record (see
:mod:`assess.services.sessions`), so signing out, a timeout or a password change ends the session
on the server, whatever the browser still holds.

Forms are not lost when a session ends: a form posted after the end is kept on the server (without
its CSRF token or any password field), the person signs in again, and a page shows what was kept
with a button that posts it to where it was going. See :func:`keep_posted_form`.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask, g, session
from flask_login import LoginManager, current_user, login_user, logout_user

from assess import db
from assess.models import User, UserSession
from assess.services import sessions as service

_SID = "sid"
#: The Flask-session key of a kept form's key (it survives signing in).
KEPT = "kept_form"

login_manager = LoginManager()
#: Fields never kept: the form token, and anything that could hold a password.
SECRET_FIELDS = ("csrf_token", "confirm")
#: Fields that say where to go next rather than what a person entered.
NAVIGATION_FIELDS = ("next",)


def init_app(app: Flask) -> None:
    """Bind Flask-Login: no remember-me cookie, no session protection of its own (the server
    record is the protection)."""
    login_manager.init_app(app)
    login_manager.session_protection = None
    login_manager.login_view = None
    app.context_processor(_template_context)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    try:
        uid = int(user_id)
    except ValueError:
        return None
    result = service.check(session.get(_SID), uid)
    g.session_check = result
    if result.record is None:
        return None
    return db.session().get(User, uid)


def sign_in(user: User) -> None:
    """Start a fresh session for ``user``: a new identifier, nothing carried over from before but
    a kept form."""
    kept = session.get(KEPT)
    old = session.get(_SID)
    if old:
        service.revoke(old, reason="replaced")
    session.clear()
    session[_SID] = service.start(user)
    if kept:
        session[KEPT] = kept
    login_user(user)


def sign_out() -> None:
    """End the session on the server and forget everything in the browser's session."""
    service.revoke(session.get(_SID), reason="logout")
    logout_user()
    session.clear()


def current_token() -> str | None:
    """The browser's session identifier (to keep this session when others are ended)."""
    return session.get(_SID)


def current_record() -> UserSession | None:
    """The live server-side record of this request's session, if signed in."""
    if not current_user.is_authenticated:
        return None
    check = g.get("session_check")
    return check.record if check else None


def ended_reason() -> str | None:
    """Why this request's session is no longer live ("idle", "absolute", ...), if it had one."""
    check = g.get("session_check")
    if check is None or check.record is not None or check.ended == "missing":
        return None
    return check.ended


def ended_user_id() -> int | None:
    """Whose session it was that ended by a timeout, if this request's has."""
    check = g.get("session_check")
    if check is None or check.ended not in ("idle", "absolute"):
        return None
    return check.user_id


def expires_at() -> datetime | None:
    """When this request's session ends without further activity."""
    record = current_record()
    return service.expires_at(record) if record else None


def keep_posted_form(user_id: int, path: str, form: list[tuple[str, str]]) -> bool:
    """Keep a form that arrived after its session ended, for ``user_id`` to submit again.

    Returns False, keeping nothing, when the form held nothing a person typed or chose (a sign-out
    button, say).
    """
    fields = [
        [name, value]
        for name, value in form
        if name not in SECRET_FIELDS and "password" not in name.lower()
    ]
    if all(name in NAVIGATION_FIELDS for name, _ in fields):
        return False
    session[KEPT] = service.keep_form(user_id, path, fields)
    return True


def _template_context() -> dict[str, object]:
    return {"session_expires_at": expires_at}
