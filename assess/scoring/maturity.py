"""The maturity profile: each dimension's lowest level and mean, the overall level and score.

Each section of the adoption questionnaire is a dimension; its ``level`` questions are scored on
the **evidenced** level: the level claimed, lowered to the highest level whose criteria (and
those of every level below it from 3) the respondent confirmed met. Levels 1 and 2 need no
criteria. The claimed figures are kept beside the evidenced ones so that every page can show the
difference. See ``docs/methodology.md`` ("Maturity") for the rules in plain English.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from assess.questionnaire.answers import Answer
from assess.questionnaire.schema import CRITERIA_FROM, LevelQuestion, Questionnaire, Section
from assess.questionnaire.validation import Message, visible_questions
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
#: Decimals of the maturity score (3.4).
SCORE_DECIMALS = 1


@dataclass(frozen=True)
class QuestionLevel(Result):
    """One answered level question: the level claimed and the level its evidence supports."""

    question_id: str
    #: The evidenced level: the one scored (see :func:`evidenced_level`).
    level: int
    #: The level the respondent chose.
    claimed: int
    #: Criteria ("3.1", "4.2" ...) of the claimed level and below not confirmed met.
    unconfirmed: tuple[str, ...] = ()
    #: False for a level of 3 or above with neither an evidence note nor a document reference.
    evidence_given: bool = True

    @property
    def evidenced(self) -> int:
        """The evidenced level (the same as ``level``)."""
        return self.level


@dataclass(frozen=True)
class DimensionScore(Result):
    """One dimension's levels, with the answers behind them."""

    dimension_id: str
    title: str
    #: 1 to 3: how much the dimension counts when gaps are ranked and in the overall level.
    weight: int
    #: ``scored``, ``no_answers`` or ``not_applicable``.
    status: str
    #: The lowest evidenced level of any answered question (None when nothing is answered).
    floor: int | None
    #: The name of the floor level (from the adoption file's ``levels``).
    floor_name: str | None
    #: The mean of the evidenced levels, rounded to LEVEL_DECIMALS (None when nothing is answered).
    mean: float | None
    #: The same two figures on the levels as claimed, before evidence is counted.
    claimed_floor: int | None
    claimed_mean: float | None
    #: answered / applicable, rounded to SHARE_DECIMALS (None when nothing applies).
    completeness: float | None
    answered: int
    applicable: int
    #: Every answered question with its level: the floor and the mean come from these.
    levels: tuple[QuestionLevel, ...]
    #: The answered questions at the floor level: the ones that hold the dimension down.
    floor_question_ids: tuple[str, ...]
    #: Answers whose evidenced level is below the level claimed.
    not_evidenced_question_ids: tuple[str, ...]
    #: Answers of level 3 or above with no evidence note nor document reference.
    no_evidence_question_ids: tuple[str, ...]
    #: Applicable but without a level: "don't know" answers, then questions not answered at all.
    dont_know_question_ids: tuple[str, ...]
    unanswered_question_ids: tuple[str, ...]
    #: Excluded from the figures and from completeness.
    not_applicable_question_ids: tuple[str, ...]
    hidden_question_ids: tuple[str, ...]


@dataclass(frozen=True)
class OverallLevel(Result):
    """The organisation's overall level: the weighted mean of the dimension floors, rounded down.

    Beside it, the maturity score: the weighted mean of the dimensions' mean evidenced levels, to
    one decimal, and the reason for the level in plain words.
    """

    #: 1 to 5, or None when no dimension has a level.
    level: int | None
    name: str | None
    #: sum(weight x floor) / sum(weight) over dimensions with a level, rounded to LEVEL_DECIMALS.
    weighted_mean: float | None
    #: The lowest dimension floor: the level reached in every dimension (C2M2's strict reading).
    lowest_floor: int | None
    #: sum(weight x exact mean evidenced level) / sum(weight), to SCORE_DECIMALS (1.0 to 5.0).
    maturity_score: float | None
    #: Why the level is what it is, in plain words (a Message: translate it where it is shown).
    level_reason: str | None
    #: The overall level and score worked out on the levels as claimed, before evidence counts.
    claimed_level: int | None
    claimed_maturity_score: float | None
    #: Answers (all dimensions) whose evidenced level is below the claimed one, and answers of
    #: level 3 or above with no evidence note nor document reference.
    not_evidenced: int
    no_evidence: int
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


def unconfirmed_criteria(question: LevelQuestion, answer: Answer, claimed: int) -> tuple[str, ...]:
    """The criteria from level 3 up to ``claimed`` not confirmed met ("3.1", "4.2" ...)."""
    missing = []
    for level, number, _text in question.criteria_up_to(claimed):
        check = answer.check(level, number)
        if check is None or not check.met:
            missing.append(f"{level}.{number}")
    return tuple(missing)


def evidenced_level(question: LevelQuestion, answer: Answer) -> int:
    """The highest level up to the claimed one whose criteria, and all lower levels' criteria
    from 3 up, are confirmed met. Levels 1 and 2 need no criteria; a level without criteria (a
    questionnaire version from before method 2.0) needs no confirmation.
    """
    claimed = _level_value(question, answer)
    reached = min(claimed, CRITERIA_FROM - 1)
    for level in range(CRITERIA_FROM, claimed + 1):
        checks = [
            answer.check(level, number)
            for number in range(1, len(question.criteria_for(level)) + 1)
        ]
        if not all(c is not None and c.met for c in checks):
            break
        reached = level
    return reached


def evidence_given(answer: Answer) -> bool:
    """Whether an answer names its evidence: a note, or a document reference of a criterion."""
    return bool(answer.note.strip()) or any(c.reference.strip() for c in answer.criteria)


def question_level(question: LevelQuestion, answer: Answer) -> QuestionLevel:
    """One answered level question, claimed and evidenced."""
    claimed = _level_value(question, answer)
    return QuestionLevel(
        question_id=question.id,
        level=evidenced_level(question, answer),
        claimed=claimed,
        unconfirmed=unconfirmed_criteria(question, answer, claimed),
        evidence_given=claimed < CRITERIA_FROM or evidence_given(answer),
    )


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
            levels.append(question_level(question, answer))

    answered = len(levels)
    applicable = answered + len(groups[DONT_KNOW]) + len(groups[UNANSWERED])
    floor = min((q.level for q in levels), default=None)
    mean = (
        round_half_up(Fraction(sum(q.level for q in levels), answered), LEVEL_DECIMALS)
        if answered
        else None
    )
    claimed_mean = (
        round_half_up(Fraction(sum(q.claimed for q in levels), answered), LEVEL_DECIMALS)
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
        claimed_floor=min((q.claimed for q in levels), default=None),
        claimed_mean=claimed_mean,
        completeness=share(answered, applicable),
        answered=answered,
        applicable=applicable,
        levels=tuple(levels),
        floor_question_ids=tuple(q.question_id for q in levels if q.level == floor),
        not_evidenced_question_ids=tuple(q.question_id for q in levels if q.level < q.claimed),
        no_evidence_question_ids=tuple(q.question_id for q in levels if not q.evidence_given),
        dont_know_question_ids=tuple(groups[DONT_KNOW]),
        unanswered_question_ids=tuple(groups[UNANSWERED]),
        not_applicable_question_ids=tuple(groups[NOT_APPLICABLE]),
        hidden_question_ids=tuple(groups[HIDDEN]),
    )


def _exact_mean(levels: tuple[QuestionLevel, ...], claimed: bool = False) -> Fraction:
    return Fraction(sum(q.claimed if claimed else q.level for q in levels), len(levels))


def _weighted(dimensions: list[DimensionScore], value: object) -> Fraction:
    return Fraction(
        sum(d.weight * value(d) for d in dimensions),  # type: ignore[operator]
        sum(d.weight for d in dimensions),
    )


def level_reason(
    level: int,
    dimensions: tuple[DimensionScore, ...],
    weighted: Fraction,
) -> Message:
    """Why the overall level is ``level``, in plain words, naming the areas that hold it down."""
    scored = [d for d in dimensions if d.floor is not None]
    lowest = min(d.floor or 0 for d in scored)
    held = [d.title for d in scored if d.floor == lowest]
    params = {
        "level": level,
        "count": len(held),
        "total": len(scored),
        "lowest": lowest,
        "areas": "; ".join(held),
        "mean": f"{round_half_up(weighted, LEVEL_DECIMALS):.2f}",
    }
    if lowest == level:
        reason = Message(
            "Level %(level)s, because the lowest practice is at level %(lowest)s in %(count)s "
            "of the %(total)s areas: %(areas)s. An area counts at the level of its lowest "
            "practice, because the levels build on each other; the areas' levels, weighted, "
            "average %(mean)s, rounded down to %(level)s.",
            **params,
        )
    else:
        reason = Message(
            "Level %(level)s, because an area counts at the level of its lowest practice (the "
            "levels build on each other) and the areas' levels, weighted, average %(mean)s, "
            "rounded down to %(level)s. The lowest practice is at level %(lowest)s in %(count)s "
            "of the %(total)s areas: %(areas)s.",
            **params,
        )
    return reason


def overall_level(
    dimensions: tuple[DimensionScore, ...],
    adoption: Questionnaire | None = None,
    locale: str = "en",
) -> OverallLevel:
    """The overall level from dimension scores: weighted mean of floors, rounded down.

    Also the maturity score: the weighted mean of each dimension's exact mean evidenced level,
    to one decimal; and both figures again on the levels as claimed.
    """
    scored = [d for d in dimensions if d.floor is not None]
    answered = sum(d.answered for d in dimensions)
    applicable = sum(d.applicable for d in dimensions)
    without = tuple(d.dimension_id for d in dimensions if d.floor is None)
    not_evidenced = sum(len(d.not_evidenced_question_ids) for d in dimensions)
    no_evidence = sum(len(d.no_evidence_question_ids) for d in dimensions)
    if not scored:
        return OverallLevel(
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            not_evidenced,
            no_evidence,
            share(answered, applicable),
            (),
            without,
        )
    weighted = _weighted(scored, lambda d: d.floor or 0)
    level = math.floor(weighted)
    claimed = math.floor(_weighted(scored, lambda d: d.claimed_floor or 0))
    score = _weighted(scored, lambda d: _exact_mean(d.levels))
    claimed_score = _weighted(scored, lambda d: _exact_mean(d.levels, claimed=True))
    return OverallLevel(
        level=level,
        name=level_name(adoption, level, locale) if adoption else None,
        weighted_mean=round_half_up(weighted, LEVEL_DECIMALS),
        lowest_floor=min(d.floor or 0 for d in scored),
        maturity_score=round_half_up(score, SCORE_DECIMALS),
        level_reason=level_reason(level, dimensions, weighted),
        claimed_level=claimed,
        claimed_maturity_score=round_half_up(claimed_score, SCORE_DECIMALS),
        not_evidenced=not_evidenced,
        no_evidence=no_evidence,
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
