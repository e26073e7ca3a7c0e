"""The next assessment: pre-filled from the last finalised one, carried answers to confirm, open
actions moved with their history, and the rule for what carries over between versions."""

from __future__ import annotations

import re

import pytest
from factories import member_adder, org_factory, user_factory
from finalise_helpers import finalise
from helpers import login, post
from plan_helpers import assessment_with_gaps
from sqlalchemy import func, select

from assess import db
from assess.models import AnswerRecord, AuditEvent, PlanAction
from assess.questionnaire.answers import Answer
from assess.services import action_plan, assessments, next_assessment
from assess.services.questionnaires import current_questionnaires


def _finalised(app):
    """A finalised assessment whose plan has an action in each status."""
    make_user, make_org = user_factory(app), org_factory(app)
    admin = make_user(name="Ada Admin")
    respondent = make_user(name="Rhys Respondent")
    org = make_org(members={admin: "admin"})
    member_adder(app)(respondent, org, "respondent")
    assessment_id = assessment_with_gaps(app, org, admin, title="Check 2025")
    with app.app_context():
        assessment = assessments.get(assessment_id)
        steps = action_plan.recommended(assessment)
        ids = [action_plan.adopt(assessment, admin, s.key).id for s in steps[:4]]
        for action_id, status in zip(ids, ["in_progress", "done", "dropped"], strict=False):
            action = action_plan.get(action_id)
            action_plan.update(
                action,
                admin,
                action_plan.Changes(
                    title=action.title,
                    done_when="\n".join(action.done_when),
                    owner=action_plan.Owner(role=action.owner_role),
                    due_on=action.due_on,
                    status=status,
                    dropped_reason="Overtaken by the restructure" if status == "dropped" else "",
                    evidence_note="",
                    evidence_reference="",
                    base_revision=action.revision,
                ),
            )
    finalise(app, assessment_id, admin)
    return {
        "id": assessment_id,
        "admin": admin,
        "respondent": respondent,
        "actions": ids,
        "org": org,
    }


@pytest.fixture
def finalised(app, load_snapshot):
    """:func:`_finalised` (made once per worker and copied for each test), with its admin signed
    in."""
    prepared = load_snapshot(_finalised)
    client = app.test_client()
    login(client, prepared["admin"])
    return {**prepared, "client": client}


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_next_assessment_carries_answers_to_confirm_and_moves_open_actions(app, finalised):
    client, old_id = finalised["client"], finalised["id"]
    results = client.get(f"/assessments/{old_id}/results").get_data(as_text=True)
    assert "Start the next assessment" in results
    page = client.get(f"/assessments/{old_id}/next").get_data(as_text=True)
    assert "2 open actions of the plan move to the new plan" in page
    response = post(client, f"/assessments/{old_id}/next", {"title": "Check 2026"})
    assert response.status_code == 302
    with app.app_context():
        old = assessments.get(old_id)
        new = next_assessment.next_of(old)
        assert new.title == "Check 2026" and new.is_draft
        old_count = db.session().scalar(
            select(func.count(AnswerRecord.id)).where(AnswerRecord.assessment_id == old_id)
        )
        pending = next_assessment.unconfirmed(new)
        assert len(pending) == old_count > 0
        assert assessments.answers(new, "adoption") == assessments.answers(old, "adoption")
        assert new.chosen_models == ["citizen"]
        # The open actions moved (the same rows); done and dropped ones stay behind.
        statuses = {a.status: a.assessment_id for a in db.session().scalars(select(PlanAction))}
        assert statuses == {
            "in_progress": new.id,
            "not_started": new.id,
            "done": old_id,
            "dropped": old_id,
        }
        moved = action_plan.get(finalised["actions"][0])
        history = [e.action for e in action_plan.history(moved)]
        assert history == ["plan.action_added", "plan.action_changed", "plan.action_moved"]
        started = db.session().scalar(
            select(AuditEvent).where(AuditEvent.action == "assessment.next_started")
        )
        assert started.detail == {
            "follows": old_id,
            "carried": old_count,
            "not_carried": 0,
            "actions_moved": 2,
        }
        new_id = new.id
    # The results say how many carried answers are still to confirm.
    results = _text(client.get(f"/assessments/{new_id}/results").get_data(as_text=True))
    assert (
        f"{old_count} answers carried over from the last assessment are still to confirm" in results
    )
    # Each carried answer is marked on its page.
    section = client.get(f"/assessments/{new_id}/adoption/leadership").get_data(as_text=True)
    assert section.count("Carried over \u2013 confirm or change") == 4
    # Confirming two, and changing one, leaves the rest.
    confirm = post(
        client,
        f"/assessments/{new_id}/carried",
        {"answer": ["adoption/lead-commitment", "adoption/lead-resources"]},
    )
    assert confirm.status_code == 302
    with app.app_context():
        new = assessments.get(new_id)
        question = "lead-accountability"
        stored = assessments.stored_answers(new, "adoption")[question]
        outcome = assessments.save_answers(
            new,
            db.session().get(type(finalised["admin"]), finalised["admin"].id),
            "adoption",
            {
                question: assessments.Submission(
                    Answer(question, value=3, note="New minutes"), stored.revision
                )
            },
        )
        assert outcome.ok
        assert len(next_assessment.unconfirmed(new)) == old_count - 3
    results = _text(client.get(f"/assessments/{new_id}/results").get_data(as_text=True))
    assert f"{old_count - 3} answers carried over" in results
    finalise_page = _text(client.get(f"/assessments/{new_id}/finalise").get_data(as_text=True))
    assert f"{old_count - 3} answers carried over from the last assessment have not been" in (
        finalise_page
    )
    # The old plan says where its open actions went; the new plan shows them as carried over.
    old_plan = client.get(f"/assessments/{old_id}/plan").get_data(as_text=True)
    assert "Moved to the next assessment" in old_plan
    new_plan = client.get(f"/assessments/{new_id}/plan").get_data(as_text=True)
    assert new_plan.count("carried over from the previous plan") == 2
    # Only once: a second start goes to the one already started.
    again = post(client, f"/assessments/{old_id}/next", {"title": "Another"})
    assert again.status_code == 302 and f"/assessments/{new_id}" in again.headers["Location"]
    with app.app_context():
        assert next_assessment.latest_finalised(finalised["org"].id).id == old_id
        assert db.session().scalar(select(func.count()).select_from(type(new))) == 2


def test_a_respondent_cannot_start_it_and_a_bad_title_is_refused(app, finalised):
    other = app.test_client()
    login(other, finalised["respondent"])
    assert post(other, f"/assessments/{finalised['id']}/next", {"title": "x"}).status_code == 403
    refused = post(finalised["client"], f"/assessments/{finalised['id']}/next", {"title": " "})
    assert refused.status_code == 400
    assert "Enter a name for the assessment" in refused.get_data(as_text=True)
    with app.app_context():
        assert next_assessment.next_of(assessments.get(finalised["id"])) is None


def test_what_carries_over_between_questionnaire_versions(app):
    with app.app_context():
        qset = current_questionnaires()
    level = qset.adoption.question("lead-commitment")
    single = next(q for _s, q in qset.model_fit.questions() if q.type == "single")
    assert next_assessment.carries(level, level) is None
    assert next_assessment.carries(level, None) == next_assessment.GONE
    assert next_assessment.carries(level, single) == next_assessment.TYPE_CHANGED
    fewer = single.model_copy(update={"options": single.options[:-1]})
    assert next_assessment.carries(single, fewer) == next_assessment.OPTIONS_CHANGED
    relabelled = single.model_copy(
        update={"options": [o.model_copy(update={"label": o.label}) for o in single.options]}
    )
    assert next_assessment.carries(single, relabelled) is None
    criteria = dict(level.criteria)
    criteria[3] = criteria[3][:-1]
    assert (
        next_assessment.carries(level, level.model_copy(update={"criteria": criteria}))
        == next_assessment.CRITERIA_CHANGED
    )


def _renamed_version():
    """The adoption questionnaire as a later version: lead-commitment renamed, lead-resources
    split in two, lead-board-oversight and lead-accountability merged into one."""
    from assess.questionnaire.schema import CarryOver

    qset = current_questionnaires()
    adoption = qset.adoption
    section = adoption.section("leadership")
    by_id = {q.id: q for q in section.questions}
    questions = [
        by_id["lead-commitment"].model_copy(update={"id": "lead-pledge"}),
        by_id["lead-board-oversight"].model_copy(update={"id": "lead-governance"}),
        by_id["lead-resources"].model_copy(update={"id": "lead-budget"}),
        by_id["lead-resources"].model_copy(update={"id": "lead-training"}),
    ]
    later = adoption.model_copy(
        update={
            "version": "9.0.0",
            "sections": [
                section.model_copy(update={"questions": questions}) if s.id == "leadership" else s
                for s in adoption.sections
            ],
            "carry_over": [
                CarryOver.model_validate({"from": ["lead-commitment"], "to": ["lead-pledge"]}),
                CarryOver.model_validate(
                    {"from": ["lead-resources"], "to": ["lead-budget", "lead-training"]}
                ),
                CarryOver.model_validate(
                    {
                        "from": ["lead-board-oversight", "lead-accountability"],
                        "to": ["lead-governance"],
                    }
                ),
            ],
        }
    )
    return type(qset)(qset.definition, qset.model_fit, later)


def test_a_newer_version_carries_renamed_and_split_answers_and_lists_merged_ones(app, finalised):
    with app.app_context():
        old = assessments.get(finalised["id"])
        before = assessments.answers(old, "adoption")
        started = next_assessment.start_next(
            old,
            db.session().get(type(finalised["admin"]), finalised["admin"].id),
            "Check 2026",
            _renamed_version(),
        )
        new = assessments.get(started.assessment.id)
        after = assessments.answers(new, "adoption")
        assert after["lead-pledge"].value == before["lead-commitment"].value
        assert after["lead-budget"].value == after["lead-training"].value
        assert after["lead-budget"].value == before["lead-resources"].value
        assert "lead-governance" not in after
        listed = {(i["question_id"], i["reason"]) for i in started.not_carried}
        assert listed == {
            ("lead-board-oversight", next_assessment.MERGED),
            ("lead-accountability", next_assessment.MERGED),
        }
        assert ("adoption", "lead-pledge") in next_assessment.unconfirmed(new)
        new_id = new.id
    page = finalised["client"].get(f"/assessments/{new_id}/carried").get_data(as_text=True)
    assert "Answers that could not carry over" in page
    assert "merged with other questions" in page
