"""How far a workshop room agrees on one question, in words: the facilitator's consensus page and
the room view state ties and spreads rather than leave people to read them off the bars.

    statement(item, locale)   # "No agreement: 1 each for level 1 (Initial), level 2 (Managed), ..."

Sentences stay whole for translation; lists of options are joined the way the language joins
lists (Babel's ``format_list``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from babel.lists import format_list
from flask_babel import gettext, ngettext

from assess.questionnaire.answers import Answer
from assess.questionnaire.schema import (
    ALL_RATING_ATTRIBUTES,
    LevelQuestion,
    Question,
    Questionnaire,
    RegisterQuestion,
)
from assess.scoring.aggregate import (
    KINDS_TIED,
    NO_ANSWERS,
    TIED,
    WRITTEN,
    ColumnSpread,
    QuestionAggregate,
    register_spread,
)

#: How each language joins a list ("A, B and C"); English as British usage has it.
_LIST_LOCALES = {"en": "en_GB"}


def joined(items: list[str], locale: str) -> str:
    """``items`` as one phrase: "A, B and C"."""
    if not items:
        return ""
    return format_list(items, locale=_LIST_LOCALES.get(locale, locale))


def value_label(
    question: Question, questionnaire: Questionnaire, value: str | int, locale: str
) -> str:
    """An option's label, or a level with its name: "Level 2 (Managed)"."""
    if isinstance(question, LevelQuestion):
        names = questionnaire.levels or {}
        level = names.get(int(value))
        if level is not None:
            return gettext("Level %(n)s (%(name)s)", n=value, name=level.name.get(locale))
        return gettext("Level %(n)s", n=value)
    for option in getattr(question, "options", ()):
        if option.id == value:
            return str(option.label.get(locale))
    return str(value)


def statement(
    question: Question,
    questionnaire: Questionnaire,
    summary: QuestionAggregate,
    locale: str,
) -> str | None:
    """The spread of answers to ``question`` in one sentence; None for written questions."""
    if not summary.counts:
        return None
    total = summary.answered
    if not total:
        return gettext("No answers yet.")
    given = [c for c in summary.counts if c.count]
    top = max(c.count for c in given)
    leaders = [
        value_label(question, questionnaire, c.value, locale) for c in given if c.count == top
    ]
    names = joined(leaders, locale)
    if top == total and len(leaders) == 1:
        return ngettext(
            "Everyone agrees: %(values)s (%(num)d answer).",
            "Everyone agrees: %(values)s (all %(num)d answers).",
            total,
            values=names,
        )
    if len(leaders) > 1 and len(given) == len(leaders):
        return gettext("No agreement: %(count)s each for %(values)s.", count=top, values=names)
    if len(leaders) > 1:
        return ngettext(
            "Tied: %(count)s each for %(values)s, of %(num)d answer.",
            "Tied: %(count)s each for %(values)s, of %(num)d answers.",
            total,
            count=top,
            values=names,
        )
    return ngettext(
        "Most chose %(values)s: %(count)s of %(num)d answer.",
        "Most chose %(values)s: %(count)s of %(num)d answers.",
        total,
        count=top,
        values=names,
    )


def tied(reason: str | None) -> bool:
    """Whether the room is tied (options, levels or kinds of response given equally often)."""
    return reason in (TIED, KINDS_TIED)


def no_default_text(reason: str | None) -> str | None:
    """Why the method offers no aggregate to accept, for the facilitator."""
    if reason == TIED:
        return gettext(
            "There is no aggregate to accept: the room is tied, and the method does not pick for "
            "a tie. Discuss it and record the answer the room agrees."
        )
    if reason == KINDS_TIED:
        return gettext(
            "There is no aggregate to accept: as many people said “not applicable” or “don't "
            "know” as gave another response. Discuss it and record the answer the room agrees."
        )
    if reason == NO_ANSWERS:
        return gettext("There is no aggregate to accept until someone answers.")
    if reason == WRITTEN:
        return gettext(
            "The method does not combine written answers or register ratings into one answer, so "
            "there is no aggregate to accept. Discuss what people answered and record the answer "
            "the room agrees."
        )
    return None


def register_groups(
    question: Question, answers: Sequence[Answer], locale: str
) -> list[dict[str, Any]]:
    """The room's register ratings group by group, in words, for the facilitator: each group
    someone rated, how many rated it, each column's ratings with how many chose each ("Power:
    4 Decisive (2), 3 Considerable (1)") and whether people differ on any column. ``cells``
    holds the same columns by id, for the room view's table (:func:`register_columns`)."""
    if not isinstance(question, RegisterQuestion):
        return []
    names = {s.id: s.label.get(locale) for s in question.segments}
    attributes = {a.id: a for a in question.attributes}
    groups = []
    for group in register_spread(question, answers):
        if not group.rated_by:
            continue
        columns = [_column(attributes[c.attribute], c, locale) for c in group.columns]
        groups.append(
            {
                "label": group.label or names.get(group.segment_id, group.segment_id),
                "own": group.label is not None,
                "rated_by": group.rated_by,
                "columns": columns,
                "cells": {c["attribute"]: c for c in columns},
                "differ": any(c["differ"] for c in columns),
            }
        )
    return groups


def register_columns(
    question: Question, groups: Sequence[dict[str, Any]], locale: str
) -> list[dict[str, str]]:
    """The register's columns that anyone rated for any of ``groups`` (as
    :func:`register_groups` gives them), in the questionnaire's order: the room view's table
    headings."""
    if not isinstance(question, RegisterQuestion):
        return []
    rated = {attribute for group in groups for attribute in group["cells"]}
    return [
        {"id": a.id, "label": a.label.get(locale), "rating": a.id in ALL_RATING_ATTRIBUTES}
        for a in question.attributes
        if a.id in rated
    ]


def register_statement(question: Question, answers: Sequence[Answer], locale: str) -> str | None:
    """The room's register in one sentence, for the live view, the room view and the consensus
    page: how many groups were rated and on how many of them people differ, as
    :func:`register_groups` flags them. None until a group is rated: those pages say so in their
    own words."""
    groups = register_groups(question, answers, locale)
    if not groups:
        return None
    differ = sum(1 for group in groups if group["differ"])
    if not differ:
        return ngettext(
            "%(num)d group rated; everyone who rated it chose the same ratings.",
            "%(num)d groups rated; on each, everyone who rated it chose the same ratings.",
            len(groups),
        )
    if len(groups) == 1:
        return gettext("1 group rated; views on it differ.")
    return gettext(
        "%(rated)s; views differ on %(differ)d of them.",
        rated=ngettext("%(num)d group rated", "%(num)d groups rated", len(groups)),
        differ=differ,
    )


def _column(attribute: Any, column: ColumnSpread, locale: str) -> dict[str, Any]:
    """One column of one group's spread in words: "4 Decisive (2), 3 Considerable (1)"."""
    options = {o.id: o.label.get(locale) for o in attribute.options}
    values = []
    counts = []
    short = []
    for count in column.counts:
        text = options.get(str(count.value), str(count.value)).split(": ")[0]
        # For the room view's table, a rating is its number alone ("4 (2)"), and the count is
        # never carried to a line of its own.
        short.append(
            gettext(
                "%(value)s (%(count)s)",
                value=count.value if column.attribute in ALL_RATING_ATTRIBUTES else text,
                count=count.count,
            ).replace(" (", "\u00a0(")
        )
        if column.attribute in ALL_RATING_ATTRIBUTES:
            text = f"{count.value} {text}"
        values.append(gettext("%(value)s (%(count)s)", value=text, count=count.count))
        # For the room view: "4 Decisive: 2 people".
        counts.append(
            ngettext(
                "%(value)s: %(num)d person", "%(value)s: %(num)d people", count.count, value=text
            )
        )
    return {
        "attribute": attribute.id,
        "counts": joined(counts, locale),
        "label": attribute.label.get(locale),
        "text": joined(values, locale),
        "short": short,
        "differ": len(column.counts) > 1,
        # The one rating everybody who rated the column chose (None when people differ).
        "agreed": str(column.counts[0].value) if len(column.counts) == 1 else None,
    }


def register_group_spread(
    question: RegisterQuestion, answers: Sequence[Answer], segment_id: str, locale: str
) -> dict[str, Any]:
    """The room's ratings of one group (a listed segment, or a group of the body's own by its
    name), column by column as :func:`register_groups` words them, keyed by column id."""
    attributes = {a.id: a for a in question.attributes}
    found = None
    for group in register_spread(question, answers):
        if group.segment_id == segment_id:
            found = group
    return {
        "rated_by": found.rated_by if found else 0,
        "columns": {
            c.attribute: _column(attributes[c.attribute], c, locale)
            for c in (found.columns if found else ())
        },
    }


def replacement_error(missing_reason: bool, asked_before: bool) -> str | None:
    """What the page asking to replace a recorded answer with the room's says is wrong: no
    reason given, or (when it had asked before) the recorded answer changed meanwhile."""
    if missing_reason:
        return gettext("Say why the room's answer replaces the recorded one.")
    if asked_before:
        return gettext(
            "The recorded answer changed while you were deciding. Check it again before "
            "replacing it."
        )
    return None
