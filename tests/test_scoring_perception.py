"""The stakeholders' own voice, scored: agreement on the levels' scale, margins, the threshold,
blind spots, the least heard group and whether groups feel treated as the body regards them."""

from __future__ import annotations

import pytest

from assess.questionnaire import loader
from assess.scoring.perception import (
    GroupTally,
    agreement,
    reliability,
    score_perception,
    t95,
)

PERCEPTION = loader.load_directory().perception
STATEMENTS = [s.id for s in PERCEPTION.statements()]
AREAS = {
    "leadership": ("Leadership and governance", 3.0),
    "strategy": ("A shared definition and chosen model", 3.0),
    "mapping": ("Knowing your stakeholders", 4.5),
    "engagement": ("Engaging people", 3.0),
    "fairness": ("Fairness and extra support", 4.0),
    "responsiveness": ("Listening and responding", 3.5),
    "organised-interests": ("Lobbies, pressure groups and the media", 2.0),
    "measurement": ("Measuring and improving", None),
}


def spread(*points: int, dont_know: int = 0) -> dict[str, int]:
    counts = {str(p): 0 for p in range(1, 6)}
    for p in points:
        counts[str(p)] += 1
    counts["dont_know"] = dont_know
    return counts


def all_statements(counts: dict[str, int], **overrides: dict[str, int]) -> dict[str, dict]:
    return {s: overrides.get(s.replace("-", "_"), counts) for s in STATEMENTS}


def test_agreement_is_the_mean_point_without_dont_know_and_a_t_based_margin():
    # 1, 2, 3, 4, 5: mean 3, SD sqrt(2.5) = 1.581; t(4) = 2.776; 2.776 x 1.581 / sqrt(5) = 1.96
    result = agreement([spread(1, 2, 3, 4, 5, dont_know=3)])
    assert (result.mean, result.margin, result.ratings, result.dont_know) == (3.0, 2.0, 5, 3)
    # Everybody agrees: no spread, no margin to speak of.
    assert agreement([spread(4, 4, 4, 4)]).margin == 0.0
    # One rating: a mean but no margin; none: neither.
    assert agreement([spread(5)]).margin is None
    assert agreement([spread(dont_know=4)]).mean is None


def test_the_margin_counts_each_person_once_across_an_areas_statements():
    # Two statements, 5 people each: n is 5, not 10, so the margin is as wide as for one.
    one = agreement([spread(1, 2, 3, 4, 5)])
    two = agreement([spread(1, 2, 3, 4, 5), spread(1, 2, 3, 4, 5)])
    assert one.mean == two.mean == 3.0
    assert two.ratings == 10
    assert two.margin == 1.9  # t(4) x 1.491 / sqrt(5) = 1.85


def test_t_values_and_how_far_a_sample_can_be_trusted():
    assert t95(1) == 12.706 and t95(4) == 2.776 and t95(30) == 2.042 and t95(500) == 1.96
    assert [reliability(n) for n in (5, 9, 10, 29, 30, 99, 100)] == [
        "indicative",
        "indicative",
        "rough",
        "rough",
        "fair",
        "fair",
        "firm",
    ]


def test_a_group_below_the_threshold_is_named_and_counted_nowhere():
    tallies = [
        GroupTally("residents", "Residents", "citizen", 5, all_statements(spread(2, 2, 2, 2, 2))),
        GroupTally("lobbies", "Lobbies", "stakeholder", 4, all_statements(spread(5, 5, 5, 5))),
    ]
    result = score_perception(PERCEPTION, tallies, AREAS, threshold=5)
    assert [g.group_id for g in result.groups] == ["residents"]
    assert result.hidden_groups == ("Lobbies",)
    assert result.responses == 5
    # The lobbies' fives would pull every figure up; none of them counts.
    assert {a.agreement.mean for a in result.areas} == {2.0}
    assert result.least_heard == ()  # one group shown: nobody to compare it with
    # With a threshold of 4 the lobbies count.
    assert score_perception(PERCEPTION, tallies, AREAS, threshold=4).responses == 9


def test_the_threshold_is_never_below_three():
    with pytest.raises(ValueError, match="at least 3"):
        score_perception(PERCEPTION, [], AREAS, threshold=2)


def test_a_blind_spot_is_a_whole_level_above_agreement_and_beyond_the_margin():
    counts = all_statements(
        spread(3, 3, 3, 3, 3, 3, 3, 3, 3, 3),
        know_needs=spread(2, 2, 2, 2, 2, 2, 2, 2, 2, 2),  # mapping: own 4.5, theirs 2.0
        treated_fairly=spread(1, 5, 1, 5, 1, 5, 1, 5, 1, 5),  # fairness: own 4, theirs 3 +- 1.4
        told_back=spread(3, 3, 3, 3, 3, 3, 3, 3, 3, 3),  # responsiveness: own 3.5, theirs 3
    )
    result = score_perception(
        PERCEPTION, [GroupTally("residents", "Residents", "citizen", 10, counts)], AREAS
    )
    mapping = result.area("mapping")
    assert (mapping.body_level, mapping.agreement.mean, mapping.gap) == (4.5, 2.0, 2.5)
    assert mapping.blind_spot
    fairness = result.area("fairness")
    assert fairness.gap == 1.0 and fairness.agreement.margin == pytest.approx(1.5, abs=0.1)
    assert not fairness.blind_spot  # a whole level, but within the margin of error
    assert not result.area("responsiveness").blind_spot  # beyond the margin, but only half
    assert result.area("measurement").gap is None  # the body has no level there
    assert result.blind_spots == ("mapping",)


def test_the_least_heard_group_and_what_each_group_agrees_with_least():
    residents = all_statements(spread(4, 4, 4, 4, 4), loud_voices=spread(2, 2, 2, 2, 2))
    businesses = all_statements(spread(2, 2, 2, 3, 3))
    result = score_perception(
        PERCEPTION,
        [
            GroupTally("residents", "Residents", "citizen", 5, residents),
            GroupTally("businesses", "Businesses", "stakeholder", 5, businesses),
        ],
        AREAS,
    )
    assert result.least_heard == ("businesses",)
    assert result.group("residents").least_agreed == ("loud-voices",)
    assert result.group("businesses").least_agreed == tuple(STATEMENTS)  # all tied


def test_customers_and_citizens_are_asked_whether_they_feel_treated_so():
    agree = spread(4, 4, 5, 4, 4)
    low = spread(1, 2, 2, 2, 3)
    middle = spread(3, 3, 3, 3, 4)
    users = all_statements(middle, happy_with_service=agree)
    tallies = [
        GroupTally("users", "Service users", "customer", 5, users),
        GroupTally("residents", "Residents", "citizen", 5, all_statements(agree, real_say=low)),
        GroupTally("tenants", "Tenants", "citizen", 5, all_statements(agree, real_say=middle)),
        GroupTally("firms", "Businesses", "stakeholder", 5, all_statements(agree)),
    ]
    checks = {c.group_id: c for c in score_perception(PERCEPTION, tallies, AREAS).regard_checks}
    assert set(checks) == {"users", "residents", "tenants"}  # stakeholders are not asked
    assert checks["users"].statement_ids == ("happy-with-service",)
    assert (checks["users"].agreement.mean, checks["users"].verdict) == (4.2, "yes")
    assert checks["residents"].statement_ids == ("real-say",)
    assert (checks["residents"].agreement.mean, checks["residents"].verdict) == (2.0, "no")
    assert (checks["tenants"].agreement.mean, checks["tenants"].verdict) == (3.2, "mixed")
