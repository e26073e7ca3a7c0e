"""Error pages: a sentence a person can act on instead of a bare status code."""

from __future__ import annotations

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from assess import access

MESSAGES = {
    400: ("Something was wrong with that request", "Go back, reload the page and try again."),
    401: ("Sign in first", "Sign in to see this page."),
    403: ("You cannot do that", "Your role does not allow it. Ask an admin of your organisation."),
    404: ("Page not found", "Check the address, or go back to the start page."),
    405: ("That did not work", "Go back, reload the page and try again."),
    413: ("That is too large", "Send something smaller."),
}


def init_app(app: Flask) -> None:
    """Render HTTP errors as pages (or JSON for the session script)."""
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, _http)


def _page(code: int, title: str, message: str) -> ResponseReturnValue:
    if access.wants_json():
        return {"error": title}, code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def _csrf(error: CSRFError) -> ResponseReturnValue:
    return _page(
        400,
        "This form could not be accepted",
        "It had expired or came from another site. Go back, reload the page and send it again.",
    )


def _http(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    if code >= 500 or error.response is not None:
        return error
    title, message = MESSAGES.get(code, (error.name, error.description or ""))
    return _page(code, title, message)
