"""The bilingual summary: page 1 in Welsh (left) and English (right), each column tagged with its
language, still one page in the worst case, the rest of the report in Welsh."""

from __future__ import annotations

import gc
import io
import re
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask
from report_helpers import make_report_input, page_texts
from test_i18n_coverage import KEYWORDS, ROOT

import assess.reporting.render as render_module
from assess.reporting import build_context, render_report, render_report_with_bilingual
from assess.reporting.render import bilingual_board

#: Welsh runs about a fifth longer than English (docs/welsh.md): the stand-in catalogue makes
#: every message a third longer.
PADDING = "ychwanegol"


@pytest.fixture(scope="module")
def longer_welsh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A "cy" catalogue whose every message is the English one made a third longer."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    catalog = Catalog(locale="cy", domain="messages")

    def longer(text: str) -> str:
        words = max(1, len(text.split()) // 3)
        return f"{text} {' '.join([PADDING] * words)}"

    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        if isinstance(message, tuple):
            singular, plural = message[0], message[1]
            forms = [longer(singular), *[longer(plural)] * 5]
            catalog.add((singular, plural), forms, context=context)
        else:
            catalog.add(message, longer(message), context=context)
    folder = tmp_path_factory.mktemp("longer-welsh")
    target = folder / "cy" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    return folder


@pytest.fixture
def app(make_app, longer_welsh: Path) -> Flask:
    return make_app(BABEL_TRANSLATION_DIRECTORIES=str(longer_welsh))


def _worst_case():
    """A blend chosen against the advice with a long reason, and the longest evidence lines."""
    reason = (
        "Cabinet accepted the Citizen model and added the Stakeholder model: the library "
        "campaign, the local paper and our NHS partners shape our decisions whether we plan for "
        "them or not. "
    ) * 4
    report = make_report_input(chosen_models=("citizen", "stakeholder"), choice_reason=reason)
    overall = replace(
        report.result.maturity.overall, claimed_level=3, claimed_maturity_score=3.4, not_evidenced=7
    )
    maturity = replace(report.result.maturity, overall=overall)
    report = replace(report, result=replace(report.result, maturity=maturity))
    return replace(report, locale="cy", data_result=report.result, bilingual_summary=True)


def test_the_columns_are_welsh_first_then_english_each_with_its_lang(app: Flask):
    report = _worst_case()
    with app.app_context():
        columns = bilingual_board(report, build_context(report))
    assert [c["lang"] for c in columns] == ["cy", "en"]
    assert PADDING in columns[0]["html"] and PADDING not in columns[1]["html"]
    assert 'id="board-title-cy"' in columns[0]["html"]
    assert 'id="board-title-en"' in columns[1]["html"]


def test_the_bilingual_summary_fits_one_page_and_is_tagged_in_both_languages(app: Flask):
    with app.app_context():
        pdf = render_report(_worst_case())
    pages = page_texts(pdf)
    first = " ".join(pages[0].split())
    # Both columns are on page 1: the English one whole, down to the decision's last item.
    assert PADDING in first
    assert "Ask for a progress report by" in first
    assert "A blend of the Citizen model and the Stakeholder model" in first
    assert first.count("Stakeholder management self-assessment 2026") >= 2
    # Page 2 is the cover: nothing of page 1 ran over.
    second = " ".join(pages[1].split())
    assert "About this report" in second
    assert "progress report" not in second and "Confirm" not in second
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert str(document.Root.Lang) == "cy"
        languages = {
            str(item.get("/Lang"))
            for item in document.objects
            if isinstance(item, pikepdf.Dictionary) and "/Lang" in item and "/S" in item
        }
    assert "en" in languages, languages


def test_without_the_option_page_one_is_in_one_language(app: Flask):
    report = replace(_worst_case(), bilingual_summary=False)
    with app.app_context():
        html_context = build_context(report)
    assert html_context["board_columns"] is None
    assert not re.search("board-column", str(html_context))


def _structure(pdf: bytes) -> tuple[dict[str, int], int, str, list[str]]:
    """The tagged structure's element counts, the link annotations, the title and the outline."""
    counts: dict[str, int] = {}
    with pikepdf.open(io.BytesIO(pdf)) as document:
        pending = list(document.Root.StructTreeRoot.K)
        while pending:
            element = pending.pop()
            if isinstance(element, pikepdf.Dictionary) and "/S" in element:
                counts[str(element.S)] = counts.get(str(element.S), 0) + 1
                kids = element.get("/K")
                if isinstance(kids, pikepdf.Array):
                    pending.extend(kids)
                elif isinstance(kids, pikepdf.Dictionary):
                    pending.append(kids)
        links = sum(len(page.get("/Annots", [])) for page in document.pages)
        with document.open_outline() as outline:
            titles = [item.title for item in outline.root]
        return counts, links, str(document.docinfo.get("/Title")), titles


def _assert_same_report(ours: bytes, whole: bytes) -> None:
    assert page_texts(ours) == page_texts(whole)
    assert _structure(ours) == _structure(whole)


def _counting_layouts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many pages each layout of the run had, in order."""
    layouts: list[int] = []
    layout = render_module._layout

    def counted(html: str, *more_css: str):
        document = layout(html, *more_css)
        layouts.append(len(document.pages))
        return document

    monkeypatch.setattr(render_module, "_layout", counted)
    return layouts


def _both_ways(
    welsh, monkeypatch: pytest.MonkeyPatch, *, check_welsh: bool = False
) -> tuple[bytes, bytes, bytes, list[int]]:
    """The Welsh and bilingual reports laid out together (with ``check_welsh``, the Welsh one
    checked against its whole layout), the bilingual report laid out whole, and the layouts
    made together."""
    layouts = _counting_layouts(monkeypatch)
    ours_welsh, ours_bilingual = render_report_with_bilingual(welsh)
    together = list(layouts)
    if check_welsh:
        _assert_same_report(ours_welsh, render_report(welsh))
    whole = render_report(replace(welsh, bilingual_summary=True))
    return ours_welsh, ours_bilingual, whole, together


def test_laid_out_with_the_welsh_report_the_bilingual_one_is_the_one_laid_out_whole(
    make_app, monkeypatch: pytest.MonkeyPatch
):
    # The real Welsh catalogue: each summary fits its page.
    welsh = replace(make_report_input(), locale="cy", data_result=make_report_input().result)
    with make_app().app_context():
        ours_welsh, ours, whole, layouts = _both_ways(welsh, monkeypatch, check_welsh=True)
    _assert_same_report(ours, whole)
    # The Welsh report was laid out once and the bilingual summary alone: one page.
    assert len(layouts) == 2 and layouts[1] == 1, layouts
    # Page 1 alone still counts the whole report's pages in its footer (the texts compared
    # above include it); the pages after it are the Welsh report's.
    assert page_texts(ours)[1:] == page_texts(ours_welsh)[1:]
    assert page_texts(ours)[0] != page_texts(ours_welsh)[0]


def test_when_the_welsh_summary_runs_over_its_page_the_bilingual_report_is_laid_out_whole(
    app: Flask, monkeypatch: pytest.MonkeyPatch
):
    # A third longer than English, the worst case's one-language summary takes two pages.
    welsh = replace(_worst_case(), bilingual_summary=False)
    with app.app_context():
        _welsh, ours, whole, layouts = _both_ways(welsh, monkeypatch)
    _assert_same_report(ours, whole)
    assert len(layouts) == 3, layouts


def test_when_the_bilingual_summary_runs_over_its_page_the_report_is_laid_out_whole(
    make_app, monkeypatch: pytest.MonkeyPatch
):
    welsh = replace(make_report_input(), locale="cy", data_result=make_report_input().result)
    page_total_css = render_module._page_total_css
    # The English column on a page of its own: page 1 laid out alone would be two pages.
    overflow = (
        " .board-columns, .board-column { display: block }"
        " .board-column + .board-column { break-before: page }"
    )
    monkeypatch.setattr(
        render_module, "_page_total_css", lambda pages: page_total_css(pages) + overflow
    )
    with make_app().app_context():
        _welsh, ours, whole, layouts = _both_ways(welsh, monkeypatch)
    _assert_same_report(ours, whole)
    assert len(layouts) == 3 and layouts[1] == 2, layouts


def _weasyprint_objects() -> int:
    return sum(
        1
        for o in gc.get_objects()
        if str(getattr(type(o), "__module__", "")).startswith("weasyprint")
    )


def test_laying_out_both_leaves_no_layout_behind(make_app):
    """The layouts are freed by the collection that ends the rendering, as a single report's
    are: none waits for a later full collection (about 22,000 of WeasyPrint's objects once did,
    and the demo's finalising grew by about 17 MiB a report)."""
    welsh = replace(make_report_input(), locale="cy", data_result=make_report_input().result)
    with make_app().app_context():
        render_report_with_bilingual(welsh)  # warm: fonts, stylesheet, caches
        before = _weasyprint_objects()
        render_report_with_bilingual(welsh)
        after = _weasyprint_objects()
    assert gc.get_freeze_count() == 0
    assert after - before < 100, f"{after - before} of WeasyPrint's objects outlived the rendering"
