"""Time the PDF report of a realistic, fully answered assessment in a warm process.

    PYTHONPATH=.:tests python benchmarks/report_render.py [repetitions]

Prints the page count and median times: building the context and HTML (assess's own work),
render_pdf (WeasyPrint with the shared font configuration and stylesheet), and plain WeasyPrint on
the same HTML with the same stylesheet but nothing shared, for comparison.
"""

from __future__ import annotations

import statistics
import sys
import time

from report_helpers import make_report_input
from weasyprint import CSS, HTML

from assess.paths import REPORTS_DIR
from assess.reporting import build_context, pdf_metadata, render_html, render_pdf, report_json


def main(repetitions: int = 7) -> None:
    """Render the report ``repetitions`` times after one warm-up and print median timings."""
    report = make_report_input()
    ours, pdf_only, plain = [], [], []
    pages = 0
    for run in range(repetitions + 1):
        start = time.perf_counter()
        context = build_context(report)
        html = render_html(context)
        data = report_json(report)
        metadata = pdf_metadata(report)
        prepared = time.perf_counter()
        pdf = render_pdf(html, report_json=data, metadata=metadata)
        done = time.perf_counter()
        document = HTML(string=html, base_url=REPORTS_DIR.as_uri() + "/").render(
            stylesheets=[CSS(filename=str(REPORTS_DIR / "report.css"))],
            pdf_variant="pdf/a-3a",
            pdf_tags=True,
        )
        document.write_pdf(pdf_variant="pdf/a-3a", pdf_tags=True)
        alone = time.perf_counter()
        pages = pdf.count(b"/Type /Page\n") or len(document.pages)
        if run:  # the first run warms caches up
            ours.append((prepared - start, done - prepared))
            pdf_only.append(done - prepared)
            plain.append(alone - done)
    before = statistics.median(p for p, _ in ours)
    weasy = statistics.median(pdf_only)
    total = before + weasy
    print(f"pages: {len(document.pages)}")
    print(f"context + HTML + JSON: {before * 1000:.1f} ms")
    print(f"render_pdf:            {weasy * 1000:.1f} ms")
    print(f"total:                 {total * 1000:.1f} ms, {total / len(document.pages):.3f} s/page")
    print(f"outside render_pdf:    {before / total:.1%} of the total")
    print(f"plain WeasyPrint:      {statistics.median(plain) * 1000:.1f} ms (nothing shared)")
    del pages


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
