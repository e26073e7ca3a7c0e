"""No form with typed content is lost to a refused form token.

A form's CSRF token is refused though the form is genuine when the page was open longer than a
token lasts (``WTF_CSRF_TIME_LIMIT``), when the person signed in again in another tab since the page
was loaded (a new session holds a new token), or when the browser's session was cleared. Such a
form, if it came from this site (its ``Origin``, ``Sec-Fetch-Site`` or ``Referer`` say so) and holds
something a person typed or chose, is kept instead of refused, and nothing is stored until the
person sends it again with a fresh token:

- a page that can show itself again with what was posted (the answer pages) registers a function
  with :func:`redisplay`; it is shown again at once, with a notice and a fresh token;
- any other form of a signed-in person is kept on the server
  (:func:`assess.sessions.keep_posted_form`, without its token or any password) and offered on
  the "We kept what you entered" page, which sends it to where it was going;
- a form of a person whose session has ended is kept the same way for them, and offered after they
  sign in again.

A forged or missing token, a form from another site, or one with nothing typed in it (a sign-out
button) gets the usual 400 page (:func:`assess.errors.csrf_error`). The same keeping is used when
the session has ended but the token is still good (:func:`assess.access` sends the person to sign
in), so there is one way a form is kept, whatever ended first.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from assess import access, sessions
from assess.errors import csrf_error

#: Flask-WTF's reasons for refusing a token that this site signed for this browser: too old, its
#: session gone, or a session that has since been replaced by signing in again.
KEEPABLE_REASONS = frozenset(
    {
        "The CSRF token has expired.",
        "The CSRF session token is missing.",
        "The CSRF tokens do not match.",
    }
)

#: Shows a page again with what was posted: called with the route's URL arguments; None when it
#: cannot (the person may not use the page), and the form is then kept like any other.
Redisplay = Callable[..., ResponseReturnValue | None]

_REDISPLAY: dict[str, Redisplay] = {}


def redisplay(endpoint: str) -> Callable[[Redisplay], Redisplay]:
    """Register the function that shows ``endpoint``'s page again with the posted form."""

    def register(function: Redisplay) -> Redisplay:
        _REDISPLAY[endpoint] = function
        return function

    return register


def init_app(app: Flask) -> None:
    """Handle every refused form token here."""
    app.register_error_handler(CSRFError, token_refused)


def from_this_site() -> bool:
    """Whether the request says it came from one of this site's pages (a browser always sends
    ``Origin`` with a form it posts, and another site's form carries that site's)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site != "same-origin":
        return False
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == request.host_url.rstrip("/")
    referrer = request.headers.get("Referer")
    if referrer is not None:
        return urlsplit(referrer).netloc == request.host
    return True  # not a browser: nothing to forge with


def token_refused(error: CSRFError) -> ResponseReturnValue:
    """Keep a genuine form whose token was refused (see the module's description)."""
    if (
        request.method != "POST"
        or error.description not in KEEPABLE_REASONS
        or not from_this_site()
        or request.is_json
        or access.wants_json()  # a page's script: it says "not saved" and the page's form keeps it
    ):
        return csrf_error(error)
    shown_again = _REDISPLAY.get(request.endpoint or "")
    if shown_again is not None:
        response = shown_again(**(request.view_args or {}))
        if response is not None:
            return response
    posted = list(request.form.items(multi=True))
    if current_user.is_authenticated:
        if not sessions.keep_posted_form(current_user.id, request.path, posted):
            return csrf_error(error)
        flash(
            gettext(
                "That form was not saved: the page was opened before you last signed in, or had "
                "been open too long. Here is what you entered: check it and send it again."
            ),
            "info",
        )
        return redirect(url_for("auth.kept_form"))
    user_id = sessions.ended_user_id()
    if user_id is None or not sessions.keep_posted_form(user_id, request.path, posted):
        return csrf_error(error)
    flash(
        gettext(
            "Your session ended, so we kept what you entered. Sign in again and you can submit it."
        ),
        "info",
    )
    return redirect(url_for("auth.login", next=back_to()))


def back_to() -> str:
    """After signing in, the page a posted form came from (a POST-only URL cannot be shown)."""
    referrer = request.referrer
    if referrer:
        parts = urlsplit(referrer)
        if not parts.netloc or parts.netloc == request.host:
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return url_for("home.index")
