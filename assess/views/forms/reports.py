"""The forms of finalising and verifying reports (Flask-WTF: each carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class ConfirmForm(FlaskForm):
    """A confirmation with nothing to fill in: finalising, opening a correction."""


class VerifyForm(FlaskForm):
    """Upload a PDF to check it against the stored reports."""

    report = FileField(
        "The report's PDF file",
        validators=[FileRequired("Choose the PDF file of the report to check.")],
    )
