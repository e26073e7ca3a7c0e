"""Work that runs outside the web request when several servers share a Redis (``REDIS_URL``):
preparing a draft's report, finalising an assessment, and sending queued email. The jobs run on
``assess worker`` (RQ).

Without ``REDIS_URL`` none of this is used: the web process renders, finalises and sends itself,
as it always has (see :func:`enabled`).

A job is retried once when it fails unexpectedly (an exception, or its worker killed mid-job: RQ
finds the job abandoned and runs it again); after that it stays in RQ's failed registry and its page
says it could not be done. A refusal that trying again would not change (the report is larger than
the worker's ceiling, the assessment changed meanwhile) is not an error: the job ends with that
outcome and its page says so. Each job names the assessment and the person it was asked for
(``job.meta``), and only that person sees its page.

A worker renders reports in a child process with a time and memory ceiling
(:mod:`assess.reporting.bounded`), so that an enormous report gives a clear message rather than an
out-of-memory kill of the worker.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)

QUEUE = "assess"
_CONNECTION = "assess.redis"
#: Set while a mail job is waiting, so that many requests queue one job, not one each.
_MAIL_PENDING = "assess:mail:pending"

#: The app the jobs of this worker process run in (set by :func:`run_worker`).
_APP: Flask | None = None
_WORKER_PID: int | None = None

# What a job's page says it is doing.
WAITING = "waiting"
WORKING = "working"
#: Done: a draft's PDF is ready to download, or the assessment is finalised.
DONE = "done"
#: Done, but what was asked could not be done (the message says why and what to do).
REFUSED = "refused"
#: Failed twice; the message says so.
FAILED = "failed"
#: Not known (expired, or never existed).
GONE = "gone"

RENDER_DRAFT = "render_draft"
FINALISE = "finalise"


def enabled(app: Flask | None = None) -> bool:
    """Whether jobs go to Redis (``REDIS_URL`` is set) rather than running in the request."""
    return bool((app or current_app).config.get("REDIS_URL"))


def connection(app: Flask | None = None) -> Any:
    """The app's Redis connection (one per app and process, made on first use)."""
    app = app or current_app
    found = app.extensions.get(_CONNECTION)
    if found is None:
        from redis import Redis

        found = Redis.from_url(app.config["REDIS_URL"])
        app.extensions[_CONNECTION] = found
    return found


def _queue(app: Flask | None = None) -> Any:
    from rq import Queue

    return Queue(QUEUE, connection=connection(app))


def _enqueue(function: Any, *args: Any, meta: dict[str, Any], timeout: int) -> str:
    from rq import Retry

    config = current_app.config
    job = _queue().enqueue(
        function,
        *args,
        meta=meta,
        retry=Retry(max=1),
        job_timeout=timeout,
        result_ttl=config["JOB_RESULT_TTL"],
        failure_ttl=config["JOB_FAILURE_TTL"],
    )
    return str(job.id)


# ---- asking for work (web side) --------------------------------------------------------------


def request_draft_report(assessment_id: int, user_id: int, locale: str = "en") -> str:
    """Queue the rendering of a draft's report for ``user_id``, in ``locale``; the job's id."""
    return _enqueue(
        render_draft,
        assessment_id,
        user_id,
        locale,
        meta={"kind": RENDER_DRAFT, "assessment_id": assessment_id, "user_id": user_id},
        timeout=_job_timeout(),
    )


def request_finalise(assessment_id: int, user_id: int) -> str:
    """Queue finalising an assessment (render, store, close) for ``user_id``; the job's id."""
    return _enqueue(
        finalise,
        assessment_id,
        user_id,
        meta={"kind": FINALISE, "assessment_id": assessment_id, "user_id": user_id},
        timeout=_job_timeout(),
    )


def request_mail() -> None:
    """Queue a job that sends the outbox's due email, unless one is already waiting."""
    redis = connection()
    if not redis.set(_MAIL_PENDING, "1", nx=True, ex=current_app.config["MAIL_RETRY_INTERVAL"]):
        return
    try:
        _enqueue(send_mail, meta={"kind": "send_mail"}, timeout=300)
    except Exception:
        redis.delete(_MAIL_PENDING)
        raise


def _job_timeout() -> int:
    # RQ's own ceiling, over the render's: a job is only killed by RQ if something else hangs.
    return int(current_app.config["REPORT_RENDER_TIMEOUT"]) + 120


@dataclass(frozen=True)
class JobState:
    """What a person is told about their job."""

    id: str
    kind: str
    state: str
    #: The outcome the job returned (for DONE and REFUSED).
    outcome: dict[str, Any] | None = None
    #: True once the first attempt failed (or its worker died) and it was tried again.
    retrying: bool = False

    @property
    def pending(self) -> bool:
        return self.state in (WAITING, WORKING)


def state_of(job_id: str, *, assessment_id: int, user_id: int) -> JobState | None:
    """The job ``job_id`` if it was asked for ``assessment_id`` by ``user_id``; None otherwise
    (another person's job is as unknown as one that never existed)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    try:
        job = Job.fetch(job_id, connection=connection())
    except (NoSuchJobError, ValueError):
        return None
    meta = job.meta or {}
    if meta.get("assessment_id") != assessment_id or meta.get("user_id") != user_id:
        return None
    kind = str(meta.get("kind"))
    status = job.get_status(refresh=False)
    retrying = job.retries_left == 0
    if status == JobStatus.FINISHED:
        outcome = job.return_value()
        if not isinstance(outcome, dict):
            return JobState(job.id, kind, GONE)
        state = DONE if outcome.get("ok") else REFUSED
        return JobState(job.id, kind, state, outcome=outcome, retrying=retrying)
    if status == JobStatus.FAILED:
        return JobState(job.id, kind, FAILED, retrying=retrying)
    if status == JobStatus.STARTED:
        return JobState(job.id, kind, WORKING, retrying=retrying)
    if status in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.CREATED):
        return JobState(job.id, kind, WAITING, retrying=retrying)
    return JobState(job.id, kind, GONE)


# ---- doing the work (worker side) ------------------------------------------------------------


@contextmanager
def _in_app() -> Iterator[Flask]:
    """The worker's app, in an app context. In a forked work horse, the database connections
    inherited from the worker are left to it and new ones are made."""
    global _APP
    app = _APP
    if app is None:  # a job run outside assess worker (a plain `rq worker`)
        from assess import create_app

        app = _APP = create_app()
        app.config["REPORT_RENDER_BOUNDED"] = True
    if _WORKER_PID is not None and os.getpid() != _WORKER_PID:
        from assess import db

        db.engine(app).dispose(close=False)
    with app.app_context():
        yield app


def render_draft(assessment_id: int, user_id: int, locale: str = "en") -> dict[str, Any]:
    """Render the draft report of ``assessment_id`` (the job of :func:`request_draft_report`)."""
    from assess.reporting.bounded import RenderLimitExceeded
    from assess.services import assessments, reports

    with _in_app():
        assessment = assessments.get(assessment_id)
        if assessment is None:
            return {"ok": False, "reason": "missing"}
        try:
            bilingual = locale == reports.BILINGUAL
            rendered = reports.render(
                assessment, locale=None if bilingual else locale, bilingual_summary=bilingual
            )
        except RenderLimitExceeded as limit:
            return {"ok": False, "reason": "limit", "message": limit.message}
        return {
            "ok": True,
            "pdf": rendered.pdf,
            "filename": f"{rendered.filename_stem}.pdf",
            "report_id": rendered.report_id,
            "status": assessment.status,
        }


def finalise(assessment_id: int, user_id: int) -> dict[str, Any]:
    """Finalise ``assessment_id`` as ``user_id`` (the job of :func:`request_finalise`)."""
    from assess import db
    from assess.models import User
    from assess.reporting.bounded import RenderLimitExceeded
    from assess.services import assessments, finalising
    from assess.services.assessments import AssessmentClosed

    with _in_app():
        assessment = assessments.get(assessment_id)
        user = db.session().get(User, user_id)
        if assessment is None or user is None:
            return {"ok": False, "reason": "missing"}
        try:
            stored = finalising.finalise(assessment, user)
        except AssessmentClosed:
            existing = finalising.stored_report(assessment)
            return {
                "ok": True,
                "already": True,
                "report_id": existing.report_id if existing else None,
                "title": assessment.title,
            }
        except RenderLimitExceeded as limit:
            return {"ok": False, "reason": "limit", "message": limit.message}
        except finalising.FinaliseError as refusal:
            return {"ok": False, "reason": "refused", "message": refusal.message}
        return {"ok": True, "report_id": stored.report_id, "title": assessment.title}


def send_mail() -> dict[str, Any]:
    """Send the outbox's due email (the job of :func:`request_mail`)."""
    from assess.services import outbox

    with _in_app() as app:
        connection(app).delete(_MAIL_PENDING)
        sent, failed = outbox.send_due()
    return {"ok": True, "sent": sent, "failed": failed}


def run_worker(app: Flask, *, burst: bool = False, connection_: Any = None) -> bool:
    """Work on the queue until stopped (or, with ``burst``, until it is empty).

    The app is built once here and shared by the work horses RQ forks for each job; reports are
    rendered with the ceilings of ``REPORT_RENDER_TIMEOUT`` and ``REPORT_RENDER_MEMORY_MB``.
    Abandoned jobs (their worker was killed) are looked for every ``WORKER_MAINTENANCE_INTERVAL``
    seconds and run again if they have a retry left.
    """
    from rq import Queue, SimpleWorker, Worker

    global _APP, _WORKER_PID
    _APP = app
    _WORKER_PID = os.getpid()
    app.config["REPORT_RENDER_BOUNDED"] = True
    redis = connection_ or connection(app)
    # The tests run jobs in their own process (a fake Redis cannot be shared with a fork).
    worker_class = SimpleWorker if connection_ is not None else Worker
    maintenance = int(app.config["WORKER_MAINTENANCE_INTERVAL"])
    worker = worker_class(
        [Queue(QUEUE, connection=redis)],
        connection=redis,
        maintenance_interval=maintenance,
        job_monitoring_interval=int(app.config["WORKER_MONITORING_INTERVAL"]),
        # An idle worker waits for a job at most this long less 15 s, then looks after the
        # registries: so abandoned jobs are found while nothing else is queued, too.
        worker_ttl=maintenance + 15,
    )
    return bool(worker.work(burst=burst, with_scheduler=False))
