"""assess's answer autosave against a bare Flask app doing one INSERT per request, side by side.

    PYTHONPATH=. .venv/bin/python benchmarks/autosave_baseline.py [--postgres SERVER_URL]
        [--clients 8] [--workers 4] [--rounds 3] [--seconds 6] [--port 5110] [--floor]

1. Prepares a fresh database: SQLite (WAL mode) in a temporary folder, or, with ``--postgres
   postgresql://postgres@127.0.0.1:55432/postgres``, a database of its own on that server (created
   here and dropped at the end). In it, through the services: one organisation, and for each client
   its own account (an admin) and its own assessment, so that no two clients save the same answer;
   and the baseline's one table.
2. Starts two servers with the same command, ``gunicorn -w 4 -b 127.0.0.1:<port>``: assess
   (``assess.wsgi:app``) and the bare app (``benchmarks.bare_insert_app:app``: one endpoint, one
   INSERT in its own transaction, with the same engine settings as assess).
3. Signs every client in to assess (each with its own cookies), warms both servers up, then runs
   ``--rounds`` interleaved rounds (baseline, assess, baseline, assess, ...) of ``--seconds`` each:
   in each round ``--clients`` threads post one request after another as fast as the server
   answers. An assess request is the answer page's autosave: one level answer to an adoption
   question, with the revision the previous response gave, through the endpoint the page's script
   uses (CSRF token, session cookie, JSON response).
4. Prints, for each side, requests per second, p50 and p95, errors and the server's own CPU per
   request (its processes' CPU time over the timed rounds, from Linux's /proc), and the ratio of
   assess's throughput to the baseline's. Exits 1 on any failed request.

With ``--floor``, assess is sent the fixed part of a save instead: the same request for a question
the assessment does not have, refused with 400 once the session, the form token and the
assessment's access rule have been checked, before anything is read or written. Its ratio is the
most any save could reach with those checks as they are.

Only 127.0.0.1 is contacted; each round stops by itself after ``--seconds`` (or 20,000 requests).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks.workshop_load import HOST, Device, tree_cpu_seconds, wait_until_up

PASSWORD = "a benchmark passphrase that is long enough"
_META_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
#: The most requests one round sends, whatever its length.
ROUND_CAP = 20_000
#: A question id no questionnaire has (``--floor``).
FLOOR_QUESTION = "no_such_question"


@dataclass
class Side:
    """One server under test and what its requests took."""

    name: str
    port: int
    seconds: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def throughput(self) -> float:
        """Requests per second over the rounds."""
        return len(self.seconds) / self.elapsed if self.elapsed else 0.0

    def quantile(self, q: int) -> float:
        """The ``q``th percentile, in milliseconds."""
        cuts = statistics.quantiles(sorted(self.seconds), n=100, method="inclusive")
        return cuts[q - 1] * 1000


@dataclass
class Client:
    """One concurrent client: a device for each server, and its own assessment."""

    assess: Device
    bare: Device
    assessment_id: int
    questions: list[str]
    revisions: dict[str, int | None] = field(default_factory=dict)
    turn: int = 0
    bare_turn: int = 0
    #: Send the fixed part of a save only (see ``--floor``).
    floor: bool = False


def prepare(database_url: str, folder: Path, secret: str, clients: int) -> list[tuple[str, int]]:
    """Accounts, their assessments and the baseline's table; returns [(email, assessment id)]."""
    from assess import create_app, db, migrate
    from assess.models import Membership, Organisation
    from assess.services import accounts, assessments
    from assess.services.questionnaires import current_questionnaires
    from benchmarks.bare_insert_app import metadata

    app = create_app(
        {"DATABASE_URL": database_url, "INSTANCE_PATH": str(folder), "SECRET_KEY": secret}
    )
    made = []
    with app.test_request_context():
        migrate.upgrade(app)
        metadata.create_all(db.engine(app))
        session = db.session()
        organisation = Organisation(
            name="Benchmark Borough Council",
            sector="local_government",
            size_band="250_999",
            country="GB",
            time_zone="Europe/London",
            status="active",
        )
        session.add(organisation)
        session.commit()
        for n in range(clients):
            user = accounts.create_user(f"Client {n}", f"client{n}@example.org", PASSWORD)
            session.flush()
            session.add(Membership(user_id=user.id, organisation=organisation, role="admin"))
            session.commit()
            assessment = assessments.start(
                organisation.id, user, f"Benchmark {n}", current_questionnaires()
            )
            made.append((user.email, assessment.id))
    db.engine(app).dispose()
    return made


def adoption_questions() -> list[str]:
    """The level questions of the current adoption questionnaire."""
    from assess import paths
    from assess.questionnaire import loader

    qset = loader.load_directory(paths.QUESTIONNAIRES_DIR)
    return [q.id for _s, q in qset.adoption.questions() if q.type == "level"]


def sign_in(device: Device, email: str) -> None:
    """Sign in through the form and keep the page's form token."""
    device.page("/login")
    status, _, _ = device.request(
        "POST", "/login", {"csrf_token": device.csrf, "email": email, "password": PASSWORD}
    )
    if status != 302:
        raise RuntimeError(f"sign-in: {status}")
    _, page, _ = device.request("GET", "/")
    device.csrf = _META_CSRF.search(page).group(1)  # type: ignore[union-attr]


def autosave(client: Client, side: Side) -> None:
    """One autosave of the next question, with the revision the last response gave."""
    if client.floor:
        fixed_part(client, side)
        return
    question = client.questions[client.turn % len(client.questions)]
    level = 1 + (client.turn // len(client.questions)) % 2
    client.turn += 1
    revision = client.revisions.get(question)
    status, body, seconds = client.assess.request(
        "POST",
        f"/assessments/{client.assessment_id}/adoption/answers/{question}",
        {f"q_{question}": str(level), f"q_{question}__rev": "" if revision is None else revision},
        {"Accept": "application/json", "X-CSRFToken": client.assess.csrf},
    )
    match = re.search(r'"revision":\s*(\d+)', body)
    if status != 200 or '"saved"' not in body or not match:
        with side.lock:
            side.errors.append(f"{status} {body[:120]}")
        return
    client.revisions[question] = int(match.group(1))
    with side.lock:
        side.seconds.append(seconds)


def fixed_part(client: Client, side: Side) -> None:
    """The same request for a question the assessment does not have: signed in, the session
    checked, the form token checked and the assessment's access rule applied, then refused with
    400 before anything is read or written. No save can cost less than this."""
    status, body, seconds = client.assess.request(
        "POST",
        f"/assessments/{client.assessment_id}/adoption/answers/{FLOOR_QUESTION}",
        {f"q_{FLOOR_QUESTION}": "1", f"q_{FLOOR_QUESTION}__rev": ""},
        {"Accept": "application/json", "X-CSRFToken": client.assess.csrf},
    )
    with side.lock:
        if status == 400 and '"invalid"' in body:
            side.seconds.append(seconds)
        else:
            side.errors.append(f"{status} {body[:120]}")


def bare_insert(client: Client, side: Side) -> None:
    """One request to the bare app: one INSERT."""
    question = client.questions[client.bare_turn % len(client.questions)]
    client.bare_turn += 1
    status, body, seconds = client.bare.request(
        "POST", f"/insert/{question}", {"value": "1"}, {"Accept": "application/json"}
    )
    with side.lock:
        if status == 200 and '"saved"' in body:
            side.seconds.append(seconds)
        else:
            side.errors.append(f"{status} {body[:120]}")


def run_round(clients: list[Client], side: Side, seconds: float) -> None:
    """Every client sends requests back to back for ``seconds`` (at most ROUND_CAP in all)."""
    send = autosave if side.name == "assess" else bare_insert
    end = time.monotonic() + seconds
    sent = [0]
    count_lock = threading.Lock()

    def work(client: Client) -> None:
        while time.monotonic() < end:
            with count_lock:
                if sent[0] >= ROUND_CAP:
                    return
                sent[0] += 1
            try:
                send(client, side)
            except OSError as error:
                with side.lock:
                    side.errors.append(str(error))

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in clients]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    side.elapsed += time.perf_counter() - began


def start_server(app_path: str, port: int, workers: int, env: dict[str, str]) -> subprocess.Popen:
    """``gunicorn -w <workers>`` on 127.0.0.1:<port>."""
    command = [
        sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"{HOST}:{port}",
        "--backlog", "2048", "--log-level", "warning", app_path,
    ]  # fmt: skip
    return subprocess.Popen(command, env=env)


def stop(server: subprocess.Popen) -> None:
    """Stop a server started here."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def _admin(server_url: str, statement: str) -> None:
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def _psycopg(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def main() -> int:
    """Run the rounds and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default=None, help="a PostgreSQL server URL (else SQLite)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=6.0, help="length of one round")
    parser.add_argument("--port", type=int, default=5110, help="assess; the baseline takes +1")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="send assess the fixed part of a save only: a question the assessment does not have "
        "(refused after the session, form token and access checks)",
    )
    args = parser.parse_args()
    clients_n = max(1, min(args.clients, 64))
    rounds = max(1, min(args.rounds, 10))
    seconds = max(1.0, min(args.seconds, 60.0))

    folder = Path(tempfile.mkdtemp(prefix="assess-autosave-bench-"))
    database = None
    if args.postgres:
        server_url = _psycopg(args.postgres)
        database = f"assess_bench_{secrets.token_hex(4)}"
        _admin(server_url, f'CREATE DATABASE "{database}"')
        database_url = make_url(server_url).set(database=database).render_as_string(False)
    else:
        database_url = f"sqlite:///{folder / 'assess.sqlite3'}"
    secret = secrets.token_hex(32)
    servers: list[subprocess.Popen] = []
    try:
        made = prepare(database_url, folder, secret, clients_n)
        questions = adoption_questions()
        env = {
            **os.environ,
            "ASSESS_DATABASE_URL": database_url,
            "ASSESS_INSTANCE_PATH": str(folder),
            "ASSESS_SECRET_KEY": secret,
        }
        bare = Side("baseline", args.port + 1)
        assess = Side("assess", args.port)
        servers.append(start_server("assess.wsgi:app", assess.port, args.workers, env))
        servers.append(start_server("benchmarks.bare_insert_app:app", bare.port, args.workers, env))
        # A busy shared machine can take a minute to boot eight workers.
        wait_until_up(assess.port, 300)
        wait_until_up(bare.port, 300)
        clients = []
        for email, assessment_id in made:
            client = Client(
                Device(assess.port), Device(bare.port), assessment_id, questions, floor=args.floor
            )
            sign_in(client.assess, email)
            clients.append(client)
        print(
            f"database: {database_url.split(':', 1)[0]}, gunicorn sync workers: {args.workers}, "
            f"clients: {clients_n}, rounds: {rounds} x {seconds:g} s each side, "
            f"assess sends: {'the fixed part only (--floor)' if args.floor else 'autosaves'}, "
            f"CPUs: {os.cpu_count()}",
            flush=True,
        )
        warm_bare, warm_assess = Side("baseline", bare.port), Side("assess", assess.port)
        run_round(clients, warm_bare, 1.0)
        run_round(clients, warm_assess, 1.0)
        # The servers' own CPU over the timed rounds (their processes' user + system time).
        cpu = {bare.name: 0.0, assess.name: 0.0}
        for _ in range(rounds):
            for side, server in ((bare, servers[1]), (assess, servers[0])):
                before = tree_cpu_seconds(server.pid)
                run_round(clients, side, seconds)
                cpu[side.name] += tree_cpu_seconds(server.pid) - before
    finally:
        for server in servers:
            stop(server)
        if database:
            _admin(server_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    for side in (bare, assess):
        print(
            f"{side.name:9} {side.throughput():7.0f} req/s  p50 {side.quantile(50):6.1f} ms  "
            f"p95 {side.quantile(95):6.1f} ms  requests {len(side.seconds)}  "
            f"errors {len(side.errors)}  server CPU per request "
            f"{cpu[side.name] / max(1, len(side.seconds)) * 1000:.1f} ms"
        )
        for error in side.errors[:5]:
            print("   error:", error)
    ratio = assess.throughput() / bare.throughput() if bare.throughput() else 0.0
    print(f"ratio (assess / baseline throughput): {ratio:.2f} (goal at least 0.4)")
    if args.floor:
        print("(--floor: the ceiling of the ratio with today's session, form and access checks)")
    return 1 if bare.errors or assess.errors else 0


if __name__ == "__main__":
    sys.exit(main())
