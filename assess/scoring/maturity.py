"""The maturity profile: a floor level and a mean level per dimension, and an overall level.

Each section of the adoption questionnaire is a dimension; its ``level`` questions are scored.
See ``docs/methodology.md`` ("Maturity") for the rules in plain English.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from assess.questionnaire.answers import Answer
from assess.questionnaire.schema import LevelQuestion, Questionnaire, Section
from assess.questionnaire.validation import visible_questions
from assess.scoring._common import (
    ANSWERED,
    DONT_KNOW,
    HIDDEN,
    LEVEL_DECIMALS,
    NOT_APPLICABLE,
    UNANSWERED,
    Result,
    classify,
    round_half_up,
    share,
)

#: Dimension status: at least one question answered, so the dimension has a level.
SCORED = "scored"
#: Dimension status: questions apply but none has a real answer; no level (not zero).
NO_ANSWERS = "no_answers"
#: Dimension status: every question is "not applicable" or hidden; no level.
NOT_APPLICABLE_DIMENSION = "not_applicable"


@dataclass(frozen=True)
class QuestionLevel(Result):
    """One answered level question and the level given."""

    question_id: str
    level: int


@dataclass(frozen=True)
class DimensionScore(Result):
    """One dimension's levels, with the answers behind them."""

    dimension_id: str
    title: str
    #: 1 to 3: how much the dimension counts when gaps are ranked and in the overall level.
    weight: int
    #: ``scored``, ``no_answers`` or ``not_applicable``.
    status: str
    #: The lowest level given to any answered question (None when nothing is answered).
    floor: int | None
    #: The name of the floor level (from the adoption file's ``levels``).
    floor_name: str | None
    #: The mean of the levels given, rounded to LEVEL_DECIMALS (None when nothing is answered).
    mean: float | None
    #: answered / applicable, rounded to SHARE_DECIMALS (None when nothing applies).
    completeness: float | None
    answered: int
    applicable: int
    #: Every answered question with its level: the floor and the mean come from these.
    levels: tuple[QuestionLevel, ...]
    #: The answered questions at the floor level: the ones that hold the dimension down.
    floor_question_ids: tuple[str, ...]
    #: Applicable but without a level: "don't know" answers, then questions not answered at all.
    dont_know_question_ids: tuple[str, ...]
    unanswered_question_ids: tuple[str, ...]
    #: Excluded from the figures and from completeness.
    not_applicable_question_ids: tuple[str, ...]
    hidden_question_ids: tuple[str, ...]


@dataclass(frozen=True)
class OverallLevel(Result):
    """The organisation's overall level: the weighted mean of the dimension floors, rounded down."""

    #: 1 to 5, or None when no dimension has a level.
    level: int | None
    name: str | None
    #: sum(weight x floor) / sum(weight) over dimensions with a level, rounded to LEVEL_DECIMALS.
    weighted_mean: float | None
    #: The lowest dimension floor: the level reached in every dimension (C2M2's strict reading).
    lowest_floor: int | None
    #: Answered / applicable over all dimensions, rounded to SHARE_DECIMALS.
    completeness: float | None
    #: The dimensions that count (those with a level), and those without one.
    dimension_ids: tuple[str, ...]
    dimensions_without_level: tuple[str, ...]


@dataclass(frozen=True)
class MaturityProfile(Result):
    """Every dimension in questionnaire order, and the overall level."""

    dimensions: tuple[DimensionScore, ...]
    overall: OverallLevel

    def dimension(self, dimension_id: str) -> DimensionScore:
        """The dimension ``dimension_id``; KeyError if there is none."""
        for dimension in self.dimensions:
            if dimension.dimension_id == dimension_id:
                return dimension
        raise KeyError(dimension_id)


def level_name(adoption: Questionnaire, level: int | None, locale: str = "en") -> str | None:
    """The name of maturity ``level`` in ``adoption``'s ``levels`` (None when absent)."""
    if level is None or not adoption.levels or level not in adoption.levels:
        return None
    return adoption.levels[level].name.get(locale)


def _level_value(question: LevelQuestion, answer: Answer) -> int:
    value = answer.value
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValueError(f"question '{question.id}': {value!r} is not a level from 1 to 5")
    return value


def score_dimension(
    section: Section,
    answers: Mapping[str, Answer],
    visible: frozenset[str],
    *,
    adoption: Questionnaire | None = None,
    locale: str = "en",
) -> DimensionScore:
    """Score one dimension (an adoption section) from ``answers``.

    Only ``level`` questions count. ``visible`` is the set of shown question ids (see
    :func:`assess.questionnaire.validation.visible_questions`); pass ``adoption`` to name the floor.
    """
    groups: dict[str, list[str]] = {
        ANSWERED: [],
        DONT_KNOW: [],
        UNANSWERED: [],
        NOT_APPLICABLE: [],
        HIDDEN: [],
    }
    levels: list[QuestionLevel] = []
    for question in section.questions:
        if not isinstance(question, LevelQuestion):
            continue
        if question.id not in visible:
            groups[HIDDEN].append(question.id)
            continue
        answer = answers.get(question.id)
        kind = classify(answer)
        groups[kind].append(question.id)
        if kind == ANSWERED:
            assert answer is not None
            levels.append(QuestionLevel(question.id, _level_value(question, answer)))

    answered = len(levels)
    applicable = answered + len(groups[DONT_KNOW]) + len(groups[UNANSWERED])
    floor = min((q.level for q in levels), default=None)
    mean = (
        round_half_up(Fraction(sum(q.level for q in levels), answered), LEVEL_DECIMALS)
        if answered
        else None
    )
    if answered:
        status = SCORED
    elif applicable:
        status = NO_ANSWERS
    else:
        status = NOT_APPLICABLE_DIMENSION
    return DimensionScore(
        dimension_id=section.id,
        title=section.title.get(locale),
        weight=section.weight or 1,
        status=status,
        floor=floor,
        floor_name=level_name(adoption, floor, locale) if adoption else None,
        mean=mean,
        completeness=share(answered, applicable),
        answered=answered,
        applicable=applicable,
        levels=tuple(levels),
        floor_question_ids=tuple(q.question_id for q in levels if q.level == floor),
        dont_know_question_ids=tuple(groups[DONT_KNOW]),
        unanswered_question_ids=tuple(groups[UNANSWERED]),
        not_applicable_question_ids=tuple(groups[NOT_APPLICABLE]),
        hidden_question_ids=tuple(groups[HIDDEN]),
    )


def overall_level(
    dimensions: tuple[DimensionScore, ...],
    adoption: Questionnaire | None = None,
    locale: str = "en",
) -> OverallLevel:
    """The overall level from dimension scores: weighted mean of floors, rounded down."""
    scored = [d for d in dimensions if d.floor is not None]
    answered = sum(d.answered for d in dimensions)
    applicable = sum(d.applicable for d in dimensions)
    without = tuple(d.dimension_id for d in dimensions if d.floor is None)
    if not scored:
        return OverallLevel(None, None, None, None, share(answered, applicable), (), without)
    weighted = Fraction(
        sum(d.weight * (d.floor or 0) for d in scored), sum(d.weight for d in scored)
    )
    level = math.floor(weighted)
    return OverallLevel(
        level=level,
        name=level_name(adoption, level, locale) if adoption else None,
        weighted_mean=round_half_up(weighted, LEVEL_DECIMALS),
        lowest_floor=min(d.floor or 0 for d in scored),
        completeness=share(answered, applicable),
        dimension_ids=tuple(d.dimension_id for d in scored),
        dimensions_without_level=without,
    )


def score_maturity(
    adoption: Questionnaire, answers: Mapping[str, Answer], locale: str = "en"
) -> MaturityProfile:
    """The maturity profile of ``answers`` to the adoption questionnaire ``adoption``."""
    visible = visible_questions(adoption, answers)
    dimensions = tuple(
        score_dimension(section, answers, visible, adoption=adoption, locale=locale)
        for section in adoption.sections
    )
    return MaturityProfile(dimensions, overall_level(dimensions, adoption, locale))
