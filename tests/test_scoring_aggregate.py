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
from assess.scoring import aggregate, aggregate_question, consensus_answer, no_default_reason
from assess.scoring.aggregate import KINDS_TIED, NO_ANSWERS, TIED, WRITTEN, median_level


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
    given = [answered("lvl", 2), answered("lvl", 2), answered("lvl", 3), answered("lvl", 4)]
    agreed = consensus_answer(q, given)
    assert (agreed.question_id, agreed.status, agreed.value) == ("lvl", Status.ANSWERED, 2)
    given = [answered("lvl", 1), answered("lvl", 3), answered("lvl", 3), answered("lvl", 4)]
    assert consensus_answer(q, given).value == 3


def test_there_is_no_default_for_levels_chosen_equally_often():
    q = _questionnaire().question("lvl")
    for levels in ([2, 3], [1, 2, 3, 4], [1, 1, 4, 4], [1, 2, 2, 5, 5]):
        given = [answered("lvl", n) for n in levels]
        assert consensus_answer(q, given) is None, levels
        assert no_default_reason(q, given) == TIED


def test_consensus_of_a_single_choice_is_the_most_chosen_option_and_a_tie_has_none():
    q = _questionnaire().question("one")
    three = [answered("one", "c"), answered("one", "c"), answered("one", "a")]
    assert consensus_answer(q, three).value == "c"
    assert no_default_reason(q, three) is None
    tied = [answered("one", "c"), answered("one", "b")]
    assert consensus_answer(q, tied) is None
    assert no_default_reason(q, tied) == TIED


def test_consensus_of_a_multiple_choice_keeps_options_chosen_by_at_least_half():
    q = _questionnaire().question("many")
    given = [answered("many", ("x", "y")), answered("many", ("y",)), answered("many", ("z",))]
    assert consensus_answer(q, given).value == ("y",)
    given = [answered("many", ("x", "z")), answered("many", ("y", "z")), answered("many", ("x",))]
    # x and z are chosen by two of three, y by one: x and z are kept.
    assert consensus_answer(q, given).value == ("x", "z")


def test_a_multiple_choice_tie_has_no_default():
    q = _questionnaire().question("many")
    # x, y and z all reach half, at most two may be kept, and x and y tie for the second place.
    given = [answered("many", ("x", "z")), answered("many", ("y", "z"))]
    assert consensus_answer(q, given) is None
    assert no_default_reason(q, given) == TIED
    # None reaches half and the most chosen are tied.
    given = [answered("many", ("x",)), answered("many", ("y",)), answered("many", ("z",))]
    assert consensus_answer(q, given) is None


def test_consensus_follows_the_most_frequent_kind_of_response():
    q = _questionnaire().question("lvl")
    assert consensus_answer(q, [na("lvl"), na("lvl"), answered("lvl", 3)]).status is (
        Status.NOT_APPLICABLE
    )
    assert consensus_answer(q, [dont_know("lvl"), dont_know("lvl"), na("lvl")]).status is (
        Status.DONT_KNOW
    )
    assert consensus_answer(q, [None, None]) is None
    assert no_default_reason(q, [None, None]) == NO_ANSWERS


def test_kinds_of_response_given_equally_often_have_no_default():
    q = _questionnaire().question("lvl")
    for given in ([na("lvl"), answered("lvl", 3)], [dont_know("lvl"), na("lvl")]):
        assert consensus_answer(q, given) is None
        assert no_default_reason(q, given) == KINDS_TIED


def test_text_questions_get_no_default_agreed_answer():
    q = _questionnaire().question("words")
    assert consensus_answer(q, [answered("words", "hello")]) is None
    assert no_default_reason(q, [answered("words", "hello")]) == WRITTEN
    assert aggregate_question(q, [answered("words", "hello")]).counts == ()


def test_the_rooms_register_is_counted_group_by_group_with_own_groups_merged_by_name():
    from scoring_helpers import real

    from assess.questionnaire.answers import Answer, RegisterRow
    from assess.questionnaire.schema import RegisterQuestion
    from assess.scoring.aggregate import register_spread

    definition = real("definition")
    question = next(q for _s, q in definition.questions() if isinstance(q, RegisterQuestion))
    first = question.segments[0].id

    def register(*rows):
        return Answer(question.id, Status.ANSWERED, tuple(rows))

    spread = register_spread(
        question,
        [
            register(RegisterRow(first, power=4), RegisterRow("custom-group-1", "Carers", power=1)),
            register(RegisterRow(first, power=2, regard="citizen")),
            register(RegisterRow("custom-group-1", " carers ", power=3)),
            Answer(question.id, Status.DONT_KNOW),
            None,
        ],
    )
    by_id = {g.segment_id: g for g in spread}
    assert [g.segment_id for g in spread][: len(question.segments)] == [
        s.id for s in question.segments
    ]
    assert by_id[first].rated_by == 2
    power = next(c for c in by_id[first].columns if c.attribute == "power")
    assert [(c.value, c.count) for c in power.counts] == [("2", 1), ("4", 1)]
    carers = by_id["own:carers"]
    assert (carers.label, carers.rated_by) == ("Carers", 2)
    assert by_id[question.segments[1].id].rated_by == 0
