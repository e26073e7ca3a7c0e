"""Gaps: each dimension's floor against the target of the chosen model(s), ranked, with steps.

See ``docs/methodology.md`` ("Gaps and what to do next") for the rules in plain English.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from assess.questionnaire.schema import Questionnaire, Section
from assess.scoring._common import Result
from assess.scoring.maturity import DimensionScore, MaturityProfile

#: Gap statuses.
BELOW_TARGET = "below_target"
AT_TARGET = "at_target"
ABOVE_TARGET = "above_target"
NO_LEVEL = "no_level"
NO_TARGET = "no_target"


@dataclass(frozen=True)
class ModelTarget(Result):
    """The level one model needs in one dimension (from the adoption file's ``targets``)."""

    model_id: str
    level: int


@dataclass(frozen=True)
class Step(Result):
    """One recommended step up, from the adoption file's ``recommendations``."""

    from_level: int
    to_level: int
    action: str
    rationale: str
    owner: str
    timeframe: str


@dataclass(frozen=True)
class DimensionGap(Result):
    """One dimension's position against its target."""

    dimension_id: str
    title: str
    weight: int
    #: The dimension's floor level (the figure the gap is measured from).
    current: int | None
    #: The highest of the chosen models' targets (None when no model is chosen).
    target: int | None
    #: Each chosen model's target: where ``target`` comes from.
    targets: tuple[ModelTarget, ...]
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
    #: One step per level from current to target.
    steps: tuple[Step, ...]


def dimension_target(
    section: Section, models: Sequence[str]
) -> tuple[int | None, tuple[ModelTarget, ...]]:
    """The target of ``section`` for the chosen ``models``: the highest of their targets."""
    targets = tuple(
        ModelTarget(m, section.targets[m])
        for m in models
        if section.targets and m in section.targets
    )
    return max((t.level for t in targets), default=None), targets


def steps(section: Section, current: int, target: int, locale: str = "en") -> tuple[Step, ...]:
    """The questionnaire's recommendations for every step from ``current`` up to ``target``."""
    found = []
    for from_level in range(current, target):
        recommendation = section.recommendation(from_level)
        if recommendation is None:
            continue
        found.append(
            Step(
                from_level=recommendation.from_level,
                to_level=recommendation.to_level,
                action=recommendation.action.get(locale),
                rationale=recommendation.rationale.get(locale),
                owner=recommendation.owner.get(locale),
                timeframe=recommendation.timeframe.get(locale),
            )
        )
    return tuple(found)


def _gap(
    section: Section, score: DimensionScore, models: Sequence[str], locale: str
) -> DimensionGap:
    target, targets = dimension_target(section, models)
    current = score.floor
    gap = above = 0
    found: tuple[Step, ...] = ()
    if target is None:
        status = NO_TARGET
    elif current is None:
        status = NO_LEVEL
    elif current < target:
        status, gap = BELOW_TARGET, target - current
        found = steps(section, current, target, locale)
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
    adoption: Questionnaire, profile: MaturityProfile, models: Sequence[str], locale: str = "en"
) -> tuple[DimensionGap, ...]:
    """Every dimension's gap: those below target first, by rank, then the rest in file order.

    Rank: higher priority (gap x weight) first; ties go to the larger gap, then to the dimension
    that comes first in the questionnaire.
    """
    gaps = [
        _gap(section, profile.dimension(section.id), models, locale)
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
