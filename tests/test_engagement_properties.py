"""Properties of the 2.0 engagement rules that must hold for any register and any chosen model.

No group with a claim of little legitimacy is recommended above consult; no group with a conflict
of interest is recommended above consult (on decisions about itself, which are what the register
rates); under the Citizen model no group with a legitimate claim gets less than a group without
one; under the Customer model no group who needs extra support gets less than any other group
whose own claim is legitimate enough to be raised; and the gaps of those groups rank first.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_helpers import real

from assess.questionnaire.answers import RegisterRow
from assess.questionnaire.schema import ENGAGEMENT_OPTIONS, RATING_HIGH_FROM
from assess.scoring.engagement import score_rows

REGISTER = real("definition").question("register")
SEGMENT_IDS = [s.id for s in REGISTER.segments] + ["custom-group-1", "custom-group-2"]
MODELS = ("customer", "citizen", "stakeholder")
MANY = settings(max_examples=200, deadline=None)
CONSULT = ENGAGEMENT_OPTIONS.index("consult")

ratings = st.integers(1, 4)
rows = st.lists(
    st.builds(
        RegisterRow,
        segment_id=st.sampled_from(SEGMENT_IDS),
        label=st.just("A group"),
        power=ratings,
        legitimacy=ratings,
        urgency=ratings,
        interest=ratings,
        affected=ratings,
        conflict=st.sampled_from(("none", "commercial", "regulatory")),
        support=st.sampled_from(("no", "yes")),
        engagement=st.sampled_from(ENGAGEMENT_OPTIONS),
    ),
    min_size=1,
    max_size=10,
    unique_by=lambda r: r.segment_id,
)
models = st.lists(st.sampled_from(MODELS), max_size=3, unique=True)


def _level(segment) -> int:
    return ENGAGEMENT_OPTIONS.index(segment.recommended)


def _scored(given_rows, chosen):
    return [s for s in score_rows(REGISTER, given_rows, chosen) if s.recommended is not None]


@MANY
@given(rows, models)
def test_no_group_with_little_legitimacy_is_recommended_above_consult(given_rows, chosen):
    for s in _scored(given_rows, chosen):
        if s.legitimacy < RATING_HIGH_FROM:
            assert _level(s) <= CONSULT, s


@MANY
@given(rows, models)
def test_a_group_with_a_conflict_of_interest_is_never_above_consult(given_rows, chosen):
    for s in _scored(given_rows, chosen):
        if s.conflict in ("commercial", "regulatory"):
            assert _level(s) <= CONSULT, s


@MANY
@given(rows, st.sampled_from([["citizen"], ["citizen", "stakeholder"]]))
def test_under_the_citizen_model_legitimacy_never_gets_less_than_its_absence(given_rows, chosen):
    scored = _scored(given_rows, chosen)
    legitimate = [s for s in scored if s.legitimacy >= RATING_HIGH_FROM]
    doubtful = [s for s in scored if s.legitimacy < RATING_HIGH_FROM]
    for high in legitimate:
        for low in doubtful:
            assert _level(high) >= _level(low), (high, low)


@MANY
@given(rows)
def test_under_the_customer_model_support_needs_are_never_ranked_below_others(given_rows):
    scored = _scored(given_rows, ["customer"])
    supported = [s for s in scored if s.extra_support]
    others = [s for s in scored if not s.extra_support]
    for needy in supported:
        # The caps that hold for every group hold for them too.
        capped = needy.legitimacy < RATING_HIGH_FROM or needy.conflict != "none"
        for other in others:
            if capped:
                assert _level(needy) >= min(_level(other), CONSULT), (needy, other)
            else:
                assert _level(needy) >= _level(other), (needy, other)


@MANY
@given(rows, models)
def test_engagement_gaps_of_groups_needing_support_rank_first(given_rows, chosen):
    ranked = sorted(
        (s for s in score_rows(REGISTER, given_rows, chosen) if s.gap_rank),
        key=lambda s: s.gap_rank,
    )
    assert [s.gap_rank for s in ranked] == list(range(1, len(ranked) + 1))
    flags = [s.extra_support for s in ranked]
    assert flags == sorted(flags, reverse=True)
    assert all(s.status == "below_needed" for s in ranked)
