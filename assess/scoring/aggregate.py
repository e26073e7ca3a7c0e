"""Several respondents' answers to one questionnaire: counts, medians, ranges and a default
agreed answer.

Used by workshops, where individuals answer first and the group then agrees (the CAF 2020
practice). See ``docs/methodology.md`` ("Several respondents") for the rules in plain English.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from assess.questionnaire.answers import Answer, RegisterRow, Status
from assess.questionnaire.schema import (
    LevelQuestion,
    MultipleQuestion,
    Question,
    Questionnaire,
    RegisterQuestion,
    SingleQuestion,
)
from assess.questionnaire.validation import visible_questions
from assess.scoring._common import (
    ANSWERED,
    DONT_KNOW,
    NOT_APPLICABLE,
    UNANSWERED,
    Result,
    classify,
    share,
)


@dataclass(frozen=True)
class ValueCount(Result):
    """How many respondents gave one option (an option id) or one level (1 to 5)."""

    value: str | int
    count: int


@dataclass(frozen=True)
class QuestionAggregate(Result):
    """Every respondent's answer to one question, summed up."""

    question_id: str
    question_type: str
    #: Everyone counted, whatever they answered.
    respondents: int
    answered: int
    not_applicable: int
    dont_know: int
    unanswered: int
    #: Respondents to whom the question was not shown (its show_if was not met).
    hidden: int
    #: single and multiple: per option in questionnaire order (multiple: every choice counts);
    #: level: per level 1 to 5. Empty for text and register questions.
    counts: tuple[ValueCount, ...]
    #: The most common option(s) or level(s); several when tied.
    most_common: tuple[str | int, ...]
    #: The most common answer's count / answered (for multiple: the share of answering
    #: respondents who chose it), rounded to SHARE_DECIMALS.
    most_common_share: float | None
    #: level: the exact median (may end in .5), the median rounded half down, lowest, highest
    #: and range (highest - lowest).
    median: float | None
    median_level: int | None
    lowest: int | None
    highest: int | None
    range: int | None


def _levels(answers: Sequence[Answer]) -> list[int]:
    return sorted(int(a.value) for a in answers)  # type: ignore[arg-type]


def median_level(levels: Sequence[int]) -> int:
    """The median of ``levels``, rounded half down (the lower of the two middle values)."""
    ordered = sorted(levels)
    if not ordered:
        raise ValueError("no levels")
    return ordered[(len(ordered) - 1) // 2]


def _chosen(answer: Answer) -> set[str]:
    value = answer.value
    return {str(v) for v in value} if isinstance(value, tuple) else {str(value)}


def aggregate_question(
    question: Question, answers: Sequence[Answer | None], hidden: int = 0
) -> QuestionAggregate:
    """Sum up ``answers`` (one per respondent; None for no answer) to ``question``.

    ``hidden`` counts further respondents to whom the question was not shown.
    """
    kinds = [classify(a) for a in answers]
    real = [a for a, k in zip(answers, kinds, strict=True) if k == ANSWERED and a is not None]
    counts: list[ValueCount] = []
    median = lowest = highest = spread = rounded = None
    if isinstance(question, SingleQuestion | MultipleQuestion):
        chosen = [_chosen(a) for a in real]
        counts = [ValueCount(o.id, sum(o.id in c for c in chosen)) for o in question.options]
    elif isinstance(question, LevelQuestion):
        levels = _levels(real)
        counts = [ValueCount(n, levels.count(n)) for n in range(1, 6)]
        if levels:
            middle = len(levels) // 2
            exact = (
                Fraction(levels[middle])
                if len(levels) % 2
                else Fraction(levels[middle - 1] + levels[middle], 2)
            )
            median, rounded = float(exact), median_level(levels)
            lowest, highest = levels[0], levels[-1]
            spread = highest - lowest
    top = max((c.count for c in counts), default=0)
    return QuestionAggregate(
        question_id=question.id,
        question_type=question.type,
        respondents=len(answers) + hidden,
        answered=len(real),
        not_applicable=kinds.count(NOT_APPLICABLE),
        dont_know=kinds.count(DONT_KNOW),
        unanswered=kinds.count(UNANSWERED),
        hidden=hidden,
        counts=tuple(counts),
        most_common=tuple(c.value for c in counts if top and c.count == top),
        most_common_share=share(top, len(real)) if counts else None,
        median=median,
        median_level=rounded,
        lowest=lowest,
        highest=highest,
        range=spread,
    )


def aggregate(
    questionnaire: Questionnaire, respondents: Sequence[Mapping[str, Answer]]
) -> tuple[QuestionAggregate, ...]:
    """Sum up several respondents' answers, question by question in questionnaire order.

    Each respondent's own answers decide which questions they were shown; a question hidden from
    a respondent counts under ``hidden``, not as unanswered.
    """
    shown = [visible_questions(questionnaire, r) for r in respondents]
    result = []
    for _section, question in questionnaire.questions():
        given = [
            r.get(question.id) for r, s in zip(respondents, shown, strict=True) if question.id in s
        ]
        result.append(aggregate_question(question, given, hidden=len(respondents) - len(given)))
    return tuple(result)


#: The kinds of response a group can agree on, in the order they are reported.
_KIND_ORDER = (ANSWERED, NOT_APPLICABLE, DONT_KNOW)

#: Why the engine proposes no default agreed answer (see :func:`no_default_reason`).
NO_ANSWERS = "no_answers"
WRITTEN = "written"
KINDS_TIED = "kinds_tied"
TIED = "tied"


def _kind_winner(answers: Sequence[Answer | None]) -> str | None:
    """The most frequent kind of response; None when nobody responded or two kinds tie."""
    kinds = [classify(a) for a in answers]
    tally = {kind: kinds.count(kind) for kind in _KIND_ORDER}
    top = max(tally.values())
    if not top:
        return None
    winners = [kind for kind in _KIND_ORDER if tally[kind] == top]
    return winners[0] if len(winners) == 1 else None


def _multiple_pick(
    question: MultipleQuestion, summary: QuestionAggregate
) -> tuple[str, ...] | None:
    """The options a multiple-choice default keeps; None when a tie would decide which."""
    by_count = sorted(summary.counts, key=lambda c: -c.count)  # stable: file order on ties
    majority = [c for c in by_count if 2 * c.count >= summary.answered]
    if not majority:
        if len(summary.most_common) != 1:
            return None
        majority = by_count[:1]
    limit = question.max_choices or len(majority)
    if len(majority) > limit and majority[limit - 1].count == majority[limit].count:
        return None
    ids = {str(c.value) for c in majority[:limit]}
    return tuple(o.id for o in question.options if o.id in ids)


def no_default_reason(question: Question, answers: Sequence[Answer | None]) -> str | None:
    """Why :func:`consensus_answer` proposes nothing for ``answers``, or None when it proposes
    an answer: ``NO_ANSWERS`` (nobody responded), ``WRITTEN`` (a text or register question),
    ``KINDS_TIED`` (as many said "not applicable" or "don't know" as answered, or the like) or
    ``TIED`` (two or more options or levels were chosen equally often)."""
    if not isinstance(question, SingleQuestion | MultipleQuestion | LevelQuestion):
        return WRITTEN
    if not any(classify(a) in _KIND_ORDER for a in answers):
        return NO_ANSWERS
    winner = _kind_winner(answers)
    if winner is None:
        return KINDS_TIED
    if winner != ANSWERED:
        return None
    summary = aggregate_question(question, answers)
    if isinstance(question, MultipleQuestion):
        return TIED if _multiple_pick(question, summary) is None else None
    return TIED if len(summary.most_common) != 1 else None


def consensus_answer(question: Question, answers: Sequence[Answer | None]) -> Answer | None:
    """The engine's default agreed answer to ``question``, for a group to confirm or change.

    The most frequent kind of response wins (a real answer, "not applicable" or "don't know").
    From the real answers: a level question takes the median rounded half down; a single
    question the most chosen option; a multiple question every option chosen by at least half of
    those who answered (if none, the most chosen one), at most ``max_choices`` of them (more
    often chosen first).

    There is no default for a tie: when two kinds of response, or two or more options or levels,
    are given equally often (so that only an arbitrary rule could pick one), the result is None
    and the group decides. Text and register questions get None too (the group writes those
    together), as does a question nobody responded to. :func:`no_default_reason` says which.
    """
    if no_default_reason(question, answers) is not None:
        return None
    winner = _kind_winner(answers)
    if winner == NOT_APPLICABLE:
        return Answer(question.id, Status.NOT_APPLICABLE)
    if winner == DONT_KNOW:
        return Answer(question.id, Status.DONT_KNOW)
    summary = aggregate_question(question, answers)
    if isinstance(question, LevelQuestion):
        return Answer(question.id, value=summary.median_level)
    if isinstance(question, SingleQuestion):
        return Answer(question.id, value=str(summary.most_common[0]))
    assert isinstance(question, MultipleQuestion)
    return Answer(question.id, value=_multiple_pick(question, summary))


@dataclass(frozen=True)
class ColumnSpread(Result):
    """How the room rated one group on one column of the register (power, engagement ...)."""

    attribute: str
    #: Per option of the column, in the column's order; only options someone chose.
    counts: tuple[ValueCount, ...]


@dataclass(frozen=True)
class GroupSpread(Result):
    """The room's ratings of one group of the register."""

    #: A listed segment's id, or the name participants gave a group of their own (participants
    #: who typed the same name, whatever its case and spacing, count as one group).
    segment_id: str
    label: str | None
    #: How many participants rated the group on at least one column.
    rated_by: int
    columns: tuple[ColumnSpread, ...]


def register_spread(
    question: RegisterQuestion, answers: Sequence[Answer | None]
) -> tuple[GroupSpread, ...]:
    """Every participant's register, group by group: the listed groups in the questionnaire's
    order, then the groups participants added (in the order first seen). A register has no
    default agreed answer (see :func:`no_default_reason`): the room agrees it with this spread
    in view."""
    rows_by_group: dict[str, list[RegisterRow]] = {}
    labels: dict[str, str | None] = {s.id: None for s in question.segments}
    for segment in question.segments:
        rows_by_group[segment.id] = []
    for answer in answers:
        if answer is None or classify(answer) != ANSWERED:
            continue
        for row in answer.value if isinstance(answer.value, tuple) else ():
            if not isinstance(row, RegisterRow):
                continue
            key = row.segment_id
            if key not in labels:
                name = " ".join((row.label or row.segment_id).split())
                key = "own:" + name.casefold()
                labels.setdefault(key, name)
            rows_by_group.setdefault(key, []).append(row)
    spread = []
    for key, rows in rows_by_group.items():
        columns = []
        for attribute in question.attributes:
            chosen = [getattr(r, attribute.id) for r in rows]
            counts = tuple(
                ValueCount(o.id, sum(1 for c in chosen if c is not None and str(c) == o.id))
                for o in attribute.options
            )
            counts = tuple(c for c in counts if c.count)
            if counts:
                columns.append(ColumnSpread(attribute.id, counts))
        rated = sum(
            1 for r in rows if any(getattr(r, a.id) is not None for a in question.attributes)
        )
        spread.append(GroupSpread(key, labels[key], rated, tuple(columns)))
    return tuple(spread)
