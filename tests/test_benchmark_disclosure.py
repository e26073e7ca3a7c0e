"""No benchmark anyone can see reveals one contributor: an attacker who sees every benchmark ever
shown (every group, at every refresh), knows which organisations are in which group and knows
their own organisation's level, tries every possible level of every other contribution and keeps
those consistent with all they saw. A contribution is *revealed* when only one level remains.

The publisher is the benchmark's own rules (:func:`assess.scoring.benchmark.plan_releases` and
:func:`~assess.scoring.benchmark.group_figures`, as :func:`assess.services.benchmark.refresh`
applies them, with a release shown only while all its organisations still take part). Each
scenario is also run against a naive publisher (figures recomputed live for every group of at
least 5), to show the attack works: the naive one gives a contributor away.
"""

from __future__ import annotations

import random
from itertools import product

import pytest

from assess.scoring import benchmark as stats

K = 5
LEVELS = range(1, 6)

#: A state: organisation -> (its groups, its contribution's key, its level).
State = dict[int, tuple[tuple[str, ...], str, int]]


def _figures(members: dict[int, str], level_of: dict[str, int], naive: bool = False):
    if naive:  # quartiles of every group of five or more, never withheld
        return stats.quartiles([level_of[k] for k in members.values()])
    contributions = [
        stats.Contribution(org, key, {"a": (level_of[key], float(level_of[key]))})
        for org, key in sorted(members.items())
    ]
    return stats.group_figures(contributions, ["a"], K)


def _groups(timeline: list[State]) -> list[str]:
    return sorted({g for state in timeline for groups, _k, _v in state.values() for g in groups})


def publish(timeline: list[State], *, naive: bool = False) -> list[dict[int, str]]:
    """Every release anyone could see over the timeline (its contributions), in order."""
    made: list[dict[int, str]] = []
    latest: dict[str, dict[int, str]] = {}
    seen: list[dict[int, str]] = []
    for state in timeline:
        candidates = {
            g: {org: key for org, (groups, key, _v) in state.items() if g in groups}
            for g in _groups(timeline)
        }
        if naive:
            planned = [g for g, c in candidates.items() if len(c) >= K and latest.get(g) != c]
        else:
            planned = stats.plan_releases(candidates, latest, made, K)
        for g in planned:
            made.append(candidates[g])
            latest[g] = candidates[g]
        for members in latest.values():
            shown = naive or set(members) <= set(state)
            if shown and members not in seen:
                seen.append(members)
    return seen


def revealed(timeline: list[State], attacker: int, *, naive: bool = False) -> set[str]:
    """The contributions (keys) whose level the attacker can work out."""
    level_of = {key: v for state in timeline for _g, key, v in state.values()}
    own = {key for state in timeline for org, (_g, key, _v) in state.items() if org == attacker}
    observations = [(m, _figures(m, level_of, naive)) for m in publish(timeline, naive=naive)]
    unknown = sorted({key for m, _f in observations for key in m.values()} - own)
    assert len(unknown) <= 7, "keep the search small"
    possible: dict[str, set[int]] = {key: set() for key in unknown}
    for values in product(LEVELS, repeat=len(unknown)):
        guess = {**{k: level_of[k] for k in own}, **dict(zip(unknown, values, strict=True))}
        if all(_figures(m, guess, naive) == f for m, f in observations):
            for key, value in zip(unknown, values, strict=True):
                possible[key].add(value)
    assert any(possible.values()), "the truth is always consistent"
    return {key for key, values in possible.items() if len(values) == 1}


def _state(entries: dict[int, tuple[tuple[str, ...], str, int]]) -> State:
    return dict(entries)


LG = ("sector:lg", "band:1000")

#: Five councils in one sector and band; the attacker is organisation 1.
FIVE = {1: (LG, "c1", 1), 2: (LG, "c2", 2), 3: (LG, "c3", 3), 4: (LG, "c4", 4), 5: (LG, "c5", 5)}

SCENARIOS = {
    # One more council joins the sector and band: before and after differ by one.
    "one joins": [_state(FIVE), _state({**FIVE, 6: (LG, "c6", 5)})],
    # One of six leaves.
    "one leaves": [_state({**FIVE, 6: (LG, "c6", 5)}), _state(FIVE)],
    # A health trust shares only the size band: the band is the sector plus one.
    "nested groups": [_state({**FIVE, 6: (("sector:health", "band:1000"), "h6", 5)})],
    # One council re-assesses and moves up.
    "one re-assesses": [
        _state({**FIVE, 6: (LG, "c6", 3)}),
        _state({**FIVE, 6: (LG, "c6b", 5)}),
    ],
    # Every other council is at level 1; the attacker is at 5.
    "all alike": [
        _state({1: (LG, "c1", 5), **{i: (LG, f"c{i}", 1) for i in range(2, 6)}}),
    ],
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_attack_gives_a_contributor_away_under_naive_publishing(name):
    assert revealed(SCENARIOS[name], attacker=1, naive=True)


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_contributor_can_be_worked_out_from_every_benchmark_shown(name):
    assert revealed(SCENARIOS[name], attacker=1) == set()


def test_a_group_still_gets_new_figures_once_enough_has_changed():
    ten = {**FIVE, **{i: (LG, f"c{i}", 1 + i % 5) for i in range(6, 11)}}
    seen = publish([_state(FIVE), _state({**FIVE, 6: (LG, "c6", 2)}), _state(ten)])
    assert [len(m) for m in seen] == [5, 10]


def _random_timeline(rng: random.Random) -> list[State]:
    """Five organisations (more may join) in two sectors and one size band; then three joins,
    leaves or re-assessments."""
    groups = [("sector:lg", "band:1000"), ("sector:health", "band:1000")]
    state: State = {}
    for org in range(1, 6):
        state[org] = (rng.choice(groups), f"o{org}v0", rng.choice(LEVELS))
    timeline = [dict(state)]
    for step in range(1, 4):
        org = rng.randrange(1, 8)
        if org in state and rng.random() < 0.4 and org != 1:
            del state[org]
        else:
            state[org] = (
                state[org][0] if org in state else rng.choice(groups),
                f"o{org}v{step}",
                rng.choice(LEVELS),
            )
        timeline.append(dict(state))
    return timeline


@pytest.mark.parametrize("seed", range(12))
def test_random_joins_leaves_and_reassessments_reveal_no_one(seed):
    timeline = _random_timeline(random.Random(seed))
    assert revealed(timeline, attacker=1) == set()


def test_the_random_timelines_publish_figures_and_the_naive_publisher_leaks_some():
    timelines = [_random_timeline(random.Random(seed)) for seed in range(12)]
    assert sum(1 for t in timelines if publish(t)) >= 6
    assert any(revealed(t, attacker=1, naive=True) for t in timelines)
