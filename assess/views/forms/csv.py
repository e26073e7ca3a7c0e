"""The forms of bringing answers in from a CSV file (Flask-WTF: each carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired


class ImportForm(FlaskForm):
    """Upload a filled-in template to see what it would store."""

    file = FileField(
        _("The filled-in CSV file"),
        validators=[FileRequired(_("Choose the CSV file to upload."))],
    )


class ConfirmImportForm(FlaskForm):
    """Store what the preview showed: the answers travel in a signed token."""

    token = HiddenField(validators=[DataRequired(_("The preview could not be read."))])
