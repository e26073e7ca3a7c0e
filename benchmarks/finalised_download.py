"""A finalised report's download against a fresh render of the same report, side by side.

    PYTHONPATH=. python benchmarks/finalised_download.py [repetitions]

Creates the demo organisation (``assess demo``'s data, through the services) on a fresh SQLite
database in a temporary folder, finalises its assessment, then times, in one warm process:

- a fresh render of the report (``services.reports.render``, as a draft's download does), and
- downloading the stored finalised report through the test client, signed in as the demo's
  auditor (access check, database read of the stored bytes, response),

and prints the medians and their ratio, which issue 9 wants to be at least 50. It also prints how
long finalising took (once, before the timed runs): it renders and stores the English report and
its Welsh copies.
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pikepdf

from assess import create_app, db, demo, migrate
from assess.models import Assessment
from assess.services import finalising, reports
from assess.services.questionnaires import current_questionnaires


def _median(timings: list[float]) -> float:
    return statistics.median(timings)


def main(repetitions: int = 7) -> None:
    """Time both ``repetitions`` times after one warm-up each and print the medians."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                "INSTANCE_PATH": folder,
                "SECRET_KEY": "benchmark",
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
                "MAIL_BACKEND": "file",
            }
        )
        with app.app_context():
            migrate.upgrade(app)
            data = demo.load()
            created = demo.create(data, current_questionnaires())
            admin = next(p for p in data.people if p.role == "admin")
            auditor = next(p for p in data.people if p.role == "auditor")
            assessment_id = created.assessment.id
            start = time.perf_counter()
            stored = finalising.finalise(created.assessment, created.users[admin.key])
            finalise_ms = (time.perf_counter() - start) * 1000
            copies = 1 + len(stored.languages)
            size, report_id = stored.size, stored.report_id

        client = app.test_client()
        signed_in = client.post("/login", data={"email": auditor.email, "password": data.password})
        assert signed_in.status_code == 302, signed_in.status_code
        url = f"/assessments/{assessment_id}/report.pdf"

        renders, downloads = [], []
        for run in range(repetitions + 1):
            with app.test_request_context():
                assessment = db.session().get(Assessment, assessment_id)
                start = time.perf_counter()
                fresh = reports.render(assessment)
                rendered = time.perf_counter() - start
            start = time.perf_counter()
            response = client.get(url)
            body = response.get_data()
            downloaded = time.perf_counter() - start
            assert response.status_code == 200 and len(body) == size
            if run:  # the first run warms caches up
                renders.append(rendered)
                downloads.append(downloaded)
        with pikepdf.open(io.BytesIO(fresh.pdf)) as pdf:
            pages = len(pdf.pages)
        db.engine(app).dispose()

    render_ms, download_ms = _median(renders) * 1000, _median(downloads) * 1000
    print(f"report {report_id}: {size:,} bytes stored, {pages} pages")
    print(f"fresh render (median of {repetitions}):        {render_ms:9.1f} ms")
    print(f"finalised download (median of {repetitions}):  {download_ms:9.2f} ms")
    print(f"ratio: {render_ms / download_ms:,.0f}x (issue 9 asks for at least 50x)")
    print(
        f"finalising (once, cold): {finalise_ms:9.1f} ms for {copies} stored PDFs, "
        f"{finalise_ms / render_ms:.1f} times one fresh render"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
