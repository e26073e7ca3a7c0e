"""The form that keeps a signed-in person's language: the header's switch and the account page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice
from wtforms.validators import InputRequired

from assess.i18n import LOCALES, NAMES


class LanguageForm(FlaskForm):
    """A language, and the page of this site to go back to."""

    language = RadioField(
        _("Language"),
        # Each language is named in itself, as people look for their own language's name.
        choices=[
            SelectChoice(code, NAMES[code]) for code in sorted(LOCALES, key=lambda c: c != "cy")
        ],
        validators=[InputRequired(_("Choose English or Welsh."))],
    )
    next = HiddenField()
