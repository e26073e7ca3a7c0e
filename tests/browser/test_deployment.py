"""docs/deploy.md's deployment, running: nginx in front of two gunicorn app servers, PostgreSQL,
Redis and one ``assess worker`` kept running by a supervisor (as systemd's ``Restart=always``
does). ``.ci/deployment`` starts it all on loopback ports and runs this module with:

- ``ASSESS_DEPLOY_URL``: the reverse proxy;
- ``ASSESS_DEPLOY_APP_URLS``: the two app servers, comma-separated, reached directly;
- ``ASSESS_DEPLOY_MAIL_DIR``: where the worker writes email (the file backend);
- ``ASSESS_DEPLOY_REDIS_URL``: the Redis the servers share;
- ``ASSESS_DEPLOY_WORKER_PIDFILE``: the running worker's process id (its own process group);
- ``ASSESS_DEPLOY_WORKER_LOG``: the worker's log.

Without ``ASSESS_DEPLOY_URL`` the module is skipped, unless ``ASSESS_DEPLOY_REQUIRED`` is set
(as ``.ci/deployment`` sets it), when that is a failure.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from helpers import Mail
from test_journey import keyboard_journey

BASE = os.environ.get("ASSESS_DEPLOY_URL", "")
pytestmark = pytest.mark.deployment

if not BASE:
    if os.environ.get("ASSESS_DEPLOY_REQUIRED"):
        raise RuntimeError("ASSESS_DEPLOY_REQUIRED is set but ASSESS_DEPLOY_URL is not")
    pytest.skip(
        "the deployment tests need ASSESS_DEPLOY_URL (see .ci/deployment)", allow_module_level=True
    )

APP_URLS = os.environ["ASSESS_DEPLOY_APP_URLS"].split(",")
MAIL_DIR = Path(os.environ["ASSESS_DEPLOY_MAIL_DIR"])
REDIS_URL = os.environ["ASSESS_DEPLOY_REDIS_URL"]
WORKER_PIDFILE = Path(os.environ["ASSESS_DEPLOY_WORKER_PIDFILE"])
WORKER_LOG = Path(os.environ["ASSESS_DEPLOY_WORKER_LOG"])
#: The demo organisation (`assess demo`, loaded by .ci/deployment).
DEMO_ADMIN = ("admin@demo.example", "demo borough 2025")
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _until(what: str, check, timeout: float):  # type: ignore[no-untyped-def]
    """Ask ``check()`` again until it gives something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting: {what}")
        time.sleep(0.05)


def mailbox() -> list[Mail]:
    """The messages the deployment wrote, oldest first."""
    messages = []
    for path in sorted(MAIL_DIR.glob("*.eml")) if MAIL_DIR.exists() else []:
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        messages.append(
            Mail(
                to=str(message["To"]),
                subject=str(message["Subject"]),
                text=text.get_content() if text else "",
                html=html.get_content() if html else "",
            )
        )
    return messages


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class Client:
    """Keeps cookies, does not follow redirects, posts forms with the session's CSRF token."""

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        self.base = base
        self.headers = headers or {}
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )
        self.token: str | None = None

    def get(self, path: str, **headers: str) -> Reply:
        return self._open(path, None, headers)

    def post(self, path: str, data: dict[str, str]) -> Reply:
        if self.token is None:
            match = _CSRF.search(self.get("/login").text)
            assert match
            self.token = match.group(1)
        return self._open(path, {"csrf_token": self.token, **data}, {})

    def _open(self, path: str, data: dict[str, str] | None, headers: dict[str, str]) -> Reply:
        url = path if path.startswith("http") else self.base + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={**self.headers, **headers})
        try:
            with self.opener.open(request, timeout=60) as response:
                return Reply(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, dict(error.headers), error.read())


def test_the_keyboard_journey_through_the_proxy_ends_with_a_report_the_worker_finalised(page):
    journey = keyboard_journey(page, BASE, mailbox)
    assessment = re.search(r"/assessments/(\d+)/", page.url)
    assert assessment, page.url
    assessment_id = assessment.group(1)

    # Finalise with the keyboard: the worker renders and stores the report while the page says so.
    page.goto(f"{BASE}/assessments/{assessment_id}/finalise")
    journey.check()
    page.locator("main form button[type=submit]").last.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/preparing/" in page.url
    job_id = page.url.rsplit("/", 1)[1]
    # The page's script takes the person to the stored report once the worker is done.
    page.wait_for_url(re.compile(r"/organisations/\d+/reports$"), timeout=240_000)
    notices = page.locator(".notices").inner_text()
    assert "is finalised. Its report, R-" in notices, notices
    journey.check()
    # The worker, not a web server, did it.
    done_by = rf"assess\.jobs\.finalise\({assessment_id}, \d+\) \({job_id}\)"
    assert re.search(done_by, WORKER_LOG.read_text())

    stored = page.request.get(f"{BASE}/assessments/{assessment_id}/report.pdf")
    assert stored.status == 200
    assert stored.headers["content-type"] == "application/pdf"
    assert stored.body().startswith(b"%PDF-")
    assert stored.headers.get("etag")


def test_a_rate_limit_reached_on_one_app_server_holds_on_the_other():
    from redis import Redis

    # One address (as the proxy would say it) guessing at one account, on each server in turn.
    guesser = {"X-Forwarded-For": "198.51.100.23"}
    first, second = (Client(url, guesser) for url in APP_URLS[:2])
    wrong = {"email": "someone@example.org", "password": "not the password"}
    statuses = [first.post("/login", wrong).status for _ in range(3)]
    assert statuses == [401, 401, 401]  # .ci/deployment allows 3 per 15 minutes
    assert first.post("/login", wrong).status == 429
    refused = second.post("/login", wrong)
    assert refused.status == 429, refused.text
    assert "Too many attempts" in refused.text
    # Counted in Redis, not in one server's memory.
    assert Redis.from_url(REDIS_URL).keys("LIMITS*")
    # Another address is not held back by that one.
    other = Client(APP_URLS[1], {"X-Forwarded-For": "198.51.100.99"})
    assert other.post("/login", wrong).status == 401


def _worker_pid() -> int:
    return int(WORKER_PIDFILE.read_text().strip() or 0)


def _process_tree(root: int) -> list[int]:
    """``root`` and every process below it (RQ's work horse is in a process group of its own, and
    the report is laid out in a child of the horse)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def test_a_worker_killed_mid_job_leaves_the_job_to_be_run_again_not_lost():
    client = Client(BASE)
    signed_in = client.post("/login", {"email": DEMO_ADMIN[0], "password": DEMO_ADMIN[1]})
    assert signed_in.status == 302, signed_in.text
    asked = client.get("/assessments/1/report.pdf")
    assert asked.status == 303, asked.text
    status_url = asked.headers["Location"]

    def state() -> dict[str, object]:
        reply = client.get(status_url, Accept="application/json")
        assert reply.status == 200, reply.text
        return json.loads(reply.body)

    _until("the worker to start the job", lambda: state()["state"] == "working", 120)
    killed = _worker_pid()
    # The worker, its work horse and the process laying the report out, as when the machine or
    # its container dies.
    tree = _process_tree(killed)
    assert len(tree) >= 2, "the worker has no work horse: the job is not running"
    for pid in tree:
        os.kill(pid, signal.SIGKILL)

    # Nothing finishes it now; the supervisor starts a new worker, which finds the job abandoned
    # (about a minute after its last heartbeat) and runs it again.
    _until("a new worker", lambda: WORKER_PIDFILE.exists() and _worker_pid() not in (0, killed), 60)
    final = _until("the job done again", lambda: (s := state())["pending"] is False and s, 300)
    assert final == {"state": "done", "pending": False, "retried": True}
    page = client.get(status_url)
    assert "Your report is ready." in page.text
    download = client.get(f"{status_url}/report.pdf")
    assert download.status == 200
    assert download.body.startswith(b"%PDF-")
