"""The web forms (Flask-WTF: each carries a CSRF token). They check what a form can check; the
services check the rules again."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from assess import passwords
from assess.permissions import ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES
from assess.reference import COUNTRIES, DEFAULT_TIME_ZONE, SECTORS, SIZE_BANDS, time_zones

_EMAIL_FORMAT = "Enter an email address in the right format, like name@example.org."


def _email(label: str = "Email address", missing: str = "Enter your email address.") -> EmailField:
    return EmailField(
        label,
        validators=[
            DataRequired(missing),
            Length(max=254, message="Email address must be 254 characters or fewer."),
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
            raise ValidationError(found[0])


def _new_password(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        validators=[InputRequired("Enter a password."), NewPassword()],
        description=f"At least {passwords.MIN_LENGTH} characters. A few unrelated words work well.",
    )


def _confirm(other: str) -> PasswordField:
    return PasswordField(
        "Confirm password",
        validators=[
            InputRequired("Enter the password again."),
            EqualTo(other, "The two passwords are not the same."),
        ],
    )


def _name() -> StringField:
    return StringField(
        "Your name",
        validators=[
            DataRequired("Enter your name."),
            Length(max=120, message="Name must be 120 characters or fewer."),
        ],
    )


class LoginForm(FlaskForm):
    """Sign in."""

    email = _email()
    password = PasswordField("Password", validators=[InputRequired("Enter your password.")])


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

    password = _new_password("New password")
    confirm = _confirm("password")


class ChangePasswordForm(FlaskForm):
    """Change the password while signed in."""

    current_password = PasswordField(
        "Current password", validators=[InputRequired("Enter your current password.")]
    )
    new_password = _new_password("New password")
    confirm = _confirm("new_password")


class OrganisationForm(FlaskForm):
    """An organisation's details."""

    name = StringField(
        "Organisation name",
        validators=[
            DataRequired("Enter the organisation's name."),
            Length(max=200, message="Name must be 200 characters or fewer."),
        ],
    )
    sector = SelectField(
        "Sector",
        choices=_choices(SECTORS, "Choose a sector"),
        validators=[DataRequired("Choose a sector.")],
    )
    size_band = SelectField(
        "Number of staff",
        choices=_choices(SIZE_BANDS, "Choose a size"),
        validators=[DataRequired("Choose the number of staff.")],
    )
    country = SelectField(
        "Country",
        choices=_choices(COUNTRIES, "Choose a country"),
        validators=[DataRequired("Choose a country.")],
    )
    time_zone = SelectField(
        "Time zone",
        default=DEFAULT_TIME_ZONE,
        validators=[DataRequired("Choose a time zone.")],
        description="Times are shown in this zone, for example Europe/London.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [SelectChoice(zone) for zone in time_zones()]


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role, f"{ROLE_LABELS[role]}: {ROLE_DESCRIPTIONS[role]}") for role in ROLES]


class InviteForm(FlaskForm):
    """Invite someone to the organisation."""

    email = _email("Their email address", "Enter the email address of the person to invite.")
    role = SelectField("Role", choices=_role_choices(), validators=[DataRequired("Choose a role.")])


class RoleForm(FlaskForm):
    """Change a member's role."""

    role = SelectField(
        "Role",
        choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES],
        validators=[DataRequired("Choose a role.")],
    )


class DeleteAccountForm(FlaskForm):
    """A person deletes their own account: their password, and a tick to confirm."""

    password = PasswordField("Your password", validators=[InputRequired("Enter your password.")])
    confirm = BooleanField(
        "I understand that my account is deleted for good and cannot be brought back",
        validators=[DataRequired("Tick the box to confirm that you want to delete your account.")],
    )


class DeleteOrganisationForm(FlaskForm):
    """An operator schedules an organisation's deletion by typing its name."""

    confirm_name = StringField(
        "Type the organisation's name to confirm",
        validators=[DataRequired("Type the organisation's name to confirm.")],
    )


class ErasePersonForm(FlaskForm):
    """An operator erases a person by their email address, typed twice."""

    email = _email("Their email address", "Enter the email address of the person to erase.")
    confirm_email = StringField(
        "Type the address again to confirm",
        validators=[
            DataRequired("Type the address again to confirm."),
            EqualTo("email", "The two addresses are not the same."),
        ],
    )
