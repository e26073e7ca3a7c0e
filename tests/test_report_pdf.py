"""The PDF report as a reader, an auditor and a PDF/A checker see it.

The realistic report is rendered once per module (about two seconds); each test reads that file.
"""

from __future__ import annotations

import gc
import io
import json
import logging
import os
import re

import pikepdf
import pytest
from report_helpers import ARABIC, HEBREW, INJECTION, make_report_input, page_texts

from assess.reporting import (
    build_context,
    pdf_metadata,
    render_html,
    render_pdf,
    render_report,
    report_json,
)

SECTION_TITLES = (
    "Contents",
    "Executive summary",
    "How the organisation defines its stakeholders",
    "What the definition answers show",
    "Which model fits",
    "Maturity profile",
    "Gaps by dimension",
    "Action plan",
    "Engagement with each stakeholder group",
    "Appendix: every question and answer",
    "How the figures were worked out",
)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _render(report):
    """The PDF of ``report``, and anything WeasyPrint logged at warning level or above."""
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        return render_report(report), handler.messages
    finally:
        logger.removeHandler(handler)


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def report():
    return make_report_input()


@pytest.fixture(scope="module")
def rendered(report):
    return _render(report)


@pytest.fixture(scope="module")
def pdf_bytes(rendered):
    return rendered[0]


@pytest.fixture(scope="module")
def pages(pdf_bytes):
    return page_texts(pdf_bytes)


@pytest.fixture(scope="module")
def text(pages):
    return _flat(" ".join(pages))


@pytest.fixture(scope="module")
def pdf(pdf_bytes):
    with pikepdf.open(io.BytesIO(pdf_bytes)) as document:
        yield document


def test_weasyprint_renders_the_report_without_complaint(rendered):
    assert rendered[1] == []


def test_every_section_is_in_the_report_and_in_the_contents_with_a_page(pages, text):
    contents = _flat(pages[1])
    for title in SECTION_TITLES:
        assert title in text
    for number, title in enumerate(SECTION_TITLES[1:], start=1):
        assert re.search(rf"{number}\. {re.escape(title)} ?\.+ ?\d+", contents), title


def test_the_cover_names_the_organisation_the_questionnaires_and_the_report(pages, report):
    cover = _flat(pages[0])
    assert "Denbighshire County Council" in cover
    assert "Stakeholder management self" in cover and "assessment 2026" in cover
    assert "R-2026-0042" in cover
    assert "2 March 2026, 09:30 GMT (UTC+00:00)" in cover
    for questionnaire, _answers in report.questionnaires():
        assert f"{questionnaire.id}, version {questionnaire.version}" in cover
    assert "Page 1 of" not in cover  # the cover has no running footer


def test_pages_carry_a_running_header_and_page_x_of_y(pages):
    total = len(pages)
    for number, page in enumerate(pages[1:], start=2):
        flat = _flat(page)
        assert f"Page {number} of {total}" in flat
        assert "Denbighshire County Council — Stakeholder management self-assessment 2026" in flat
        assert "Report R-2026-0042" in flat


def test_the_figures_match_the_scoring_result(text, report):
    result = report.result
    overall = result.maturity.overall
    assert f"Overall level: {overall.level} ({overall.name})" in text
    for gap in result.gaps:
        dimension = result.maturity.dimension(gap.dimension_id)
        position = {
            "below_target": f"Below target by {gap.gap}",
            "above_target": f"Above target by {gap.above_by}",
            "at_target": "At target",
        }[gap.status]
        row = (
            f"{gap.title} {gap.current} {dimension.mean:.2f} {gap.target} {gap.gap} "
            f"{gap.weight} {gap.priority} {gap.rank or '-'} {position}"
        )
        assert row in text
    for model in result.fit.models:
        assert f"{model.name} {model.fit_percent:g}% {model.rank} {model.total}" in text


def test_the_action_plan_carries_every_step_of_every_gap(text, report):
    for gap in report.result.gaps:
        for step in gap.steps:
            assert _flat(step.action) in text
            assert f"{step.from_level} to {step.to_level}" in text


def test_every_segment_is_placed_and_judged(text, report):
    for segment in report.result.segments:
        assert segment.label in text
    assert "Above what is needed by 1 level" in text  # council tenants are empowered today
    assert "Below what is needed by 3 levels" in text
    # Method 2.0: the media get a media-relations plan; power and interest a relationship plan.
    assert "Media relations, not a participation level" in text
    assert "Manage closely: a named contact" in text
    assert "Commercial interest in decisions about itself" in text
    flat = " ".join(text.split())
    gaps = flat[flat.index("Engagement gaps, most pressing first") :]
    assert gaps.index("People who need extra support:") < gaps.index("Residents:")
    assert "Why here: needs extra support; 3 levels below what is needed" in gaps


def test_typed_markup_comes_out_as_literal_text(text, pdf_bytes):
    assert INJECTION in text
    html = render_html(build_context(make_report_input()))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;" in html
    assert "<script>" not in html


def test_welsh_letters_and_right_to_left_notes_are_printed(text):
    assert "ŵyr ac ŷd" in text
    assert HEBREW in text
    assert ARABIC.split(" ", 1)[1] in text  # words without the lam-alef ligature


def test_draft_is_marked_on_every_page(pages):
    assert len(pages) > 10
    for number, page in enumerate(pages, start=1):
        assert "DRAFT" in page, f"page {number}"


def test_a_finalised_report_is_not_marked_draft_on_any_page(report):
    from datetime import timedelta

    finalised = make_report_input(
        status="finalised", finalised_at=report.updated_at + timedelta(days=1)
    )
    pdf, messages = _render(finalised)
    assert messages == []
    pages = page_texts(pdf)
    assert all("DRAFT" not in page for page in pages)
    assert "Finalised 23 March 2026, 14:30 GMT (UTC+00:00)" in _flat(pages[0])


def test_the_file_claims_pdf_a_3a_and_has_the_structure_to_back_it(pdf):
    meta = pdf.open_metadata()
    assert meta["pdfaid:part"] == "3"
    assert meta["pdfaid:conformance"] == "A"
    assert pdf.Root.MarkInfo.Marked is True
    assert "/StructTreeRoot" in pdf.Root
    assert str(pdf.Root.Lang) == "en"
    intents = pdf.Root.OutputIntents
    assert len(intents) >= 1
    assert "/DestOutputProfile" in intents[0]


def _structure_types(root) -> dict[str, list]:
    found: dict[str, list] = {}
    stack = [root]
    seen = set()
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
            continue
        if not isinstance(node, pikepdf.Dictionary):
            continue
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        if "/S" in node:
            found.setdefault(str(node.S), []).append(node)
        if "/K" in node:
            stack.append(node.K)
    return found


def test_the_structure_has_headings_tables_and_figures_with_alt_text(pdf):
    types = _structure_types(pdf.Root.StructTreeRoot)
    assert len(types["/H1"]) >= len(SECTION_TITLES)
    assert "/H2" in types and "/H3" in types
    assert "/Table" in types and "/TH" in types
    figures = types["/Figure"]
    assert len(figures) == 3
    assert all(str(f.get("/Alt", "")) for f in figures)


def test_the_document_metadata_names_title_author_subject_and_keywords(pdf):
    info = pdf.docinfo
    assert str(info.Title) == (
        "Stakeholder management self-assessment 2026: stakeholder management gap report"
    )
    assert str(info.Author) == "Denbighshire County Council"
    assert "Denbighshire County Council" in str(info.Subject)
    assert "R-2026-0042" in str(info.Keywords)
    meta = pdf.open_metadata()
    assert "stakeholder management gap report" in str(meta["dc:title"])
    assert "Denbighshire County Council" in str(meta["dc:creator"])


def _fonts(pdf):
    for page in pdf.pages:
        fonts = page.obj.get("/Resources", {}).get("/Font", {})
        for _name, font in fonts.items():
            yield font
        for _name, xobject in page.obj.get("/Resources", {}).get("/XObject", {}).items():
            for _fname, font in xobject.get("/Resources", {}).get("/Font", {}).items():
                yield font


def test_every_font_is_embedded(pdf):
    fonts = list(_fonts(pdf))
    assert fonts
    for font in fonts:
        descendants = font.get("/DescendantFonts", [font])
        for descendant in descendants:
            descriptor = descendant.FontDescriptor
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), str(
                descriptor.FontName
            )


def test_the_data_is_embedded_as_json_with_its_relationship(pdf, report):
    assert list(pdf.attachments) == ["assessment.json"]
    spec = pdf.attachments["assessment.json"]
    assert spec.obj.AFRelationship == pikepdf.Name.Data
    assert spec.obj.objgen in {item.objgen for item in pdf.Root.AF}
    embedded = spec.get_file()
    assert embedded.mime_type == "application/json"
    assert json.loads(embedded.read_bytes()) == report_json(report)


def _resident_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_rendering_leaves_the_garbage_collector_as_it_was_and_memory_flat(report):
    html = render_html(build_context(report))
    data, metadata = report_json(report), pdf_metadata(report)
    threshold = gc.get_threshold()
    render_pdf(html, report_json=data, metadata=metadata)  # warm: fonts, stylesheet, caches
    before = _resident_mib()
    for _ in range(3):
        render_pdf(html, report_json=data, metadata=metadata)
    grown = _resident_mib() - before
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == 0
    # Without the full collection after each report, three reports kept about 70 MiB.
    assert grown < 20, f"memory grew by {grown:.0f} MiB over three reports"
