"""The report in Welsh: the language asked for, the same figures as in English.

The demo organisation's report is rendered in English and in Welsh; the data embedded in both is
byte for byte the same, and so are the numbers on the first page (the board summary). The web
download takes the person's language or the one asked for with ``?lang=``.
"""

from __future__ import annotations

import io
import re

import pikepdf
import pytest
from babel.dates import get_month_names
from helpers import login
from report_helpers import page_texts

from assess.demo import load
from assess.services import assessments, organisations, reports

NUMBER = re.compile(r"\d+(?:\.\d+)?")


@pytest.fixture
def demo_assessment(app, runner):
    assert runner.invoke(args=["demo", "--quick"]).exit_code == 0
    with app.app_context():
        (organisation,) = [o for o in organisations.all_organisations() if "Demo" in o.name]
        drafts = [a for a in assessments.for_organisation(organisation.id) if a.is_draft]
        return drafts[0].id if drafts else assessments.for_organisation(organisation.id)[0].id


def _render(app, assessment_id: int, locale: str) -> reports.RenderedReport:
    with app.test_request_context():
        return reports.render(assessments.get(assessment_id), locale=locale)


def _attachment(pdf: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return document.attachments["assessment.json"].get_file().read_bytes()


def _lang(pdf: bytes) -> str:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return str(document.Root.Lang)


def test_the_demos_welsh_report_has_the_same_figures_as_its_english_one(app, demo_assessment):
    english = _render(app, demo_assessment, "en")
    welsh = _render(app, demo_assessment, "cy")
    assert _lang(english.pdf) == "en" and _lang(welsh.pdf) == "cy"
    # The data: codes and figures, not words, so the same bytes (and fingerprint) in both.
    assert english.json == welsh.json
    assert _attachment(english.pdf) == _attachment(welsh.pdf) == english.json
    # The numbers on the board summary, whatever order the sentences put them in.
    first_en, first_cy = page_texts(english.pdf)[0], page_texts(welsh.pdf)[0]
    # The running footer's page count is not a figure: Welsh, being longer, may run to more pages.
    footer = re.compile(r"(Page|Tudalen) 1 (of|o) \d+")
    first_en, first_cy = footer.sub(" ", first_en), footer.sub(" ", first_cy)
    assert first_en.count(" ") > 50 and "Tudalen 1 o" in page_texts(welsh.pdf)[0]
    assert sorted(NUMBER.findall(first_en)) == sorted(NUMBER.findall(first_cy))
    assert len(NUMBER.findall(first_en)) > 10
    # Dates are written in Welsh (the month's name; the body's own text is left as it is). The
    # kicker is printed in capitals.
    flat_en, flat_cy = (" ".join(t.split()).lower() for t in (first_en, first_cy))
    day = re.search(r"summary for the board · (\d{1,2}) (\w+) (\d{4})", flat_en)
    assert day, flat_en
    assert day.group(0)[-len(day.group(2)) - 5 :] not in flat_cy
    welsh = [
        f"{day.group(1)} {m.lower()} {day.group(3)}"
        for m in get_month_names("wide", locale="cy").values()
    ]
    assert any(date in flat_cy for date in welsh), flat_cy


def test_the_html_says_which_language_it_is_in(app, demo_assessment):
    from assess.reporting import build_context, render_html

    with app.test_request_context():
        report = reports.report_input(assessments.get(demo_assessment), locale="cy")
    html = render_html(build_context(report))
    assert '<html lang="cy">' in html


def test_a_report_is_downloaded_in_the_language_asked_for(app, demo_assessment):
    from sqlalchemy import select

    from assess import db
    from assess.models import User

    with app.app_context():
        admin = db.session().scalars(select(User).where(User.email == "admin@demo.example")).one()
    client = app.test_client()
    login(client, admin, password=load().password)
    url = f"/assessments/{demo_assessment}/report.pdf"
    welsh = client.get(f"{url}?lang=cy")
    assert welsh.status_code == 200
    assert _lang(welsh.data) == "cy"
    assert "-cy.pdf" in welsh.headers["Content-Disposition"]
    # Anything else is the person's own language (English here), never an error.
    for asked in ("", "?lang=en", "?lang=xx", "?lang=%3Cscript%3E"):
        response = client.get(f"{url}{asked}")
        assert response.status_code == 200, asked
        assert _lang(response.data) == "en", asked
