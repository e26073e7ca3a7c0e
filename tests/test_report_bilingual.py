"""The bilingual summary: page 1 in Welsh (left) and English (right), each column tagged with its
language, still one page in the worst case, the rest of the report in Welsh."""

from __future__ import annotations

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

from assess.reporting import build_context, render_report
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
