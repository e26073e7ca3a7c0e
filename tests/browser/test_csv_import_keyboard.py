"""Answers from a paper session brought in with the keyboard alone: the spreadsheets page, the
template downloaded, a file with a mistake (the preview names its row and column, and nothing can
be stored), the corrected file, and storing it. Every page passes axe and none scrolls sideways at
320 px.

Set ``ASSESS_SCREENSHOTS`` to a folder to keep a screenshot of each page at 1280, 390 and 320 px.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from browser_helpers import assert_accessible, choose_file
from helpers import PASSWORD
from workshop_helpers import start_assessment

from assess.services import assessments

SHOTS = os.environ.get("ASSESS_SCREENSHOTS")
MOST_TABS = 40


def _tab_to(tab, selector: str) -> None:
    """Press Tab until ``selector`` has focus (and fail when it never does)."""
    for _ in range(MOST_TABS):
        if tab.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        tab.keyboard.press("Tab")
    focused = tab.evaluate("document.activeElement.outerHTML.slice(0, 120)")
    raise AssertionError(f"{tab.url}: Tab never reached {selector}; focus is on {focused}")


def _enter(tab, key: str = "Enter") -> None:
    with tab.expect_navigation():
        tab.keyboard.press(key)
    tab.wait_for_load_state("load")


def _check(tab, name: str) -> None:
    tab.wait_for_load_state("load")  # styles applied: what is measured is what people see
    size = tab.viewport_size
    for width in (1280, 390, 320):
        tab.set_viewport_size({"width": width, "height": 900})
        used = tab.evaluate("document.documentElement.scrollWidth")
        assert used <= width, f"{name} is {used} px wide at {width} px"
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=f"{SHOTS}/csv-{name}-{width}.png", full_page=True)
    tab.set_viewport_size(size)
    assert_accessible(tab)


def _choose_file(tab, path: Path) -> None:
    """Tab to the file field and open its chooser with the keyboard, as a person does."""
    _tab_to(tab, "input[type=file]")
    choose_file(tab, path)


def _filled(template: str, answers: dict[str, tuple[str, str, str]]) -> str:
    rows = list(csv.DictReader(io.StringIO(template.lstrip("\ufeff"), newline="")))
    for row in rows:
        if row["question_id"] in answers:
            row["answer"], row["criteria_met"], row["note"] = answers[row["question_id"]]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return "\ufeff" + out.getvalue()


def test_a_paper_session_is_brought_in_with_the_keyboard_alone(
    page, live_server, app, make_user, make_org, tmp_path
):
    officer = make_user(name="Olu Officer", email="olu@example.org")
    organisation = make_org(members={officer: "respondent"})
    assessment_id = start_assessment(app, organisation.id, officer)
    base = live_server.url

    page.goto(base + "/login")
    _tab_to(page, "#email")
    page.keyboard.type("olu@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    _enter(page)
    page.goto(f"{base}/assessments/{assessment_id}")

    _tab_to(page, f"a[href='/assessments/{assessment_id}/spreadsheets']")
    _enter(page)
    assert page.locator("h1").inner_text() == "Spreadsheets"
    _check(page, "page")

    _tab_to(page, f"a[href='/assessments/{assessment_id}/import/template.csv']")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    template = Path(download.value.path()).read_text(encoding="utf-8")
    assert template.startswith("\ufeffquestionnaire,section,question_id")

    # The paper answers typed in, with one level out of range (Excel in Europe: semicolons).
    answers = {
        "def-written": ("yes-corporate", "", "Cynllun corfforaethol 2025, tudalen 4"),
        "lead-commitment": ("7", "", "Cabinet minutes"),
    }
    wrong = tmp_path / "paper-session.csv"
    wrong.write_text(_filled(template, answers), encoding="utf-8")
    _choose_file(page, wrong)
    _tab_to(page, "form[enctype] button[type=submit]")
    _enter(page)
    assert page.locator("h1").inner_text() == "Check the answers from the file"
    summary = page.locator(".error-summary")
    page.wait_for_function("document.activeElement.classList.contains('error-summary')")
    assert "Nothing has been stored" in summary.inner_text()
    assert "column G (answer): '7' is not a level" in summary.inner_text()
    assert page.locator("form[action$='/import/confirm']").count() == 0
    _check(page, "preview-error")

    # The corrected file, chosen from the preview page itself, then stored.
    answers["lead-commitment"] = ("3", "3.1; 3.2", "Cabinet minutes")
    right = tmp_path / "paper-session-corrected.csv"
    right.write_text(_filled(template, answers), encoding="utf-8")
    _choose_file(page, right)
    _tab_to(page, "form[enctype] button[type=submit]")
    _enter(page)
    assert page.locator(".error-summary").count() == 0
    assert "2 answers to store" in page.locator("[data-figure=import-counts]").inner_text()
    _check(page, "preview-ok")
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("h1").focus()
    _tab_to(page, "form[action$='/import/confirm'] button")
    _enter(page)
    assert page.url.endswith(f"/assessments/{assessment_id}")
    assert "2 answers stored from the file" in page.locator(".notices").inner_text()
    _check(page, "stored")

    with app.app_context():
        assessment = assessments.get(assessment_id)
        written = assessments.stored_answers(assessment, "definition")["def-written"]
        lead = assessments.stored_answers(assessment, "adoption")["lead-commitment"]
    assert written.answer.note == "Cynllun corfforaethol 2025, tudalen 4"
    assert written.updated_by == "Olu Officer"
    assert lead.answer.value == 3
    assert {c.key for c in lead.answer.criteria if c.met} == {"3.1", "3.2"}
