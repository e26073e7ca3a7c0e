"""The web forms (Flask-WTF: each carries a CSRF token). They check what a form can check; the
services check the rules again."""

from __future__ import annotations

from typing import Any

# Labels and messages are made when the module is imported, so they are lazy: each is translated
# when a page shows it. ``_`` is the keyword ``pybabel extract`` looks for.
from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from assess import passwords
from assess.i18n import translate
from assess.permissions import (
    ADMIN,
    AUDITOR,
    FACILITATOR,
    RESPONDENT,
    ROLE_DESCRIPTIONS,
    ROLE_LABELS,
    ROLES,
)
from assess.reference import COUNTRIES, DEFAULT_TIME_ZONE, SECTORS, SIZE_BANDS, time_zones

#: The roles offered in an invitation, the least powerful first.
INVITE_ROLE_ORDER = (RESPONDENT, FACILITATOR, AUDITOR, ADMIN)

_EMAIL_FORMAT = _("Enter an email address in the right format, like name@example.org.")


def _email(label: str | None = None, missing: str | None = None) -> EmailField:
    return EmailField(
        label or _("Email address"),
        validators=[
            DataRequired(missing or _("Enter your email address.")),
            Length(max=254, message=_("Email address must be 254 characters or fewer.")),
            Email(_EMAIL_FORMAT, check_deliverability=False),
        ],
    )


def _choices(mapping: dict[str, str], prompt: str) -> list[SelectChoice]:
    return [SelectChoice("", prompt), *(SelectChoice(v, label) for v, label in mapping.items())]


class NewPassword:
    """A validator: the password rules of :mod:`assess.passwords`."""

    def __call__(self, form: FlaskForm, field: PasswordField) -> None:
        email = form.email.data if hasattr(form, "email") else None
        found = passwords.problems(field.data or "", email)
        if found:
            raise ValidationError(translate(found[0]))


def _new_password(label: str | None = None) -> PasswordField:
    return PasswordField(
        label or _("Password"),
        validators=[InputRequired(_("Enter a password.")), NewPassword()],
        description=_(
            "At least %(least)d characters. A few unrelated words work well.",
            least=passwords.MIN_LENGTH,
        ),
    )


def _confirm(other: str) -> PasswordField:
    return PasswordField(
        _("Confirm password"),
        validators=[
            InputRequired(_("Enter the password again.")),
            EqualTo(other, _("The two passwords are not the same.")),
        ],
    )


def _name() -> StringField:
    return StringField(
        _("Your name"),
        render_kw={"dir": "auto"},
        validators=[
            DataRequired(_("Enter your name.")),
            Length(max=120, message=_("Name must be 120 characters or fewer.")),
        ],
    )


class LoginForm(FlaskForm):
    """Sign in."""

    email = _email()
    password = PasswordField(_("Password"), validators=[InputRequired(_("Enter your password."))])


class RegisterForm(FlaskForm):
    """Create an account (an organisation is created on the next page, or joined by invitation)."""

    name = _name()
    email = _email()
    password = _new_password()
    confirm = _confirm("password")


class NewAccountForm(FlaskForm):
    """Create an account for an invited address (the address comes from the invitation)."""

    name = _name()
    password = _new_password()
    confirm = _confirm("password")


class ForgotPasswordForm(FlaskForm):
    """Ask for a password-reset link."""

    email = _email()


class ResetPasswordForm(FlaskForm):
    """Choose a new password through a reset link."""

    password = _new_password(_("New password"))
    confirm = _confirm("password")


class ChangePasswordForm(FlaskForm):
    """Change the password while signed in."""

    current_password = PasswordField(
        _("Current password"), validators=[InputRequired(_("Enter your current password."))]
    )
    new_password = _new_password(_("New password"))
    confirm = _confirm("new_password")


class OrganisationForm(FlaskForm):
    """An organisation's details."""

    name = StringField(
        _("Organisation name"),
        render_kw={"dir": "auto"},
        validators=[
            DataRequired(_("Enter the organisation's name.")),
            Length(max=200, message=_("Name must be 200 characters or fewer.")),
        ],
    )
    sector = SelectField(
        _("Sector"),
        choices=_choices(SECTORS, _("Choose a sector")),
        validators=[DataRequired(_("Choose a sector."))],
    )
    size_band = SelectField(
        _("Number of staff"),
        choices=_choices(SIZE_BANDS, _("Choose a size")),
        validators=[DataRequired(_("Choose the number of staff."))],
    )
    country = SelectField(
        _("Country"),
        choices=_choices(COUNTRIES, _("Choose a country")),
        validators=[DataRequired(_("Choose a country."))],
    )
    time_zone = SelectField(
        _("Time zone"),
        default=DEFAULT_TIME_ZONE,
        validators=[DataRequired(_("Choose a time zone."))],
        description=_("Times are shown in this zone, for example Europe/London."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [SelectChoice(zone) for zone in time_zones()]


class InviteForm(FlaskForm):
    """Invite someone to the organisation."""

    email = _email(_("Their email address"), _("Enter the email address of the person to invite."))
    #: Least privilege first, and by default: a new colleague answers until someone decides more.
    role = RadioField(
        _("Role"),
        choices=[SelectChoice(role, ROLE_LABELS[role]) for role in INVITE_ROLE_ORDER],
        default=RESPONDENT,
        validators=[DataRequired(_("Choose a role."))],
    )
    role_descriptions = ROLE_DESCRIPTIONS


class RoleForm(FlaskForm):
    """Change a member's role."""

    role = SelectField(
        _("Role"),
        choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES],
        validators=[DataRequired(_("Choose a role."))],
    )


class DeleteAccountForm(FlaskForm):
    """A person deletes their own account: their password, and a tick to confirm."""

    password = PasswordField(
        _("Your password"), validators=[InputRequired(_("Enter your password."))]
    )
    confirm = BooleanField(
        _("I understand that my account is deleted for good and cannot be brought back"),
        validators=[
            DataRequired(_("Tick the box to confirm that you want to delete your account."))
        ],
    )


class DeleteOrganisationForm(FlaskForm):
    """An operator schedules an organisation's deletion by typing its name."""

    confirm_name = StringField(
        _("Type the organisation's name to confirm"),
        validators=[DataRequired(_("Type the organisation's name to confirm."))],
    )


class ErasePersonForm(FlaskForm):
    """An operator erases a person by their email address, typed twice."""

    email = _email(_("Their email address"), _("Enter the email address of the person to erase."))
    confirm_email = StringField(
        _("Type the address again to confirm"),
        validators=[
            DataRequired(_("Type the address again to confirm.")),
            EqualTo("email", _("The two addresses are not the same.")),
        ],
    )
