"""Gaps against the chosen model's targets, their ranking and the recommended steps."""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

from scoring_helpers import adoption, answered, answers, evidenced, level_question

from assess.questionnaire.schema import LocalText
from assess.scoring import score_maturity
from assess.scoring.gaps import dimension_target, done_when, first_steps, rank_gaps


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


def test_the_target_of_a_blend_is_the_fit_weighted_mean_rounded_up():
    section = _questionnaire().section("gamma")  # citizen 3, stakeholder 5
    weights = {"citizen": Fraction(80), "stakeholder": Fraction(20)}
    # (80 x 3 + 20 x 5) / 100 = 3.4, rounded up: 4, not the higher target 5.
    target, targets, rule = dimension_target(section, ["citizen", "stakeholder"], weights)
    assert (target, rule) == (4, "fit_weighted")
    assert [(t.model_id, t.level) for t in targets] == [("citizen", 3), ("stakeholder", 5)]
    # Equal fits: (3 + 5) / 2 = 4 exactly, so 4.
    even = {"citizen": Fraction(50), "stakeholder": Fraction(50)}
    assert dimension_target(section, ["citizen", "stakeholder"], even)[0] == 4
    # The better-fitting model pulls the target its way.
    lean = {"citizen": Fraction(10), "stakeholder": Fraction(90)}
    assert dimension_target(section, ["citizen", "stakeholder"], lean)[0] == 5


def test_a_blend_without_fits_takes_the_plain_mean_rounded_up_and_one_model_its_own():
    section = _questionnaire().section("alpha")  # citizen 2, stakeholder 3
    assert dimension_target(section, ["citizen", "stakeholder"]) == (
        3,
        dimension_target(section, ["citizen", "stakeholder"])[1],
        "mean",
    )
    zero = {"citizen": Fraction(0), "stakeholder": Fraction(0)}
    assert dimension_target(section, ["citizen", "stakeholder"], zero)[2] == "mean"
    assert dimension_target(section, ["customer"])[::2] == (4, "single")


def test_an_admin_may_lower_a_target_with_a_reason_but_not_raise_it():
    questionnaire = _questionnaire()
    given = answers(answered("a", 1), answered("b", 1), answered("c", 1), answered("d", 1))
    profile = score_maturity(questionnaire, given)
    lowered = {"beta": (2, "A parish council of four staff."), "gamma": (5, "Higher")}
    gaps = {
        g.dimension_id: g for g in rank_gaps(questionnaire, profile, ["citizen"], lowered=lowered)
    }
    beta = gaps["beta"]
    assert (beta.default_target, beta.target, beta.target_rule, beta.gap) == (4, 2, "lowered", 1)
    assert beta.lowered_reason == "A parish council of four staff."
    gamma = gaps["gamma"]  # "lowered" to above the default: ignored
    assert (gamma.default_target, gamma.target, gamma.target_rule) == (3, 3, "single")
    assert gamma.lowered_reason is None


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


def test_a_step_is_recommended_for_each_practice_at_the_floor_and_only_for_those():
    questionnaire = adoption(
        (
            "gamma",
            2,
            {"customer": 3, "citizen": 3, "stakeholder": 5},
            [level_question("c1"), level_question("c2"), level_question("c3")],
        ),
    )
    given = answers(answered("c1", 2), evidenced("c2", 4), answered("c3", 2))
    (gamma,) = rank_gaps(questionnaire, score_maturity(questionnaire, given), ["stakeholder"])
    assert (gamma.current, gamma.target) == (2, 5)
    # c2 is evidenced at 4: no step for it, and none beyond the next level for the others.
    assert [(s.question_id, s.from_level, s.to_level, s.action) for s in gamma.steps] == [
        ("c1", 2, 3, "c1 2 to 3"),
        ("c3", 2, 3, "c3 2 to 3"),
    ]
    step = gamma.steps[0]
    assert (step.owner, step.months, step.dimension_id, step.question_text) == (
        "owner",
        6,
        "gamma",
        "c1",
    )


def test_done_when_is_the_next_level_of_the_same_question():
    gaps = {g.dimension_id: g for g in _gaps(["stakeholder"], c=2)}
    (step,) = gaps["gamma"].steps
    # The practice has criteria for level 3, so "done when" is those criteria.
    assert (step.from_level, step.to_level) == (2, 3)
    assert (step.done_when, step.done_when_source) == (("evidence 3",), "criteria")


def test_a_practice_claimed_higher_than_its_evidence_gets_the_step_from_its_evidenced_level():
    questionnaire = adoption(
        ("gamma", 2, {"stakeholder": 5}, [level_question("c1"), level_question("c2")]),
    )
    # c1 claims 4 without confirming any criterion: its evidenced level is 2, so it holds the
    # area down with c2 and gets the step from 2 to 3, done when level 3's criteria are met.
    given = answers(answered("c1", 4), evidenced("c2", 2))
    (gamma,) = rank_gaps(questionnaire, score_maturity(questionnaire, given), ["stakeholder"])
    assert gamma.current == 2
    assert [(s.question_id, s.from_level, s.to_level, s.done_when) for s in gamma.steps] == [
        ("c1", 2, 3, ("evidence 3",)),
        ("c2", 2, 3, ("evidence 3",)),
    ]


def test_done_when_uses_the_questions_criteria_for_that_level_when_it_has_them():
    question = SimpleNamespace(
        levels={n: LocalText({"en": f"level {n}"}) for n in range(1, 6)},
        criteria={4: [LocalText({"en": "Minutes show four reviews."}), LocalText({"en": "B"})]},
    )
    assert done_when(question, 4) == (("Minutes show four reviews.", "B"), "criteria")
    # A level without criteria falls back on the level's description.
    assert done_when(question, 3) == (("level 3",), "level")


def test_no_step_when_the_dimension_is_at_or_above_target():
    gaps = {g.dimension_id: g for g in _gaps(["customer"], a=4, b=5)}
    assert gaps["alpha"].steps == () and gaps["beta"].steps == ()


def test_the_first_steps_take_one_step_from_each_of_the_top_gaps_first():
    questionnaire = adoption(
        ("alpha", 1, {"citizen": 5}, [level_question("a1"), level_question("a2")]),
        ("beta", 3, {"citizen": 5}, [level_question("b1"), level_question("b2")]),
        ("gamma", 2, {"citizen": 5}, [level_question("g1")]),
    )
    given = answers(
        *(answered(q, 1) for q in ("a1", "a2", "b1", "b2")),
        evidenced("g1", 4),
    )
    gaps = rank_gaps(questionnaire, score_maturity(questionnaire, given), ["citizen"])
    assert [g.dimension_id for g in gaps if g.rank] == ["beta", "alpha", "gamma"]
    first = first_steps(gaps)
    assert [s.question_id for s in first] == ["b1", "a1", "g1"]
    assert [s.question_id for s in first_steps(gaps, count=5)] == ["b1", "a1", "g1", "b2", "a2"]


def test_a_dimension_without_a_level_has_no_gap_and_ranked_gaps_come_first():
    gaps = _gaps(["citizen"], c=1)
    assert [g.dimension_id for g in gaps] == ["gamma", "alpha", "beta", "delta"]
    assert [g.status for g in gaps[1:]] == ["no_level"] * 3


def test_without_a_chosen_model_there_is_no_target():
    gaps = _gaps([], a=1)
    assert {g.status for g in gaps} == {"no_target"}
    assert all(g.target is None and g.gap == 0 for g in gaps)
