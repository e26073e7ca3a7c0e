"""Small helpers the blueprints share."""

from __future__ import annotations

from flask_wtf import FlaskForm

from assess.i18n import translate
from assess.services import ServiceError


def apply_error(form: FlaskForm, error: ServiceError) -> None:
    """Show a service's refusal on the field it names, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, translate(error.message)]
    else:
        form.form_errors.append(translate(error.message))
