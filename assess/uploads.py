"""Request bodies larger than ``MAX_CONTENT_LENGTH`` for the few views that take a file.

Every request is limited to ``MAX_CONTENT_LENGTH`` (2 MB), which suits forms. A view that accepts
a larger upload says so with :func:`accepts_upload`, naming the setting that holds its limit::

    @bp.route("/verify", methods=["GET", "POST"])
    @access.public
    @uploads.accepts_upload("REPORT_VERIFY_MAX_BYTES")
    def verify() -> ResponseReturnValue: ...

The limit has to be known before anything reads the body, and the CSRF check reads it before any
view runs, so it is applied by the request class itself (:class:`Request`), from the matched route.
The view still checks the file's own size against the setting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import flask
from flask import current_app

#: Room for the form around the file: the multipart headers and the other fields.
FORM_OVERHEAD = 64 * 1024

View = TypeVar("View", bound=Callable[..., Any])


def accepts_upload(setting: str) -> Callable[[View], View]:
    """Let ``view`` receive a body of up to ``app.config[setting]`` bytes (plus the form)."""

    def mark(view: View) -> View:
        view.__upload_limit__ = setting  # type: ignore[attr-defined]
        return view

    return mark


class Request(flask.Request):
    """Flask's request, with the body limit of the matched view when it declares one."""

    @property
    def max_content_length(self) -> int | None:
        """The view's upload limit (see :func:`accepts_upload`), else ``MAX_CONTENT_LENGTH``."""
        if current_app and self.url_rule is not None:
            view = current_app.view_functions.get(self.url_rule.endpoint)
            setting = getattr(view, "__upload_limit__", None)
            if setting:
                return int(current_app.config[setting]) + FORM_OVERHEAD
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        flask.Request.max_content_length.fset(self, value)  # type: ignore[attr-defined]
