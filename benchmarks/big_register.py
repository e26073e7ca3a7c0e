"""How the report's rendering grows with the stakeholder register (issue 21, point 5).

    PYTHONPATH=. .venv/bin/python benchmarks/big_register.py [groups ...]   # default: 10 100 500

Creates the demo organisation (``assess demo``'s data, through the services) in a temporary SQLite
database, then for each register size replaces the demo's register with that many groups (the
demo's ten, then made-up ones with varied ratings) and renders the draft report as ``assess worker``
does: in a forked child, within the worker's ceilings (``assess.reporting.bounded``). Prints, per
size, the pages, the time, the time per page and the child's peak resident memory (it starts as a
copy of this process, so the figure includes the app already loaded: about 150 MiB).

``--profile N`` instead profiles one render of N groups in this process (cProfile) and prints the
functions with the most cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import tempfile
import time

import pikepdf

from assess import create_app, db, demo, migrate
from assess.models import User
from assess.questionnaire.answers import Answer, RegisterRow
from assess.reporting import render_report
from assess.reporting.bounded import run_within
from assess.services import assessments, reports
from assess.services.questionnaires import current_questionnaires

REGARDS = ("customer", "citizen", "stakeholder")
LEVELS = ("none", "inform", "consult", "involve", "collaborate", "empower")


def register_of(groups: int, demo_rows: list[RegisterRow]) -> tuple[RegisterRow, ...]:
    """The demo's rows, then made-up groups up to ``groups`` in all."""
    rows = list(demo_rows[:groups])
    for n in range(len(rows), groups):
        rows.append(
            RegisterRow(
                segment_id=f"custom-group-{n}",
                label=f"Residents' association of ward {n}",
                power=1 + n % 4,
                legitimacy=1 + (n // 4) % 4,
                urgency=1 + (n // 16) % 4,
                interest=1 + (n // 2) % 4,
                regard=REGARDS[n % 3],
                engagement=LEVELS[n % 6],
            )
        )
    return tuple(rows)


def _pages(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("groups", nargs="*", type=int, default=[10, 100, 500])
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--memory-mb", type=int, default=4096)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "INSTANCE_PATH": folder,
                "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
                "SECRET_KEY": "benchmark",
                "PASSWORD_HASH_MEMORY_COST": 1024,
                "PASSWORD_HASH_TIME_COST": 1,
            }
        )
        with app.app_context():
            migrate.upgrade(app)
            created = demo.create(demo.load(), current_questionnaires())
            assessment_id = created.assessment.id
            # The id: the account object belongs to this context's session, which ends here.
            author_id = next(iter(created.users.values())).id
        with app.test_request_context():
            author = db.session().get(User, author_id)
            assessment = assessments.get(assessment_id)
            stored = assessments.stored_answers(assessment, "definition")["register"]
            demo_rows = list(stored.answer.value)
            sizes = [args.profile] if args.profile else args.groups
            print("groups  pages  seconds  s/page  peak MiB")
            for groups in sizes:
                assessment = assessments.get(assessment_id)
                current = assessments.stored_answers(assessment, "definition")["register"]
                outcome = assessments.save_answers(
                    assessment,
                    author,
                    "definition",
                    {
                        "register": assessments.Submission(
                            Answer("register", value=register_of(groups, demo_rows)),
                            current.revision,
                        )
                    },
                )
                assert outcome.ok, outcome
                report = reports.report_input(assessments.get(assessment_id))
                if args.profile:
                    profile = cProfile.Profile()
                    profile.enable()
                    pdf = render_report(report)
                    profile.disable()
                    stats = pstats.Stats(profile).sort_stats("cumulative")
                    stats.print_stats(45)
                    print(f"{groups} groups: {_pages(pdf)} pages")
                    continue
                started = time.perf_counter()
                pdf, peak = run_within(
                    render_report, report, memory_bytes=args.memory_mb * 1024**2, seconds=600
                )
                seconds = time.perf_counter() - started
                pages = _pages(pdf)
                print(
                    f"{groups:6d}  {pages:5d}  {seconds:7.2f}  {seconds / pages:6.3f}"
                    f"  {peak / 1024**2:8.0f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
