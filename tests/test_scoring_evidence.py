"""Method 2.0: the evidenced level, the maturity score and the plain-words reason for the level."""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_helpers import adoption, answered, answers, evidenced, level_question, real

from assess.questionnaire.answers import Answer, CriterionCheck, Status
from assess.questionnaire.schema import LevelQuestion
from assess.scoring import score_maturity
from assess.scoring.maturity import evidenced_level

ADOPTION = real("adoption")
LEVEL_QUESTIONS = [q for _s, q in ADOPTION.questions() if isinstance(q, LevelQuestion)]
TARGETS = {"customer": 3, "citizen": 3, "stakeholder": 3}


def _two_dimensions():
    return adoption(
        ("alpha", 3, TARGETS, [level_question("a1"), level_question("a2")]),
        ("beta", 1, TARGETS, [level_question("b1")]),
    )


def _checks(*met: tuple[int, int, bool]) -> tuple[CriterionCheck, ...]:
    return tuple(CriterionCheck(level, number, ok) for level, number, ok in met)


def test_levels_1_and_2_need_no_criteria():
    question = ADOPTION.question("lead-commitment")
    assert evidenced_level(question, Answer(question.id, value=2)) == 2
    assert evidenced_level(question, Answer(question.id, value=1)) == 1


def test_a_claimed_level_without_its_criteria_confirmed_is_evidenced_lower():
    question = ADOPTION.question("lead-commitment")  # two criteria at each of levels 3, 4, 5
    level_3 = _checks((3, 1, True), (3, 2, True))
    assert evidenced_level(question, Answer(question.id, value=3)) == 2
    assert evidenced_level(question, Answer(question.id, value=4, criteria=level_3)) == 3
    one_of_4 = level_3 + _checks((4, 1, True), (4, 2, False))
    assert evidenced_level(question, Answer(question.id, value=4, criteria=one_of_4)) == 3


def test_a_higher_level_counts_only_when_every_lower_level_from_3_is_confirmed():
    question = ADOPTION.question("lead-commitment")
    # Level 4 and 5 confirmed, but one criterion of level 3 not met: evidenced at level 2.
    gaps_at_3 = _checks((3, 1, True), (3, 2, False), (4, 1, True), (4, 2, True), (5, 1, True))
    gaps_at_3 += _checks((5, 2, True))
    assert evidenced_level(question, Answer(question.id, value=5, criteria=gaps_at_3)) == 2


def test_the_profile_reports_claimed_and_evidenced_levels_and_missing_evidence():
    questionnaire = _two_dimensions()
    profile = score_maturity(
        questionnaire,
        answers(
            evidenced("a1", 4),
            Answer("a2", value=3),  # claimed 3, nothing confirmed, no note
            evidenced("b1", 5),
        ),
    )
    alpha = profile.dimension("alpha")
    assert [(q.question_id, q.claimed, q.level) for q in alpha.levels] == [
        ("a1", 4, 4),
        ("a2", 3, 2),
    ]
    assert (alpha.floor, alpha.claimed_floor) == (2, 3)
    assert (alpha.mean, alpha.claimed_mean) == (3.0, 3.5)
    assert alpha.not_evidenced_question_ids == ("a2",)
    assert alpha.no_evidence_question_ids == ("a2",)
    assert alpha.levels[1].unconfirmed == ("3.1",)
    overall = profile.overall
    # Floors: alpha 2 (weight 3), beta 5 (weight 1): (6 + 5) / 4 = 2.75 -> level 2.
    assert (overall.level, overall.claimed_level) == (2, 3)
    # Score: (3 x 3.0 + 1 x 5) / 4 = 3.5; claimed (3 x 3.5 + 5) / 4 = 3.875 -> 3.9.
    assert (overall.maturity_score, overall.claimed_maturity_score) == (3.5, 3.9)
    assert (overall.not_evidenced, overall.no_evidence) == (1, 1)


def test_a_document_reference_counts_as_evidence_given():
    questionnaire = _two_dimensions()
    referenced = Answer("a1", value=3, criteria=(CriterionCheck(3, 1, True, "Minutes 4 May"),))
    profile = score_maturity(questionnaire, answers(referenced))
    assert profile.dimension("alpha").no_evidence_question_ids == ()
    assert profile.dimension("alpha").floor == 3


def test_the_reason_names_the_areas_at_the_lowest_level():
    questionnaire = _two_dimensions()
    profile = score_maturity(questionnaire, answers(answered("a1", 1), evidenced("b1", 4)))
    assert profile.overall.level_reason == (
        "Level 1, because the lowest practice is at level 1 in 1 of the 2 areas: Alpha. An area "
        "counts at the level of its lowest practice, because the levels build on each other; "
        "the areas' levels, weighted, average 1.75, rounded down to 1."
    )
    assert profile.overall.level_reason.template.startswith("Level %(level)s, because")


def test_the_reason_explains_a_level_above_the_lowest_area():
    questionnaire = _two_dimensions()
    profile = score_maturity(questionnaire, answers(evidenced("a1", 3), answered("b1", 1)))
    # (3 x 3 + 1 x 1) / 4 = 2.5 -> level 2; beta is at level 1.
    assert profile.overall.level == 2
    reason = profile.overall.level_reason
    assert "average 2.50, rounded down to 2" in reason
    assert "The lowest practice is at level 1 in 1 of the 2 areas: Beta." in reason


def test_no_answers_give_no_score_and_no_reason():
    overall = score_maturity(_two_dimensions(), {}).overall
    assert (overall.maturity_score, overall.level_reason, overall.claimed_level) == (
        None,
        None,
        None,
    )


# ---- properties -----------------------------------------------------------------------------


def _response(question: LevelQuestion):
    """A level, with any confirmations of the criteria up to it; or N/A, don't know, nothing."""
    keys = [(n, i) for n, i, _t in question.criteria_up_to(5)]

    def build(level: int, flags: list[bool | None], note: str) -> Answer:
        checks = tuple(
            CriterionCheck(n, i, flag)
            for (n, i), flag in zip(keys, flags, strict=True)
            if flag is not None and n <= level
        )
        return Answer(question.id, value=level, note=note, criteria=checks)

    level = st.builds(
        build,
        st.integers(1, 5),
        st.lists(st.sampled_from([True, False, None]), min_size=len(keys), max_size=len(keys)),
        st.sampled_from(["", "Minutes"]),
    )
    return st.one_of(
        level,
        level,
        st.just(Answer(question.id, Status.DONT_KNOW)),
        st.none(),
    )


adoption_answers = st.fixed_dictionaries({q.id: _response(q) for q in LEVEL_QUESTIONS}).map(
    lambda d: {k: v for k, v in d.items() if v is not None}
)


@settings(max_examples=80, deadline=None)
@given(adoption_answers)
def test_the_evidenced_level_never_exceeds_the_claimed_level(given_answers):
    profile = score_maturity(ADOPTION, given_answers)
    for dimension in profile.dimensions:
        for q in dimension.levels:
            assert 1 <= q.level <= q.claimed
            assert (q.level < q.claimed) == (q.question_id in dimension.not_evidenced_question_ids)
        if dimension.floor is not None:
            assert dimension.floor <= dimension.claimed_floor
    overall = profile.overall
    if overall.level is not None:
        assert overall.level <= overall.claimed_level
        assert overall.maturity_score <= overall.claimed_maturity_score


@settings(max_examples=80, deadline=None)
@given(adoption_answers)
def test_the_maturity_score_is_within_1_and_5_and_equals_the_hand_formula(given_answers):
    overall = score_maturity(ADOPTION, given_answers).overall
    # By hand: per area, the mean of the evidenced levels; weight each area's mean by its
    # weight; divide by the total weight of the areas with a level; round half up to 1 decimal.
    numerator = Fraction(0)
    weights = 0
    for section in ADOPTION.sections:
        levels = []
        for question in section.questions:
            answer = given_answers.get(question.id)
            if answer is None or answer.status is not Status.ANSWERED:
                continue
            levels.append(evidenced_level(question, answer))
        if levels:
            numerator += (section.weight or 1) * Fraction(sum(levels), len(levels))
            weights += section.weight or 1
    if not weights:
        assert overall.maturity_score is None
        return
    exact = numerator / weights
    by_hand = math.floor(exact * 10 + Fraction(1, 2)) / 10
    assert overall.maturity_score == by_hand
    assert 1.0 <= overall.maturity_score <= 5.0
    assert overall.level_reason.startswith(f"Level {overall.level}, because")
