"""Errors of the API as RFC 9457 problem documents (``application/problem+json``).

Every error under ``/api/v1`` (a route that does not exist, a method it does not allow, a missing
or dead token, an object out of reach, too many requests, a failure of ours) is answered with

    {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "...", "instance": "..."}

``title`` is the HTTP status phrase (as RFC 9457 asks with ``about:blank``); ``detail`` says in
plain words what to do, in the request's language.
"""

from __future__ import annotations

from typing import Any

from flask import Response, json, request
from flask_babel import lazy_gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

#: The media type of a problem document.
MEDIA_TYPE = "application/problem+json"

#: What a client is told for each status when our code gave no sentence of its own.
DETAILS: dict[int, Any] = {
    400: _("The request could not be read. Check its parameters against the API description."),
    401: _(
        "Send a valid API token in the Authorization header (Authorization: Bearer <token>). "
        "Tokens are made on your account page; an expired or revoked token no longer works."
    ),
    403: _("Your role in this organisation does not allow this."),
    404: _("There is no such resource, or your token may not read it."),
    405: _("This method is not allowed here: the API only reads (GET)."),
    406: _("The API answers only in JSON."),
    413: _("The request was larger than assess accepts."),
    429: _("Too many requests with this token. Wait, then try again (see Retry-After)."),
    500: _("Something went wrong on our side. Nothing was changed. Try again later."),
}


def problem(status: int, detail: str | None = None, **extra: Any) -> Response:
    """A problem document for ``status``, with ``detail`` (else the status's own sentence)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail if detail is not None else str(DETAILS.get(status, "")),
        "instance": request.path,
    }
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response


def for_error(error: HTTPException, own_detail: str | None) -> Response:
    """The problem document for ``error`` (``own_detail``: the sentence our code gave, if any),
    keeping the headers it carries (``WWW-Authenticate``, ``Allow``, ``Retry-After``)."""
    code = error.code or 500
    response = problem(code, own_detail)
    if code != 500:
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
    return response
