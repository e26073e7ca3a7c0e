"""Small helpers the blueprints share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import request
from flask_wtf import FlaskForm

from assess import pagination
from assess.i18n import translate
from assess.services import ServiceError

T = TypeVar("T")


def apply_error(form: FlaskForm, error: ServiceError) -> None:
    """Show a service's refusal on the field it names, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, translate(error.message)]
    else:
        form.form_errors.append(translate(error.message))


@dataclass(frozen=True)
class ListPage(Generic[T]):
    """A page of a list for a template: its rows, the links either side, and the message for a
    page link that could not be read (then the first page is shown, with status 400)."""

    items: list[T]
    next_url: str | None
    previous_url: str | None
    error: str | None
    status: int


def list_page(fetch: Callable[..., pagination.Window[T]], link: Callable[..., str]) -> ListPage[T]:
    """The page the request's ``after`` / ``before`` cursor asks for, from ``fetch(after=...,
    before=...)``; ``link(after=...)`` / ``link(before=...)`` makes the links either side."""
    error, status = None, 200
    try:
        window = fetch(after=request.args.get("after"), before=request.args.get("before"))
    except pagination.BadCursor:
        error, status = str(pagination.BadCursor.message), 400
        window = fetch()
    return ListPage(
        window.items,
        link(after=window.next_cursor) if window.next_cursor else None,
        link(before=window.previous_cursor) if window.previous_cursor else None,
        error,
        status,
    )
