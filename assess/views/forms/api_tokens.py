"""The account page's form for a new personal API token (Flask-WTF: it carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length

from assess.services.api_tokens import DEFAULT_LIFETIME, LIFETIMES

#: How each lifetime is offered.
LIFETIME_LABELS = {
    7: _("7 days"),
    30: _("30 days"),
    90: _("90 days"),
    180: _("180 days"),
    365: _("1 year"),
}


class ApiTokenForm(FlaskForm):
    """Name, lifetime and organisations of a new token; the organisations are the person's own."""

    name = StringField(
        _("Name"),
        description=_('What the token is for, such as "Power BI dashboard".'),
        validators=[
            DataRequired(_("Give the token a name, so that you can tell it apart.")),
            Length(max=100, message=_("A token's name can be at most 100 characters.")),
        ],
    )
    lifetime = RadioField(
        _("Works for"),
        choices=[SelectChoice(str(days), LIFETIME_LABELS[days]) for days in LIFETIMES],
        default=str(DEFAULT_LIFETIME),
        validators=[DataRequired(_("Choose how long the token works."))],
    )
    organisations = SelectMultipleField(
        _("Organisations it may read"),
        coerce=int,
        validate_choice=True,
        validators=[DataRequired(_("Choose at least one organisation the token may read."))],
    )
