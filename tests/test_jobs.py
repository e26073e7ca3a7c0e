"""With a job queue (``REDIS_URL``), the slow work runs on ``assess worker``: a draft's report,
finalising, email. The person sees "being prepared", then the download; a failure is tried once
more and then reported on the page, never lost. Here the queue is a fake Redis in this process and
the worker a burst of RQ's in-process worker; docs/deploy.md's real deployment is tested by
test_deployment.py."""

from __future__ import annotations

import re

import fakeredis
import pytest
from finalise_helpers import answered_draft
from helpers import login, post
from rq import Queue
from rq.job import Job
from sqlalchemy import select

from assess import db, jobs
from assess.models import Assessment, OutboxMessage, StoredReport


@pytest.fixture
def queued(app, make_user, make_org):
    """An app whose slow work goes to a (fake) Redis, an admin signed in, an answered draft."""
    app.config["REDIS_URL"] = "redis://fake.invalid:6379/0"
    redis = fakeredis.FakeRedis()
    app.extensions["assess.redis"] = redis
    admin = make_user(name="Ada Admin", email="ada@example.org")
    org = make_org(name="Testshire Council", members={admin: "admin"})
    assessment_id = answered_draft(app, org, admin)
    client = app.test_client()
    login(client, admin)

    def work() -> None:
        jobs.run_worker(app, burst=True, connection_=redis)

    return app, client, assessment_id, work, redis, admin


def _follow_status(client, response):
    assert response.status_code in (302, 303), response.status_code
    location = response.headers["Location"]
    assert re.search(r"/assessments/\d+/preparing/[^/]+$", location), location
    return location


def test_a_draft_report_is_prepared_by_the_worker_and_then_downloaded(queued):
    _app, client, assessment_id, work, _redis, _admin = queued
    asked = client.get(f"/assessments/{assessment_id}/report.pdf")
    status_url = _follow_status(client, asked)

    waiting = client.get(status_url)
    page = waiting.get_data(as_text=True)
    assert waiting.status_code == 200
    assert "Your report is being prepared." in page
    assert 'role="status"' in page
    # Without JavaScript the page refreshes itself; with it, a script asks for the state.
    assert '<noscript><meta http-equiv="refresh"' in page
    assert "js/preparing.js" in page
    assert client.get(status_url, headers={"Accept": "application/json"}).json == {
        "state": "waiting",
        "pending": True,
        "retried": False,
    }

    work()

    ready = client.get(status_url)
    page = ready.get_data(as_text=True)
    assert "Your report is ready." in page
    assert "http-equiv" not in page
    assert client.get(status_url, headers={"Accept": "application/json"}).json["pending"] is False
    download = client.get(f"{status_url}/report.pdf")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.data.startswith(b"%PDF-")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "testshire-council" in download.headers["Content-Disposition"]


def test_finalising_runs_on_the_worker_and_ends_on_the_stored_report(queued):
    app, client, assessment_id, work, _redis, _admin = queued
    response = post(client, f"/assessments/{assessment_id}/finalise", {})
    status_url = _follow_status(client, response)
    page = client.get(status_url).get_data(as_text=True)
    assert "The assessment is being finalised" in page
    with app.app_context():
        assert db.session().get(Assessment, assessment_id).status == "draft"

    work()

    done = client.get(status_url)
    assert done.status_code == 302
    reports_page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "is finalised. Its report, R-" in reports_page
    with app.app_context():
        assert db.session().get(Assessment, assessment_id).status == "finalised"
        assert db.session().scalar(select(StoredReport)).pdf.startswith(b"%PDF-")


def test_a_job_that_fails_is_tried_once_more_then_reported_on_its_page(queued, monkeypatch):
    _app, client, assessment_id, work, _redis, _admin = queued
    attempts = []

    def broken(report):
        attempts.append(report.report_id)
        raise RuntimeError("the fonts are gone")

    monkeypatch.setattr("assess.services.reports._render_pdf", broken)
    status_url = _follow_status(client, client.get(f"/assessments/{assessment_id}/report.pdf"))
    work()
    assert len(attempts) == 2
    page = client.get(status_url).get_data(as_text=True)
    assert "Your report could not be prepared: it failed twice." in page
    assert "Ask for the report again" in page
    assert client.get(status_url, headers={"Accept": "application/json"}).json == {
        "state": "failed",
        "pending": False,
        "retried": True,
    }
    # Nothing half-done to download.
    assert client.get(f"{status_url}/report.pdf").status_code == 302


def test_a_finalising_that_fails_twice_changes_nothing_and_says_so(queued, monkeypatch):
    app, client, assessment_id, work, _redis, _admin = queued
    monkeypatch.setattr(
        "assess.services.reports._render_pdf",
        lambda report: (_ for _ in ()).throw(RuntimeError("broken")),
    )
    status_url = _follow_status(client, post(client, f"/assessments/{assessment_id}/finalise", {}))
    work()
    page = client.get(status_url).get_data(as_text=True)
    assert "could not be finalised: preparing its report failed twice" in page
    with app.app_context():
        assert db.session().get(Assessment, assessment_id).status == "draft"
        assert db.session().scalar(select(StoredReport)) is None


def test_a_report_past_the_memory_ceiling_gets_a_clear_message(queued):
    app, client, assessment_id, work, _redis, _admin = queued
    app.config["REPORT_RENDER_MEMORY_MB"] = 1  # less than any process needs
    status_url = _follow_status(client, client.get(f"/assessments/{assessment_id}/report.pdf"))
    work()
    page = client.get(status_url).get_data(as_text=True)
    assert "This report is too large to prepare on this server" in page
    assert "1 MiB of memory" in page
    assert "REPORT_RENDER_MEMORY_MB" in page


def test_only_the_person_who_asked_sees_the_job(queued, make_user, add_member):
    app, client, assessment_id, work, _redis, _admin = queued
    status_url = _follow_status(client, client.get(f"/assessments/{assessment_id}/report.pdf"))
    work()
    with app.app_context():
        org_id = db.session().get(Assessment, assessment_id).organisation_id
    colleague = make_user(email="colleague@example.org")

    class Org:
        id = org_id

    add_member(colleague, Org, "respondent")
    other = app.test_client()
    login(other, colleague)
    assert other.get(status_url).status_code == 404
    assert other.get(f"{status_url}/report.pdf").status_code == 404
    assert client.get(f"/assessments/{assessment_id}/preparing/no-such-job").status_code == 404


def test_email_is_sent_by_the_worker(queued, mailbox):
    app, client, _assessment_id, work, redis, _admin = queued
    with app.app_context():
        org_id = db.session().scalar(select(Assessment)).organisation_id
    post(
        client,
        f"/organisations/{org_id}/invitations/new",
        {"email": "n@example.org", "role": "auditor"},
    )
    # Queued, not sent: the web process only asked a worker, once however many requests queue mail.
    assert mailbox() == []
    assert Queue(jobs.QUEUE, connection=redis).count == 1
    work()
    assert [mail.to for mail in mailbox()] == ["n@example.org"]
    with app.app_context():
        assert db.session().scalar(select(OutboxMessage)).state == "sent"


def test_when_the_queue_cannot_be_reached_the_person_is_told_and_nothing_changes(
    app, make_user, make_org
):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    admin = make_user()
    org = make_org(members={admin: "admin"})
    assessment_id = answered_draft(app, org, admin)
    client = app.test_client()
    login(client, admin)
    response = client.get(f"/assessments/{assessment_id}/report.pdf")
    assert response.status_code == 503
    assert "Nothing has been lost" in response.get_data(as_text=True)
    response = post(client, f"/assessments/{assessment_id}/finalise", {})
    assert response.status_code == 503
    with app.app_context():
        assert db.session().get(Assessment, assessment_id).status == "draft"


def test_without_a_queue_reports_are_rendered_in_the_request_as_before(app, make_user, make_org):
    admin = make_user()
    org = make_org(members={admin: "admin"})
    assessment_id = answered_draft(app, org, admin)
    client = app.test_client()
    login(client, admin)
    response = client.get(f"/assessments/{assessment_id}/report.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-")
    assert not jobs.enabled(app)


def test_the_worker_command_refuses_to_start_without_redis(runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 2
    assert "ASSESS_REDIS_URL" in result.output


def test_a_job_of_an_expired_or_unknown_id_is_not_a_500(queued):
    _app, client, assessment_id, _work, redis, _admin = queued
    status_url = _follow_status(client, client.get(f"/assessments/{assessment_id}/report.pdf"))
    job_id = status_url.rsplit("/", 1)[1]
    Job.fetch(job_id, connection=redis).delete()
    assert client.get(status_url).status_code == 404


def test_a_job_that_fails_once_is_done_by_its_second_attempt(queued, monkeypatch):
    _app, client, assessment_id, work, _redis, _admin = queued
    from assess.services import reports

    real = reports._render_pdf
    attempts = []

    def flaky(report):
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("the database went away for a moment")
        return real(report)

    monkeypatch.setattr("assess.services.reports._render_pdf", flaky)
    status_url = _follow_status(client, client.get(f"/assessments/{assessment_id}/report.pdf"))
    work()
    assert len(attempts) == 2
    assert client.get(status_url, headers={"Accept": "application/json"}).json == {
        "state": "done",
        "pending": False,
        "retried": True,
    }
    assert client.get(f"{status_url}/report.pdf").data.startswith(b"%PDF-")
