"""Stakeholder segments: salience, the relationship plan, recommended engagement and its gap.

The inputs are the rows of the definition questionnaire's register. See ``docs/methodology.md``
("Stakeholder segments") for the table and the rules in plain English.

Since method 2.0 the recommended level of participation (IAP2) comes from how legitimate a group's
claim is and how far the body's decisions affect it, never from its power: power and interest set
the *relationship plan* (Mendelow's grid: how to keep the group informed and watch it), which is
reported separately. Rules that protect the groups with the weakest voice hold whatever the model:
a claim of little legitimacy is capped at *consult*, as is a group with a commercial or regulatory
interest in decisions about itself; the media get a media-relations plan instead of a level.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from assess.questionnaire.answers import Answer, RegisterRow
from assess.questionnaire.schema import (
    AFFECTED_ATTRIBUTE,
    ALL_RATING_ATTRIBUTES,
    CONFLICT_OPTIONS,
    ENGAGEMENT_OPTIONS,
    RATING_ATTRIBUTES,
    RATING_HIGH_FROM,
    RATING_OPTIONS,
    SUPPORT_OPTIONS,
    Questionnaire,
    RegisterQuestion,
)
from assess.questionnaire.validation import Message, visible_questions
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

#: Mendelow's quadrants, keyed by (power high, interest high): the relationship plan.
QUADRANTS = {
    (True, True): "manage_closely",
    (True, False): "keep_satisfied",
    (False, True): "keep_informed",
    (False, False): "monitor",
}
#: The starting IAP2 level, keyed by (legitimacy held, highly affected).
BASE_LEVEL = {
    (False, False): "inform",
    (False, True): "consult",
    (True, False): "consult",
    (True, True): "involve",
}
#: The engine never recommends more than this: handing a decision to a group ("empower") is a
#: choice for the body's decision makers, not a default.
HIGHEST_RECOMMENDED = "collaborate"
#: Nor less than this: a public body owes every group clear information about its decisions.
LOWEST_RECOMMENDED = "inform"
#: A claim of little legitimacy, or a conflict of interest, is never recommended above this.
CAPPED_AT = "consult"

#: Segment statuses.
BELOW = "below_needed"
MATCHES = "matches"
ABOVE = "above_needed"
NOT_RECORDED = "not_recorded"
NOT_RATED = "not_rated"
#: The media: a media-relations plan, not a participation level, so no gap.
MEDIA_RELATIONS = "media_relations"

#: Segment kinds (schema ``Segment.kind``).
MEDIA = "media"
EXTRA_SUPPORT = "extra-support"
#: Registers written before segment kinds existed (definition 1.0.0) name these segments by id.
LEGACY_KINDS = {"media": MEDIA, "special-needs": EXTRA_SUPPORT}

#: The steps to a recommended level, as codes (docs/methodology.md, section 7, names each one).
START = {
    (False, False): "start-little-legitimacy-little-affected",
    (False, True): "start-little-legitimacy-highly-affected",
    (True, False): "start-legitimate-little-affected",
    (True, True): "start-legitimate-highly-affected",
}
STEP_CITIZEN = "citizen-model-legitimate"
STEP_STAKEHOLDER = "stakeholder-model-legitimate-and-urgent"
STEP_CUSTOMER = "customer-model-extra-support-not-below-others"
CAP_LOW_LEGITIMACY = "capped-little-legitimacy"
CAP_CONFLICT = "capped-conflict-of-interest"
CAP_HIGHEST = "capped-highest"
MEDIA_STEP = "media-relations-plan"
AFFECTED_FROM_INTEREST = "affected-read-from-interest"

#: Each step in plain English, as docs/methodology.md and the report print it.
STEP_TEXT = {
    START[(False, False)]: Message("claim of little legitimacy, little affected: inform"),
    START[(False, True)]: Message("claim of little legitimacy, highly affected: consult"),
    START[(True, False)]: Message("legitimate claim, little affected: consult"),
    START[(True, True)]: Message("legitimate claim, highly affected: involve"),
    STEP_CITIZEN: Message("citizen model: legitimate claim, +1"),
    STEP_STAKEHOLDER: Message("stakeholder model: legitimate and urgent claim, +1"),
    STEP_CUSTOMER: Message(
        "customer model: needs extra support, raised to the highest level recommended to any "
        "other group"
    ),
    CAP_LOW_LEGITIMACY: Message("capped at consult: claim of little legitimacy"),
    CAP_CONFLICT: Message("capped at consult: conflict of interest in decisions about itself"),
    CAP_HIGHEST: Message("capped at collaborate"),
    MEDIA_STEP: Message("media: a media-relations plan, not a participation level"),
    AFFECTED_FROM_INTEREST: Message(
        "this register does not rate how far groups are affected: interest read in its place"
    ),
}

#: Why an engagement gap ranks where it does, as codes.
WHY_EXTRA_SUPPORT = "needs-extra-support"
WHY_GAP = "levels-below"
WHY_LEGITIMATE = "legitimate-claim"
WHY_AFFECTED = "highly-affected"
#: Each reason in plain English.
WHY_TEXT = {
    WHY_EXTRA_SUPPORT: Message("needs extra support"),
    WHY_GAP: Message("levels below what is needed"),
    WHY_LEGITIMATE: Message("legitimate claim"),
    WHY_AFFECTED: Message("highly affected by the body's decisions"),
}


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
    #: How far the body's decisions affect the group (None in a register without that column).
    affected: int | None
    regard: str | None
    #: none, commercial or regulatory (None when not recorded).
    conflict: str | None
    #: Whether the group needs extra support to use services or take part.
    extra_support: bool
    #: Whether the group is the media (a media-relations plan, not a participation level).
    media: bool
    #: Which of power, legitimacy and urgency are held (rated RATING_HIGH_FROM or more).
    held: tuple[str, ...]
    #: non_stakeholder, latent, expectant or definitive (None while any of the three is unrated).
    salience: str | None
    #: dormant, discretionary, demanding, dominant, dangerous, dependent or definitive.
    salience_type: str | None
    #: The relationship plan from power and interest: manage_closely, keep_satisfied,
    #: keep_informed or monitor (None while unrated).
    quadrant: str | None
    #: The IAP2 level the method recommends (None for the media and for unrated rows), and the
    #: code of each step that led to it.
    recommended: str | None
    reasons: tuple[str, ...]
    #: The level the segment gets today (the register's ``engagement``).
    current: str | None
    #: below_needed, matches, above_needed, not_recorded (no current level), not_rated or
    #: media_relations.
    status: str
    #: Steps below the recommended level (0 unless below_needed).
    gap: int
    #: Steps above the recommended level (0 unless above_needed): reported, not a negative gap.
    above_by: int
    #: Whether the body regards the group differently from the chosen model(s) (a customer
    #: under the Citizen model, say). False when either is not known.
    regard_differs: bool
    #: 1 for the engagement gap to close first; None unless below_needed.
    gap_rank: int | None
    #: Why the gap ranks where it does (codes WHY_*), most important first.
    gap_why: tuple[str, ...]


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


def segment_kind(question: RegisterQuestion | None, row: RegisterRow) -> str | None:
    """``media``, ``extra-support`` or None.

    A listed segment's ``kind`` says which groups are the media and which need extra support; any
    row marked "needs extra support" in the register (its ``support`` column) also does. Registers
    written before segment kinds existed name these segments by id (LEGACY_KINDS).
    """
    kind = None
    if question is not None:
        listed = {s.id: s for s in question.segments}
        if row.segment_id in listed:
            kind = listed[row.segment_id].kind
            if kind is None and not any(s.kind for s in question.segments):
                kind = LEGACY_KINDS.get(row.segment_id)
    if kind is None and row.support == "yes":
        return EXTRA_SUPPORT
    return kind


def _affected(row: RegisterRow, has_affected: bool) -> int | None:
    return row.affected if has_affected else row.interest


def _capped(index: int, reasons: list[str], row: RegisterRow) -> int:
    """Apply the caps that hold for every group, recording each that bites."""
    cap = ENGAGEMENT_OPTIONS.index(CAPPED_AT)
    if not _high(row.legitimacy) and index > cap:
        index = cap
        reasons.append(CAP_LOW_LEGITIMACY)
    if row.conflict not in (None, "none") and index > cap:
        index = cap
        reasons.append(CAP_CONFLICT)
    highest = ENGAGEMENT_OPTIONS.index(HIGHEST_RECOMMENDED)
    if index > highest:
        index = highest
        reasons.append(CAP_HIGHEST)
    return max(index, ENGAGEMENT_OPTIONS.index(LOWEST_RECOMMENDED))


def _rated(row: RegisterRow, has_affected: bool) -> bool:
    needed = (*RATING_ATTRIBUTES, AFFECTED_ATTRIBUTE) if has_affected else RATING_ATTRIBUTES
    return all(row.rating(a) is not None for a in needed)


def recommended_level(
    row: RegisterRow,
    models: Iterable[str] = (),
    *,
    kind: str | None = None,
    has_affected: bool = True,
) -> tuple[str | None, tuple[str, ...]]:
    """The recommended IAP2 level of one register row on its own, with the code of each step.

    Legitimacy and how far the group is affected give the starting level (BASE_LEVEL); the chosen
    models add at most one level (Citizen: a legitimate claim; Stakeholder: a claim both
    legitimate and urgent); then the caps (little legitimacy or a conflict of interest: consult;
    never above collaborate nor below inform). The media get no level. Power and interest play no
    part. The Customer model's rule for groups who need extra support compares groups with each
    other, so it is applied by :func:`score_rows`.
    """
    if kind == MEDIA:
        return None, (MEDIA_STEP,)
    if not _rated(row, has_affected):
        return None, ()
    legitimate = _high(row.legitimacy)
    affected = _high(_affected(row, has_affected))
    reasons = [] if has_affected else [AFFECTED_FROM_INTEREST]
    reasons.append(START[(legitimate, affected)])
    index = ENGAGEMENT_OPTIONS.index(BASE_LEVEL[(legitimate, affected)])
    chosen = set(models)
    if "citizen" in chosen and legitimate:
        index += 1
        reasons.append(STEP_CITIZEN)
    elif "stakeholder" in chosen and legitimate and _high(row.urgency):
        index += 1
        reasons.append(STEP_STAKEHOLDER)
    index = _capped(index, reasons, row)
    return ENGAGEMENT_OPTIONS[index], tuple(reasons)


def _status(recommended: str | None, row: RegisterRow, media: bool) -> tuple[str, int, int]:
    if media:
        return MEDIA_RELATIONS, 0, 0
    if recommended is None:
        return NOT_RATED, 0, 0
    if row.engagement is None:
        return NOT_RECORDED, 0, 0
    difference = ENGAGEMENT_OPTIONS.index(recommended) - ENGAGEMENT_OPTIONS.index(row.engagement)
    gap, above = max(difference, 0), max(-difference, 0)
    return (BELOW if gap else ABOVE if above else MATCHES), gap, above


def _check(row: RegisterRow) -> None:
    if row.engagement is not None and row.engagement not in ENGAGEMENT_OPTIONS:
        raise ValueError(f"segment '{row.segment_id}': '{row.engagement}' is not an IAP2 level")
    for attribute in ALL_RATING_ATTRIBUTES:
        rating = row.rating(attribute)
        if rating is not None and str(rating) not in RATING_OPTIONS:
            raise ValueError(f"segment '{row.segment_id}': {attribute} {rating!r} is not 1 to 4")
    if row.conflict is not None and row.conflict not in CONFLICT_OPTIONS:
        raise ValueError(f"segment '{row.segment_id}': conflict {row.conflict!r} is not known")
    if row.support is not None and row.support not in SUPPORT_OPTIONS:
        raise ValueError(f"segment '{row.segment_id}': support {row.support!r} is not yes or no")


def score_segment(
    question: RegisterQuestion, row: RegisterRow, models: Iterable[str] = (), locale: str = "en"
) -> SegmentEngagement:
    """Salience, relationship plan, recommended engagement and gap for one row on its own."""
    return score_rows(question, [row], models, locale)[0]


def _score_one(
    question: RegisterQuestion, row: RegisterRow, models: Sequence[str], locale: str
) -> SegmentEngagement:
    _check(row)
    listed = {s.id: s.label.get(locale) for s in question.segments}
    label = listed.get(row.segment_id) or row.label or row.segment_id
    kind = segment_kind(question, row)
    has_affected = question.has_attribute(AFFECTED_ATTRIBUTE)
    held, salience_class, salience_type = salience(row)
    recommended, reasons = recommended_level(row, models, kind=kind, has_affected=has_affected)
    status, gap, above = _status(recommended, row, kind == MEDIA)
    return SegmentEngagement(
        question_id=question.id,
        segment_id=row.segment_id,
        label=label,
        power=row.power,
        legitimacy=row.legitimacy,
        urgency=row.urgency,
        interest=row.interest,
        affected=row.affected if has_affected else None,
        regard=row.regard,
        conflict=row.conflict,
        extra_support=kind == EXTRA_SUPPORT,
        media=kind == MEDIA,
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
        regard_differs=bool(models) and row.regard is not None and row.regard not in models,
        gap_rank=None,
        gap_why=(),
    )


def _customer_raise(
    segments: list[SegmentEngagement], rows: Sequence[RegisterRow]
) -> list[SegmentEngagement]:
    """Customer model: a group who needs extra support is never recommended less than others.

    Each such group is raised to the highest level recommended to any group that does not need
    extra support, within the caps that hold for every group.
    """
    others = [
        ENGAGEMENT_OPTIONS.index(s.recommended)
        for s in segments
        if s.recommended is not None and not s.extra_support
    ]
    if not others:
        return segments
    highest_other = max(others)
    raised = []
    for segment, row in zip(segments, rows, strict=True):
        if (
            segment.extra_support
            and segment.recommended is not None
            and ENGAGEMENT_OPTIONS.index(segment.recommended) < highest_other
        ):
            reasons = [r for r in segment.reasons if not r.startswith("capped")]
            reasons.append(STEP_CUSTOMER)
            index = _capped(highest_other, reasons, row)
            if index > ENGAGEMENT_OPTIONS.index(segment.recommended):
                level = ENGAGEMENT_OPTIONS[index]
                status, gap, above = _status(level, row, False)
                segment = replace(
                    segment,
                    recommended=level,
                    reasons=tuple(reasons),
                    status=status,
                    gap=gap,
                    above_by=above,
                )
        raised.append(segment)
    return raised


def _why(segment: SegmentEngagement) -> tuple[str, ...]:
    why = [WHY_EXTRA_SUPPORT] if segment.extra_support else []
    why.append(WHY_GAP)
    if _high(segment.legitimacy):
        why.append(WHY_LEGITIMATE)
    if _high(segment.affected):
        why.append(WHY_AFFECTED)
    return tuple(why)


def rank_engagement_gaps(segments: Sequence[SegmentEngagement]) -> list[SegmentEngagement]:
    """``segments`` with every engagement gap ranked, the rest unranked, in the order given.

    Groups who need extra support come first; then the larger gap, the more legitimate claim,
    the more affected group, and finally the register's order.
    """
    order = {id(s): i for i, s in enumerate(segments)}
    below = sorted(
        (s for s in segments if s.status == BELOW),
        key=lambda s: (
            not s.extra_support,
            -s.gap,
            -(s.legitimacy or 0),
            -(s.affected or 0),
            order[id(s)],
        ),
    )
    ranks = {id(s): (i + 1, _why(s)) for i, s in enumerate(below)}
    return [
        replace(s, gap_rank=ranks[id(s)][0], gap_why=ranks[id(s)][1]) if id(s) in ranks else s
        for s in segments
    ]


def score_rows(
    question: RegisterQuestion,
    rows: Sequence[RegisterRow],
    models: Iterable[str] = (),
    locale: str = "en",
) -> tuple[SegmentEngagement, ...]:
    """Every row of one register, in the order given, with its engagement gap ranked."""
    models = tuple(models)
    segments = [_score_one(question, row, models, locale) for row in rows]
    if "customer" in models:
        segments = _customer_raise(segments, rows)
    return tuple(rank_engagement_gaps(segments))


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
        segments.extend(score_rows(question, answer.value, models, locale))  # type: ignore[arg-type]
    return tuple(segments)
