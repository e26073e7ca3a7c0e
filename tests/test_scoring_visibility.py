"""Conditional questions: hidden ones are left out of the scores."""

from __future__ import annotations

import pytest
from scoring_helpers import adoption, answered, answers, choice_question, dont_know, level_question

from assess.questionnaire.schema import Questionnaire
from assess.questionnaire.validation import is_visible
from assess.questionnaire.validation import visible_questions as visible_question_ids


def _questionnaire() -> Questionnaire:
    return adoption(
        (
            "d",
            1,
            {"customer": 3},
            [
                choice_question("pick", {"a": None, "b": None, "c": None}),
                choice_question("many", {"x": None, "y": None}, kind="multiple"),
                level_question("lvl"),
                level_question("if-a", show_if={"question": "pick", "any_of": ["a"]}),
                level_question("if-y", show_if={"question": "many", "any_of": ["y"]}),
                level_question("if-low", show_if={"question": "lvl", "any_of": [1, 2]}),
                level_question("if-if-a", show_if={"question": "if-a", "any_of": [5]}),
            ],
        )
    )


def test_questions_without_a_condition_are_always_shown():
    assert {"pick", "many", "lvl"} <= visible_question_ids(_questionnaire(), {})


def test_a_single_choice_shows_its_follow_up_only_for_a_listed_option():
    q = _questionnaire()
    assert is_visible(q, "if-a", answers(answered("pick", "a")))
    assert not is_visible(q, "if-a", answers(answered("pick", "b")))


def test_any_one_chosen_option_of_a_multiple_choice_is_enough():
    q = _questionnaire()
    assert is_visible(q, "if-y", answers(answered("many", ("x", "y"))))
    assert not is_visible(q, "if-y", answers(answered("many", ("x",))))


def test_a_level_condition_compares_levels():
    q = _questionnaire()
    assert is_visible(q, "if-low", answers(answered("lvl", 2)))
    assert not is_visible(q, "if-low", answers(answered("lvl", 3)))


def test_an_unanswered_or_dont_know_controlling_question_hides_the_follow_up():
    q = _questionnaire()
    assert not is_visible(q, "if-a", {})
    assert not is_visible(q, "if-a", answers(dont_know("pick")))


def test_a_hidden_controlling_question_hides_its_own_follow_ups():
    q = _questionnaire()
    # if-a carries a stored 5, but it is hidden because pick is "b"; so if-if-a is hidden too.
    given = answers(answered("pick", "b"), answered("if-a", 5))
    assert not is_visible(q, "if-if-a", given)
    assert is_visible(q, "if-if-a", answers(answered("pick", "a"), answered("if-a", 5)))


def test_an_unknown_question_is_an_error():
    with pytest.raises(KeyError):
        is_visible(_questionnaire(), "nope", {})
