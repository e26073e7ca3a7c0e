"""The action plan's web forms (Flask-WTF: each carries a CSRF token). They check the shape of
what is posted; :mod:`assess.services.action_plan` checks the rules."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional, ValidationError
from wtforms.widgets import DateInput

from assess.models.progress import ACTION_STATUSES
from assess.services.action_plan import STATUS_LABELS, Owner


class IsoDate:
    """A validator: a date as the browser's date field sends it (YYYY-MM-DD)."""

    def __call__(self, form: FlaskForm, field: StringField) -> None:
        value = (field.data or "").strip()
        if not value:
            raise ValidationError(_("Enter the date it is due, as year, month and day."))
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                _("Enter a real date, as year, month and day, like 2027-03-31.")
            ) from None


def parsed_date(field: StringField) -> date | None:
    """The field's date, or None when it holds none."""
    try:
        return date.fromisoformat((field.data or "").strip())
    except ValueError:
        return None


class _OwnerFields(FlaskForm):
    owner = SelectField(
        _("Owner: a member"),
        choices=[],
        validate_choice=False,
        description=_("Or leave this empty and name a role below."),
    )
    owner_role = StringField(
        _("Owner: a named role"),
        description=_(
            "For someone without an account, such as “Head of Communications”. Leave empty when "
            "a member owns it."
        ),
    )
    due_on = StringField(_("Due date"), validators=[IsoDate()], widget=DateInput())

    def owner_value(self) -> Owner:
        """The owner as submitted."""
        raw = (self.owner.data or "").strip()
        user_id = int(raw) if raw.isdigit() else None
        return Owner(user_id=user_id, role=(self.owner_role.data or "").strip() or None)

    def set_members(self, members: list[tuple[int, str]]) -> None:
        """Offer ``members`` (user id, name) as owners."""
        self.owner.choices = [
            SelectChoice("", _("Nobody: a named role owns it")),
            *(SelectChoice(str(uid), name) for uid, name in members),
        ]


class OwnActionForm(_OwnerFields):
    """An action the body writes itself."""

    question_id = SelectField(
        _("The practice it serves"),
        choices=[],
        validate_choice=False,
        validators=[InputRequired(_("Choose the practice this action serves."))],
    )
    title = TextAreaField(
        _("What is to be done"),
        validators=[InputRequired(_("Say what is to be done."))],
    )
    done_when = TextAreaField(
        _("Done when"),
        description=_(
            "One condition a line. Leave empty to use the practice's next level, as the method "
            "describes it."
        ),
    )


class ActionForm(_OwnerFields):
    """An edit of an action: every field, with the revision the page showed."""

    title = TextAreaField(
        _("What is to be done"),
        validators=[InputRequired(_("Say what is to be done."))],
    )
    done_when = TextAreaField(
        _("Done when"),
        description=_("One condition a line."),
        validators=[InputRequired(_("Say what “done” means for this action."))],
    )
    status = SelectField(
        _("Status"),
        choices=[SelectChoice(s, STATUS_LABELS[s]) for s in ACTION_STATUSES],
        validators=[InputRequired(_("Choose a status."))],
    )
    dropped_reason = TextAreaField(
        _("Why it is dropped"),
        description=_("Needed when the status is “Dropped”."),
    )
    evidence_note = TextAreaField(
        _("Evidence"),
        description=_("What shows the action is done, or how far it has got."),
    )
    evidence_reference = StringField(
        _("Document reference (optional)"),
        description=_("Where the evidence is kept, such as a file path or a minute number."),
    )
    revision = IntegerField(widget=HiddenField.widget, validators=[Optional()])


class AdoptForm(FlaskForm):
    """Adopt one recommended step."""

    key = HiddenField(validators=[InputRequired()])


class RemindersForm(FlaskForm):
    """The organisation's switch for action-plan reminders."""

    reminders = BooleanField(
        _("Send reminders of the action plan"),
        description=_(
            "Owners who are members get an email a week before an action is due and on the due "
            "date; admins get a weekly digest of overdue actions."
        ),
    )
