"""The follow-up review: scheduled ten months after finalising by default, the status of each
action and a re-rating of only the targeted practices with evidence, a two-page PDF/A progress
report that the verify page checks like a finalised report."""

from __future__ import annotations

import io
import re

import pikepdf
import pytest
from factories import member_adder, org_factory, user_factory
from finalise_helpers import finalise
from helpers import login, post
from plan_helpers import assessment_with_gaps
from report_helpers import page_texts
from sqlalchemy import select

from assess import db
from assess.models import AuditEvent, ProgressReview
from assess.reporting.board import add_months
from assess.services import action_plan, assessments, finalising, progress_review


def _finalised_with_a_plan(app):
    """A finalised assessment whose plan adopted two recommended steps; an admin (who finalised
    it) and a respondent."""
    make_user, make_org = user_factory(app), org_factory(app)
    admin = make_user(name="Ada Admin")
    respondent = make_user()
    org = make_org(members={admin: "admin"})
    member_adder(app)(respondent, org, "respondent")
    assessment_id = assessment_with_gaps(app, org, admin, title="Check 2025")
    with app.app_context():
        assessment = assessments.get(assessment_id)
        steps = action_plan.recommended(assessment)
        ids = [action_plan.adopt(assessment, admin, s.key).id for s in steps[:2]]
    finalise(app, assessment_id, admin)
    return {"id": assessment_id, "admin": admin, "actions": ids, "respondent": respondent}


@pytest.fixture
def reviewed(app, load_snapshot):
    """:func:`_finalised_with_a_plan` (made once per worker and copied for each test), with the
    admin signed in."""
    prepared = load_snapshot(_finalised_with_a_plan)
    client = app.test_client()
    login(client, prepared.pop("admin"))
    return {"client": client, **prepared}


def _form(app, reviewed, **overrides):
    with app.app_context():
        practices = progress_review.practices(assessments.get(reviewed["id"]))
    form = {"step": "complete", "summary": "Good progress on the register."}
    first, second = reviewed["actions"]
    form[f"action-{first}"] = "done"
    form[f"note-{first}"] = "Register published in May."
    form[f"action-{second}"] = "in_progress"
    for p in practices:
        form[f"level-{p.question_id}"] = "3"
        form[f"evidence-{p.question_id}"] = f"Minutes for {p.question_id}"
    form.update(overrides)
    return form, practices


def test_a_review_is_due_ten_months_after_finalising_by_default(app, reviewed):
    client = reviewed["client"]
    page = client.get(f"/assessments/{reviewed['id']}/review").get_data(as_text=True)
    with app.app_context():
        assessment = assessments.get(reviewed["id"])
        due = add_months(assessment.finalised_at.date(), 10)
    assert due.isoformat() in page
    assert (
        post(client, f"/assessments/{reviewed['id']}/review", {"step": "schedule"}).status_code
        == 302
    )
    with app.app_context():
        (review,) = db.session().scalars(select(ProgressReview)).all()
        assert (review.due_on, review.status) == (due, "scheduled")
    bad = post(
        client,
        f"/assessments/{reviewed['id']}/review",
        {"step": "schedule", "due_on": "2027-13-01"},
    )
    assert bad.status_code == 400 and "Enter a real date" in bad.get_data(as_text=True)
    other = app.test_client()
    login(other, reviewed["respondent"])
    assert (
        post(other, f"/assessments/{reviewed['id']}/review", {"step": "schedule"}).status_code
        == 403
    )


def test_only_targeted_practices_are_rerated_and_evidence_is_required(app, reviewed):
    client = reviewed["client"]
    post(client, f"/assessments/{reviewed['id']}/review", {"step": "schedule"})
    form, practices = _form(app, reviewed)
    with app.app_context():
        targeted = {
            a.question_id for a in progress_review.plan_actions(assessments.get(reviewed["id"]))
        }
    assert {p.question_id for p in practices} == targeted and len(targeted) == 2
    missing = dict(form)
    missing[f"evidence-{practices[0].question_id}"] = " "
    refused = post(client, f"/assessments/{reviewed['id']}/review", missing)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Say what shows the practice is at this level" in page
    assert "Register published in May." in page  # what was typed is kept
    with app.app_context():
        review = db.session().scalar(select(ProgressReview))
        assert review.status == "scheduled" and review.pdf is None
        assert action_plan.get(reviewed["actions"][0]).status == "not_started"


def test_completing_stores_a_two_page_pdf_a_that_verifies(app, reviewed):
    client = reviewed["client"]
    post(client, f"/assessments/{reviewed['id']}/review", {"step": "schedule"})
    form, _practices = _form(app, reviewed)
    done = post(client, f"/assessments/{reviewed['id']}/review", form)
    assert done.status_code == 302, done.get_data(as_text=True)
    with app.app_context():
        review = db.session().scalar(select(ProgressReview))
        assert review.status == "completed" and re.fullmatch(r"P-\d{4}-\d{6}", review.report_id)
        pdf = review.pdf
        first, second = (action_plan.get(i) for i in reviewed["actions"])
        assert (first.status, second.status) == ("done", "in_progress")
        assert first.evidence_note == "Register published in May."
        verified = finalising.verify(pdf)
        assert verified.verified and verified.report_id == review.report_id
        assert verified.assessment_title == "Check 2025" and verified.progress_review
        actions = [
            e.action for e in db.session().scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]
        assert "review.scheduled" in actions and "review.completed" in actions
        review_id = review.id
    pages = page_texts(pdf)
    assert len(pages) <= 2
    text = " ".join(" ".join(pages).split())
    assert "progress review" in text.lower() and "Minutes for" in text
    assert "(was not started)" in text and "Good progress on the register." in text
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        meta = opened.open_metadata()
        assert meta["pdfaid:part"] == "3" and meta["pdfaid:conformance"] == "A"
    download = client.get(f"/assessments/{reviewed['id']}/review.pdf?review={review_id}")
    assert download.status_code == 200 and download.data == pdf
    assert client.get(f"/assessments/{reviewed['id']}/review.pdf?review=999").status_code == 404
    # A changed copy does not verify.
    with app.app_context():
        assert not finalising.verify(pdf[:-200] + b"%" + pdf[-199:]).verified
