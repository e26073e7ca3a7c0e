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
from dataclasses import replace

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
from assess.scoring.gaps import first_steps

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
    "Evidence and audit marks",
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
    contents = _flat(pages[2])
    for title in SECTION_TITLES:
        assert title in text
    for number, title in enumerate(SECTION_TITLES[1:], start=1):
        assert re.search(rf"{number}\. {re.escape(title)} ?\.+ ?\d+", contents), title


def test_the_cover_names_the_organisation_the_questionnaires_and_the_report(pages, report):
    cover = _flat(pages[1])  # after the summary for the board
    assert "About this report" in cover
    assert "Denbighshire County Council" in cover
    assert "Stakeholder management self" in cover and "assessment 2026" in cover
    assert "R-2026-0042" in cover
    assert "2 March 2026, 09:30 GMT (UTC+00:00)" in cover
    for questionnaire, _answers in report.questionnaires():
        assert f"{questionnaire.title.get()}, version {questionnaire.version}" in cover
    assert "Page 2 of" not in cover  # the cover has no running footer


def test_pages_carry_a_running_header_and_page_x_of_y(pages):
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        if number == 2:
            continue  # the cover
        flat = _flat(page)
        assert f"Page {number} of {total}" in flat
        assert "Denbighshire County Council — Stakeholder management self-assessment 2026" in flat
        assert "Report R-2026-0042 · data " in flat


def test_page_one_is_a_summary_the_board_can_act_on_and_fits_on_one_page(pages, report):
    first = _flat(pages[0])
    result = report.result
    overall = result.maturity.overall
    assert first.index("Summary for the board".upper()) < first.index("Overall level")
    assert f"Level {overall.level} ({overall.name})" in first
    assert "The Citizen model" in first and "87.5%" in first
    # The three actions to take first: one from each of the three top gaps, owner and date.
    first_three = first_steps(result.gaps)
    assert len(first_three) == 3
    assert [s.dimension_id for s in first_three] == [g.dimension_id for g in result.gaps[:3]]
    for step in first_three:
        assert _squash(step.action) in _squash(first)
        assert _squash(step.owner) in _squash(first)
    assert "22 September 2026" in first  # 6 months after the report's date, 22 March 2026
    assert "58 of 61 questions that apply are answered (95%)" in first
    assert "carry a note of the evidence relied on" in first
    # The decision ends the page: nothing of the summary runs over onto the cover.
    assert "The decision the board is asked to take" in first
    assert "Ask for a progress report by 22 September 2026" in first
    assert "self-assessment within 2 years" in first
    assert "About this report" not in first
    assert "decision" not in _flat(pages[1]).lower()


def test_page_one_still_fits_with_a_blend_chosen_against_the_advice_and_a_long_reason():
    reason = (
        "Cabinet accepted the Citizen model and added the Stakeholder model: the library "
        "campaign, the local paper and our NHS partners shape our decisions whether we plan for "
        "them or not. "
    ) * 4
    report = make_report_input(chosen_models=("citizen", "stakeholder"), choice_reason=reason)
    # The longest evidence lines too: the level and score as claimed differ from the evidenced
    # ones, and answers claim more than their records show.
    overall = replace(
        report.result.maturity.overall, claimed_level=3, claimed_maturity_score=3.4, not_evidenced=7
    )
    maturity = replace(report.result.maturity, overall=overall)
    report = replace(report, result=replace(report.result, maturity=maturity))
    pdf, messages = _render(report)
    assert messages == []
    pages = page_texts(pdf)
    first, second = _flat(pages[0]), _flat(pages[1])
    assert "A blend of the Citizen model and the Stakeholder model" in first
    assert "Chosen by the organisation although the answers" in first
    assert "The full reason is in Which model fits" in first
    assert "Ask for a progress report by" in first
    assert "as claimed, they would be level 3, score 3.4." in first
    assert "7 answers claim a higher level than their confirmed records show" in first
    assert second.startswith("DRAFT") and "About this report" in second
    assert "Confirm" not in second and "progress report" not in second
    assert _squash(" ".join(reason.split())) in _squash(" ".join(pages))  # whole, in chapter 2


def test_the_summary_shows_the_maturity_score_the_reason_and_the_level_as_claimed(report):
    overall = report.result.maturity.overall

    def summary(**changes) -> str:
        maturity = replace(report.result.maturity, overall=replace(overall, **changes))
        changed = replace(report, result=replace(report.result, maturity=maturity))
        return _flat(re.sub(r"<[^>]+>", " ", render_html(build_context(changed))))

    html = summary(
        maturity_score=2.44,
        level_reason="Level 2, because of X.",
        claimed_level=3,
        claimed_maturity_score=3.06,
        not_evidenced=4,
    )
    assert "maturity score 2.4 of 5" in html
    assert "The maturity score is the average level of the practices, weighted by area." in html
    assert "Level 2, because of X." in html
    assert "as claimed, they would be level 3, score 3.1." in html
    assert "4 answers claim a higher level than their confirmed records show" in html
    same = summary(
        maturity_score=2.44,
        claimed_level=overall.level,
        claimed_maturity_score=2.44,
        not_evidenced=0,
    )
    assert "count only levels whose records are confirmed, the same as claimed." in same
    assert "claim a higher level" not in same
    plain = summary(maturity_score=None, claimed_maturity_score=None)
    board = plain[: plain.index("About this report")]
    assert "maturity score" not in board.lower() and "score" not in board.lower()


def test_no_internal_id_or_source_path_is_printed(text, report):
    for questionnaire, _answers in report.questionnaires():
        for _section, question in questionnaire.questions():
            if "-" in question.id:
                assert question.id not in text, question.id
        if "-" in questionnaire.id:
            assert f"({questionnaire.id}" not in text
    assert "docs/" not in text and "methodology.md" not in text


def test_the_report_shows_each_models_targets_and_the_practices_holding_areas_down(text, report):
    adoption = report.adoption
    assert "Each model's targets" in text
    for section in adoption.sections:
        targets = section.targets or {}
        used = {g.dimension_id: g.target for g in report.result.gaps}[section.id]
        row = f"{section.title.get()} {targets['customer']} {targets['citizen']} "
        assert row + f"{targets['stakeholder']} {used}" in text
    assert "The practices holding each area down" in text
    for dimension in report.result.maturity.dimensions:
        for question_id in dimension.floor_question_ids:
            question = adoption.question(question_id)
            assert _squash(question.text.get()) in _squash(text), question_id


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


def _squash(text: str) -> str:
    """Without white space or hyphens: a word broken over two lines, at a hyphen or not, still
    matches (pdftotext drops the hyphen of a compound broken at its hyphen)."""
    return "".join(text.split()).replace("-", "")


def test_the_action_plan_carries_every_step_of_every_gap(text, report):
    steps = [step for gap in report.result.gaps for step in gap.steps]
    assert steps
    squashed = _squash(text)
    for step in steps:
        assert _squash(f"Level {step.from_level} to {step.to_level}: {step.action}") in squashed
        assert _squash(step.question_text) in squashed
        for done in step.done_when:
            assert _squash(done) in squashed
    assert "Done when" in text


def test_every_segment_is_placed_and_judged(text, report):
    for segment in report.result.segments:
        assert segment.label in text
    assert "Above what is needed by 1 level" in text  # council tenants are empowered today
    assert "Below what is needed by 3 levels" in text
    # Method 2.0: the media get a media-relations plan; power and interest a relationship plan.
    assert "Media relations, not a participation level" in text
    assert "Manage closely: a named contact" in text
    # The flags column is the last of its table: a column too many for the widths set in
    # report.css once pushed it off the page and cut every flag to its first word.
    assert "Commercial interest in decisions about itself" in text
    assert "Regarded as customers, which differs from the chosen model" in text
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
    assert "Finalised 23 March 2026, 14:30 GMT (UTC+00:00)" in _flat(pages[1])


def test_the_file_claims_pdf_a_3a_and_has_the_structure_to_back_it(pdf):
    meta = pdf.open_metadata()
    assert meta["pdfaid:part"] == "3"
    assert meta["pdfaid:conformance"] == "A"
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
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


def test_the_file_also_declares_pdf_ua_1(pdf):
    meta = pdf.open_metadata()
    assert meta["pdfuaid:part"] == "1"
    assert meta["pdfaid:part"] == "3"  # alongside PDF/A-3a, not instead of it


def test_every_table_header_cell_has_its_scope_in_the_html_and_the_pdf(pdf, report):
    html = render_html(build_context(report))
    for group, scope in (("thead", "col"), ("tbody", "row")):
        for block in re.findall(rf"<{group}>(.*?)</{group}>", html, re.S):
            for cell in re.findall(r"<th\b[^>]*>", block):
                assert f'scope="{scope}"' in cell, cell
    assert not re.search(r"<th(?![^>]*scope=)[\s>]", html)
    cells = _structure_types(pdf.Root.StructTreeRoot)["/TH"]
    assert len(cells) > 50
    for cell in cells:
        in_head = pikepdf.Name.THead == cell.P.P.S
        assert cell.A.Scope == (pikepdf.Name.Column if in_head else pikepdf.Name.Row)
        assert pikepdf.Name.Table == cell.A.O


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


def test_the_collection_after_a_report_leaves_the_older_objects_out(report):
    """The full collection that frees a report's layout runs while the objects that existed
    before are still frozen: it walks what the rendering made, not the whole process's heap
    (walking the rest of the heap cost about 0.35 s of a 9 s report: half of that collection)."""
    html = render_html(build_context(report))
    data, metadata = report_json(report), pdf_metadata(report)
    full_collections: list[int] = []

    def watch(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2:
            full_collections.append(gc.get_freeze_count())

    gc.callbacks.append(watch)
    try:
        render_pdf(html, report_json=data, metadata=metadata)
    finally:
        gc.callbacks.remove(watch)
    assert full_collections, "a report is followed by a full collection"
    assert full_collections[-1] > 0, "the last full collection walked the older objects too"
    assert gc.get_freeze_count() == 0


def test_no_word_runs_past_the_right_margin(pdf_bytes):
    """Every word of every page lies inside the page's text area (18 mm margins).

    A table whose column widths add up to more than the page once pushed its last column
    off the page, where the words were cut off rather than wrapped."""
    import re
    import subprocess

    boxes = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", "-", "-"],
        input=pdf_bytes,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    margin = 18 / 25.4 * 72  # points
    outside = []
    for number, page in enumerate(boxes.split("<page ")[1:], start=1):
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        for x_max, word in re.findall(
            r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<', page
        ):
            if float(x_max) > width - margin + 1:
                outside.append((number, word))
    assert outside == []
