"""Properties that must hold for any answers: ranges, monotonicity, N/A neutrality, order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_helpers import real

from assess.questionnaire.answers import Answer, RegisterRow, Status
from assess.questionnaire.schema import (
    ENGAGEMENT_OPTIONS,
    LevelQuestion,
    MultipleQuestion,
    SingleQuestion,
)
from assess.scoring import aggregate, consensus_answer, score_assessment, score_fit, score_maturity

ADOPTION = real("adoption")
MODEL_FIT = real("model-fit")
DEFINITION = real("definition")
LEVEL_IDS = [q.id for _s, q in ADOPTION.questions() if isinstance(q, LevelQuestion)]
FAST = settings(max_examples=60, deadline=None)


def _response(question_id: str):
    """One respondent's response to a level question: a level, N/A, don't know or nothing."""
    return st.one_of(
        st.integers(1, 5).map(lambda n: Answer(question_id, value=n)),
        st.just(Answer(question_id, Status.NOT_APPLICABLE)),
        st.just(Answer(question_id, Status.DONT_KNOW)),
        st.none(),
    )


adoption_answers = st.fixed_dictionaries({q: _response(q) for q in LEVEL_IDS}).map(
    lambda d: {k: v for k, v in d.items() if v is not None}
)


def _choice(question: SingleQuestion | MultipleQuestion):
    ids = [o.id for o in question.options]
    if isinstance(question, SingleQuestion):
        value = st.sampled_from(ids)
    else:
        size = question.max_choices or len(ids)
        value = st.lists(st.sampled_from(ids), min_size=1, max_size=size, unique=True).map(tuple)
    return st.one_of(
        value.map(lambda v: Answer(question.id, value=v)),
        st.just(Answer(question.id, Status.DONT_KNOW)),
        st.none(),
    )


model_fit_answers = st.fixed_dictionaries(
    {
        q.id: _choice(q)
        for _s, q in MODEL_FIT.questions()
        if isinstance(q, SingleQuestion | MultipleQuestion)
    }
).map(lambda d: {k: v for k, v in d.items() if v is not None})

ratings = st.integers(1, 4)
register_rows = st.lists(
    st.builds(
        RegisterRow,
        segment_id=st.sampled_from([s.id for s in DEFINITION.question("register").segments]),
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
    max_size=6,
).map(tuple)


def _levels(profile):
    return {d.dimension_id: (d.floor, d.mean) for d in profile.dimensions}


@FAST
@given(adoption_answers, model_fit_answers, register_rows)
def test_every_figure_is_in_range(adoption, model_fit, rows):
    result = score_assessment(
        adoption=ADOPTION,
        adoption_answers=adoption,
        model_fit=MODEL_FIT,
        model_fit_answers=model_fit,
        definition=DEFINITION,
        definition_answers={"register": Answer("register", value=rows)},
    )
    for d in result.maturity.dimensions:
        assert (d.floor is None) == (d.mean is None) == (d.answered == 0)
        if d.floor is not None:
            assert 1 <= d.floor <= d.mean <= 5
        assert d.completeness is None or 0 <= d.completeness <= 1
    overall = result.maturity.overall
    if overall.level is not None:
        assert 1 <= overall.lowest_floor <= overall.level <= overall.weighted_mean <= 5
    for m in result.fit.models:
        assert m.minimum <= m.total <= m.maximum
        assert m.fit_percent is None or 0 <= m.fit_percent <= 100
    if result.fit.answered_question_ids:
        assert (
            result.fit.recommendation.model_ids[0]
            == min(result.fit.models, key=lambda m: m.rank).model_id
        )
    for g in result.gaps:
        assert g.gap >= 0 and g.above_by >= 0 and not (g.gap and g.above_by)
        assert g.priority == g.gap * g.weight
    for s in result.segments:
        if s.media:
            assert (s.recommended, s.status, s.gap, s.above_by) == (None, "media_relations", 0, 0)
            continue
        assert s.recommended in ("inform", "consult", "involve", "collaborate")
        assert s.gap >= 0 and s.above_by >= 0 and not (s.gap and s.above_by)
        difference = ENGAGEMENT_OPTIONS.index(s.recommended) - ENGAGEMENT_OPTIONS.index(s.current)
        assert s.gap - s.above_by == difference


@FAST
@given(adoption_answers, st.sampled_from(LEVEL_IDS), st.integers(1, 4), st.integers(1, 4))
def test_raising_one_answer_never_lowers_its_dimension(answers, question_id, level, step):
    low = dict(answers, **{question_id: Answer(question_id, value=level)})
    high = dict(answers, **{question_id: Answer(question_id, value=min(level + step, 5))})
    before, after = score_maturity(ADOPTION, low), score_maturity(ADOPTION, high)
    for (floor0, mean0), (floor1, mean1) in zip(
        _levels(before).values(), _levels(after).values(), strict=True
    ):
        # Only the raised question's dimension changes, and it has a level in both.
        if floor0 is None:
            assert floor1 is None
            continue
        assert floor1 >= floor0
        assert mean1 >= mean0
    assert after.overall.level >= before.overall.level
    assert after.overall.weighted_mean >= before.overall.weighted_mean


@FAST
@given(adoption_answers, st.lists(st.sampled_from(LEVEL_IDS), unique=True, max_size=10))
def test_not_applicable_does_not_move_a_score(answers, question_ids):
    # Turning unanswered or "don't know" questions into "not applicable" changes no level.
    open_ids = [q for q in question_ids if q not in answers or not answers[q].is_answered]
    marked = dict(answers, **{q: Answer(q, Status.NOT_APPLICABLE) for q in open_ids})
    before, after = score_maturity(ADOPTION, answers), score_maturity(ADOPTION, marked)
    assert _levels(before) == _levels(after)
    assert before.overall.level == after.overall.level
    assert before.overall.weighted_mean == after.overall.weighted_mean


@FAST
@given(model_fit_answers)
def test_not_applicable_does_not_move_model_fit(answers):
    open_ids = [
        q.id
        for _s, q in MODEL_FIT.questions()
        if q.id not in answers or not answers[q.id].is_answered
    ]
    marked = dict(answers, **{q: Answer(q, Status.NOT_APPLICABLE) for q in open_ids})
    before, after = score_fit(MODEL_FIT, answers), score_fit(MODEL_FIT, marked)
    assert [m.fit_percent for m in before.models] == [m.fit_percent for m in after.models]
    assert before.recommendation == after.recommendation


@FAST
@given(
    st.lists(adoption_answers, min_size=1, max_size=5).flatmap(
        lambda rs: st.tuples(st.just(rs), st.permutations(rs))
    )
)
def test_permuting_respondents_changes_no_aggregate(pair):
    respondents, permuted = pair
    assert aggregate(ADOPTION, respondents) == aggregate(ADOPTION, permuted)
    for question_id in LEVEL_IDS[:5]:
        question = ADOPTION.question(question_id)
        original = consensus_answer(question, [r.get(question_id) for r in respondents])
        shuffled = consensus_answer(question, [r.get(question_id) for r in permuted])
        assert original == shuffled


@FAST
@given(
    adoption_answers, st.sets(st.sampled_from(("customer", "citizen", "stakeholder")), min_size=1)
)
def test_a_step_is_never_recommended_for_what_the_answers_already_show(answers, models):
    result = score_assessment(
        adoption=ADOPTION, adoption_answers=answers, chosen_models=sorted(models)
    )
    for gap in result.gaps:
        dimension = result.maturity.dimension(gap.dimension_id)
        given_levels = {q.question_id: q.level for q in dimension.levels}
        if gap.status != "below_target":
            assert gap.steps == ()
            continue
        # One step for each practice at the floor, and for no other practice.
        assert [s.question_id for s in gap.steps] == list(dimension.floor_question_ids)
        for step in gap.steps:
            # The practice is below the level its "done when" describes, by exactly one level.
            assert given_levels[step.question_id] == step.from_level == gap.current
            assert step.to_level == step.from_level + 1 <= gap.target
            assert step.done_when and all(step.done_when)
