"""One group of the stakeholder register as a web form, and reading it back.

The group pages (:mod:`assess.views.register`) post these fields:

``label``
    The name of a group of the body's own (listed groups have their name from the questionnaire).
``<attribute>``
    One radio group per column of the register (``power``, ``legitimacy`` ... ``engagement``): an
    option id of that column, or ``""`` for "Not rated yet".
``was``
    The fingerprint of the group as the page showed it (see
    :func:`assess.services.register.row_fingerprint`).
``conflict_shown`` and ``resolve``
    After a colleague changed the same group: the marker that the page asked, and the choice,
    ``mine`` or ``theirs`` (never ``conflict``: that is a column of the register).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from assess.i18n import current_locale
from assess.questionnaire.answers import RegisterRow
from assess.questionnaire.schema import (
    ALL_RATING_ATTRIBUTES,
    CHOICE_ATTRIBUTES,
    RegisterAttribute,
    RegisterQuestion,
)
from assess.questionnaire.validation import CUSTOM_LABEL_MAX_LENGTH
from assess.views.forms.answers import clean_text

#: The field that says the page asked which version to keep.
CONFLICT_SHOWN = "conflict_shown"
RESOLVE_MINE = "mine"
RESOLVE_THEIRS = "theirs"
#: The longest text read from the name field: a name longer than the most allowed is shown
#: again (and refused) rather than cut, but nobody's megabyte of text is kept in a page.
_READ_AT_MOST = CUSTOM_LABEL_MAX_LENGTH * 5


def attributes_for(question: RegisterQuestion, kind: str | None) -> list[RegisterAttribute]:
    """The columns a group is rated on: every column, except "needs extra support" for a listed
    group whose kind already says (the media, and the people who need extra support)."""
    return [a for a in question.attributes if not (kind and a.id == "support")]


@dataclass
class GroupForm:
    """A group's fields as posted (or as stored, to show)."""

    label: str = ""
    #: The option id chosen for each column ("" for not rated).
    chosen: dict[str, str] = field(default_factory=dict)
    was: str = ""
    #: The page asked which version to keep, and the answer (``mine``, ``theirs`` or None).
    conflict: bool = False
    resolve: str | None = None
    #: Problems by field (``label``, a column id, ``resolve``).
    errors: dict[str, str] = field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        """The row's fields for the service: ratings as numbers, choices as option ids."""
        values: dict[str, Any] = {"label": self.label}
        for attribute, option in self.chosen.items():
            if not option:
                continue
            values[attribute] = int(option) if attribute in ALL_RATING_ATTRIBUTES else option
        return values

    @classmethod
    def from_row(cls, row: RegisterRow | None, was: str) -> GroupForm:
        """The form showing a stored row."""
        chosen: dict[str, str] = {}
        if row is not None:
            for attribute in (*ALL_RATING_ATTRIBUTES, *CHOICE_ATTRIBUTES):
                value = getattr(row, attribute)
                if value is not None:
                    chosen[attribute] = str(value)
        return cls(label=(row.label or "") if row else "", chosen=chosen, was=was)


def read_group(
    question: RegisterQuestion, form: MultiDict[str, str], *, custom: bool, kind: str | None
) -> GroupForm:
    """Read a posted group page. A value that is not one of a column's options is a problem of
    that column (the page offered only its options), never an error page."""
    result = GroupForm(was=(form.get("was") or "").strip()[:64])
    if custom:
        result.label = " ".join(clean_text((form.get("label") or "")[:_READ_AT_MOST]).split())
    for attribute in attributes_for(question, kind):
        raw = (form.get(attribute.id) or "").strip()
        result.chosen[attribute.id] = raw[:64]
        if raw and raw not in {o.id for o in attribute.options}:
            result.errors[attribute.id] = gettext(
                "Choose one of the answers offered for “%(name)s”.",
                name=attribute.label.get(current_locale()),
            )
            result.chosen[attribute.id] = ""
    if form.get(CONFLICT_SHOWN):
        result.conflict = True
        resolve = form.get("resolve")
        if resolve in (RESOLVE_MINE, RESOLVE_THEIRS):
            result.resolve = resolve
        else:
            result.errors["resolve"] = gettext("Choose which ratings to keep.")
    return result
