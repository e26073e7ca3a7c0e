"""Gaps against the chosen model's targets, their ranking and the recommended steps."""

from __future__ import annotations

from scoring_helpers import adoption, answers, evidenced, level_question

from assess.scoring import score_maturity
from assess.scoring.gaps import dimension_target, rank_gaps


def _questionnaire():
    return adoption(
        ("alpha", 1, {"customer": 4, "citizen": 2, "stakeholder": 3}, [level_question("a")]),
        ("beta", 3, {"customer": 2, "citizen": 4, "stakeholder": 3}, [level_question("b")]),
        ("gamma", 2, {"customer": 3, "citizen": 3, "stakeholder": 5}, [level_question("c")]),
        ("delta", 3, {"customer": 5, "citizen": 5, "stakeholder": 5}, [level_question("d")]),
    )


def _gaps(models, **levels):
    questionnaire = _questionnaire()
    given = answers(*(evidenced(q, level) for q, level in levels.items()))
    return rank_gaps(questionnaire, score_maturity(questionnaire, given), models)


def test_the_target_of_a_blend_is_the_higher_of_the_models_targets():
    section = _questionnaire().section("alpha")
    target, targets = dimension_target(section, ["citizen", "stakeholder"])
    assert target == 3
    assert [(t.model_id, t.level) for t in targets] == [("citizen", 2), ("stakeholder", 3)]


def test_gaps_are_ranked_by_gap_times_weight():
    gaps = _gaps(["citizen"], a=1, b=2, c=1)
    ranked = [(g.dimension_id, g.gap, g.priority, g.rank) for g in gaps if g.rank]
    assert ranked == [("beta", 2, 6, 1), ("gamma", 2, 4, 2), ("alpha", 1, 1, 3)]


def test_a_tie_in_priority_goes_to_the_larger_gap_then_to_file_order():
    # alpha: gap 3 x weight 1; beta and delta: gap 1 x weight 3; all three have priority 3.
    gaps = _gaps(["customer"], a=1, b=1, c=3, d=4)
    assert [(g.dimension_id, g.gap, g.priority) for g in gaps if g.rank] == [
        ("alpha", 3, 3),
        ("beta", 1, 3),
        ("delta", 1, 3),
    ]


def test_above_target_is_reported_as_such_never_as_a_negative_gap():
    gaps = {g.dimension_id: g for g in _gaps(["customer"], a=4, b=5, c=3, d=5)}
    beta = gaps["beta"]
    assert (beta.status, beta.gap, beta.above_by, beta.priority, beta.rank) == (
        "above_target",
        0,
        3,
        0,
        None,
    )
    assert gaps["alpha"].status == "at_target"


def test_every_step_from_current_to_target_is_recommended():
    gaps = {g.dimension_id: g for g in _gaps(["stakeholder"], c=2)}
    gamma = gaps["gamma"]
    assert [(s.from_level, s.to_level, s.action) for s in gamma.steps] == [
        (2, 3, "gamma 2 to 3"),
        (3, 4, "gamma 3 to 4"),
        (4, 5, "gamma 4 to 5"),
    ]


def test_a_dimension_without_a_level_has_no_gap_and_ranked_gaps_come_first():
    gaps = _gaps(["citizen"], c=1)
    assert [g.dimension_id for g in gaps] == ["gamma", "alpha", "beta", "delta"]
    assert [g.status for g in gaps[1:]] == ["no_level"] * 3


def test_without_a_chosen_model_there_is_no_target():
    gaps = _gaps([], a=1)
    assert {g.status for g in gaps} == {"no_target"}
    assert all(g.target is None and g.gap == 0 for g in gaps)
