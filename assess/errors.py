"""Error pages: every HTTP error gets a page in plain words, in the person's language (JSON for JSON
clients), never a traceback."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from assess import access
from assess.api import is_api_request, problems
from assess.i18n import translate

#: What a person is told for each status, in their words rather than the protocol's.
MESSAGES = {
    400: (_("Something was wrong with that request"), _("Go back, reload the page and try again.")),
    401: (_("Sign in first"), _("Sign in to see this page.")),
    403: (
        _("You cannot do that"),
        _("Your role does not allow it. Ask an admin of your organisation."),
    ),
    404: (_("Page not found"), _("Check the address, or go back to the page you came from.")),
    405: (_("That action is not possible here"), _("Go back and use the buttons on the page.")),
    413: (_("That was too large"), _("The file or text sent was larger than assess accepts.")),
    429: (_("Too many attempts"), _("Wait a few minutes, then try again.")),
    500: (
        _("Sorry, something went wrong"),
        _("Nothing you saved before has been lost. Try again."),
    ),
}


def render_error(error: HTTPException) -> ResponseReturnValue:
    """A page (or JSON) for ``error`` with its status code."""
    code = error.code or 500
    title, hint = (str(text) for text in MESSAGES.get(code, (error.name, "")))
    # A message our own code gave (abort(400, "The level must be 1 to 5.")) is shown; Werkzeug's
    # generic description for the status is replaced by the plainer hint above.
    own_message = error.description and error.description != type(error).description
    detail = translate(error.description) if own_message else hint
    if is_api_request():
        return problems.for_error(error, detail if own_message else None)
    if access.wants_json():
        return {"error": title, "detail": detail}, code
    return render_template("errors/error.html", code=code, title=title, detail=detail), code


def csrf_error(error: CSRFError) -> ResponseReturnValue:
    """The page (or JSON) for a form refused for its token: 400, nothing stored."""
    title = gettext("This form could not be accepted")
    detail = gettext(
        "It had expired or came from another site. Go back, reload the page and send it again."
    )
    if access.wants_json():
        return {"error": title, "detail": detail}, 400
    return render_template("errors/error.html", code=400, title=title, detail=detail), 400


def init_app(app: Flask) -> None:
    """Register the handlers for every HTTP error and for unexpected exceptions (a refused form
    token is :mod:`assess.views.forms.kept`'s)."""

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        if error.response is not None:  # a ready-made response (redirects from abort(...))
            return error.response
        return render_error(error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> ResponseReturnValue:
        if isinstance(error, HTTPException):
            return render_error(error)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(InternalServerError())
