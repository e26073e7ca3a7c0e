"""Stakeholder segments: salience, power/interest quadrant, recommended engagement and its gap.

The inputs are the rows of the definition questionnaire's register. See ``docs/methodology.md``
("Stakeholder segments") for the table and the rules in plain English.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assess.questionnaire.answers import Answer, RegisterRow
from assess.questionnaire.schema import (
    ENGAGEMENT_OPTIONS,
    RATING_ATTRIBUTES,
    RATING_HIGH_FROM,
    RATING_OPTIONS,
    Questionnaire,
    RegisterQuestion,
)
from assess.questionnaire.validation import visible_questions
from assess.scoring._common import Result, classify

#: Salience classes (Mitchell, Agle and Wood): how many of power, legitimacy, urgency are held.
SALIENCE_CLASSES = {0: "non_stakeholder", 1: "latent", 2: "expectant", 3: "definitive"}
#: Mitchell, Agle and Wood's seven types, by the attributes held.
SALIENCE_TYPES = {
    ("power",): "dormant",
    ("legitimacy",): "discretionary",
    ("urgency",): "demanding",
    ("power", "legitimacy"): "dominant",
    ("power", "urgency"): "dangerous",
    ("legitimacy", "urgency"): "dependent",
    ("power", "legitimacy", "urgency"): "definitive",
}
SALIENCE_ATTRIBUTES = ("power", "legitimacy", "urgency")

#: Mendelow's quadrants, keyed by (power high, interest high).
QUADRANTS = {
    (True, True): "manage_closely",
    (True, False): "keep_satisfied",
    (False, True): "keep_informed",
    (False, False): "monitor",
}
#: The starting IAP2 level for each quadrant.
BASE_LEVEL = {
    "monitor": "inform",
    "keep_informed": "consult",
    "keep_satisfied": "consult",
    "manage_closely": "involve",
}
#: The engine never recommends more than this: handing a decision to a group ("empower") is a
#: choice for the body's decision makers, not a default.
HIGHEST_RECOMMENDED = "collaborate"
#: Nor less than this: a public body owes every group clear information about its decisions.
LOWEST_RECOMMENDED = "inform"

#: Segment statuses.
BELOW = "below_needed"
MATCHES = "matches"
ABOVE = "above_needed"
NOT_RECORDED = "not_recorded"
NOT_RATED = "not_rated"


@dataclass(frozen=True)
class SegmentEngagement(Result):
    """One register row: who the segment is to the body, and how deeply to involve it."""

    #: The register question and the row: the answers every figure here comes from.
    question_id: str
    segment_id: str
    label: str
    power: int | None
    legitimacy: int | None
    urgency: int | None
    interest: int | None
    regard: str | None
    #: Which of power, legitimacy and urgency are held (rated RATING_HIGH_FROM or more).
    held: tuple[str, ...]
    #: non_stakeholder, latent, expectant or definitive (None while any of the three is unrated).
    salience: str | None
    #: dormant, discretionary, demanding, dominant, dangerous, dependent or definitive.
    salience_type: str | None
    #: manage_closely, keep_satisfied, keep_informed or monitor (None while unrated).
    quadrant: str | None
    #: The IAP2 level the method recommends, and each step that led to it.
    recommended: str | None
    reasons: tuple[str, ...]
    #: The level the segment gets today (the register's ``engagement``).
    current: str | None
    #: below_needed, matches, above_needed, not_recorded (no current level) or not_rated.
    status: str
    #: Steps below the recommended level (0 unless below_needed).
    gap: int
    #: Steps above the recommended level (0 unless above_needed): reported, not a negative gap.
    above_by: int


def _high(value: int | None) -> bool:
    return value is not None and value >= RATING_HIGH_FROM


def salience(row: RegisterRow) -> tuple[tuple[str, ...], str | None, str | None]:
    """The attributes held, the salience class and the salience type of a register row."""
    if any(row.rating(a) is None for a in SALIENCE_ATTRIBUTES):
        return (), None, None
    held = tuple(a for a in SALIENCE_ATTRIBUTES if _high(row.rating(a)))
    return held, SALIENCE_CLASSES[len(held)], SALIENCE_TYPES.get(held)


def quadrant(row: RegisterRow) -> str | None:
    """Mendelow's quadrant of a register row (None while power or interest is unrated)."""
    if row.power is None or row.interest is None:
        return None
    return QUADRANTS[(_high(row.power), _high(row.interest))]


def _model_step(held: tuple[str, ...], models: Iterable[str]) -> str | None:
    """The reason for the one step the chosen models may add, or None."""
    chosen = set(models)
    if "stakeholder" in chosen and {"power", "legitimacy"} <= set(held):
        return "stakeholder model: power and legitimacy held, +1"
    if "citizen" in chosen and "legitimacy" in held and "power" not in held:
        return "citizen model: legitimacy held without power, +1"
    return None


def recommended_level(
    row: RegisterRow, models: Iterable[str] = ()
) -> tuple[str | None, tuple[str, ...]]:
    """The recommended IAP2 level of a register row, with the reason for each step.

    The quadrant gives the starting level (BASE_LEVEL); a claim both legitimate and urgent adds
    one step; the chosen models add at most one more; the result lies between LOWEST_RECOMMENDED
    and HIGHEST_RECOMMENDED.
    """
    where = quadrant(row)
    held, _class, _type = salience(row)
    if where is None or _class is None:
        return None, ()
    base = BASE_LEVEL[where]
    index = ENGAGEMENT_OPTIONS.index(base)
    reasons = [f"{where.replace('_', ' ')}: {base}"]
    if {"legitimacy", "urgency"} <= set(held):
        index += 1
        reasons.append("legitimate and urgent claim, +1")
    model_reason = _model_step(held, models)
    if model_reason:
        index += 1
        reasons.append(model_reason)
    highest = ENGAGEMENT_OPTIONS.index(HIGHEST_RECOMMENDED)
    lowest = ENGAGEMENT_OPTIONS.index(LOWEST_RECOMMENDED)
    if index > highest:
        reasons.append(f"capped at {HIGHEST_RECOMMENDED}")
    level = ENGAGEMENT_OPTIONS[max(lowest, min(index, highest))]
    return level, tuple(reasons)


def score_segment(
    question: RegisterQuestion, row: RegisterRow, models: Iterable[str] = (), locale: str = "en"
) -> SegmentEngagement:
    """Salience, quadrant, recommended engagement and gap for one register row."""
    listed = {s.id: s.label.get(locale) for s in question.segments}
    label = listed.get(row.segment_id) or row.label or row.segment_id
    if row.engagement is not None and row.engagement not in ENGAGEMENT_OPTIONS:
        raise ValueError(f"segment '{row.segment_id}': '{row.engagement}' is not an IAP2 level")
    for attribute in RATING_ATTRIBUTES:
        rating = row.rating(attribute)
        if rating is not None and str(rating) not in RATING_OPTIONS:
            raise ValueError(f"segment '{row.segment_id}': {attribute} {rating!r} is not 1 to 4")
    held, salience_class, salience_type = salience(row)
    recommended, reasons = recommended_level(row, models)
    gap = above = 0
    if recommended is None:
        status = NOT_RATED
    elif row.engagement is None:
        status = NOT_RECORDED
    else:
        difference = ENGAGEMENT_OPTIONS.index(recommended) - ENGAGEMENT_OPTIONS.index(
            row.engagement
        )
        gap, above = max(difference, 0), max(-difference, 0)
        status = BELOW if gap else ABOVE if above else MATCHES
    return SegmentEngagement(
        question_id=question.id,
        segment_id=row.segment_id,
        label=label,
        power=row.power,
        legitimacy=row.legitimacy,
        urgency=row.urgency,
        interest=row.interest,
        regard=row.regard,
        held=held,
        salience=salience_class,
        salience_type=salience_type,
        quadrant=quadrant(row),
        recommended=recommended,
        reasons=reasons,
        current=row.engagement,
        status=status,
        gap=gap,
        above_by=above,
    )


def score_register(
    definition: Questionnaire,
    answers: Mapping[str, Answer],
    models: Iterable[str] = (),
    locale: str = "en",
) -> tuple[SegmentEngagement, ...]:
    """Every answered register row of ``definition``, in the order the rows were given."""
    models = tuple(models)
    visible = visible_questions(definition, answers)
    segments: list[SegmentEngagement] = []
    for _section, question in definition.questions():
        if not isinstance(question, RegisterQuestion) or question.id not in visible:
            continue
        answer = answers.get(question.id)
        if classify(answer) != "answered":
            continue
        assert answer is not None and isinstance(answer.value, tuple)
        for row in answer.value:
            if not isinstance(row, RegisterRow):
                raise ValueError(f"question '{question.id}': register rows expected")
            segments.append(score_segment(question, row, models, locale))
    return tuple(segments)
