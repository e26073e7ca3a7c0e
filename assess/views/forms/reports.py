"""The forms of finalising and verifying reports (Flask-WTF: each carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class ConfirmForm(FlaskForm):
    """A confirmation with nothing to fill in: finalising, opening a correction."""


class VerifyForm(FlaskForm):
    """Upload a PDF to check it against the stored reports."""

    report = FileField(
        _("The report's PDF file"),
        validators=[FileRequired(_("Choose the PDF file of the report to check."))],
    )
