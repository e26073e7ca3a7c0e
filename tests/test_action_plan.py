"""The action plan: adopting steps and writing own actions, editing (dropping needs a reason),
filters and CSV, the audit trail, reminders, and editing after finalising."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from helpers import login, post
from plan_helpers import assessment_with_gaps
from sqlalchemy import func, select

from assess import db
from assess.models import AuditEvent, OutboxMessage, PlanAction, PlanReminder
from assess.services import action_plan, assessments, plan_reminders


@pytest.fixture
def plan(app, make_user, make_org, add_member):
    admin = make_user(name="Ada Admin")
    respondent = make_user(name="Rhys Respondent")
    org = make_org(members={admin: "admin"})
    add_member(respondent, org, "respondent")
    assessment_id = assessment_with_gaps(app, org, admin)
    client = app.test_client()
    login(client, admin)
    return {
        "admin": admin,
        "respondent": respondent,
        "org": org,
        "id": assessment_id,
        "client": client,
    }


def _recommended(app, assessment_id):
    with app.app_context():
        return action_plan.recommended(assessments.get(assessment_id))


def _adopt(plan, app, index=0):
    key = _recommended(app, plan["id"])[index].key
    response = post(plan["client"], f"/assessments/{plan['id']}/plan/adopt", {"key": key})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        return db.session().scalar(select(PlanAction).where(PlanAction.step_key == key))


def _edit(plan, action, **changes):
    form = {
        "title": action.title,
        "done_when": "\n".join(action.done_when),
        "owner": str(action.owner_user_id or ""),
        "owner_role": action.owner_role or "",
        "due_on": action.due_on.isoformat(),
        "status": action.status,
        "dropped_reason": action.dropped_reason or "",
        "evidence_note": action.evidence_note,
        "evidence_reference": action.evidence_reference,
        "revision": str(action.revision),
    }
    form.update(changes)
    return post(plan["client"], f"/plan/actions/{action.id}", form)


def test_the_results_offer_each_recommended_step_and_adopting_takes_the_methods_step(app, plan):
    steps = _recommended(app, plan["id"])
    assert steps and not any(s.adopted for s in steps)
    results = plan["client"].get(f"/assessments/{plan['id']}/results").get_data(as_text=True)
    assert results.count("Add to the plan") == len(steps)
    action = _adopt(plan, app)
    step = steps[0].step
    assert action.title == step.action
    assert action.done_when == list(step.done_when)
    assert action.owner_role == step.owner and action.owner_user_id is None
    assert (action.from_level, action.to_level) == (step.from_level, step.to_level)
    assert action.status == "not_started"
    # Due: today plus the months the step takes.
    assert action.due_on > date.today() + timedelta(days=28 * step.months - 4)
    results = plan["client"].get(f"/assessments/{plan['id']}/results").get_data(as_text=True)
    assert results.count("Add to the plan") == len(steps) - 1
    assert "In the plan" in results
    # The same step twice is refused with a message, and nothing is added.
    again = post(
        plan["client"],
        f"/assessments/{plan['id']}/plan/adopt",
        {"key": steps[0].key},
        follow_redirects=True,
    )
    assert "already in the plan" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(func.count(PlanAction.id))) == 1


def test_dropping_needs_a_reason_and_a_refused_edit_loses_nothing(app, plan):
    action = _adopt(plan, app)
    refused = _edit(plan, action, status="dropped", evidence_note="Half done", dropped_reason="")
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Say why the action is dropped" in page
    assert "Half done" in page  # what the person typed is still there
    with app.app_context():
        stored = action_plan.get(action.id)
        assert (stored.status, stored.evidence_note, stored.revision) == ("not_started", "", 1)
    done = _edit(plan, action, status="dropped", dropped_reason="Merged into the new strategy")
    assert done.status_code == 302
    with app.app_context():
        stored = action_plan.get(action.id)
        assert (stored.status, stored.dropped_reason, stored.revision) == (
            "dropped",
            "Merged into the new strategy",
            2,
        )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"due_on": "2027-02-30"}, "Enter a real date"),
        ({"due_on": ""}, "Enter the date it is due"),
        ({"owner_role": ""}, "Choose the member who owns this action"),
        ({"title": "   "}, "Say what is to be done"),
        ({"status": "finished"}, "Not a valid choice"),
    ],
)
def test_bad_input_gets_a_clear_message_never_a_500(app, plan, changes, message):
    action = _adopt(plan, app)
    response = _edit(plan, action, **changes)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert action_plan.get(action.id).revision == 1


def test_an_owner_from_another_organisation_is_refused(app, plan, make_user, make_org):
    outsider = make_user()
    make_org(members={outsider: "admin"})
    action = _adopt(plan, app)
    response = _edit(plan, action, owner=str(outsider.id), owner_role="")
    assert response.status_code == 400
    assert "one of the organisation" in response.get_data(as_text=True)


def test_a_stale_edit_is_refused_and_shows_the_newer_version(app, plan):
    action = _adopt(plan, app)
    assert _edit(plan, action, evidence_note="First").status_code == 302
    stale = _edit(plan, action, evidence_note="Second")
    assert stale.status_code == 409
    assert "Someone changed this action" in stale.get_data(as_text=True)
    with app.app_context():
        assert action_plan.get(action.id).evidence_note == "First"


def test_every_change_is_in_the_audit_trail_without_names(app, plan):
    action = _adopt(plan, app)
    _edit(plan, action, owner=str(plan["respondent"].id), owner_role="", status="in_progress")
    with app.app_context():
        events = list(
            db.session().scalars(
                select(AuditEvent)
                .where(AuditEvent.object_type == "plan_action")
                .order_by(AuditEvent.id)
            )
        )
        assert [e.action for e in events] == ["plan.action_added", "plan.action_changed"]
        changed = events[1]
        assert changed.new_value == {"owner": "member", "status": "in_progress"}
        assert changed.old_value == {"owner": "role", "status": "not_started"}
        assert changed.subject_ref is not None
        assert "Rhys" not in str(changed.new_value) + str(changed.detail)
    page = plan["client"].get(f"/plan/actions/{action.id}").get_data(as_text=True)
    assert "Action changed" in page and "Action added to the plan" in page


def test_an_own_action_defaults_done_when_to_the_practices_next_level(app, plan):
    with app.app_context():
        practice = action_plan.practices(assessments.get(plan["id"]))[0][0]
    response = post(
        plan["client"],
        f"/assessments/{plan['id']}/plan/new",
        {
            "question_id": practice,
            "title": "Brief the cabinet",
            "done_when": "",
            "owner": str(plan["respondent"].id),
            "owner_role": "",
            "due_on": "2027-03-31",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        action = db.session().scalar(select(PlanAction).where(PlanAction.source == "own"))
        question = assessments.questionnaires_of(assessments.get(plan["id"])).adoption.question(
            practice
        )
        assert action.to_level == 3 and action.from_level == 2
        assert action.done_when == [
            c.text.get("en") if hasattr(c, "text") else c.get("en") for c in question.criteria[3]
        ]
        assert action.owner_user_id == plan["respondent"].id and action.step_key is None
    refused = post(
        plan["client"],
        f"/assessments/{plan['id']}/plan/new",
        {
            "question_id": practice,
            "title": "x",
            "owner_role": "Clerk",
            "owner": str(plan["respondent"].id),
            "due_on": "2027-03-31",
        },
    )
    assert refused.status_code == 400
    assert "not both" in refused.get_data(as_text=True)


def test_filters_and_csv(app, plan):
    first = _adopt(plan, app, 0)
    second = _adopt(plan, app, 1)
    _edit(plan, first, owner=str(plan["respondent"].id), owner_role="", due_on="2020-01-31")
    _edit(plan, second, status="done", evidence_note='=HYPERLINK("x")')
    client = plan["client"]
    base = f"/assessments/{plan['id']}/plan"
    overdue = client.get(f"{base}?overdue=1").get_data(as_text=True)
    assert f'data-action="{first.id}"' in overdue and f'data-action="{second.id}"' not in overdue
    assert "Overdue" in overdue
    done = client.get(f"{base}?status=done").get_data(as_text=True)
    assert f'data-action="{second.id}"' in done and f'data-action="{first.id}"' not in done
    mine = client.get(f"{base}?owner=member:{plan['respondent'].id}").get_data(as_text=True)
    assert f'data-action="{first.id}"' in mine and f'data-action="{second.id}"' not in mine
    response = client.get(f"{base}.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["status"] for r in rows] == ["not_started", "done"]
    assert rows[0]["overdue"] == "yes" and rows[0]["owner"] == "Rhys Respondent"
    assert rows[1]["evidence_note"].startswith("'=")  # defused for spreadsheets
    filtered = client.get(f"{base}.csv?status=done").get_data(as_text=True)
    assert filtered.count("\r\n") == 2


def test_a_respondent_reads_the_plan_but_cannot_change_it(app, plan):
    action = _adopt(plan, app)
    client = app.test_client()
    login(client, plan["respondent"])
    assert client.get(f"/assessments/{plan['id']}/plan").status_code == 200
    page = client.get(f"/plan/actions/{action.id}").get_data(as_text=True)
    assert "Save the action" not in page
    response = post(client, f"/plan/actions/{action.id}", {"status": "done", "revision": "1"})
    assert response.status_code == 403
    assert post(client, f"/assessments/{plan['id']}/plan/adopt", {"key": "x"}).status_code == 403


def test_the_plan_stays_editable_after_finalising_and_the_report_keeps_it_as_it_was(app, plan):
    from finalise_helpers import finalise
    from report_helpers import page_texts

    from assess.services import finalising

    action = _adopt(plan, app)
    stored = finalise(app, plan["id"], plan["admin"])
    text = " ".join(" ".join(page_texts(stored.pdf)).split())
    assert "The plan the organisation agreed" in text
    assert "Not started" in text
    assert _edit(plan, action, status="done", evidence_note="Signed off").status_code == 302
    with app.app_context():
        assert action_plan.get(action.id).status == "done"
        again = finalising.stored_report(assessments.get(plan["id"]))
        assert again.sha256 == stored.sha256  # the stored report is as it was
    page = plan["client"].get(f"/assessments/{plan['id']}/plan").get_data(as_text=True)
    assert 'data-status="done"' in page


def _due_in(app, action_id, days):
    with app.app_context():
        action = action_plan.get(action_id)
        action.due_on = date.today() + timedelta(days=days)
        db.session().commit()


def _noon_today():
    today = date.today()
    return datetime(today.year, today.month, today.day, 12, tzinfo=UTC)


def test_reminders_go_once_a_week_before_and_on_the_due_date(app, plan, mailbox):
    action = _adopt(plan, app)
    _edit(plan, action, owner=str(plan["respondent"].id), owner_role="")
    _due_in(app, action.id, 7)
    with app.app_context():
        assert plan_reminders.send_reminders(_noon_today()) == 1
        assert plan_reminders.send_reminders(_noon_today()) == 0  # never twice
    messages = [m for m in mailbox() if "Due on" in m.subject]
    assert len(messages) == 1 and messages[0].to == plan["respondent"].email
    _due_in(app, action.id, 0)
    with app.app_context():
        assert plan_reminders.send_reminders(_noon_today()) == 1
        assert plan_reminders.send_reminders(_noon_today()) == 0
    # (The owner has chosen no language: the subject is in Welsh, then English.)
    assert any("Due today" in m.subject for m in mailbox())


def test_admins_get_a_weekly_digest_of_overdue_actions_once(app, plan, mailbox, runner):
    action = _adopt(plan, app)
    _due_in(app, action.id, -3)
    result = runner.invoke(args=["maintenance", "purge"])
    assert result.exit_code == 0, result.output
    assert "action-plan reminders" in result.output
    digests = [m for m in mailbox() if "overdue" in m.subject]
    assert len(digests) == 1 and digests[0].to == plan["admin"].email
    assert action.title[:40] in digests[0].text
    runner.invoke(args=["maintenance", "purge"])
    assert len([m for m in mailbox() if "overdue" in m.subject]) == 1
    with app.app_context():
        assert db.session().scalar(select(func.count(PlanReminder.id))) == 1


def test_no_reminder_when_the_organisation_opts_out(app, plan, mailbox):
    action = _adopt(plan, app)
    _edit(plan, action, owner=str(plan["respondent"].id), owner_role="")
    _due_in(app, action.id, 0)
    page = plan["client"].get(f"/organisations/{plan['org'].id}/plan-reminders")
    assert "checked" in page.get_data(as_text=True)
    response = post(plan["client"], f"/organisations/{plan['org'].id}/plan-reminders", {})
    assert response.status_code == 302
    with app.app_context():
        assert plan_reminders.send_reminders(_noon_today()) == 0
        assert db.session().scalar(select(func.count(OutboxMessage.id))) == 0
        event = db.session().scalar(
            select(AuditEvent).where(AuditEvent.action == "organisation.action_reminders_changed")
        )
        assert (event.old_value, event.new_value) == (True, False)
