"""The PDF report and the charts in another language: every word through the catalogue.

The report is rendered with the throwaway catalogue of ``test_i18n_coverage`` (every message in
⟦ ⟧) in a language assess does not ship; every word of its HTML (the charts' SVG titles,
descriptions and labels included) must then sit inside ⟦ ⟧, except what the body entered and the
questionnaires' own text (translated in the questionnaire files, not by gettext).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.dates import get_month_names
from flask import Flask
from flask_babel import force_locale
from report_helpers import make_report_input
from test_i18n_coverage import LOCALE, OPEN, catalogue, english_runs, untranslated  # noqa: F401

from assess.charts import fit_chart, power_interest_grid, radar_chart
from assess.questionnaire.validation import Message
from assess.reporting import build_context, render_html
from assess.reporting.board import REASON_CHARACTERS, _shorten
from assess.trend_chart import trend_chart

ROOT = Path(__file__).resolve().parent.parent
#: Words that are not translated: the product, time-zone abbreviations, the attachment's name.
NOT_WORDS = ("assessment.json", "GMT", "BST", "UTC", "assess")


@pytest.fixture
def app(make_app: Callable[..., Flask], catalogue: Path) -> Flask:  # noqa: F811
    return make_app(BABEL_TRANSLATION_DIRECTORIES=str(catalogue))


def _strings(value: Any, seen: set[int] | None = None) -> Iterator[str]:
    """Every string inside ``value`` (dataclasses, mappings, sequences), except messages made by
    assess itself (:class:`Message`), which must be translated."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, Message):
        return
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _strings(getattr(value, item.name), seen)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key, seen)
            yield from _strings(item, seen)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item, seen)
    elif hasattr(value, "__dict__") and not callable(value):
        yield from _strings(vars(value), seen)


def _questionnaire_texts() -> list[str]:
    """Every English text of the shipped questionnaires (translated in their files)."""
    texts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("en"), str):
                texts.append(value["en"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in sorted((ROOT / "questionnaires").glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return texts


def _data(report) -> list[str]:
    """What the body entered and the questionnaires' text: not the catalogue's business."""
    entered = [s for s in _strings(report) if len(s) > 1]
    # The first page shortens a long reason for the choice of model.
    entered += [_shorten(s, REASON_CHARACTERS)[0] for s in entered]
    entered += [" ".join(s.split()) for s in entered]
    months = list(get_month_names("wide", locale=LOCALE).values())
    months += list(get_month_names("abbreviated", locale=LOCALE).values())
    return [*entered, *_questionnaire_texts(), *months, *NOT_WORDS]


def _assert_all_translated(html: str, data: list[str]) -> None:
    left = untranslated(html, *data)
    assert not english_runs(left), f"untranslated sentences: {english_runs(left)[:10]}"
    assert not left, f"untranslated words: {left[:40]}"


def test_every_word_of_the_report_goes_through_the_catalogue(app: Flask):
    report = dataclasses.replace(make_report_input(), locale=LOCALE)
    with app.app_context(), force_locale(LOCALE):
        html = render_html(build_context(report))
    assert f'<html lang="{LOCALE}">' in html
    _assert_all_translated(html, _data(report))
    # The running footer's words sit in data attributes (CSS puts the page counters between).
    for name in ("report-word", "page-before"):
        assert f'data-{name}="{OPEN}' in html, name


def test_the_demo_reports_go_through_the_catalogue(app: Flask, runner):
    """The demo organisation's assessments, with its workshop, survey, plan and trend."""
    from assess.services import assessments, organisations, reports

    assert runner.invoke(args=["demo", "--quick"]).exit_code == 0
    sections = set()
    with app.test_request_context():
        (organisation,) = [o for o in organisations.all_organisations() if "Demo" in o.name]
        for assessment in assessments.for_organisation(organisation.id):
            report = reports.report_input(assessment, locale=LOCALE)
            with force_locale(LOCALE):
                html = render_html(build_context(report))
            sections |= {
                s for s in ("workshop", "perception", "trend", "agreed-plan") if f'id="{s}"' in html
            }
            _assert_all_translated(html, _data(report))
    assert sections, "the demo has none of the optional sections"


ROWS = [
    {"title": "Zyx area", "floor": 2, "target": 3, "mean": 2.5},
    {"title": "Qwv area", "floor": None, "target": None, "mean": None},
]
FIT = [
    {"name": "Zyx model", "fit_percent": 80.0, "recommended": True, "chosen": True},
    {"name": "Qwv model", "fit_percent": None, "recommended": False, "chosen": False},
    {"name": "Jkp model", "fit_percent": 20.0, "recommended": True, "chosen": False},
]
SEGMENTS = [{"label": "Zyx group", "quadrant": "monitor"}, {"label": "Qwv group", "quadrant": None}]
POINTS = [
    {"label": "1 Jkp", "method_version": "1.0", "level": 1, "score": 1.5},
    {"label": "2 Jkp", "method_version": "2.1", "level": None, "score": None},
    {"label": "3 Jkp", "method_version": "2.1", "level": 2, "score": None},
]
CHART_DATA = ["Zyx area", "Qwv area", "Zyx model", "Qwv model", "Jkp model", "Zyx group"]
CHART_DATA += ["Qwv group", "1 Jkp", "2 Jkp", "3 Jkp"]


@pytest.mark.parametrize(
    "draw",
    [
        lambda: radar_chart(ROWS),
        lambda: radar_chart(ROWS, show_mean=False, target_label=None),
        lambda: fit_chart(FIT),
        lambda: power_interest_grid(SEGMENTS),
        lambda: trend_chart(POINTS),
    ],
    ids=["radar", "radar-without-mean", "fit", "grid", "trend"],
)
def test_every_chart_goes_through_the_catalogue(app: Flask, draw):
    """The charts of the pages and of the report: title, description, legend and axis labels."""
    with app.app_context(), force_locale(LOCALE):
        svg = str(draw())
    _assert_all_translated(f"<div>{svg}</div>", CHART_DATA)
