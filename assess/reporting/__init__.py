"""The PDF gap report: plain context, machine-readable data, HTML and PDF rendering.

    report = ReportInput(...)                 # questionnaires, answers, scoring result
    pdf = render_report(report)               # context -> HTML -> PDF/A-3a with assessment.json

Or step by step: ``build_context(report)``, ``render_html(context)``,
``render_pdf(html, report_json=report_json(report), metadata=pdf_metadata(context))``.
"""

from __future__ import annotations

from assess.reporting.context import AnsweredBy, ReportInput, build_context
from assess.reporting.data import data_fingerprint, dump_report_json, report_json
from assess.reporting.render import (
    PdfMetadata,
    RefusedURLError,
    ReportFetcher,
    pdf_metadata,
    render_html,
    render_pdf,
    render_report,
    render_report_with_bilingual,
)

__all__ = [
    "AnsweredBy",
    "PdfMetadata",
    "RefusedURLError",
    "ReportFetcher",
    "ReportInput",
    "build_context",
    "data_fingerprint",
    "dump_report_json",
    "pdf_metadata",
    "render_html",
    "render_pdf",
    "render_report",
    "render_report_with_bilingual",
    "report_json",
]
