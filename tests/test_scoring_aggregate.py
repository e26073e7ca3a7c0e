"""Several respondents: counts, medians and ranges, and the default agreed answer."""

from __future__ import annotations

from scoring_helpers import (
    adoption,
    answered,
    answers,
    choice_question,
    dont_know,
    level_question,
    na,
)

from assess.questionnaire.answers import Status
from assess.scoring import aggregate, aggregate_question, consensus_answer
from assess.scoring.aggregate import median_level


def _questionnaire():
    return adoption(
        (
            "d",
            1,
            {"customer": 3},
            [
                level_question("lvl", allow_na=True),
                choice_question("one", {"a": None, "b": None, "c": None}),
                choice_question(
                    "many", {"x": None, "y": None, "z": None}, kind="multiple", max_choices=2
                ),
                level_question("follow", show_if={"question": "one", "any_of": ["a"]}),
                {"id": "words", "type": "text", "text": {"en": "words"}},
            ],
        )
    )


def test_level_counts_median_and_range():
    q = _questionnaire().question("lvl")
    summary = aggregate_question(
        q, [answered("lvl", 1), answered("lvl", 4), answered("lvl", 3), na("lvl"), None]
    )
    assert [c.count for c in summary.counts] == [1, 0, 1, 1, 0]
    assert (summary.median, summary.median_level) == (3.0, 3)
    assert (summary.lowest, summary.highest, summary.range) == (1, 4, 3)
    assert (summary.respondents, summary.answered, summary.not_applicable, summary.unanswered) == (
        5,
        3,
        1,
        1,
    )


def test_a_median_between_two_levels_is_rounded_half_down():
    assert median_level([2, 3]) == 2
    assert median_level([3, 4, 1, 5]) == 3
    q = _questionnaire().question("lvl")
    summary = aggregate_question(q, [answered("lvl", 4), answered("lvl", 5)])
    assert (summary.median, summary.median_level) == (4.5, 4)


def test_single_choice_counts_and_the_share_of_the_most_common():
    q = _questionnaire().question("one")
    summary = aggregate_question(
        q, [answered("one", "a"), answered("one", "b"), answered("one", "a"), dont_know("one")]
    )
    assert [(c.value, c.count) for c in summary.counts] == [("a", 2), ("b", 1), ("c", 0)]
    assert (summary.most_common, summary.most_common_share) == (("a",), 0.67)
    assert summary.dont_know == 1


def test_multiple_choice_counts_every_chosen_option():
    q = _questionnaire().question("many")
    summary = aggregate_question(
        q, [answered("many", ("x", "y")), answered("many", ("y",)), answered("many", ("y", "z"))]
    )
    assert [c.count for c in summary.counts] == [1, 3, 1]
    assert (summary.most_common, summary.most_common_share) == (("y",), 1.0)


def test_aggregate_counts_respondents_who_were_not_shown_a_question():
    respondents = [
        answers(answered("one", "a"), answered("follow", 2)),
        answers(answered("one", "b"), answered("follow", 5)),  # hidden: one is not "a"
        answers(answered("one", "a"), answered("follow", 4)),
    ]
    follow = {a.question_id: a for a in aggregate(_questionnaire(), respondents)}["follow"]
    assert (follow.respondents, follow.hidden, follow.answered) == (3, 1, 2)
    assert (follow.lowest, follow.highest, follow.median_level) == (2, 4, 2)


def test_consensus_of_levels_is_the_median_rounded_half_down():
    q = _questionnaire().question("lvl")
    agreed = consensus_answer(q, [answered("lvl", 2), answered("lvl", 3)])
    assert (agreed.question_id, agreed.status, agreed.value) == ("lvl", Status.ANSWERED, 2)


def test_consensus_of_a_single_choice_breaks_ties_by_option_order():
    q = _questionnaire().question("one")
    assert consensus_answer(q, [answered("one", "c"), answered("one", "b")]).value == "b"
    three = [answered("one", "c"), answered("one", "c"), answered("one", "a")]
    assert consensus_answer(q, three).value == "c"


def test_consensus_of_a_multiple_choice_keeps_options_chosen_by_at_least_half():
    q = _questionnaire().question("many")
    given = [answered("many", ("x", "y")), answered("many", ("y",)), answered("many", ("z",))]
    assert consensus_answer(q, given).value == ("y",)
    given = [answered("many", ("x", "z")), answered("many", ("y", "z"))]
    # x, y and z all reach half; at most two, more often chosen first, then option order.
    assert consensus_answer(q, given).value == ("x", "z")
    given = [answered("many", ("x",)), answered("many", ("y",)), answered("many", ("z",))]
    assert consensus_answer(q, given).value == ("x",)


def test_consensus_follows_the_most_frequent_kind_of_response():
    q = _questionnaire().question("lvl")
    assert consensus_answer(q, [na("lvl"), na("lvl"), answered("lvl", 3)]).status is (
        Status.NOT_APPLICABLE
    )
    assert consensus_answer(q, [na("lvl"), answered("lvl", 3)]).value == 3
    assert consensus_answer(q, [dont_know("lvl"), na("lvl")]).status is Status.NOT_APPLICABLE
    assert consensus_answer(q, [dont_know("lvl"), dont_know("lvl"), na("lvl")]).status is (
        Status.DONT_KNOW
    )
    assert consensus_answer(q, [None, None]) is None


def test_text_questions_get_no_default_agreed_answer():
    q = _questionnaire().question("words")
    assert consensus_answer(q, [answered("words", "hello")]) is None
    assert aggregate_question(q, [answered("words", "hello")]).counts == ()
