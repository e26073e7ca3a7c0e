"""Time the demo organisation's PDF gap report in a warm process.

    .venv/bin/python benchmarks/report_render.py [repetitions]

Creates the demo (``assess demo``'s data, through the services) in a temporary SQLite database,
then renders its report ``repetitions`` times after one warm-up and prints medians:

- outside WeasyPrint: reading the assessment and scoring it, the report context, the charts, the
  HTML template and the JSON (assess's own work);
- render_pdf: WeasyPrint with the shared font configuration and stylesheet;
- WeasyPrint alone on the same HTML in the same run, nothing shared, for comparison;

and the process's peak resident memory. Targets: at most 0.08 s per page (median), and the time
outside WeasyPrint at most 25% of the total.
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time

from weasyprint import CSS, HTML

from assess import create_app, demo, migrate
from assess.paths import REPORTS_DIR
from assess.reporting import build_context, pdf_metadata, render_html, render_pdf, report_json
from assess.services import assessments, reports
from assess.services.questionnaires import current_questionnaires


def main(repetitions: int = 9) -> None:
    """Render the demo report ``repetitions`` times after a warm-up and print median timings."""
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
            assessment_id = demo.create(demo.load(), current_questionnaires()).assessment.id
        outside, weasy, alone = [], [], []
        with app.test_request_context():
            # assess's whole path: data, scoring, context, charts, HTML, then render_pdf.
            for run in range(repetitions + 1):
                start = time.perf_counter()
                assessment = assessments.get(assessment_id)
                report = reports.report_input(assessment)
                html = render_html(build_context(report))
                data = report_json(report)
                metadata = pdf_metadata(report)
                prepared = time.perf_counter()
                pdf = render_pdf(html, report_json=data, metadata=metadata)
                rendered = time.perf_counter()
                assert pdf.startswith(b"%PDF-")
                if run:  # the first run warms the caches
                    outside.append(prepared - start)
                    weasy.append(rendered - prepared)
            peak_ours = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            # WeasyPrint alone on the same HTML, in the same process, sharing nothing.
            for run in range(repetitions + 1):
                start = time.perf_counter()
                document = HTML(string=html, base_url=REPORTS_DIR.as_uri() + "/").render(
                    stylesheets=[CSS(filename=str(REPORTS_DIR / "report.css"))],
                    pdf_variant="pdf/a-3a",
                    pdf_tags=True,
                )
                document.write_pdf(pdf_variant="pdf/a-3a", pdf_tags=True)
                if run:
                    alone.append(time.perf_counter() - start)
                pages = len(document.pages)
    before, during = statistics.median(outside), statistics.median(weasy)
    total = before + during
    print(f"demo report: {pages} pages, {repetitions} timed runs after one warm-up")
    print(f"outside WeasyPrint (data, scoring, context, charts, HTML): {before * 1000:.0f} ms")
    print(f"render_pdf (WeasyPrint, shared fonts and stylesheet):      {during * 1000:.0f} ms")
    print(f"total: {total * 1000:.0f} ms = {total / pages:.3f} s per page (median)")
    print(f"outside WeasyPrint: {before / total:.1%} of the total")
    plain = statistics.median(alone)
    print(f"WeasyPrint alone on the same HTML, nothing shared: {plain * 1000:.0f} ms")
    print(f"peak resident memory while rendering the report: {peak_ours:.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
