"""Load a workshop the way a full room does: 200 participants answering on their own devices
against the app under gunicorn with 4 workers on 127.0.0.1, while the facilitator's live view polls.

    PYTHONPATH=. .venv/bin/python benchmarks/workshop_load.py [--participants 200] [--duration 300]
        [--pace-min 10] [--pace-max 20] [--workers 4] [--worker-class gthread|sync] [--threads 4]
        [--database-url postgresql+psycopg://...]

1. Prepares a fresh SQLite database (WAL mode) in a temporary folder, or the empty database named by
   ``--database-url``: a facilitator, an organisation, an assessment and an open session with the
   adoption questions open, through the services.
2. Starts gunicorn on it as ``docs/deploy.md`` runs it (``-w 4 --worker-class gthread --threads 4
   -b 127.0.0.1:<free port> assess.wsgi:app``, unless told otherwise) and joins every participant
   through the join page (each with its own cookies, as a phone would).
3. (a) Workshop pace: for ``--duration`` seconds each participant saves an answer every 10 to 20
   seconds (at random), through the same endpoint the page's script uses, while the facilitator's
   page fetches the live figures every 2 seconds.
   (b) Burst: every participant saves one more answer within ``--burst`` seconds.
4. Stops gunicorn, then reads the database: every answer a participant saved must be there with
   the value saved last (zero lost), and no save may have failed. Prints p50/p95/p99 of the saves
   and of the facilitator's live view for each phase.

Only 127.0.0.1 is contacted; every thread stops by itself within the phase's time.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

HOST = "127.0.0.1"
PASSWORD = "a benchmark passphrase that is long enough"
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Device:
    """One browser: its own cookies, one request at a time, to 127.0.0.1 only."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(
        self,
        method: str,
        path: str,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str, float]:
        """Send one request; returns (status, body, seconds)."""
        body = urlencode(fields or {}) if fields is not None else None
        sent = {"Connection": "close", **(headers or {})}
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        elapsed = time.perf_counter() - start
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text, elapsed

    def page(self, path: str) -> str:
        """GET a page and keep its form token."""
        status, text, _ = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        match = _CSRF.search(text)
        if match:
            self.csrf = match.group(1)
        return text


@dataclass
class Participant:
    """A simulated participant and what it saved last, question by question."""

    device: Device
    name: str
    expected: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


@dataclass
class Timings:
    """Durations of one kind of request, in seconds."""

    values: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float) -> None:
        """Record one request."""
        with self.lock:
            self.values.append(seconds)

    def summary(self) -> str:
        """n, p50, p95, p99 and the maximum, in milliseconds."""
        data = sorted(self.values)
        if len(data) < 2:
            return f"n={len(data)}"
        cuts = statistics.quantiles(data, n=100, method="inclusive")
        return (
            f"n={len(data)} p50={cuts[49] * 1000:.0f} ms p95={cuts[94] * 1000:.0f} ms "
            f"p99={cuts[98] * 1000:.0f} ms max={data[-1] * 1000:.0f} ms"
        )

    def p95(self) -> float:
        """The 95th percentile in seconds."""
        return statistics.quantiles(sorted(self.values), n=100, method="inclusive")[94]


def prepare(database_url: str, instance: Path, secret: str) -> tuple[int, str, str, list[str]]:
    """Create the facilitator, organisation, assessment and open session through the services.

    Returns the session id, its join code, the facilitator's email and the adoption question ids.
    """
    from assess import create_app, db, migrate
    from assess.models import Membership, Organisation
    from assess.services import accounts, assessments, workshops
    from assess.services.questionnaires import current_questionnaires

    app = create_app(
        {"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "SECRET_KEY": secret}
    )
    with app.test_request_context():
        migrate.upgrade(app)
        user = accounts.create_user("Fay Facilitator", "fay@example.org", PASSWORD)
        session = db.session()
        session.flush()
        organisation = Organisation(
            name="Benchmark Borough Council",
            sector="local_government",
            size_band="250_999",
            country="GB",
            time_zone="Europe/London",
            status="active",
        )
        session.add(organisation)
        session.add(Membership(user_id=user.id, organisation=organisation, role="facilitator"))
        session.commit()
        assessment = assessments.start(organisation.id, user, "Benchmark", current_questionnaires())
        workshop, code = workshops.open_session(assessment, user, "Whole staff")
        adoption = workshops.questionnaires_of(assessment)[2]
        workshops.set_sections(
            workshop, user, [workshops.section_key(adoption.id, s.id) for s in adoption.sections]
        )
        questions = [q.id for _s, q in adoption.questions()]
        result = (workshop.id, code, user.email, questions)
    db.engine(app).dispose()
    return result


def count_stored(database_url: str, instance: Path, secret: str, session_id: int) -> dict:
    """Every stored individual answer of the session: {(display name, question id): level}."""
    from sqlalchemy import select

    from assess import create_app, db
    from assess.models import Participant as ParticipantRow
    from assess.models import ParticipantAnswer

    app = create_app(
        {"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "SECRET_KEY": secret}
    )
    with app.app_context():
        rows = db.session().execute(
            select(
                ParticipantRow.display_name, ParticipantAnswer.question_id, ParticipantAnswer.value
            )
            .join(ParticipantRow, ParticipantRow.id == ParticipantAnswer.participant_id)
            .where(ParticipantAnswer.session_id == session_id)
        )
        found = {(r.display_name, r.question_id): r.value for r in rows}
    db.engine(app).dispose()
    return found


def wait_until_up(port: int, seconds: float = 60) -> None:
    """Wait for the server's health check."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            status, _, _ = Device(port).request("GET", "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def save(participant: Participant, session_id: int, question_id: str, timings: Timings) -> None:
    """Save one level answer as the page's script does, and remember it."""
    level = random.randint(1, 5)
    try:
        status, body, seconds = participant.device.request(
            "POST",
            f"/workshop/{session_id}/adoption/answers/{question_id}",
            {f"q_{question_id}": str(level)},
            {"Accept": "application/json", "X-CSRFToken": participant.device.csrf},
        )
    except OSError as error:
        participant.failures.append(f"{question_id}: {error}")
        return
    timings.add(seconds)
    if status == 200 and '"saved"' in body:
        participant.expected[question_id] = level
    else:
        participant.failures.append(f"{question_id}: {status} {body[:100]}")


def run_threads(targets: list[Callable[[], None]]) -> None:
    """Run every target in its own thread and wait for all of them."""
    threads = [threading.Thread(target=t, daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)


def facilitator_polling(
    facilitator: Device, session_id: int, stop: threading.Event, timings: Timings, errors: list
) -> Callable[[], None]:
    """The live page's script: fetch the live figures every 2 seconds until ``stop``."""

    def poll() -> None:
        while not stop.is_set():
            status, _, seconds = facilitator.request(
                "GET", f"/workshops/{session_id}/live.json", headers={"Accept": "application/json"}
            )
            timings.add(seconds)
            if status != 200:
                errors.append(status)
            stop.wait(2.0)

    return poll


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) used so far by process ``root`` and its children (Linux's
    /proc; 0 where there is none): the server's share of the machine."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        pid, ppid = int(stat.parent.name), int(fields[1])
        if root in (pid, ppid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _machine_busy() -> tuple[int, int]:
    """(busy, all) CPU ticks of the whole machine so far, from /proc/stat ((0, 0) without it)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0, 0
    idle = values[3] + values[4]
    return sum(values[:8]) - idle, sum(values[:8])


def main() -> int:
    """Run both phases and print the figures; exit 1 if any answer was lost or a save failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of workshop pace")
    parser.add_argument("--burst", type=float, default=5.0, help="seconds of the burst")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database-url", default=None, help="an empty database (default SQLite)")
    parser.add_argument("--pace-min", type=float, default=10.0, help="shortest pause, seconds")
    parser.add_argument("--pace-max", type=float, default=20.0, help="longest pause, seconds")
    parser.add_argument(
        "--worker-class", default="gthread", choices=("sync", "gthread"), help="gunicorn's"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--save-target", type=float, default=150.0, help="p95 of saves, ms")
    parser.add_argument("--live-target", type=float, default=300.0, help="p95 of live view, ms")
    args = parser.parse_args()
    pace_min = max(0.5, min(args.pace_min, 120.0))
    pace_max = max(pace_min, min(args.pace_max, 120.0))
    participants_n = max(1, min(args.participants, 1000))
    duration = max(1.0, min(args.duration, 1800.0))

    folder = Path(tempfile.mkdtemp(prefix="assess-workshop-load-"))
    database_url = args.database_url or f"sqlite:///{folder / 'assess.sqlite3'}"
    secret = secrets.token_hex(32)
    session_id, code, email, questions = prepare(database_url, folder, secret)
    pace_questions, burst_question = questions[:-1], questions[-1]

    port = _free_port()
    env = {
        **os.environ,
        "ASSESS_DATABASE_URL": database_url,
        "ASSESS_INSTANCE_PATH": str(folder),
        "ASSESS_SECRET_KEY": secret,
    }
    command = [
        sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b", f"{HOST}:{port}",
        "--backlog", "2048", "--log-level", "warning",
        "--worker-class", args.worker_class, "--threads", str(max(1, min(args.threads, 64))),
        "assess.wsgi:app",
    ]  # fmt: skip
    print("server:", " ".join(command[1:]), flush=True)
    server = subprocess.Popen(command, env=env)
    try:
        wait_until_up(port, 300)
        facilitator = Device(port)
        facilitator.page("/login")
        status, _, _ = facilitator.request(
            "POST", "/login", {"csrf_token": facilitator.csrf, "email": email, "password": PASSWORD}
        )
        assert status == 302, f"facilitator sign-in: {status}"

        people = [Participant(Device(port), f"Participant {n:03d}") for n in range(participants_n)]

        def joiner(person: Participant) -> Callable[[], None]:
            def run() -> None:
                person.device.page(f"/workshop/join?code={code}")
                status, body, _ = person.device.request(
                    "POST",
                    "/workshop/join",
                    {"csrf_token": person.device.csrf, "code": code, "name": person.name},
                )
                if status != 302:
                    person.failures.append(f"join: {status} {body[:100]}")
                    return
                person.device.page(f"/workshop/{session_id}/adoption/{'leadership'}")

            return run

        started = time.perf_counter()
        run_threads([joiner(p) for p in people])
        print(f"joined {participants_n} participants in {time.perf_counter() - started:.1f} s")

        results = {}
        for phase in ("pace", "burst"):
            saves, live, live_errors = Timings(), Timings(), []
            stop = threading.Event()
            end = time.monotonic() + (duration if phase == "pace" else args.burst)

            def pacer(person: Participant, saves: Timings = saves, end: float = end) -> Callable:
                def run() -> None:
                    n = 0
                    stop_at = end
                    time.sleep(random.uniform(0, pace_max))
                    while time.monotonic() < stop_at:
                        save(person, session_id, pace_questions[n % len(pace_questions)], saves)
                        n += 1
                        pause = random.uniform(pace_min, pace_max)
                        if time.monotonic() + pause >= stop_at:
                            break
                        time.sleep(pause)

                return run

            def burster(person: Participant, saves: Timings = saves) -> Callable:
                def run() -> None:
                    time.sleep(random.uniform(0, args.burst))
                    save(person, session_id, burst_question, saves)

                return run

            make = pacer if phase == "pace" else burster
            poller = threading.Thread(
                target=facilitator_polling(facilitator, session_id, stop, live, live_errors),
                daemon=True,
            )
            poller.start()
            began = time.perf_counter()
            server_cpu, client_cpu = tree_cpu_seconds(server.pid), time.process_time()
            machine = _machine_busy()
            run_threads([make(p) for p in people if not p.failures])
            stop.set()
            poller.join(timeout=30)
            results[phase] = (saves, live, live_errors, time.perf_counter() - began)
            server_cpu = tree_cpu_seconds(server.pid) - server_cpu
            client_cpu = time.process_time() - client_cpu
            busy, every = (b - a for a, b in zip(machine, _machine_busy(), strict=True))
            n = max(1, len(saves.values))
            print(f"{phase}: {len(saves.values)} saves in {results[phase][3]:.1f} s", flush=True)
            # Where the two CPUs went: the server's processes, this load client, and the rest
            # (the database server, everything else on the machine).
            print(
                f"{phase}: CPU per save: server {server_cpu / n * 1000:.1f} ms, load client "
                f"{client_cpu / n * 1000:.1f} ms; machine busy {100 * busy / max(1, every):.0f}%",
                flush=True,
            )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    stored = count_stored(database_url, folder, secret, session_id)
    expected = {(p.name, q): v for p in people for q, v in p.expected.items()}
    lost = [key for key, value in expected.items() if stored.get(key) != value]
    failures = [f for p in people for f in p.failures]
    print()
    print(f"database: {database_url.split(':', 1)[0]}, gunicorn workers: {args.workers}, "
          f"participants: {participants_n}, CPUs: {os.cpu_count()}")  # fmt: skip
    for phase, (saves, live, live_errors, _) in results.items():
        print(f"{phase:5}  saves: {saves.summary()}")
        print(f"{phase:5}  live view: {live.summary()} errors={len(live_errors)}")
    print(f"answers expected {len(expected)}, stored {len(stored)}, lost {len(lost)}, "
          f"failed saves {len(failures)}")  # fmt: skip
    for failure in failures[:10]:
        print("  failed:", failure)
    ok = not lost and not failures and len(stored) == len(expected)
    pace_p95 = results["pace"][0].p95() if len(results["pace"][0].values) > 1 else 0.0
    live = results["pace"][1]
    live_p95 = live.p95() if len(live.values) > 1 else 0.0
    print(f"workshop pace p95 of saves {pace_p95 * 1000:.0f} ms "
          f"(target < {args.save_target:.0f} ms): "
          f"{'met' if pace_p95 * 1000 < args.save_target else 'MISSED'}")  # fmt: skip
    print(f"workshop pace p95 of the live view {live_p95 * 1000:.0f} ms "
          f"(target < {args.live_target:.0f} ms): "
          f"{'met' if live_p95 * 1000 < args.live_target else 'MISSED'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
