"""The peer benchmark's statistics and its disclosure rules (pure: no database, no Flask).

Organisations that take part contribute one set of figures each: per area, the lowest level and
the mean level (the area's score) of their latest finalised assessment. A group (a sector, or a
size band) gets figures only under the rules below, written out in ``docs/methodology.md``,
"Peer benchmark":

1. **Enough contributors.** At least ``min_peers`` organisations (5 by default, never fewer than
   :data:`MIN_PEERS_FLOOR`).
2. **Only order statistics, never the extremes.** Each figure is the value of one contribution at
   a fixed rank (nearest rank, ``ceil(p * n)``), and the ranks are kept between the second lowest
   and the second highest, so the lowest and the highest contribution are never shown, and no
   figure is an average that could be unpicked. Scores are shown to one decimal place.
3. **Never all alike.** When all contributions but at most one have the same value in an area (a
   level, or a score to one decimal place), that area's figures are withheld: anyone whose own
   value is the odd one out would otherwise know every other contributor's value.
4. **No differencing.** Figures are published as a *release*: a snapshot of a group's figures with
   the set of contributions behind it. A new release is made only when its set of contributions
   is the same as, or differs in at least ``min_peers`` contributions from, *every* release ever
   made, of any group (a contribution differs when an organisation joins, leaves or contributes a
   newer assessment). So no two figures anyone has seen can be set against each other to isolate
   fewer than ``min_peers`` organisations: not two groups that happen to nearly coincide (a sector
   and a size band), and not one group before and after one organisation joins, leaves or
   re-assesses.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

#: The lowest number of contributors a group may be shown with, whatever is configured.
MIN_PEERS_FLOOR: Final = 3
#: The number of contributors a group needs by default.
DEFAULT_MIN_PEERS: Final = 5

#: The measures of an area: its lowest level and its mean level (the area's score).
MEASURES: Final = ("level", "score")

#: Where a value stands against a group's quartiles, lowest first.
STANDINGS: Final = ("below", "lower_middle", "median", "upper_middle", "above")


def checked_min_peers(value: Any) -> int:
    """``value`` as the number of contributors a group needs; ValueError with a sentence a
    person can act on when it is not a whole number of at least :data:`MIN_PEERS_FLOOR`."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(
            f"ASSESS_BENCHMARK_MIN_PEERS must be a whole number, not {value!r}."
        ) from None
    if number < MIN_PEERS_FLOOR:
        raise ValueError(
            f"ASSESS_BENCHMARK_MIN_PEERS is {number}, but a benchmark group needs at least "
            f"{MIN_PEERS_FLOOR} organisations, or one organisation's figures could be worked out "
            f"from it. Set it to {MIN_PEERS_FLOOR} or more (the default is {DEFAULT_MIN_PEERS})."
        )
    return number


@dataclass(frozen=True)
class Contribution:
    """One organisation's figures: by area id, its lowest level and its score (mean level)."""

    organisation_id: int
    #: What identifies this contribution (the stored report's SHA-256): a newer assessment of the
    #: same organisation is a different contribution.
    key: str
    #: Area id -> (lowest level, score); either may be None (nothing answered in the area).
    figures: Mapping[str, tuple[int | None, float | None]]


@dataclass(frozen=True)
class Quartiles:
    """The lower quartile, the median and the upper quartile of a group's values."""

    lower: float
    median: float
    upper: float

    def as_dict(self) -> dict[str, float]:
        return {"lower": self.lower, "median": self.median, "upper": self.upper}


def ranks(n: int) -> tuple[int, int, int]:
    """The 1-based ranks (in ascending order) of the lower quartile, the median and the upper
    quartile among ``n`` values: nearest rank, ``ceil(p * n)``, kept from 2 to ``n - 1`` so that
    neither the lowest nor the highest value is ever one of them."""
    if n < MIN_PEERS_FLOOR:
        raise ValueError(f"quartiles need at least {MIN_PEERS_FLOOR} values, not {n}")
    return tuple(min(max(math.ceil(p * n), 2), n - 1) for p in (0.25, 0.5, 0.75))  # type: ignore[return-value]


def quartiles(values: Sequence[float]) -> Quartiles:
    """The quartiles of ``values`` by :func:`ranks`: each is one of the values."""
    ordered = sorted(values)
    lower, median, upper = (ordered[r - 1] for r in ranks(len(ordered)))
    return Quartiles(lower, median, upper)


def shown_score(value: float) -> float:
    """A score as the benchmark shows it: one decimal place, halves away from zero."""
    return math.floor(value * 10 + 0.5) / 10


def too_alike(values: Sequence[float]) -> bool:
    """Whether all values but at most one are the same (rule 3)."""
    if not values:
        return True
    return Counter(values).most_common(1)[0][1] >= len(values) - 1


def complete(contribution: Contribution, area_ids: Iterable[str]) -> bool:
    """Whether a contribution has a lowest level and a score in every one of ``area_ids``.

    Only complete contributions count: were an organisation to count in one area and not in
    another, the two areas' figures would rest on different sets of organisations."""
    return all(
        contribution.figures.get(area, (None, None))[0] is not None
        and contribution.figures.get(area, (None, None))[1] is not None
        for area in area_ids
    )


def area_figures(contributions: Sequence[Contribution], area_id: str) -> dict[str, Any]:
    """One area's figures for a group of complete contributions: ``{"level": Quartiles | None,
    "score": Quartiles | None, "withheld": None | "alike"}``; both measures are withheld
    together (rule 3)."""
    levels = [float(c.figures[area_id][0]) for c in contributions]  # type: ignore[arg-type]
    scores = [shown_score(float(c.figures[area_id][1])) for c in contributions]  # type: ignore[arg-type]
    if too_alike(levels) or too_alike(scores):
        return {"level": None, "score": None, "withheld": "alike"}
    return {"level": quartiles(levels), "score": quartiles(scores), "withheld": None}


def group_figures(
    contributions: Sequence[Contribution], area_ids: Iterable[str], min_peers: int
) -> dict[str, dict[str, Any]] | None:
    """Every area's figures for a group, or None when the group has fewer than ``min_peers``
    contributors (rule 1)."""
    areas = list(area_ids)
    if len({c.organisation_id for c in contributions}) < min_peers:
        return None
    if not all(complete(c, areas) for c in contributions):
        raise ValueError("only complete contributions make a group's figures")
    return {area: area_figures(contributions, area) for area in areas}


def changed(a: Mapping[int, str], b: Mapping[int, str]) -> int:
    """How many contributions differ between two sets (organisation id -> contribution key): an
    organisation in only one of them, or in both with a different contribution."""
    return sum(1 for org in a.keys() | b.keys() if a.get(org) != b.get(org))


def may_release(
    candidate: Mapping[int, str], released: Iterable[Mapping[int, str]], min_peers: int
) -> bool:
    """Whether a release with ``candidate``'s contributions may be made, given every release
    made before (rules 1 and 4): enough contributors, and against each earlier release either
    the same contributions or at least ``min_peers`` different ones."""
    if len(candidate) < min_peers:
        return False
    for earlier in released:
        differing = changed(candidate, earlier)
        if 0 < differing < min_peers:
            return False
    return True


def plan_releases(
    candidates: Mapping[Any, Mapping[int, str]],
    latest: Mapping[Any, Mapping[int, str]],
    released: Sequence[Mapping[int, str]],
    min_peers: int,
) -> list[Any]:
    """The groups (keys of ``candidates``, in their order) that get a new release now: those
    whose contributions differ from their ``latest`` release and that :func:`may_release` allows
    against every release made before, including the ones planned here for groups before them.
    """
    history = list(released)
    planned = []
    for group, candidate in candidates.items():
        if group in latest and changed(candidate, latest[group]) == 0:
            continue
        if may_release(candidate, history, min_peers):
            planned.append(group)
            history.append(candidate)
    return planned


def standing(value: float | None, figures: Quartiles | None) -> str | None:
    """Where ``value`` stands against a group's quartiles (one of :data:`STANDINGS`), or None."""
    if value is None or figures is None:
        return None
    if value < figures.lower:
        return "below"
    if value > figures.upper:
        return "above"
    if value == figures.median:
        return "median"
    return "lower_middle" if value < figures.median else "upper_middle"
