"""The follow-up progress review PDF in the language asked for: every word through gettext,
``lang`` on the HTML and /Lang in the PDF, dates and questionnaire texts in that language, and the
same figures as the stored English copy (which alone is verifiable by its SHA-256).

The Welsh here is a throwaway catalogue compiled at test time under ``cy``: every extracted
message as "⟦" + msgid + "⟧" (as in ``test_i18n_coverage.py``), so a word outside ⟦ ⟧ that is not
stored text (titles, names, evidence, questionnaire texts, dates) is English that slipped through.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
import pytest
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from helpers import post
from report_helpers import page_texts
from sqlalchemy import select
from test_i18n_coverage import CLOSE, KEYWORDS, OPEN, ROOT, untranslated
from test_progress_review import _form, reviewed  # noqa: F401  (the fixture, reused)

from assess import db
from assess.models import ProgressReview
from assess.services import action_plan, assessments, finalising, progress_review


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Compiled "Welsh": every extracted message, in ⟦ ⟧."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    catalog = Catalog(locale="cy", domain="messages")
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        if isinstance(message, tuple):
            forms = tuple(
                f"{OPEN}{message[0] if n == 1 else message[1]}{CLOSE}"
                for n in range(catalog.num_plurals)
            )
            catalog.add((message[0], message[1]), forms, context=context)
        else:
            catalog.add(message, f"{OPEN}{message}{CLOSE}", context=context)
    folder = tmp_path_factory.mktemp("translations")
    target = folder / "cy" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    return folder


@pytest.fixture
def app(make_app, catalogue):
    return make_app(BABEL_TRANSLATION_DIRECTORIES=str(catalogue))


def _complete(app, reviewed):  # noqa: F811
    client = reviewed["client"]
    post(client, f"/assessments/{reviewed['id']}/review", {"step": "schedule"})
    form, _practices = _form(app, reviewed)
    done = post(client, f"/assessments/{reviewed['id']}/review", form)
    assert done.status_code == 302, done.get_data(as_text=True)
    with app.app_context():
        return db.session().scalar(select(ProgressReview)).id


def _html(app, review_id: int, locale: str, request: bool = True) -> str:
    with app.test_request_context() if request else app.app_context():
        review = progress_review.get(review_id)
        return progress_review.render_html(
            review,
            review.assessment,
            review.findings,
            review.summary,
            review.report_id,
            review.completed_at,
            locale,
        )


def _stored_words(app, review_id: int, locale: str) -> list[str]:
    """What the review shows that is not interface text: entered text, names, the
    questionnaire's texts and the dates, in ``locale``."""
    with app.app_context():
        review = progress_review.get(review_id)
        assessment = review.assessment
        adoption = assessments.questionnaires_of(assessment).adoption
        words = [assessment.title, assessment.organisation.name, review.summary, review.report_id]
        for section, question in adoption.questions():
            words += [section.title.get(locale), question.text.get(locale)]
        for a in review.findings["actions"]:
            words += [a["title"], a["owner"], a["note"]]
            words.append(format_date(action_plan.get(a["action_id"]).due_on, "long", locale))
        words += [r["evidence"] for r in review.findings["ratings"]]
        org = assessment.organisation
        for moment in (assessment.finalised_at, review.completed_at):
            words.append(
                format_date(action_plan.organisation_today(org, moment), "long", locale=locale)
            )
    return [w for w in words if w]


def _figures(html: str) -> list[str]:
    """The numbers a reader compares: the action counts, and each practice's levels then/now."""
    counts = re.search(r'<p class="counts">(.*?)</p>', html, re.S).group(1)
    levels = re.findall(
        r'<p class="step-practice">.*?</p></td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>', html, re.S
    )
    cells = " ".join(counts.split()) + " | " + " | ".join(f"{a} {b}" for a, b in levels)
    return re.findall(r"\d+", cells)


def test_the_welsh_review_html_has_lang_cy_and_no_english_sentence(app, reviewed):  # noqa: F811
    review_id = _complete(app, reviewed)
    english = _html(app, review_id, "en")
    welsh = _html(app, review_id, "cy")
    assert '<html lang="en">' in english and OPEN not in english
    assert '<html lang="cy">' in welsh
    # Outside a request (a worker, the CLI) the same Welsh is rendered.
    assert _html(app, review_id, "cy", request=False) == welsh
    assert untranslated(welsh, *_stored_words(app, review_id, "cy")) == []
    # The dates are in Welsh (the months' names), not English.
    with app.app_context():
        review = progress_review.get(review_id)
        org = review.assessment.organisation
        day = action_plan.organisation_today(org, review.completed_at)
    assert format_date(day, "long", locale="cy") in welsh
    assert f"{day.day} {day:%B %Y}" in english  # British order, as before: 5 March 2026
    assert format_date(day, "long", locale="en_GB") in english
    if format_date(day, "long", locale="cy") != format_date(day, "long", locale="en_GB"):
        assert format_date(day, "long", locale="en_GB") not in welsh
    # The figures are the same in both languages, and there are some.
    assert _figures(welsh) == _figures(english) and len(_figures(english)) >= 6


def test_the_welsh_review_pdf_has_lang_cy_and_the_stored_english_one_verifies(
    app,
    reviewed,  # noqa: F811
):
    review_id = _complete(app, reviewed)
    client = reviewed["client"]
    url = f"/assessments/{reviewed['id']}/review.pdf?review={review_id}"
    english = client.get(url + "&lang=en")
    welsh = client.get(url + "&lang=cy")
    assert english.status_code == welsh.status_code == 200
    assert 'filename="' in welsh.headers["Content-Disposition"]
    assert "-cy.pdf" in welsh.headers["Content-Disposition"]
    with app.app_context():
        stored = progress_review.get(review_id)
        assert english.data == stored.pdf  # the stored copy is English
        assert finalising.verify(english.data).verified
        assert not finalising.verify(welsh.data).verified  # rendered on download, not stored
    for data, lang in ((english.data, "en"), (welsh.data, "cy")):
        with pikepdf.open(io.BytesIO(data)) as opened:
            assert str(opened.Root.Lang) == lang
            assert opened.open_metadata()["pdfaid:part"] == "3"
    pages = page_texts(welsh.data)
    assert len(pages) == len(page_texts(english.data)) <= 2
    assert OPEN in pages[0]
    # The embedded data (the figures) is the same in both.
    assert _embedded(english.data) == _embedded(welsh.data)


def test_the_download_takes_the_persons_language_and_refuses_an_unknown_one(app, reviewed):  # noqa: F811
    review_id = _complete(app, reviewed)
    client = reviewed["client"]
    url = f"/assessments/{reviewed['id']}/review.pdf?review={review_id}"
    assert post(client, "/language", {"language": "cy", "next": "/"}).status_code == 302
    assert "-cy.pdf" in client.get(url).headers["Content-Disposition"]
    page = client.get(f"/assessments/{reviewed['id']}/review").get_data(as_text=True)
    assert "lang=en" in page  # the stored English copy is offered beside the Welsh one
    assert client.get(url + "&lang=fr").status_code == 400
    assert client.get(url + "&lang=en").headers["Content-Disposition"].endswith('.pdf"')


def _embedded(pdf: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        files = opened.attachments
        return b"".join(files[name].get_file().read_bytes() for name in sorted(files))
