"""Model fit: normalised scores, the blend rule and the answers behind the recommendation."""

from __future__ import annotations

import pytest
from scoring_helpers import answered, answers, choice_question, dont_know, model_fit, real

from assess.scoring import score_fit
from assess.scoring.fit import question_range


def fit(customer: int, citizen: int, stakeholder: int) -> dict[str, int]:
    return {"customer": customer, "citizen": citizen, "stakeholder": stakeholder}


def _questionnaire():
    return model_fit(
        choice_question("q1", {"a": fit(3, 0, 0), "b": fit(0, 3, 0), "c": fit(0, 0, 3)}),
        choice_question("q2", {"a": fit(2, -2, 0), "b": fit(0, 2, 1), "c": fit(-1, 0, 2)}),
        choice_question(
            "q3",
            {"x": fit(2, 0, 0), "y": fit(1, 1, 0), "z": fit(-1, 0, 2), "w": fit(-2, 0, 1)},
            kind="multiple",
            max_choices=2,
        ),
    )


def test_the_range_of_a_multiple_question_counts_its_max_choices():
    q3 = _questionnaire().question("q3")
    assert question_range(q3, "customer") == (-3, 3)
    assert question_range(q3, "citizen") == (0, 1)
    assert question_range(q3, "stakeholder") == (0, 3)


def test_the_real_questionnaire_maxima_match_its_own_comment_and_the_method():
    questionnaire = real("model-fit")
    totals = {}
    for model in questionnaire.model_ids:
        ranges = [question_range(q, model) for _s, q in questionnaire.questions()]
        totals[model] = (sum(r[0] for r in ranges), sum(r[1] for r in ranges))
    assert totals == {"customer": (-17, 32), "citizen": (-3, 31), "stakeholder": (-6, 28)}


def test_fit_is_normalised_over_the_questions_answered():
    result = score_fit(_questionnaire(), answers(answered("q1", "a"), answered("q2", "a")))
    customer = result.model("customer")
    # customer: total 5, range -1..5 -> 100 x 6 / 6.
    assert (customer.total, customer.minimum, customer.maximum) == (5, -1, 5)
    assert customer.fit_percent == 100.0
    citizen = result.model("citizen")
    assert (citizen.total, citizen.minimum, citizen.maximum, citizen.fit_percent) == (
        -2,
        -2,
        5,
        0.0,
    )
    assert result.recommendation.model_ids == ("customer",)
    assert result.recommendation.kind == "single"
    assert result.recommendation.text == "Customer model"


def test_models_within_ten_points_are_recommended_as_a_blend():
    result = score_fit(
        _questionnaire(),
        answers(answered("q1", "b"), answered("q2", "c"), answered("q3", ("z", "w"))),
    )
    percents = {m.model_id: m.fit_percent for m in result.models}
    assert percents == {"customer": 0.0, "citizen": 62.5, "stakeholder": 62.5}
    # a tie is ranked in the questionnaire's model order
    assert result.recommendation.model_ids == ("citizen", "stakeholder")
    assert result.recommendation.kind == "blend"
    assert result.recommendation.text == "a blend of Citizen model and Stakeholder model"
    assert result.recommendation.lead == 62.5


def test_a_model_more_than_ten_points_behind_is_left_out():
    result = score_fit(_questionnaire(), answers(answered("q1", "b"), answered("q2", "c")))
    percents = {m.model_id: m.fit_percent for m in result.models}
    assert percents == {"customer": 0.0, "citizen": 71.4, "stakeholder": 40.0}
    assert result.recommendation.model_ids == ("citizen",)
    assert result.recommendation.lead == 31.4


def test_a_lead_of_exactly_ten_points_is_still_a_blend():
    same = {"a": fit(2, 2, 0), "b": fit(0, 0, 1)}
    questionnaire = model_fit(
        *(choice_question(f"q{n}", same) for n in range(1, 5)),
        choice_question("q5", {**same, "c": fit(2, 1, 0)}),
    )
    given = answers(*(answered(f"q{n}", "a") for n in range(1, 5)), answered("q5", "c"))
    result = score_fit(questionnaire, given)
    assert [m.fit_percent for m in result.models] == [100.0, 90.0, 0.0]
    assert result.recommendation.model_ids == ("customer", "citizen")


def test_the_recommendation_names_the_answers_that_pulled_hardest():
    result = score_fit(
        _questionnaire(),
        answers(answered("q1", "c"), answered("q2", "c"), answered("q3", ("z", "w"))),
    )
    assert result.recommendation.model_ids == ("stakeholder",)
    reasons = [(c.question_id, c.option_id, c.weight) for c in result.recommendation.reasons]
    assert reasons == [("q1", "c", 3), ("q2", "c", 2), ("q3", "z", 2)]
    customer = result.model("customer")
    # every non-zero pull is kept for the trace, strongest first, negatives included
    assert [(c.option_id, c.weight) for c in customer.contributions] == [
        ("w", -2),
        ("c", -1),
        ("z", -1),
    ]
    assert customer.total == sum(c.weight for c in customer.contributions)
    assert customer.top_contributions == ()


def test_dont_know_moves_no_model_and_lowers_completeness():
    with_dk = score_fit(_questionnaire(), answers(answered("q1", "a"), dont_know("q2")))
    without = score_fit(_questionnaire(), answers(answered("q1", "a")))
    assert [m.fit_percent for m in with_dk.models] == [m.fit_percent for m in without.models]
    assert with_dk.completeness == 0.33
    assert with_dk.dont_know_question_ids == ("q2",)


def test_nothing_answered_gives_no_fit_and_no_recommendation():
    result = score_fit(_questionnaire(), {})
    assert all(m.fit_percent is None for m in result.models)
    assert result.recommendation.model_ids == ()
    assert result.recommendation.kind is None


def test_an_unknown_option_is_refused():
    with pytest.raises(ValueError, match="q1"):
        score_fit(_questionnaire(), answers(answered("q1", "nope")))


def test_more_choices_than_allowed_are_refused():
    with pytest.raises(ValueError, match="at most 2"):
        score_fit(_questionnaire(), answers(answered("q3", ("x", "y", "z"))))
