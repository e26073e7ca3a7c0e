"""The stakeholders' own voice: survey answers set beside the body's view of itself.

Pure: counts in, figures out. A survey's answers arrive as a :class:`GroupTally` per register
group (how many responded, and for each statement how many chose each point of the agreement
scale or "don't know"); the body's own levels arrive as the adoption dimensions' mean evidenced
levels. The rules, written out for people in ``docs/methodology.md`` ("Stakeholders' own voice"):

* **Agreement** is the mean of the points chosen (1 strongly disagree ... 5 strongly agree),
  "don't know" left out. The scale has five points, like the maturity levels, so agreement and
  the body's level sit on one 1-5 scale without conversion.
* **Threshold.** A group's figures (and its comments, which are not scored here) are shown only
  when it has at least ``threshold`` responses (never below :data:`MIN_THRESHOLD`). A group below
  it is named, with no figure, and its answers count in **no** figure, not even the totals: a
  total that included them would give its figures away by subtraction.
* **Margin of error** (95%): ``t x SD / sqrt(n)``, with Student's t for ``n - 1`` degrees of
  freedom, SD the ratings' standard deviation and ``n`` the fewest ratings any one statement of
  the area got from the groups shown (each person counted once). With fewer than two there is no
  margin.
* **Blind spot**: an area where the body's own level is at least :data:`BLIND_SPOT_GAP` above its
  stakeholders' agreement *and* above the top of the agreement's margin of error.
* **Least heard**: the shown group with the lowest overall agreement (every rating it gave);
  and for each group, the statement it agrees with least.
* **Treated as regarded**: for a group the register regards as customers (citizens), the
  agreement with the statements marked ``treated_as: customer`` (``citizen``): at least
  :data:`AGREE_FROM` means yes, at most :data:`DISAGREE_TO` no, anything between mixed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from assess.questionnaire.schema import Questionnaire
from assess.scoring._common import Result, round_half_up

#: The default and the lowest number of responses a group needs before its figures are shown.
DEFAULT_THRESHOLD = 5
MIN_THRESHOLD = 3
#: How many levels the body's own level must exceed its stakeholders' agreement by to be a
#: blind spot (and it must also be beyond the margin of error).
BLIND_SPOT_GAP = Fraction(1)
#: Agreement at or above this reads as "agree"; at or below DISAGREE_TO as "disagree".
AGREE_FROM = Fraction(7, 2)
DISAGREE_TO = Fraction(5, 2)
#: Decimals of agreement figures and margins.
DECIMALS = 1
#: The "don't know" key of a statement's counts.
DONT_KNOW = "dont_know"
SCALE = (1, 2, 3, 4, 5)

#: Student's t for a 95% two-sided interval, by degrees of freedom 1 to 30.
_T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip

#: How far a sample of ``n`` responses can be trusted, by the smallest ``n`` of each band.
RELIABILITY_BANDS = ((100, "firm"), (30, "fair"), (10, "rough"), (0, "indicative"))


def t95(degrees: int) -> float:
    """Student's t for a 95% two-sided interval (1.96, the normal value, beyond 120)."""
    if degrees < 1:
        raise ValueError("a margin needs at least two ratings")
    if degrees <= len(_T95):
        return _T95[degrees - 1]
    if degrees <= 60:
        return 2.000
    if degrees <= 120:
        return 1.980
    return 1.960


def reliability(responses: int) -> str:
    """``indicative`` (under 10), ``rough`` (10-29), ``fair`` (30-99) or ``firm`` (100 or more)."""
    return next(band for low, band in RELIABILITY_BANDS if responses >= low)


@dataclass(frozen=True)
class GroupTally:
    """One group's answers as counts: ``counts[statement_id][point]`` with points 1-5 and
    ``dont_know``."""

    group_id: str
    label: str
    #: How the body's register regards the group: customer, citizen, stakeholder or None.
    regard: str | None
    responses: int
    counts: Mapping[str, Mapping[str | int, int]] = field(default_factory=dict)
    #: Of the responses, how many were typed in from paper and how many were marked as possibly
    #: sent twice from one device.
    paper: int = 0
    possible_duplicates: int = 0


@dataclass(frozen=True)
class Agreement(Result):
    """Agreement with some statements: the mean point and its 95% margin of error."""

    #: The mean point, 1.0 to 5.0 (None when nobody rated them).
    mean: float | None
    #: Half the width of the 95% interval (None with fewer than two ratings).
    margin: float | None
    #: Ratings counted ("don't know" left out), and the "don't know" answers.
    ratings: int
    dont_know: int


@dataclass(frozen=True)
class StatementResult(Result):
    statement_id: str
    text: str
    area: str
    agreement: Agreement


@dataclass(frozen=True)
class GroupResult(Result):
    """A group past the threshold: its figures."""

    group_id: str
    label: str
    regard: str | None
    responses: int
    paper: int
    possible_duplicates: int
    #: Every rating the group gave, all statements together.
    overall: Agreement
    statements: tuple[StatementResult, ...]
    #: Per area id: the group's agreement with the area's statements.
    areas: Mapping[str, Agreement]
    #: The statement(s) the group agrees with least (ties all listed).
    least_agreed: tuple[str, ...]
    #: ``indicative``, ``rough``, ``fair`` or ``firm`` (see :func:`reliability`).
    reliability: str


@dataclass(frozen=True)
class AreaComparison(Result):
    """One adoption area: the body's own level beside its stakeholders' agreement."""

    area_id: str
    title: str
    #: The body's mean evidenced level in the dimension, to one decimal (None when it has none).
    body_level: float | None
    #: Pooled over the groups past the threshold.
    agreement: Agreement
    #: The statements asked about the area.
    statement_ids: tuple[str, ...]
    #: body_level - agreement, when both exist.
    gap: float | None
    blind_spot: bool


@dataclass(frozen=True)
class RegardCheck(Result):
    """Whether a group regarded as customers (citizens) feels treated as customers (citizens)."""

    group_id: str
    label: str
    regard: str
    statement_ids: tuple[str, ...]
    agreement: Agreement
    #: ``yes``, ``no``, ``mixed`` or ``unknown`` (nobody rated the statements).
    verdict: str


@dataclass(frozen=True)
class PerceptionResult(Result):
    threshold: int
    #: Responses of the groups shown (those below the threshold are not counted anywhere).
    responses: int
    groups: tuple[GroupResult, ...]
    #: Labels of the groups below the threshold: named, never counted.
    hidden_groups: tuple[str, ...]
    areas: tuple[AreaComparison, ...]
    blind_spots: tuple[str, ...]
    #: The shown group(s) with the lowest overall agreement (ties all listed).
    least_heard: tuple[str, ...]
    regard_checks: tuple[RegardCheck, ...]
    reliability: str | None

    def group(self, group_id: str) -> GroupResult:
        return next(g for g in self.groups if g.group_id == group_id)

    def area(self, area_id: str) -> AreaComparison:
        return next(a for a in self.areas if a.area_id == area_id)


def _points(counts: Sequence[Mapping[str | int, int]]) -> tuple[dict[int, int], int, int]:
    """Add up several statements' counts: per point, the "don't know" answers, and the fewest
    ratings any one statement got."""
    total = dict.fromkeys(SCALE, 0)
    dont_know = 0
    fewest: int | None = None
    for one in counts:
        rated = 0
        for point in SCALE:
            n = int(one.get(point, 0) or one.get(str(point), 0) or 0)
            total[point] += n
            rated += n
        dont_know += int(one.get(DONT_KNOW, 0) or 0)
        fewest = rated if fewest is None else min(fewest, rated)
    return total, dont_know, fewest or 0


def agreement(counts: Sequence[Mapping[str | int, int]]) -> Agreement:
    """The agreement of several statements' counts taken together (see the module's rules)."""
    total, dont_know, fewest = _points(counts)
    ratings = sum(total.values())
    if ratings == 0:
        return Agreement(mean=None, margin=None, ratings=0, dont_know=dont_know)
    mean = Fraction(sum(p * n for p, n in total.items()), ratings)
    margin = None
    if ratings >= 2 and fewest >= 2:
        variance = sum(n * (p - mean) ** 2 for p, n in total.items()) / (ratings - 1)
        margin = t95(fewest - 1) * math.sqrt(variance) / math.sqrt(fewest)
    return Agreement(
        mean=round_half_up(mean, DECIMALS),
        margin=None if margin is None else round_half_up(Fraction(margin), DECIMALS),
        ratings=ratings,
        dont_know=dont_know,
    )


def _merged(counts: Sequence[Mapping[str | int, int]]) -> dict[str, int]:
    """One statement's counts from several groups, added up."""
    total = dict.fromkeys([*(str(p) for p in SCALE), DONT_KNOW], 0)
    for one in counts:
        for point in SCALE:
            total[str(point)] += int(one.get(point, 0) or one.get(str(point), 0) or 0)
        total[DONT_KNOW] += int(one.get(DONT_KNOW, 0) or 0)
    return total


def _exact_mean(counts: Sequence[Mapping[str | int, int]]) -> Fraction | None:
    total, _dk, _fewest = _points(counts)
    ratings = sum(total.values())
    return Fraction(sum(p * n for p, n in total.items()), ratings) if ratings else None


def _lowest(values: Mapping[str, float | None]) -> tuple[str, ...]:
    known = {k: v for k, v in values.items() if v is not None}
    if not known:
        return ()
    low = min(known.values())
    return tuple(k for k, v in known.items() if v == low)


def _verdict(mean: Fraction | None) -> str:
    if mean is None:
        return "unknown"
    if mean >= AGREE_FROM:
        return "yes"
    if mean <= DISAGREE_TO:
        return "no"
    return "mixed"


def score_perception(
    perception: Questionnaire,
    tallies: Sequence[GroupTally],
    body_levels: Mapping[str, tuple[str, float | None]],
    threshold: int = DEFAULT_THRESHOLD,
    locale: str = "en",
) -> PerceptionResult:
    """Set the survey's answers beside the body's own levels.

    ``body_levels`` maps each adoption area id to (its title, the body's mean evidenced level or
    None), in the order the areas are shown. Groups with fewer than ``threshold`` responses are
    named but never counted.
    """
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"the threshold is at least {MIN_THRESHOLD}, not {threshold}")
    statements = perception.statements()
    by_area: dict[str, list[str]] = {}
    for statement in statements:
        by_area.setdefault(statement.area, []).append(statement.id)
    shown = [t for t in tallies if t.responses >= threshold]
    hidden = tuple(t.label for t in tallies if t.responses < threshold)

    groups: list[GroupResult] = []
    for tally in shown:
        per_statement = tuple(
            StatementResult(
                s.id, s.text.get(locale), s.area, agreement([tally.counts.get(s.id, {})])
            )
            for s in statements
        )
        groups.append(
            GroupResult(
                group_id=tally.group_id,
                label=tally.label,
                regard=tally.regard,
                responses=tally.responses,
                paper=tally.paper,
                possible_duplicates=tally.possible_duplicates,
                overall=agreement([tally.counts.get(s.id, {}) for s in statements]),
                statements=per_statement,
                areas={
                    area: agreement([tally.counts.get(sid, {}) for sid in ids])
                    for area, ids in by_area.items()
                },
                least_agreed=_lowest({r.statement_id: r.agreement.mean for r in per_statement}),
                reliability=reliability(tally.responses),
            )
        )

    areas: list[AreaComparison] = []
    for area_id, (title, body_level) in body_levels.items():
        ids = tuple(by_area.get(area_id, ()))
        if not ids:
            continue
        # Each statement's counts added up over the groups shown: one person, one rating.
        counts = [_merged([t.counts.get(sid, {}) for t in shown]) for sid in ids]
        pooled = agreement(counts)
        exact = _exact_mean(counts)
        gap = blind = None
        if body_level is not None and exact is not None:
            difference = Fraction(str(body_level)) - exact
            gap = round_half_up(difference, DECIMALS) + 0.0  # never "-0.0"
            beyond_margin = pooled.margin is not None and (
                Fraction(str(body_level)) > exact + Fraction(str(pooled.margin))
            )
            blind = difference >= BLIND_SPOT_GAP and beyond_margin
        areas.append(
            AreaComparison(
                area_id=area_id,
                title=title,
                body_level=None
                if body_level is None
                else round_half_up(Fraction(str(body_level)), DECIMALS),
                agreement=pooled,
                statement_ids=ids,
                gap=gap,
                blind_spot=bool(blind),
            )
        )

    checks: list[RegardCheck] = []
    for tally in shown:
        if tally.regard not in ("customer", "citizen"):
            continue
        ids = tuple(s.id for s in statements if s.treated_as == tally.regard)
        if not ids:
            continue
        counts = [tally.counts.get(sid, {}) for sid in ids]
        checks.append(
            RegardCheck(
                group_id=tally.group_id,
                label=tally.label,
                regard=tally.regard,
                statement_ids=ids,
                agreement=agreement(counts),
                verdict=_verdict(_exact_mean(counts)),
            )
        )

    responses = sum(t.responses for t in shown)
    overall_exact = {
        g.group_id: _exact_mean([t.counts.get(s.id, {}) for s in statements])
        for g, t in zip(groups, shown, strict=True)
    }
    return PerceptionResult(
        threshold=threshold,
        responses=responses,
        groups=tuple(groups),
        hidden_groups=hidden,
        areas=tuple(areas),
        blind_spots=tuple(a.area_id for a in areas if a.blind_spot),
        least_heard=_lowest({k: None if v is None else float(v) for k, v in overall_exact.items()})
        if len(groups) > 1
        else (),
        regard_checks=tuple(checks),
        reliability=reliability(responses) if groups else None,
    )
