"""An answer in words, as people read it: option labels and level descriptions, never ids.

Shared by the web pages (conflicts, check-your-answers, workshop proposals) and the services that
write for people (the audit trail's values)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext

from assess.questionnaire.answers import Answer, Status
from assess.questionnaire.schema import (
    CHOICE_ATTRIBUTES,
    LevelQuestion,
    MultipleQuestion,
    Question,
    RegisterQuestion,
    SingleQuestion,
    TextQuestion,
)


def status_label(status: Status) -> str:
    """What a person sees for a status other than a real answer."""
    if status is Status.NOT_APPLICABLE:
        return gettext("Not applicable")
    if status is Status.DONT_KNOW:
        return gettext("Don't know")
    return gettext("Answered")


def describe(question: Question, answer: Answer | None, locale: str) -> list[str]:
    """``answer`` in words (labels, not ids), one line per item; empty when not answered."""
    if answer is None:
        return []
    lines: list[str] = []
    if answer.status is not Status.ANSWERED:
        lines.append(status_label(answer.status))
    elif answer.value not in (None, "", ()):
        lines += _describe_value(question, answer.value, locale)
    return lines


def _option_label(options: Iterable[Any], option_id: Any, locale: str) -> str:
    for option in options:
        if option.id == option_id:
            return str(option.label.get(locale))
    return str(option_id)


def _describe_value(question: Question, value: Any, locale: str) -> list[str]:
    if isinstance(question, SingleQuestion):
        return [_option_label(question.options, value, locale)]
    if isinstance(question, MultipleQuestion):
        return [_option_label(question.options, v, locale) for v in value]
    if isinstance(question, LevelQuestion):
        text = question.levels.get(value)
        level = gettext("Level %(n)s", n=value)
        return [f"{level}: {text.get(locale)}" if text else level]
    if isinstance(question, TextQuestion):
        return [str(value)]
    assert isinstance(question, RegisterQuestion)
    lines = []
    labels = {s.id: s.label.get(locale) for s in question.segments}
    for row in value:
        name = row.label or labels.get(row.segment_id, row.segment_id)
        parts = []
        for attribute in question.attributes:
            chosen = getattr(row, attribute.id)
            if chosen is None:
                continue
            label = _option_label(attribute.options, str(chosen), locale)
            if attribute.id in CHOICE_ATTRIBUTES:
                label = label.split(":")[
                    0
                ]  # "As citizens: people with rights ..." -> "As citizens"
            parts.append(f"{attribute.label.get(locale)}: {label}")
        lines.append(f"{name} \N{EN DASH} {'; '.join(parts) if parts else gettext('not rated')}")
    return lines
