"""The peer benchmark's pure statistics: quartiles that never show the extremes, withholding an
area whose figures are all alike, the release rule, and where a value stands."""

from __future__ import annotations

import pytest

from assess.scoring import benchmark as stats
from assess.scoring.benchmark import Contribution, Quartiles


def _group(*levels: int, area: str = "a") -> list[Contribution]:
    return [
        Contribution(i, f"k{i}", {area: (level, float(level) + i / 100)})
        for i, level in enumerate(levels, start=1)
    ]


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (3, (2, 2, 2)),
        (4, (2, 2, 3)),
        (5, (2, 3, 4)),
        (6, (2, 3, 5)),
        (8, (2, 4, 6)),
        (20, (5, 10, 15)),
    ],
)
def test_quartiles_are_nearest_ranks_never_the_lowest_or_the_highest(n, expected):
    assert stats.ranks(n) == expected
    values = list(range(100, 100 + n))
    found = stats.quartiles(values)
    assert min(values) not in (found.lower, found.median, found.upper)
    assert max(values) not in (found.lower, found.median, found.upper)


def test_fewer_than_three_values_have_no_quartiles():
    with pytest.raises(ValueError):
        stats.ranks(2)


def test_quartiles_are_values_of_the_group_in_any_order():
    assert stats.quartiles([5, 1, 4, 2, 3]) == Quartiles(2, 3, 4)
    assert stats.quartiles([3.3, 1.0, 2.2, 2.8, 4.1, 2.5]) == Quartiles(2.2, 2.5, 3.3)


def test_scores_are_shown_to_one_decimal_halves_up():
    assert [stats.shown_score(v) for v in (2.75, 2.25, 3.25, 2.67, 1.6, 2.0)] == [
        2.8,
        2.3,
        3.3,
        2.7,
        1.6,
        2.0,
    ]


def test_a_group_needs_the_threshold_of_organisations():
    assert stats.group_figures(_group(1, 2, 3, 4), ["a"], 5) is None
    figures = stats.group_figures(_group(1, 2, 3, 4, 5), ["a"], 5)
    assert figures["a"]["level"] == Quartiles(2, 3, 4)
    assert figures["a"]["withheld"] is None


def test_an_area_where_all_but_one_are_alike_is_withheld():
    # The odd one out would otherwise know every other organisation's level.
    figures = stats.group_figures(_group(5, 1, 1, 1, 1), ["a"], 5)
    assert figures["a"] == {"level": None, "score": None, "withheld": "alike"}
    # Scores alike to one decimal place withhold the area too.
    same_score = [Contribution(i, f"k{i}", {"a": (i, 2.0)}) for i in range(1, 5)] + [
        Contribution(9, "k9", {"a": (1, 3.1)})
    ]
    assert stats.group_figures(same_score, ["a"], 5)["a"]["withheld"] == "alike"
    assert stats.group_figures(_group(5, 2, 1, 1, 1), ["a"], 5)["a"]["withheld"] is None


def test_only_complete_contributions_make_figures():
    partial = Contribution(1, "k1", {"a": (2, 2.0), "b": (None, None)})
    assert not stats.complete(partial, ["a", "b"])
    assert stats.complete(partial, ["a"])
    with pytest.raises(ValueError):
        stats.group_figures([partial, *_group(1, 2, 3, 4)[1:], *_group(5)], ["a", "b"], 3)


def test_contributions_differ_by_joining_leaving_or_reassessing():
    before = {1: "a", 2: "b", 3: "c"}
    assert stats.changed(before, before) == 0
    assert stats.changed(before, {**before, 4: "d"}) == 1
    assert stats.changed(before, {1: "a", 2: "b"}) == 1
    assert stats.changed(before, {1: "a", 2: "b", 3: "c2"}) == 1
    assert stats.changed(before, {4: "d", 5: "e", 6: "f"}) == 6


def test_a_release_must_equal_or_differ_from_every_earlier_one_by_the_threshold():
    five = {i: f"k{i}" for i in range(1, 6)}
    assert stats.may_release(five, [], 5)
    assert not stats.may_release({1: "k1", 2: "k2"}, [], 5)
    assert stats.may_release(five, [five], 5)
    six = {**five, 6: "k6"}
    assert not stats.may_release(six, [five], 5)
    ten = {**five, **{i: f"k{i}" for i in range(6, 11)}}
    assert stats.may_release(ten, [five], 5)
    # Against every earlier release, not only the last.
    assert not stats.may_release(six, [ten, five], 5)


def test_planning_checks_groups_against_each_other_in_order():
    five = {i: f"k{i}" for i in range(1, 6)}
    six = {**five, 6: "k6"}
    planned = stats.plan_releases({"sector": five, "band": six}, {}, [], 5)
    assert planned == ["sector"]
    # Unchanged groups get no new release.
    assert stats.plan_releases({"sector": five}, {"sector": five}, [five], 5) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, "below"),
        (2, "lower_middle"),
        (2.5, "lower_middle"),
        (3, "median"),
        (3.5, "upper_middle"),
        (4, "upper_middle"),
        (5, "above"),
    ],
)
def test_where_a_value_stands(value, expected):
    assert stats.standing(value, Quartiles(2, 3, 4)) == expected


def test_standing_without_figures_is_none():
    assert stats.standing(None, Quartiles(2, 3, 4)) is None
    assert stats.standing(2, None) is None


@pytest.mark.parametrize("value", [3, "3", " 7 ", 5])
def test_the_threshold_accepts_three_or_more(value):
    assert stats.checked_min_peers(value) == int(str(value).strip())


@pytest.mark.parametrize("value", [2, "0", "-1", "five", ""])
def test_the_threshold_refuses_less_than_three_or_not_a_number(value):
    with pytest.raises(ValueError, match="ASSESS_BENCHMARK_MIN_PEERS"):
        stats.checked_min_peers(value)
