"""Pages that list things, on a small instance and on a big one, side by side in one process.

    PYTHONPATH=. .venv/bin/python benchmarks/list_pages.py [--organisations 5000]
        [--assessments 20000] [--events 200000] [--repeat 5] [--keep FILE] [--only audit]

1. Prepares a fresh SQLite database (WAL mode) in a temporary folder, or the empty database named
   by ``--database-url``: an operator, a *small* organisation (a few assessments and events) and a
   *big* one, through the services; then, with bulk inserts, ``--organisations`` more organisations,
   ``--assessments`` assessments of the big organisation and ``--events`` audit events of the big
   organisation, written at the end of the trail's hash chain exactly as the app writes them (so
   ``assess audit verify`` still passes).
2. In one warm process, through the test client, signed in as the operator (who is also an admin
   of both organisations), times each page on the small and on the big organisation (median of
   ``--repeat`` after one warm-up): the operator's list of organisations, the assessments list,
   the audit trail's first page and a page deep in the trail (found through its "Older events"
   cursor), and prints the big/small ratio of each (goal: at most 3).
3. Downloads the big organisation's audit trail as CSV and prints its rows per second (goal: at
   least 50,000) and the number of SQL statements it took.

To iterate: ``--keep FILE`` uses the SQLite database ``FILE`` instead of a temporary one; a database
that an earlier run seeded (``--keep`` or ``--database-url``) is reused without seeding again.
``--only audit`` times only the audit trail's pages and its CSV.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, insert, select, text

PASSWORD = "a benchmark passphrase that is long enough"


def _login(client, email: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    assert response.status_code == 302, response.status_code


def seed(app, organisations: int, assessments_n: int, events: int) -> tuple[int, int, str]:
    """The small and the big organisation's ids, and the operator's email."""
    from assess import audit, audit_chain, db
    from assess.models import Assessment, AuditEvent, Membership, Organisation
    from assess.services import accounts, assessments
    from assess.services.questionnaires import current_questionnaires

    with app.test_request_context():
        session = db.session()
        operator = accounts.create_user("Olive Operator", "olive@example.org", PASSWORD)
        operator.is_operator = True
        session.flush()
        made = []
        for name in ("Small Borough Council", "Big County Council"):
            organisation = Organisation(
                name=name,
                sector="local_government",
                size_band="250_999",
                country="GB",
                time_zone="Europe/London",
                status="active",
            )
            session.add(organisation)
            session.add(Membership(user_id=operator.id, organisation=organisation, role="admin"))
            session.commit()
            made.append(organisation)
        small, big = made
        for n in range(3):
            assessments.start(small.id, operator, f"Small {n}", current_questionnaires())
        first = assessments.start(big.id, operator, "Big 0", current_questionnaires())
        now = db.utcnow()
        started = time.perf_counter()
        session.execute(
            insert(Organisation),
            [
                {
                    "name": f"Council {n:05d}",
                    "sector": "local_government",
                    "size_band": "250_999",
                    "country": "GB",
                    "time_zone": "Europe/London",
                    "status": "pending" if n % 50 == 0 else "active",
                    "created_at": now,
                }
                for n in range(organisations)
            ],
        )
        session.execute(
            insert(Assessment),
            [
                {
                    "organisation_id": big.id,
                    "title": f"Big {n}",
                    "status": "draft",
                    "definition_version_id": first.definition_version_id,
                    "model_fit_version_id": first.model_fit_version_id,
                    "adoption_version_id": first.adoption_version_id,
                    "created_by_id": operator.id,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
                for n in range(1, assessments_n)
            ],
        )
        session.commit()
        ref = audit.person_ref_for_user(operator)
        session.commit()
        # The events, chained as audit_chain.append_pending chains them, in batches.
        batch = 1000  # each batch takes the time of its own insert (the trigger allows little skew)
        written = 0
        while written < events:
            head = session.execute(text("SELECT last_hash FROM audit_chain WHERE id = 1")).scalar()
            moment = db.utcnow()
            rows = []
            for n in range(written, min(events, written + batch)):
                content = {
                    "occurred_at": moment,
                    "organisation_id": big.id,
                    "action": audit.ANSWER_CHANGED,
                    "actor_ref": ref,
                    "subject_ref": None,
                    "object_type": "assessment",
                    "object_id": str(first.id),
                    "questionnaire_id": "adoption",
                    "question_id": "lead-board-oversight",
                    "source": "online",
                    "old_value": {"status": "answered", "value": n % 5 + 1, "note": ""},
                    "new_value": {"status": "answered", "value": (n + 1) % 5 + 1, "note": ""},
                    "detail": None,
                    "prev_hash": head,
                }
                head = hashlib.sha256(audit_chain.canonical(content)).hexdigest()
                rows.append({**content, "event_hash": head})
            session.execute(insert(AuditEvent), rows)
            session.commit()
            written += len(rows)
        print(
            f"seeded {organisations} organisations, {assessments_n} assessments, {events} events "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        result = (small.id, big.id, operator.email)
        assert session.scalar(select(Assessment.id).where(Assessment.organisation_id == big.id))
    return result


def seeded(app) -> tuple[int, int, str] | None:
    """The small and the big organisation's ids and the operator's email if an earlier run seeded
    the database, else None."""
    from assess import db
    from assess.models import Organisation, User

    with app.app_context():
        session = db.session()
        ids = dict(session.execute(select(Organisation.name, Organisation.id)).all())
        email = session.scalar(select(User.email).where(User.email == "olive@example.org"))
    if "Big County Council" not in ids or email is None:
        return None
    return ids["Small Borough Council"], ids["Big County Council"], email


def timed(client, url: str, repeat: int) -> float:
    """Median milliseconds of GET ``url`` (after one warm-up)."""
    assert client.get(url).status_code == 200, url
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        response.get_data()
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, url
    return statistics.median(times) * 1000


def deep_page(client, url: str, hops: int) -> str:
    """The URL of the page ``hops`` "Older events" links on (or the last one before that)."""
    import html

    for _ in range(hops):
        page = client.get(url).get_data(as_text=True)
        found = re.search(r'<a href="([^"]+)" rel="next">', page)
        if not found:
            break
        url = html.unescape(found.group(1))
    return url


def main() -> int:
    """Seed, time the pages, print the ratios and the CSV's rate."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=5000)
    parser.add_argument("--assessments", type=int, default=20000)
    parser.add_argument("--events", type=int, default=200000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None, help="an empty database (default SQLite)")
    parser.add_argument(
        "--keep", default=None, help="a SQLite file: seeded if missing, reused if present"
    )
    parser.add_argument("--only", choices=("all", "audit"), default="all")
    args = parser.parse_args()

    from assess import create_app, db, migrate

    folder = Path(tempfile.mkdtemp(prefix="assess-list-pages-"))
    url = args.database_url or f"sqlite:///{folder / 'assess.sqlite3'}"
    if args.keep:
        url = f"sqlite:///{Path(args.keep).resolve()}"
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(folder),
            "SECRET_KEY": "list-pages-benchmark-" + "x" * 40,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        migrate.upgrade(app)
    found = seeded(app)
    if found is not None:
        small, big, email = found
        print("reusing the database seeded by an earlier run", flush=True)
    else:
        small, big, email = seed(
            app,
            min(args.organisations, 100_000),
            min(args.assessments, 200_000),
            min(args.events, 2_000_000),
        )
    client = app.test_client()
    _login(client, email)
    repeat = max(1, min(args.repeat, 50))
    trail = "/organisations/{}/audit"
    deep = deep_page(client, trail.format(big), 40)
    pages = [
        ("operator's organisations", "/operator/organisations", "/operator/organisations"),
        (
            "assessments list",
            f"/organisations/{small}/assessments",
            f"/organisations/{big}/assessments",
        ),
        ("audit trail, first page", trail.format(small), trail.format(big)),
        ("audit trail, 40 pages on", trail.format(small), deep),
    ]
    if args.only == "audit":
        pages = pages[2:]
    # The operator's list is the same URL: time it before and after the bulk organisations would
    # need two databases, so its "small" figure is the status filter's short list instead.
    if args.only == "all":
        pages[0] = (
            "operator's organisations",
            "/operator/organisations?status=suspended",
            "/operator/organisations",
        )
    print(f"database: {url.split(':', 1)[0]}, medians of {repeat}")
    print(f"{'page':28} {'small':>9} {'big':>9} {'ratio':>6}")
    worst = 0.0
    for label, small_url, big_url in pages:
        a, b = timed(client, small_url, repeat), timed(client, big_url, repeat)
        worst = max(worst, b / a)
        print(f"{label:28} {a:7.1f}ms {b:7.1f}ms {b / a:6.2f}")
    statements: list[str] = []
    event.listen(db.engine(app), "before_cursor_execute", lambda *a: statements.append(a[2]))
    started = time.perf_counter()
    response = client.get(f"/organisations/{big}/audit.csv")
    body = response.get_data(as_text=True)
    elapsed = time.perf_counter() - started
    count = sum(1 for _ in csv.reader(io.StringIO(body.lstrip("\ufeff")))) - 1
    print(
        f"audit CSV: {count} rows, {len(body) / 1e6:.1f} MB in {elapsed:.2f} s = "
        f"{count / elapsed:,.0f} rows/s, {len(statements)} SQL statements"
    )
    print(f"worst big/small ratio {worst:.2f} (goal at most 3); CSV goal at least 50,000 rows/s")
    db.engine(app).dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
