"""Dimension floors, means and completeness, and the overall level."""

from __future__ import annotations

import pytest
from scoring_helpers import (
    adoption,
    answered,
    answers,
    choice_question,
    dont_know,
    evidenced,
    level_question,
    na,
)

from assess.questionnaire.answers import Answer
from assess.scoring import score_maturity

TARGETS = {"customer": 3, "citizen": 3, "stakeholder": 3}


def _two_dimensions():
    return adoption(
        ("alpha", 3, TARGETS, [level_question("a1"), level_question("a2"), level_question("a3")]),
        (
            "beta",
            1,
            TARGETS,
            [
                level_question("b1", allow_na=True),
                level_question("b2", allow_na=True),
                choice_question("b-note", {"x": None, "y": None}),
            ],
        ),
    )


def test_the_floor_is_the_lowest_level_and_names_the_answers_that_hold_it_down():
    profile = score_maturity(
        _two_dimensions(), answers(evidenced("a1", 4), answered("a2", 2), answered("a3", 2))
    )
    alpha = profile.dimension("alpha")
    assert alpha.floor == 2
    assert alpha.floor_name == "Managed"
    assert alpha.floor_question_ids == ("a2", "a3")
    assert alpha.mean == 2.67
    assert alpha.completeness == 1.0


def test_dont_know_lowers_completeness_but_not_the_levels():
    profile = score_maturity(
        _two_dimensions(), answers(evidenced("a1", 4), dont_know("a2"), evidenced("a3", 3))
    )
    alpha = profile.dimension("alpha")
    assert (alpha.floor, alpha.mean, alpha.completeness) == (3, 3.5, 0.67)
    assert alpha.dont_know_question_ids == ("a2",)


def test_an_unanswered_question_counts_like_dont_know():
    alpha = score_maturity(_two_dimensions(), answers(evidenced("a1", 4))).dimension("alpha")
    assert (alpha.floor, alpha.completeness) == (4, 0.33)
    assert alpha.unanswered_question_ids == ("a2", "a3")


def test_not_applicable_is_left_out_of_levels_and_completeness():
    beta = score_maturity(_two_dimensions(), answers(answered("b1", 2), na("b2"))).dimension("beta")
    assert (beta.floor, beta.mean, beta.completeness, beta.applicable) == (2, 2.0, 1.0, 1)
    assert beta.not_applicable_question_ids == ("b2",)


def test_choice_questions_in_a_dimension_are_not_scored():
    beta = score_maturity(
        _two_dimensions(), answers(evidenced("b1", 3), answered("b-note", "x"))
    ).dimension("beta")
    assert beta.applicable == 2
    assert [q.question_id for q in beta.levels] == ["b1"]


def test_a_dimension_without_answers_has_no_level_not_zero():
    profile = score_maturity(_two_dimensions(), answers(evidenced("a1", 3)))
    beta = profile.dimension("beta")
    assert (beta.floor, beta.mean, beta.status) == (None, None, "no_answers")
    assert beta.completeness == 0.0
    assert profile.overall.dimensions_without_level == ("beta",)


def test_a_dimension_that_is_wholly_not_applicable_says_so():
    beta = score_maturity(_two_dimensions(), answers(na("b1"), na("b2"))).dimension("beta")
    assert (beta.status, beta.floor, beta.completeness) == ("not_applicable", None, None)


def test_overall_level_is_the_weighted_mean_of_floors_rounded_down():
    profile = score_maturity(
        _two_dimensions(),
        answers(evidenced("a1", 3), evidenced("a2", 3), evidenced("a3", 4), evidenced("b1", 5)),
    )
    overall = profile.overall
    # (3 x 3 + 1 x 5) / 4 = 3.5: level 3, not 4.
    assert (overall.weighted_mean, overall.level, overall.name) == (3.5, 3, "Defined")
    assert overall.lowest_floor == 3
    assert overall.completeness == 0.8


def test_a_whole_weighted_mean_is_not_rounded_down_a_level():
    profile = score_maturity(
        _two_dimensions(),
        answers(answered("a1", 2), answered("a2", 2), answered("a3", 2), answered("b1", 2)),
    )
    assert profile.overall.level == 2


def test_no_answers_at_all_gives_no_overall_level():
    overall = score_maturity(_two_dimensions(), {}).overall
    assert (overall.level, overall.name, overall.weighted_mean) == (None, None, None)
    assert overall.completeness == 0.0


@pytest.mark.parametrize("value", [0, 6, "3", True, 2.5])
def test_a_level_outside_one_to_five_is_refused(value):
    with pytest.raises(ValueError, match="a1"):
        score_maturity(_two_dimensions(), {"a1": Answer("a1", value=value)})


def test_answers_to_unknown_questions_are_ignored():
    profile = score_maturity(_two_dimensions(), answers(answered("elsewhere", 1)))
    assert profile.overall.level is None
