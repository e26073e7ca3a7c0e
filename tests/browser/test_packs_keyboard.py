"""The operator uploads a questionnaire pack, reads its diff, installs it and chooses an
organisation, with the keyboard alone. Every page passes axe and none scrolls sideways at 320 px.

Set ``ASSESS_SCREENSHOTS`` to a folder to keep a screenshot of each page at 1280, 390 and 320 px.
"""

from __future__ import annotations

import os
from pathlib import Path

from browser_helpers import assert_accessible, choose_file
from helpers import PASSWORD
from pack_helpers import FIRST_ADOPTION, pack_zip, rename_first_adoption_question

from assess import db
from assess.services import packs

SHOTS = os.environ.get("ASSESS_SCREENSHOTS")
MOST_TABS = 60
NEW_TEXT = "Does the clerk keep a list of the people and groups the council must talk to?"


def _tab_to(tab, selector: str) -> None:
    for _ in range(MOST_TABS):
        if tab.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        tab.keyboard.press("Tab")
    raise AssertionError(f"{tab.url}: Tab never reached {selector}")


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
            tab.screenshot(path=f"{SHOTS}/packs-{name}-{width}.png", full_page=True)
    tab.set_viewport_size(size)
    assert_accessible(tab)


def test_the_operator_uploads_reads_the_diff_installs_and_chooses_with_the_keyboard(
    page, live_server, app, make_user, make_org, tmp_path
):
    make_user(name="Opal Operator", email="opal@example.org", operator=True)
    parish = make_org(name="Little Snoring Parish Council")
    broken = tmp_path / "broken.zip"

    def wrong_version(files):
        files["definition.yaml"]["version"] = "9.9.9"

    broken.write_bytes(pack_zip(wrong_version))
    good = tmp_path / "parish-light.zip"
    good.write_bytes(pack_zip(rename_first_adoption_question(NEW_TEXT)))
    base = live_server.url

    page.goto(base + "/login")
    _tab_to(page, "#email")
    page.keyboard.type("opal@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    _enter(page)
    page.goto(base + "/operator/organisations")
    _tab_to(page, "a[href='/operator/packs']")
    _enter(page)
    _check(page, "index")

    # A pack with a problem: refused, the problem named, focus on the summary.
    _tab_to(page, "#pack")
    choose_file(page, broken)
    _tab_to(page, "button[type=submit].button")
    _enter(page)
    page.wait_for_function("document.activeElement.classList.contains('error-summary')")
    summary = page.locator(".error-summary").inner_text()
    assert "definition.yaml" in summary and "9.9.9 is not one the instance ships" in summary
    _check(page, "refused")

    # The good pack: its check and its diff.
    _tab_to(page, "#pack")
    choose_file(page, good)
    _tab_to(page, "button[type=submit].button")
    _enter(page)
    assert "No problems" in page.locator("#check-passed").inner_text()
    diff = page.locator("#diff-adoption").locator("xpath=..").inner_text()
    assert FIRST_ADOPTION["id"] in diff and "The question's text changed." in diff
    _check(page, "diff")

    _tab_to(page, "form[action$='/install'] button")
    _enter(page)
    assert page.url.endswith("/organisations")
    _check(page, "organisations")
    _tab_to(page, f"#organisation-{parish.id}")
    page.keyboard.press("Space")
    assert page.locator(f"#organisation-{parish.id}").is_checked()
    _tab_to(page, "button[type=submit].button")
    _enter(page)
    assert "Little Snoring Parish Council" in page.locator("main").inner_text()
    _check(page, "installed")
    with app.app_context():
        assert packs.questionnaires_for(parish.id).pack_id is not None
        db.session().close()
