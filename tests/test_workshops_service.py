"""The workshop service: join codes, joining, participants' own answers, the live spread and its
divergence rules, consensus, closing, several workers, and the retention purge."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from assess import db
from assess.models import (
    AnswerRecord,
    AuditEvent,
    ConsensusRecord,
    Participant,
    ParticipantAnswer,
    User,
)
from assess.questionnaire.answers import Answer, CriterionCheck, Status
from assess.services import assessments, consensus, participant_answers, workshops
from assess.services.assessments import Submission
from assess.services.consensus import ConfirmReplacement
from assess.services.questionnaires import current_questionnaires
from assess.services.workshops import (
    JoinRefused,
    SectionNotOpen,
    SessionClosed,
    WorkshopError,
)

LEADERSHIP = "adoption/leadership"


@dataclass
class Setup:
    """Ids of what a test needs: re-read them inside each app context."""

    user_id: int
    assessment_id: int
    session_id: int
    code: str


@pytest.fixture
def setup(app, make_user, make_org) -> Setup:
    """A facilitator's assessment with an open session whose leadership section is open."""
    facilitator = make_user()
    organisation = make_org(members={facilitator: "facilitator"})
    with app.test_request_context():
        user = db.session().get(User, facilitator.id)
        assessment = assessments.start(organisation.id, user, "Ours", current_questionnaires())
        workshop, code = workshops.open_session(assessment, user, "Senior team")
        workshops.set_sections(workshop, user, [LEADERSHIP])
        return Setup(user.id, assessment.id, workshop.id, code)


def _user(setup: Setup) -> User:
    user = db.session().get(User, setup.user_id)
    assert user is not None
    return user


def _level(question_id: str, level: int) -> Answer:
    return Answer(question_id, value=level)


def _answer(app, setup: Setup, levels: list[int], question_id: str = "lead-commitment"):
    """Each level from a new participant; returns the participants' ids."""
    ids = []
    with app.test_request_context():
        for n, level in enumerate(levels):
            joined = workshops.join(setup.code, f"Person {n}")
            errors = participant_answers.save_own_answers(
                joined.workshop,
                joined.participant,
                "adoption",
                "leadership",
                {question_id: _level(question_id, level)},
            ).errors
            assert errors == {}
            ids.append(joined.participant.id)
    return ids


def _live(app, setup: Setup, question_id: str = "lead-commitment"):
    with app.test_request_context():
        workshop = workshops.get(setup.session_id)
        return workshops.live_question(workshop, "adoption", question_id)


# ---- join codes ---------------------------------------------------------------------------


def test_a_join_code_has_at_least_40_bits_and_reads_in_groups():
    codes = {workshops.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 10 and set(c) <= set(workshops.CODE_ALPHABET) for c in codes)
    assert math.log2(len(workshops.CODE_ALPHABET)) * workshops.CODE_LENGTH >= 40
    assert workshops.format_code("7KQ29XMD4R") == "7KQ2-9XMD-4R"


def test_a_code_is_typed_without_regard_to_case_spaces_hyphens_or_look_alikes(app, setup):
    typed = workshops.format_code(setup.code).lower().replace("-", " - ")
    with app.test_request_context():
        assert workshops.find_open(typed).id == setup.session_id
        if "0" in setup.code:
            assert workshops.find_open(setup.code.replace("0", "O")).id == setup.session_id


def test_only_a_hash_of_the_code_is_stored(app, setup):
    with app.test_request_context():
        workshop = workshops.get(setup.session_id)
        assert setup.code not in repr(workshop.__dict__)
        assert workshop.code_sha256 == workshops.code_hash(setup.code)


def test_a_wrong_code_is_refused(app, setup):
    with app.test_request_context(), pytest.raises(JoinRefused):
        workshops.join("AAAA-AAAA-AA", "Sam")


def test_a_new_code_replaces_the_old_one(app, setup):
    with app.test_request_context():
        new = workshops.renew_code(workshops.get(setup.session_id), _user(setup))
        assert workshops.find_open(new).id == setup.session_id
        assert workshops.find_open(setup.code) is None


def test_joining_needs_a_name(app, setup):
    with app.test_request_context(), pytest.raises(WorkshopError, match="name"):
        workshops.join(setup.code, "   ")


# ---- participants' answers ------------------------------------------------------------------


def test_a_participant_token_finds_only_its_own_session(app, setup, make_user, make_org):
    with app.test_request_context():
        joined = workshops.join(setup.code, "Sam")
        assert workshops.participant_for(setup.session_id, joined.token).id == joined.participant.id
        other, _code = workshops.open_session(
            assessments.get(setup.assessment_id), _user(setup), "Another room"
        )
        assert workshops.participant_for(other.id, joined.token) is None
        assert workshops.participant_for(setup.session_id, "not-a-token") is None
        assert workshops.participant_for(setup.session_id, None) is None


def test_a_participant_cannot_save_into_another_session(app, setup):
    with app.test_request_context():
        joined = workshops.join(setup.code, "Sam")
        other, _code = workshops.open_session(
            assessments.get(setup.assessment_id), _user(setup), "Another room"
        )
        workshops.set_sections(other, _user(setup), [LEADERSHIP])
        with pytest.raises(WorkshopError):
            participant_answers.save_own_answers(
                other,
                joined.participant,
                "adoption",
                "leadership",
                {"lead-commitment": _level("lead-commitment", 3)},
            )


def test_participants_answer_only_the_opened_sections(app, setup):
    with app.test_request_context():
        joined = workshops.join(setup.code, "Sam")
        with pytest.raises(SectionNotOpen):
            participant_answers.save_own_answers(
                joined.workshop,
                joined.participant,
                "adoption",
                "strategy",
                {"strat-definition": _level("strat-definition", 3)},
            )
        # A question of another section cannot be slipped into an opened one.
        errors = participant_answers.save_own_answers(
            joined.workshop,
            joined.participant,
            "adoption",
            "leadership",
            {"strat-definition": _level("strat-definition", 3)},
        ).errors
        assert "strat-definition" in errors
        assert db.session().scalar(select(func.count(ParticipantAnswer.id))) == 0


def test_an_invalid_answer_stores_nothing(app, setup):
    with app.test_request_context():
        joined = workshops.join(setup.code, "Sam")
        errors = participant_answers.save_own_answers(
            joined.workshop,
            joined.participant,
            "adoption",
            "leadership",
            {
                "lead-commitment": _level("lead-commitment", 3),
                "lead-resources": _level("lead-resources", 9),
            },
        ).errors
        assert list(errors) == ["lead-resources"]
        assert participant_answers.own_answers(joined.participant, "adoption") == {}


def test_saving_again_changes_the_participants_answer_and_none_clears_it(app, setup):
    with app.test_request_context():
        joined = workshops.join(setup.code, "Sam")
        args = (joined.workshop, joined.participant, "adoption", "leadership")
        participant_answers.save_own_answers(
            *args, {"lead-commitment": _level("lead-commitment", 2)}
        )
        participant_answers.save_own_answers(
            *args, {"lead-commitment": _level("lead-commitment", 4)}
        )
        assert (
            participant_answers.own_answers(joined.participant, "adoption")["lead-commitment"].value
            == 4
        )
        participant_answers.save_own_answers(*args, {"lead-commitment": None})
        assert participant_answers.own_answers(joined.participant, "adoption") == {}


# ---- the live spread ------------------------------------------------------------------------


def test_the_live_view_counts_answers_and_gives_median_and_range(app, setup):
    _answer(app, setup, [1, 2, 4, 2])
    item = _live(app, setup)
    assert item.responses == 4
    assert [c.count for c in item.aggregate.counts] == [1, 2, 0, 1, 0]
    assert item.aggregate.median_level == 2
    assert (item.aggregate.lowest, item.aggregate.highest, item.aggregate.range) == (1, 4, 3)
    assert item.divergent


def test_level_answers_one_level_apart_are_not_divergent_by_default(app, setup):
    _answer(app, setup, [2, 3, 3])
    assert not _live(app, setup).divergent


def test_level_answers_two_levels_apart_are_divergent_by_default(app, setup):
    _answer(app, setup, [2, 4, 3])
    assert _live(app, setup).divergent


def test_the_facilitator_sets_the_divergence_threshold(app, setup):
    _answer(app, setup, [1, 3])
    with app.test_request_context():
        workshops.set_threshold(workshops.get(setup.session_id), _user(setup), 3)
    assert not _live(app, setup).divergent
    with app.test_request_context(), pytest.raises(WorkshopError):
        workshops.set_threshold(workshops.get(setup.session_id), _user(setup), 0)


def _choices(app, setup: Setup, options: list[str]):
    with app.test_request_context():
        workshop = workshops.get(setup.session_id)
        workshops.set_sections(workshop, _user(setup), [LEADERSHIP, "model-fit/service-and-users"])
        for n, option in enumerate(options):
            joined = workshops.join(setup.code, f"Chooser {n}")
            participant_answers.save_own_answers(
                joined.workshop,
                joined.participant,
                "model-fit",
                "service-and-users",
                {"mf-choice": Answer("mf-choice", value=option)},
            )
        return workshops.live_question(workshops.get(setup.session_id), "model-fit", "mf-choice")


def _options(app) -> list[str]:
    qset = current_questionnaires(app)
    return [o.id for o in qset.model_fit.question("mf-choice").options]


def test_a_choice_question_is_divergent_when_no_option_has_more_than_60_percent(app, setup):
    a, b, c = _options(app)[:3]
    item = _choices(app, setup, [a, a, a, b, c])  # exactly 60%: not more than 60%
    assert item.aggregate.most_common_share == 0.6
    assert item.divergent


def test_a_choice_question_with_a_clear_majority_is_not_divergent(app, setup):
    a, b = _options(app)[:2]
    item = _choices(app, setup, [a, a, a, a, b])
    assert not item.divergent
    assert item.proposal == Answer("mf-choice", value=a)


def test_divergent_questions_can_be_sorted_first(app, setup):
    _answer(app, setup, [3, 3], question_id="lead-commitment")
    _answer(app, setup, [1, 5], question_id="lead-resources")
    with app.test_request_context():
        summary = workshops.live_summary(workshops.get(setup.session_id))
        assert summary.questions[0].question.id == "lead-commitment"
        assert summary.sorted(divergent_first=True)[0].question.id == "lead-resources"
        assert [q.question.id for q in summary.divergent] == ["lead-resources"]


def test_two_workers_on_one_database_give_the_same_live_view(app, make_app, setup):
    other_worker = make_app(DATABASE_URL=app.config["DATABASE_URL"])
    _answer(app, setup, [1, 4])
    with other_worker.test_request_context():
        joined = workshops.join(setup.code, "Joined on the other worker")
        participant_answers.save_own_answers(
            joined.workshop,
            joined.participant,
            "adoption",
            "leadership",
            {"lead-commitment": _level("lead-commitment", 2)},
        )

    def figures(worker):
        with worker.test_request_context():
            summary = workshops.live_summary(workshops.get(setup.session_id))
            item = summary.questions[0]
            return summary.participants, item.responses, item.aggregate.median_level, item.divergent

    assert figures(app) == figures(other_worker) == (3, 3, 2, True)


# ---- consensus and closing ----------------------------------------------------------------


def test_accepting_the_aggregate_writes_the_median_as_a_workshop_answer(app, setup):
    participants = _answer(app, setup, [1, 2, 4, 2, 3])
    with app.test_request_context():
        workshop = workshops.get(setup.session_id)
        record = consensus.record_consensus(
            workshop, _user(setup), "adoption", "lead-commitment", None, "We met in the middle"
        )
        assert record.how == "aggregate"
        assert record.was_divergent
        stored = assessments.stored_answers(workshop.assessment, "adoption")["lead-commitment"]
        assert stored.answer.value == 2  # the median of 1, 2, 2, 3, 4
        assert stored.answer.note == "We met in the middle"
        assert stored.source == "workshop"
        # Every individual answer is kept.
        kept = db.session().scalars(
            select(ParticipantAnswer.value).where(
                ParticipantAnswer.participant_id.in_(participants)
            )
        )
        assert sorted(kept) == [1, 2, 2, 3, 4]


def test_an_agreed_answer_drives_the_score(app, setup):
    _answer(app, setup, [1, 5])
    with app.test_request_context():
        workshop = workshops.get(setup.session_id)
        consensus.record_consensus(
            workshop,
            _user(setup),
            "adoption",
            "lead-commitment",
            _level("lead-commitment", 3),
            "Strong in two directorates, weak elsewhere",
        )
        record = db.session().scalar(select(ConsensusRecord))
        assert (record.how, record.value, record.note) == (
            "agreed",
            3,
            "Strong in two directorates, weak elsewhere",
        )
        result = assessments.score(workshop.assessment)
        leadership = next(d for d in result.maturity.dimensions if d.dimension_id == "leadership")
        # The room claimed level 3; no record of level 3 is confirmed yet, so 2 is evidenced.
        assert (leadership.claimed_floor, leadership.floor) == (3, 2)


def test_an_agreed_level_keeps_the_records_already_confirmed_up_to_it(app, setup):
    _answer(app, setup, [1, 5])
    with app.test_request_context():
        workshop = workshops.get(setup.session_id)
        assessment = workshop.assessment
        confirmed = tuple(CriterionCheck(n, i, True, "SLT minutes") for n in (3, 4) for i in (1, 2))
        outcome = assessments.save_answers(
            assessment,
            _user(setup),
            "adoption",
            {"lead-commitment": Submission(Answer("lead-commitment", value=4, criteria=confirmed))},
        )
        assert outcome.ok
        # The room's level replaces the recorded 4, so it is confirmed with a reason.
        consensus.record_consensus(
            workshop,
            _user(setup),
            "adoption",
            "lead-commitment",
            _level("lead-commitment", 3),
            "",
            replaces=1,
            reason="The room agreed level 3",
        )
        stored = assessments.stored_answers(assessment, "adoption")["lead-commitment"]
        # Level 3 agreed: level 3's confirmations stay, level 4's go with the level.
        assert stored.answer.value == 3
        assert [c.key for c in stored.answer.criteria] == ["3.1", "3.2"]
        assert stored.revision == 2
        leadership = assessments.score(assessment).maturity.dimension("leadership")
        assert leadership.levels[0].level == 3


def test_recording_again_asks_before_it_replaces_the_agreement(app, setup):
    _answer(app, setup, [2, 2])
    with app.test_request_context():
        workshop = workshops.get(setup.session_id)
        args = (workshop, _user(setup), "adoption", "lead-commitment")
        consensus.record_consensus(*args, None, "")
        with pytest.raises(ConfirmReplacement) as asked:
            consensus.record_consensus(*args, _level("lead-commitment", 4), "On reflection")
        replacement = asked.value.replacement
        assert (replacement.current.answer.value, replacement.proposed.value) == (2, 4)
        assert db.session().scalar(select(AnswerRecord.value)) == 2  # nothing changed yet
        with pytest.raises(ConfirmReplacement) as again:
            consensus.record_consensus(
                *args, _level("lead-commitment", 4), "On reflection", replaces=1, reason=" "
            )
        assert again.value.missing_reason
        consensus.record_consensus(
            *args,
            _level("lead-commitment", 4),
            "On reflection",
            replaces=1,
            reason="The board papers show the plan is funded",
        )
        assert db.session().scalar(select(func.count(ConsensusRecord.id))) == 1
        answer = db.session().scalar(select(AnswerRecord))
        assert (answer.value, answer.revision, answer.source) == (4, 2, "workshop")
        events = {
            e.action: e
            for e in db.session().scalars(
                select(AuditEvent)
                .where(AuditEvent.action.in_(["answer.changed", "consensus.recorded"]))
                .order_by(AuditEvent.id)
            )
        }
        changed = events["answer.changed"]
        assert (changed.old_value["value"], changed.new_value["value"]) == (2, 4)
        assert changed.detail["reason"] == "The board papers show the plan is funded"
        recorded = events["consensus.recorded"]
        assert recorded.detail["replaced"]["value"] == 2
        assert recorded.detail["reason"] == "The board papers show the plan is funded"


def test_an_answer_given_online_is_not_overwritten_without_confirmation(app, setup):
    _answer(app, setup, [2, 2, 3])
    with app.test_request_context():
        workshop = workshops.get(setup.session_id)
        assessments.save_answers(
            workshop.assessment,
            _user(setup),
            "adoption",
            {"lead-commitment": Submission(Answer("lead-commitment", value=4, note="Minutes"))},
        )
        args = (workshop, _user(setup), "adoption", "lead-commitment")
        with pytest.raises(ConfirmReplacement) as asked:
            consensus.record_consensus(*args, None, "")
        assert asked.value.replacement.how == "aggregate"
        assert asked.value.replacement.current.answer.value == 4
        # Confirming a revision that is no longer the stored one asks again.
        with pytest.raises(ConfirmReplacement):
            consensus.record_consensus(*args, None, "", replaces=7, reason="Agreed lower")
        stored = assessments.stored_answers(workshop.assessment, "adoption")["lead-commitment"]
        assert (stored.answer.value, stored.answer.note, stored.source) == (4, "Minutes", "online")


def test_agreeing_the_recorded_answer_keeps_its_note_and_asks_nothing(app, setup):
    _answer(app, setup, [4, 4])
    with app.test_request_context():
        workshop = workshops.get(setup.session_id)
        assessments.save_answers(
            workshop.assessment,
            _user(setup),
            "adoption",
            {"lead-commitment": Submission(Answer("lead-commitment", value=4, note="Minutes"))},
        )
        consensus.record_consensus(workshop, _user(setup), "adoption", "lead-commitment", None, "")
        stored = assessments.stored_answers(workshop.assessment, "adoption")["lead-commitment"]
        assert (stored.answer.value, stored.answer.note, stored.revision) == (4, "Minutes", 1)


def test_a_tie_has_no_aggregate_to_accept(app, setup):
    _answer(app, setup, [1, 2, 3, 4])
    with app.test_request_context():
        workshop = workshops.get(setup.session_id)
        with pytest.raises(WorkshopError, match="tied"):
            consensus.record_consensus(
                workshop, _user(setup), "adoption", "lead-commitment", None, ""
            )
        assert db.session().scalar(select(func.count(AnswerRecord.id))) == 0


def test_there_is_no_aggregate_before_anyone_answered(app, setup):
    with app.test_request_context(), pytest.raises(WorkshopError, match="aggregate"):
        consensus.record_consensus(
            workshops.get(setup.session_id), _user(setup), "adoption", "lead-commitment", None, ""
        )


def test_closing_stops_answers_and_joins_and_keeps_everything(app, setup):
    participant_id = _answer(app, setup, [3])[0]
    with app.test_request_context():
        workshop = workshops.get(setup.session_id)
        workshops.close_session(workshop, _user(setup))
        participant = db.session().get(Participant, participant_id)
        with pytest.raises(SessionClosed):
            participant_answers.save_own_answers(
                workshop,
                participant,
                "adoption",
                "leadership",
                {"lead-commitment": _level("lead-commitment", 1)},
            )
        with pytest.raises(JoinRefused):
            workshops.join(setup.code, "Late")
        with pytest.raises(SessionClosed):
            consensus.record_consensus(
                workshop, _user(setup), "adoption", "lead-commitment", None, ""
            )
        assert (
            participant_answers.own_answers(participant, "adoption")["lead-commitment"].value == 3
        )
        assert workshop.closed_at is not None


def test_choosing_the_model_opens_the_adoption_questions(app, setup):
    with app.test_request_context():
        workshop = workshops.get(setup.session_id)
        workshops.set_sections(workshop, _user(setup), [])
        fit = assessments.score(workshop.assessment).fit
        models = list(fit.recommendation.model_ids) if fit else []
        models = models or [current_questionnaires().model_fit.model_ids[0]]
        opened = workshops.choose_models(workshop, _user(setup), models, "The room's view")
        adoption = current_questionnaires().adoption
        assert opened == [f"adoption/{s.id}" for s in adoption.sections]
        assert workshop.assessment.chosen_models == models


def test_participation_lists_divergent_questions_and_how_each_was_resolved(app, setup):
    _answer(app, setup, [1, 4, 4], question_id="lead-commitment")
    _answer(app, setup, [1, 5], question_id="lead-resources")
    _answer(app, setup, [3, 3], question_id="lead-accountability")
    with app.test_request_context():
        workshop = workshops.get(setup.session_id)
        consensus.record_consensus(
            workshop, _user(setup), "adoption", "lead-commitment", None, "Fine"
        )
        [entry] = workshops.participation(workshop.assessment)
        assert (entry["participants"], entry["answers"], entry["aggregate"]) == (7, 7, 1)
        resolved = {d["question_id"]: d["resolution"] for d in entry["divergent"]}
        assert resolved == {"lead-commitment": "aggregate", "lead-resources": "open"}


def test_the_purge_deletes_individual_answers_and_names_and_keeps_the_consensus(app, setup):
    _answer(app, setup, [2, 4, 4])
    with app.test_request_context():
        workshop = workshops.get(setup.session_id)
        consensus.record_consensus(workshop, _user(setup), "adoption", "lead-commitment", None, "")
        assert workshops.purge_individual_answers(db.utcnow()) == 0  # still open: kept
        workshops.close_session(workshop, _user(setup))
        later = db.utcnow() + timedelta(seconds=1)
        assert workshops.purge_individual_answers(later) == 3
        names = set(db.session().scalars(select(Participant.display_name)))
        assert names == {"Participant 1", "Participant 2", "Participant 3"}
        assert db.session().scalar(select(func.count(ConsensusRecord.id))) == 1
        assert db.session().scalar(select(AnswerRecord.value)) == 4


def test_not_applicable_answers_are_counted_but_not_in_the_spread(app, setup):
    with app.test_request_context():
        joined = workshops.join(setup.code, "Sam")
        participant_answers.save_own_answers(
            joined.workshop,
            joined.participant,
            "adoption",
            "leadership",
            {"lead-commitment": Answer("lead-commitment", Status.DONT_KNOW)},
        )
    item = _live(app, setup)
    assert (item.responses, item.aggregate.answered, item.aggregate.dont_know) == (1, 0, 1)
    assert not item.divergent
