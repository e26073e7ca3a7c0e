"""score_assessment over the real questionnaires: one frozen, JSON-ready, traceable result."""

from __future__ import annotations

import dataclasses
import json

import pytest
from scoring_helpers import answered, answers, dont_know, evidenced, na, real, row

from assess.questionnaire.schema import LevelQuestion
from assess.scoring import METHOD_VERSION, score_assessment


@pytest.fixture(scope="module")
def questionnaires():
    return {name: real(name) for name in ("definition", "model-fit", "adoption")}


def _full_answers(questionnaires):
    """Every adoption question answered (levels cycling 1 to 5, one don't know, one N/A)."""
    adoption = questionnaires["adoption"]
    given = {}
    for index, (_section, question) in enumerate(adoption.questions()):
        assert isinstance(question, LevelQuestion)
        given[question.id] = evidenced(question.id, index % 5 + 1, questionnaires["adoption"])
    given["lead-resources"] = dont_know("lead-resources")
    na_question = next(q.id for _s, q in adoption.questions() if q.allow_na)
    given[na_question] = na(na_question)
    model_fit = answers(
        answered("mf-choice", "sole-provider"),
        answered("mf-statutory", "duty-entitlement"),
        answered("mf-charging", "free"),
        answered("mf-compulsory", "required"),
        answered("mf-special-needs", "many"),
        answered("mf-needs-variety", "individual"),
        answered("mf-political", "regular"),
        answered("mf-member-decisions", "elected-members"),
        answered("mf-media", "occasional"),
        answered("mf-lobbies", "established"),
        answered("mf-checks", ("courts-ombudsman", "inspectors", "elected-members")),
        answered("mf-cost", "severe"),
        answered("mf-partners", "some"),
        answered("mf-channels", ("casework", "intermediary")),
    )
    definition = answers(
        answered("def-written", "yes-corporate"),
        answered("def-where", ("website",)),
        answered(
            "register",
            (
                row("residents", 3, 4, 2, 3, "consult", regard="citizen", affected=4),
                row("special-needs", 1, 4, 4, 4, "inform", regard="citizen", affected=4),
                row("lobbies", 3, 2, 3, 4, "involve", regard="stakeholder", affected=2),
                row("media", 4, 2, 3, 4, "inform", regard="stakeholder", affected=1),
                row("custom-tenants", 2, 4, 3, 3, "empower", label="Council tenants", affected=4),
            ),
        ),
    )
    return given, model_fit, definition


@pytest.fixture(scope="module")
def result(questionnaires):
    adoption_answers, model_fit_answers, definition_answers = _full_answers(questionnaires)
    return score_assessment(
        adoption=questionnaires["adoption"],
        adoption_answers=adoption_answers,
        model_fit=questionnaires["model-fit"],
        model_fit_answers=model_fit_answers,
        definition=questionnaires["definition"],
        definition_answers=definition_answers,
    )


def test_every_dimension_of_the_real_adoption_questionnaire_is_scored(result, questionnaires):
    assert [d.dimension_id for d in result.maturity.dimensions] == [
        s.id for s in questionnaires["adoption"].sections
    ]
    assert all(d.status == "scored" for d in result.maturity.dimensions)
    leadership = result.maturity.dimension("leadership")
    assert leadership.dont_know_question_ids == ("lead-resources",)
    assert leadership.completeness == 0.75
    assert result.maturity.overall.level is not None
    assert result.maturity.overall.name in {"Initial", "Managed", "Defined", "Measured"}


def test_a_statutory_casework_service_fits_the_citizen_model(result):
    assert result.fit.recommendation.model_ids[0] == "citizen"
    assert result.fit.completeness == 1.0
    assert result.chosen_by == "recommendation"
    assert result.chosen_models == result.fit.recommendation.model_ids


def test_gaps_use_the_chosen_targets_and_carry_the_questionnaires_steps(result):
    ranked = [g for g in result.gaps if g.rank]
    assert [g.rank for g in ranked] == list(range(1, len(ranked) + 1))
    assert [g.priority for g in ranked] == sorted((g.priority for g in ranked), reverse=True)
    for gap in ranked:
        floor = result.maturity.dimension(gap.dimension_id).floor_question_ids
        assert [s.question_id for s in gap.steps] == list(floor)
        assert {(s.from_level, s.to_level) for s in gap.steps} == {(gap.current, gap.current + 1)}
        assert all(s.action and s.owner and s.months and s.done_when for s in gap.steps)


def test_segments_come_from_the_register(result):
    by_id = {s.segment_id: s for s in result.segments}
    assert list(by_id) == ["residents", "special-needs", "lobbies", "media", "custom-tenants"]
    assert by_id["special-needs"].salience_type == "dependent"
    assert by_id["media"].quadrant == "manage_closely"
    assert by_id["media"].status == "media_relations"
    assert by_id["lobbies"].status == "above_needed"  # a claim of little legitimacy: inform
    assert by_id["custom-tenants"].status == "above_needed"
    assert by_id["custom-tenants"].label == "Council tenants"


def test_the_result_is_frozen_and_turns_into_json(result, questionnaires):
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.chosen_by = "body"  # type: ignore[misc]
    data = json.loads(json.dumps(result.to_dict()))
    assert data["method_version"] == METHOD_VERSION
    assert data["maturity"]["dimensions"][0]["dimension_id"] == "leadership"
    assert data["questionnaires"] == [
        {"questionnaire_id": q, "version": questionnaires[q].version}
        for q in ("definition", "model-fit", "adoption")
    ]
    assert data["questionnaires"][0]["version"] == "2.1.0"
    assert data == result.to_dict()  # plain values only: nothing is lost on the way to JSON


def test_the_bodys_own_choice_sets_the_targets(questionnaires):
    adoption_answers, model_fit_answers, _definition = _full_answers(questionnaires)
    result = score_assessment(
        adoption=questionnaires["adoption"],
        adoption_answers=adoption_answers,
        model_fit=questionnaires["model-fit"],
        model_fit_answers=model_fit_answers,
        chosen_models=["customer"],
    )
    assert (result.chosen_models, result.chosen_by) == (("customer",), "body")
    measurement = next(g for g in result.gaps if g.dimension_id == "measurement")
    assert measurement.target == 5
    assert result.segments == ()


def test_an_unknown_chosen_model_is_refused(questionnaires):
    with pytest.raises(ValueError, match="unknown model"):
        score_assessment(
            adoption=questionnaires["adoption"],
            adoption_answers={},
            model_fit=questionnaires["model-fit"],
            chosen_models=["shareholder"],
        )


def test_adoption_alone_gives_a_profile_without_targets(questionnaires):
    result = score_assessment(adoption=questionnaires["adoption"], adoption_answers={})
    assert result.fit is None
    assert result.chosen_by is None
    assert {g.status for g in result.gaps} == {"no_target"}
    assert result.maturity.overall.level is None
