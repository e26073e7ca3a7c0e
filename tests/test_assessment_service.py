"""Starting assessments and saving answers: all or nothing per page, conflicts never overwrite."""

from __future__ import annotations

import pytest

from assess import db
from assess.models import AnswerRecord, Assessment
from assess.questionnaire.answers import Answer, Status
from assess.services import assessments
from assess.services.questionnaires import current_questionnaires


@pytest.fixture
def setting(app, make_user, make_org):
    """An organisation with two colleagues and a fresh draft assessment."""
    alice = make_user(name="Alice Adams")
    bob = make_user(name="Bob Brown")
    org = make_org(members={alice: "admin", bob: "respondent"})
    with app.app_context():
        assessment = assessments.start(
            org.id, alice, "  Stakeholders 2026 ", current_questionnaires()
        )
        return {"alice": alice, "bob": bob, "org": org, "assessment_id": assessment.id}


def _load(assessment_id: int) -> Assessment:
    found = assessments.get(assessment_id)
    assert found is not None
    return found


def test_a_new_assessment_is_a_draft_on_the_stored_questionnaire_versions(app, setting):
    with app.app_context():
        assessment = _load(setting["assessment_id"])
        assert assessment.status == "draft"
        assert assessment.title == "Stakeholders 2026"
        qset = assessments.questionnaires_of(assessment)
        shipped = current_questionnaires()
        assert qset.adoption == shipped.adoption
        assert qset.definition.id == "definition"
        assert assessment.adoption_version.version == shipped.adoption.version


def test_answers_are_stored_with_who_and_when_and_a_revision(app, setting):
    with app.app_context():
        assessment = _load(setting["assessment_id"])
        outcome = assessments.save_answers(
            assessment,
            setting["alice"],
            "adoption",
            {
                "lead-board-oversight": assessments.Submission(
                    Answer("lead-board-oversight", value=3, note="Minutes")
                )
            },
        )
        assert outcome.ok and outcome.saved == ("lead-board-oversight",)
        stored = assessments.stored_answers(assessment, "adoption")["lead-board-oversight"]
        assert stored.answer.value == 3 and stored.answer.note == "Minutes"
        assert stored.revision == 1
        assert stored.updated_by == "Alice Adams"
        assert stored.updated_at.tzinfo is not None
        again = assessments.save_answers(
            assessment,
            setting["alice"],
            "adoption",
            {
                "lead-board-oversight": assessments.Submission(
                    Answer("lead-board-oversight", value=3, note="Minutes"), 1
                )
            },
        )
        assert again.unchanged == ("lead-board-oversight",)
        assert (
            assessments.stored_answers(assessment, "adoption")["lead-board-oversight"].revision == 1
        )
        changed = assessments.save_answers(
            assessment,
            setting["bob"],
            "adoption",
            {
                "lead-board-oversight": assessments.Submission(
                    Answer("lead-board-oversight", value=4), 1
                )
            },
        )
        assert changed.saved == ("lead-board-oversight",)
        stored = assessments.stored_answers(assessment, "adoption")["lead-board-oversight"]
        assert (stored.revision, stored.updated_by, stored.answer.value) == (2, "Bob Brown", 4)


def test_a_page_with_one_bad_answer_stores_nothing_and_keeps_earlier_answers(app, setting):
    with app.app_context():
        assessment = _load(setting["assessment_id"])
        assessments.save_answers(
            assessment,
            setting["alice"],
            "adoption",
            {
                "lead-board-oversight": assessments.Submission(
                    Answer("lead-board-oversight", value=2)
                )
            },
        )
        outcome = assessments.save_answers(
            assessment,
            setting["alice"],
            "adoption",
            {
                "lead-board-oversight": assessments.Submission(
                    Answer("lead-board-oversight", value=5), 1
                ),
                "lead-accountability": assessments.Submission(
                    Answer("lead-accountability", value=9)
                ),
                "no-such-question": assessments.Submission(Answer("no-such-question", value=1)),
            },
        )
        assert not outcome.ok
        assert set(outcome.errors) == {"lead-accountability", "no-such-question"}
        assert outcome.saved == ()
        stored = assessments.stored_answers(assessment, "adoption")
        assert set(stored) == {"lead-board-oversight"}
        assert stored["lead-board-oversight"].answer.value == 2


def test_a_save_based_on_an_older_revision_is_not_applied(app, setting):
    with app.app_context():
        assessment = _load(setting["assessment_id"])
        question = "lead-board-oversight"
        assessments.save_answers(
            assessment,
            setting["alice"],
            "adoption",
            {question: assessments.Submission(Answer(question, value=2))},
        )
        # Bob and Alice both opened the page at revision 1; Alice saves first.
        assessments.save_answers(
            assessment,
            setting["alice"],
            "adoption",
            {question: assessments.Submission(Answer(question, value=3), 1)},
        )
        outcome = assessments.save_answers(
            assessment,
            setting["bob"],
            "adoption",
            {question: assessments.Submission(Answer(question, value=5, note="Bob's view"), 1)},
        )
        assert outcome.saved == ()
        (conflict,) = outcome.conflicts
        assert conflict.yours == Answer(question, value=5, note="Bob's view")
        assert conflict.theirs is not None
        assert conflict.theirs.answer.value == 3
        assert conflict.theirs.updated_by == "Alice Adams"
        assert conflict.theirs.revision == 2
        assert assessments.stored_answers(assessment, "adoption")[question].answer.value == 3
        # Having seen both, Bob keeps his: he saves again on the revision he was shown.
        resolved = assessments.save_answers(
            assessment,
            setting["bob"],
            "adoption",
            {question: assessments.Submission(Answer(question, value=5, note="Bob's view"), 2)},
        )
        assert resolved.saved == (question,)


def test_two_people_answering_a_new_question_at_once_do_not_overwrite(app, setting):
    with app.app_context():
        assessment = _load(setting["assessment_id"])
        question = "lead-board-oversight"
        first = assessments.save_answers(
            assessment,
            setting["alice"],
            "adoption",
            {question: assessments.Submission(Answer(question, value=2))},
        )
        second = assessments.save_answers(
            assessment,
            setting["bob"],
            "adoption",
            {question: assessments.Submission(Answer(question, value=4))},
        )
        assert first.saved == (question,)
        assert second.conflicts and second.conflicts[0].theirs.answer.value == 2


def test_emptying_a_question_removes_its_answer(app, setting):
    with app.app_context():
        assessment = _load(setting["assessment_id"])
        question = "lead-board-oversight"
        assessments.save_answers(
            assessment,
            setting["alice"],
            "adoption",
            {question: assessments.Submission(Answer(question, value=2))},
        )
        outcome = assessments.save_answers(
            assessment, setting["alice"], "adoption", {question: assessments.Submission(None, 1)}
        )
        assert outcome.saved == (question,)
        assert assessments.stored_answers(assessment, "adoption") == {}


def test_not_applicable_and_dont_know_are_stored_without_a_value(app, setting):
    with app.app_context():
        assessment = _load(setting["assessment_id"])
        outcome = assessments.save_answers(
            assessment,
            setting["alice"],
            "adoption",
            {
                "lead-board-oversight": assessments.Submission(
                    Answer("lead-board-oversight", Status.DONT_KNOW, note="Ask the clerk")
                )
            },
        )
        assert outcome.ok
        stored = assessments.stored_answers(assessment, "adoption")["lead-board-oversight"]
        assert stored.answer.status is Status.DONT_KNOW and stored.answer.value is None


def test_a_finalised_assessment_refuses_changes(app, setting):
    with app.app_context():
        assessment = _load(setting["assessment_id"])
        assessment.status = "finalised"
        assessment.finalised_at = db.utcnow()  # the database requires it of a finalised one
        db.session().commit()
        with pytest.raises(assessments.AssessmentClosed):
            assessments.save_answers(
                assessment,
                setting["alice"],
                "adoption",
                {
                    "lead-board-oversight": assessments.Submission(
                        Answer("lead-board-oversight", value=2)
                    )
                },
            )
        assert db.session().query(AnswerRecord).count() == 0


def _answer_model_fit_for_customer(assessment, user) -> None:
    qset = assessments.questionnaires_of(assessment)
    submissions = {}
    for _section, question in qset.model_fit.questions():
        best = max(question.options, key=lambda o: o.fit["customer"] - o.fit["citizen"])
        value = best.id if question.type == "single" else (best.id,)
        submissions[question.id] = assessments.Submission(Answer(question.id, value=value))
    outcome = assessments.save_answers(assessment, user, "model-fit", submissions)
    assert outcome.ok, outcome.errors


def test_choosing_another_model_than_recommended_needs_a_reason(app, setting):
    with app.app_context():
        assessment = _load(setting["assessment_id"])
        _answer_model_fit_for_customer(assessment, setting["alice"])
        recommended = assessments.score(assessment).fit.recommendation.model_ids
        assert recommended == ("customer",)
        with pytest.raises(assessments.ChoiceError, match="Enter why"):
            assessments.choose_models(assessment, setting["alice"], ["citizen"], "  ")
        with pytest.raises(assessments.ChoiceError, match="Choose from"):
            assessments.choose_models(assessment, setting["alice"], ["bogus"], "x")
        assessments.choose_models(
            assessment, setting["alice"], ["citizen", "stakeholder"], "Statutory duties come first"
        )
        assessment = _load(setting["assessment_id"])
        assert assessment.chosen_models == ["citizen", "stakeholder"]
        assert assessment.recommended_models == ["customer"]
        assert assessment.choice_reason == "Statutory duties come first"
        assessments.choose_models(assessment, setting["alice"], ["customer"], None)
        assert _load(setting["assessment_id"]).choice_reason is None


def test_scoring_reads_the_stored_answers(app, setting):
    with app.app_context():
        assessment = _load(setting["assessment_id"])
        qset = assessments.questionnaires_of(assessment)
        leadership = qset.adoption.section("leadership")
        submissions = {
            q.id: assessments.Submission(Answer(q.id, value=2 + i % 2))
            for i, q in enumerate(leadership.questions)
        }
        assessments.save_answers(assessment, setting["alice"], "adoption", submissions)
        result = assessments.score(assessment)
        dimension = next(d for d in result.maturity.dimensions if d.dimension_id == "leadership")
        assert dimension.floor == 2
        assert dimension.completeness == 1.0


def test_each_person_resumes_where_they_left_off(app, setting):
    with app.app_context():
        assessment = _load(setting["assessment_id"])
        assert assessments.resume_point(setting["alice"], assessment) is None
        assessments.record_progress(setting["alice"], assessment, "adoption", "mapping")
        assessments.record_progress(setting["bob"], assessment, "definition", "register")
        assessments.record_progress(setting["alice"], assessment, "adoption", "engagement")
        assert assessments.resume_point(setting["alice"], assessment) == ("adoption", "engagement")
        assert assessments.resume_point(setting["bob"], assessment) == ("definition", "register")
