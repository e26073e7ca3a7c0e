"""Gaps: each dimension's floor against the target of the chosen model(s), ranked, with steps.

A dimension below its target gets one step for each practice that holds it down (each level
question at the dimension's floor): the adoption file's recommendation that moves that question up
one level, and "done when" = that next level of the same question. A step is therefore never
recommended for a practice already at or above the level it would reach.
See ``docs/methodology.md`` ("Gaps and what to do next") for the rules in plain English.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from assess.questionnaire.schema import LevelQuestion, Questionnaire, Section
from assess.scoring._common import Result
from assess.scoring.maturity import DimensionScore, MaturityProfile

#: Gap statuses.
BELOW_TARGET = "below_target"
AT_TARGET = "at_target"
ABOVE_TARGET = "above_target"
NO_LEVEL = "no_level"
NO_TARGET = "no_target"

#: How a dimension's target was set.
TARGET_SINGLE = "single"  # one model: its target
TARGET_FIT_WEIGHTED = "fit_weighted"  # a blend: the models' targets weighted by fit, rounded up
TARGET_MEAN = "mean"  # a blend without usable fits: the plain mean, rounded up
TARGET_LOWERED = "lowered"  # an admin lowered the default target, giving a reason


@dataclass(frozen=True)
class ModelTarget(Result):
    """The level one model needs in one dimension (from the adoption file's ``targets``)."""

    model_id: str
    level: int


#: Where a step's "done when" comes from: the question's criteria for the next level, or, for a
#: level without criteria, the description of that level.
DONE_WHEN_CRITERIA = "criteria"
DONE_WHEN_LEVEL = "level"


@dataclass(frozen=True)
class Step(Result):
    """One recommended step: what moves one practice (a level question) up one level."""

    #: The practice the step raises, and the dimension it belongs to.
    question_id: str
    question_text: str
    dimension_id: str
    #: The level the answers give the practice now, and the level the step reaches.
    from_level: int
    to_level: int
    action: str
    #: None when the questionnaire gives no separate reason.
    rationale: str | None
    owner: str
    #: How long the step should take, in months.
    months: int
    #: What must be true for the step to count as done: the next level of the same question.
    done_when: tuple[str, ...]
    #: ``criteria`` or ``level`` (see DONE_WHEN_CRITERIA).
    done_when_source: str


@dataclass(frozen=True)
class DimensionGap(Result):
    """One dimension's position against its target."""

    dimension_id: str
    title: str
    weight: int
    #: The dimension's floor level (the figure the gap is measured from).
    current: int | None
    #: The target the gap is measured to (None when no model is chosen): the default below, or
    #: a lower one an admin set with a reason.
    target: int | None
    #: Each chosen model's target: where ``default_target`` comes from.
    targets: tuple[ModelTarget, ...]
    #: The method's target: one model's, or for a blend the fit-weighted mean rounded up.
    default_target: int | None
    #: single, fit_weighted, mean or lowered (None without a target).
    target_rule: str | None
    #: Why an admin lowered the target (None unless lowered).
    lowered_reason: str | None
    #: below_target, at_target, above_target, no_level or no_target.
    status: str
    #: target - current when below target, else 0.
    gap: int
    #: current - target when above target, else 0: reported, never a negative gap.
    above_by: int
    #: gap x weight.
    priority: int
    #: 1 for the gap to close first; None unless below target.
    rank: int | None
    completeness: float | None
    #: The answers holding the dimension at its floor.
    floor_question_ids: tuple[str, ...]
    #: Below target only: one step for each question at the floor, in questionnaire order.
    steps: tuple[Step, ...]


def dimension_target(
    section: Section,
    models: Sequence[str],
    weights: Mapping[str, Fraction] | None = None,
) -> tuple[int | None, tuple[ModelTarget, ...], str | None]:
    """The default target of ``section`` for the chosen ``models``, and how it was set.

    One model: its target. A blend: the mean of its models' targets weighted by each model's fit
    (``weights``, exact percentages), rounded up to a whole level; when a model has no fit, or
    every fit is zero, the plain mean, rounded up.
    """
    targets = tuple(
        ModelTarget(m, section.targets[m])
        for m in models
        if section.targets and m in section.targets
    )
    if not targets:
        return None, targets, None
    if len(targets) == 1:
        return targets[0].level, targets, TARGET_SINGLE
    given = [weights.get(t.model_id) if weights else None for t in targets]
    if all(w is not None for w in given) and sum(w for w in given if w is not None) > 0:
        total = sum(given, Fraction(0))  # type: ignore[arg-type]
        mean = sum((w * t.level for w, t in zip(given, targets, strict=True)), Fraction(0))
        return math.ceil(mean / total), targets, TARGET_FIT_WEIGHTED  # type: ignore[operator]
    plain = Fraction(sum(t.level for t in targets), len(targets))
    return math.ceil(plain), targets, TARGET_MEAN


def _criterion_text(item: Any, locale: str) -> str:
    """One criterion as text: a translated text, or an entry whose ``text`` is one."""
    text = getattr(item, "text", item)
    return text.get(locale) if hasattr(text, "get") else str(text)


def done_when(
    question: LevelQuestion, level: int, locale: str = "en"
) -> tuple[tuple[str, ...], str]:
    """What shows ``question`` at ``level``: its criteria for that level, else its description.

    Returns the texts and where they come from (``criteria`` or ``level``).
    """
    criteria = getattr(question, "criteria", None) or {}
    listed = criteria.get(level) if hasattr(criteria, "get") else None
    if listed:
        return tuple(_criterion_text(c, locale) for c in listed), DONE_WHEN_CRITERIA
    return (question.levels[level].get(locale),), DONE_WHEN_LEVEL


def step_for(
    section: Section, question: LevelQuestion, level: int, locale: str = "en"
) -> Step | None:
    """The step that moves ``question`` up from ``level``; None at level 5 or without one."""
    recommendation = section.recommendation(question.id, level)
    if recommendation is None:
        return None
    texts, source = done_when(question, recommendation.to_level, locale)
    return Step(
        question_id=question.id,
        question_text=question.text.get(locale),
        dimension_id=section.id,
        from_level=recommendation.from_level,
        to_level=recommendation.to_level,
        action=recommendation.action.get(locale),
        rationale=recommendation.rationale.get(locale) if recommendation.rationale else None,
        owner=recommendation.owner.get(locale),
        months=recommendation.months,
        done_when=texts,
        done_when_source=source,
    )


def steps(section: Section, score: DimensionScore, locale: str = "en") -> tuple[Step, ...]:
    """The next step for each practice holding ``section`` at its floor, in questionnaire order.

    Only questions answered at the floor get a step, and each step starts from the level the
    answers give and goes one level up: what the answers already show is never recommended.
    """
    if score.floor is None:
        return ()
    at_floor = set(score.floor_question_ids)
    found = []
    for question in section.questions:
        if isinstance(question, LevelQuestion) and question.id in at_floor:
            step = step_for(section, question, score.floor, locale)
            if step is not None:
                found.append(step)
    return tuple(found)


def first_steps(gaps: Sequence[DimensionGap], count: int = 3) -> tuple[Step, ...]:
    """The steps to take first: the first step of each ranked gap, in rank order, then the
    ranked gaps' other steps, until ``count`` are found.

    One step per area first, so that the first actions spread over the areas that matter most.
    """
    ranked = sorted((g for g in gaps if g.rank is not None), key=lambda g: g.rank or 0)
    chosen = [g.steps[0] for g in ranked if g.steps]
    chosen += [step for g in ranked for step in g.steps[1:]]
    return tuple(chosen[:count])


def _gap(
    section: Section,
    score: DimensionScore,
    models: Sequence[str],
    locale: str,
    weights: Mapping[str, Fraction] | None,
    lowered: Mapping[str, tuple[int, str]],
) -> DimensionGap:
    default, targets, rule = dimension_target(section, models, weights)
    target, reason = default, None
    if default is not None and section.id in lowered:
        level, why = lowered[section.id]
        if level < default:
            target, rule, reason = level, TARGET_LOWERED, why
    current = score.floor
    gap = above = 0
    found: tuple[Step, ...] = ()
    if target is None:
        status = NO_TARGET
    elif current is None:
        status = NO_LEVEL
    elif current < target:
        status, gap = BELOW_TARGET, target - current
        found = steps(section, score, locale)
    elif current > target:
        status, above = ABOVE_TARGET, current - target
    else:
        status = AT_TARGET
    return DimensionGap(
        dimension_id=section.id,
        title=score.title,
        weight=score.weight,
        current=current,
        target=target,
        targets=targets,
        default_target=default,
        target_rule=rule,
        lowered_reason=reason,
        status=status,
        gap=gap,
        above_by=above,
        priority=gap * score.weight,
        rank=None,
        completeness=score.completeness,
        floor_question_ids=score.floor_question_ids,
        steps=found,
    )


def rank_gaps(
    adoption: Questionnaire,
    profile: MaturityProfile,
    models: Sequence[str],
    locale: str = "en",
    *,
    weights: Mapping[str, Fraction] | None = None,
    lowered: Mapping[str, tuple[int, str]] | None = None,
) -> tuple[DimensionGap, ...]:
    """Every dimension's gap: those below target first, by rank, then the rest in file order.

    ``weights`` are the chosen models' exact fits (for a blend's fit-weighted target);
    ``lowered`` maps a dimension id to a lower target an admin set and the reason given (a
    "lowered" target at or above the default is ignored: targets may only be lowered).

    Rank: higher priority (gap x weight) first; ties go to the larger gap, then to the dimension
    that comes first in the questionnaire.
    """
    gaps = [
        _gap(section, profile.dimension(section.id), models, locale, weights, lowered or {})
        for section in adoption.sections
    ]
    order = {g.dimension_id: i for i, g in enumerate(gaps)}
    below = sorted(
        (g for g in gaps if g.status == BELOW_TARGET),
        key=lambda g: (-g.priority, -g.gap, order[g.dimension_id]),
    )
    ranked = [replace(g, rank=i + 1) for i, g in enumerate(below)]
    rest = [g for g in gaps if g.status != BELOW_TARGET]
    return (*ranked, *rest)
