"""The stakeholder register edited with the keyboard alone, one group at a time.

Tab moves between controls, Enter follows links and presses buttons, Space ticks, and the arrow
keys move within a radio group (as they do in every radio group: Tab enters the group at its
chosen radio and leaves it). The person adds a group and rates it, changes a listed group and
removes the group they added; after each, focus lands where it should: on the banner that names
the added (or removed) group, and back on the changed group's "Change" link. Every page passes
axe and none scrolls sideways at 320 px.

Set ``ASSESS_SCREENSHOTS`` to a folder to keep a screenshot of each page at 1280, 390 and 320 px.
"""

from __future__ import annotations

import os
from pathlib import Path

from browser_helpers import assert_accessible
from helpers import PASSWORD
from workshop_helpers import start_assessment

from assess.services import assessments

SHOTS = os.environ.get("ASSESS_SCREENSHOTS")
#: The most Tab presses to reach a control (the summary has two links for each of ten groups).
MOST_TABS = 60


def _active(tab) -> dict:
    return tab.evaluate(
        """() => { const el = document.activeElement;
            return { id: el.id, tag: el.tagName.toLowerCase(), href: el.getAttribute('href'),
                     text: el.innerText || '', value: el.value || '', name: el.name || '' }; }"""
    )


def _tab_to(tab, selector: str) -> None:
    """Press Tab until ``selector`` has focus (and fail when it never does)."""
    for _ in range(MOST_TABS):
        if tab.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        tab.keyboard.press("Tab")
    raise AssertionError(f"{tab.url}: Tab never reached {selector}; focus is on {_active(tab)}")


def _enter(tab, key: str = "Enter") -> None:
    """Press ``key`` on the focused link or button and wait for the page it leads to."""
    with tab.expect_navigation():
        tab.keyboard.press(key)
    tab.wait_for_load_state("load")


def _wait_for_focus(tab, selector: str) -> None:
    tab.wait_for_function("(s) => document.activeElement.matches(s)", arg=selector)


def _check(tab, name: str) -> None:
    tab.wait_for_load_state("load")  # styles applied: what is measured is what people see
    size = tab.viewport_size
    for width in (1280, 390, 320):
        tab.set_viewport_size({"width": width, "height": 900})
        used = tab.evaluate("document.documentElement.scrollWidth")
        assert used <= width, f"{name} is {used} px wide at {width} px"
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=f"{SHOTS}/register-{name}-{width}.png", full_page=True)
    tab.set_viewport_size(size)
    assert_accessible(tab)


def _rate(tab, attribute: str, steps: int) -> None:
    """Tab into a rating's radio group (focus lands on its chosen radio) and move up ``steps``."""
    _tab_to(tab, f"input[name={attribute}]")
    for _ in range(steps):
        tab.keyboard.press("ArrowUp")


def test_the_register_is_edited_with_the_keyboard_alone(
    page, live_server, app, make_user, make_org
):
    officer = make_user(name="Olu Officer", email="olu@example.org")
    organisation = make_org(members={officer: "admin"})
    assessment_id = start_assessment(app, organisation.id, officer)
    base = live_server.url
    summary = f"/assessments/{assessment_id}/definition/stakeholder-register"

    page.goto(base + "/login")
    _tab_to(page, "#email")
    page.keyboard.type("olu@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    _enter(page)
    page.goto(base + summary)
    assert page.locator("select").count() == 0
    _check(page, "summary")

    # Add a group: its name, then a rating by radio, then save.
    _tab_to(page, "#add-group")
    _enter(page)
    assert page.url.endswith(f"/assessments/{assessment_id}/register/add")
    _check(page, "add")
    _tab_to(page, "#label")
    page.keyboard.type("Council tenants")
    page.keyboard.press("Tab")  # into the power group, on "Not rated yet"
    assert _active(page)["id"] == "rating-power-none"
    page.keyboard.press("ArrowUp")  # 4: Decisive
    assert _active(page)["value"] == "4"
    _rate(page, "legitimacy", 2)  # 3: Well founded
    _rate(page, "support", 1)  # Yes
    _tab_to(page, "button[type=submit].button")
    _enter(page)

    # Back on the summary: the banner names the group and has focus; its row is there.
    assert page.url.endswith(f"{summary}#register-banner")
    _wait_for_focus(page, "#register-banner")
    banner = page.locator("#register-banner")
    assert "“Council tenants” has been added to the register." in banner.inner_text()
    assert banner.get_attribute("role") == "alert"
    row = page.locator("#register-group-custom-group-1")
    assert "Power: 4" in row.inner_text() and "Legitimacy: 3" in row.inner_text()
    _check(page, "summary-added")

    # Change another group: Tab on from the banner to its Change link.
    _tab_to(page, "#change-residents")
    _enter(page)
    assert page.locator("h1").inner_text() == "Residents"
    _check(page, "change")
    _rate(page, "power", 2)  # 3: Considerable
    _rate(page, "engagement", 4)  # Consult
    _tab_to(page, "button[type=submit].button")
    _enter(page, "Space")  # a button presses with Space too

    # Focus is back on that group's Change link, and the banner says it was saved.
    assert page.url.endswith(f"{summary}#change-residents")
    _wait_for_focus(page, "#change-residents")
    assert (
        "The ratings of “Residents” have been saved."
        in page.locator("#register-banner").inner_text()
    )
    assert page.locator("#register-banner").get_attribute("role") == "status"

    # Remove the group added earlier: a confirmation page first.
    _tab_to(page, "a[href$='/register/groups/custom-group-1/remove']")
    _enter(page)
    assert "Remove “Council tenants” from the register?" in page.locator("h1").inner_text()
    _check(page, "remove")
    _tab_to(page, "button.button--warning-solid")
    _enter(page)
    _wait_for_focus(page, "#register-banner")
    assert "“Council tenants” has been removed" in page.locator("#register-banner").inner_text()
    assert page.locator("#register-group-custom-group-1").count() == 0

    with app.app_context():
        stored = assessments.answers(assessments.get(assessment_id), "definition")["register"]
        assert [(r.segment_id, r.power, r.engagement) for r in stored.value] == [
            ("residents", 3, "consult")
        ]


def test_focus_lands_on_the_banner_without_javascript_too(
    browser, live_server, app, make_user, make_org
):
    """Without the script, the address's fragment takes the person to the banner (and, after a
    change, to the group's Change link), and everything still saves."""
    officer = make_user(name="Nia Noscript", email="nia@example.org")
    organisation = make_org(members={officer: "admin"})
    assessment_id = start_assessment(app, organisation.id, officer)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    tab = context.new_page()
    try:
        tab.goto(live_server.url + "/login")
        tab.locator("#email").fill("nia@example.org")
        tab.locator("#password").fill(PASSWORD)
        with tab.expect_navigation():
            tab.locator("main button[type=submit]").click()
        tab.goto(f"{live_server.url}/assessments/{assessment_id}/register/add")
        tab.locator("#label").fill("Carers")
        tab.locator("label[for=rating-power-3]").click()
        with tab.expect_navigation():
            tab.locator("button[type=submit].button").click()
        assert tab.url.endswith("#register-banner")
        assert "“Carers” has been added" in tab.locator("#register-banner").inner_text()
        assert tab.evaluate("document.activeElement.id") == "register-banner"
        with tab.expect_navigation():
            tab.locator("#change-custom-group-1").click()
        tab.locator("label[for=rating-power]").click()
        with tab.expect_navigation():
            tab.locator("button[type=submit].button").click()
        assert tab.url.endswith("#change-custom-group-1")
        assert tab.evaluate("document.activeElement.id") == "change-custom-group-1"
        assert "Power: 1" in tab.locator("#register-group-custom-group-1").inner_text()
    finally:
        context.close()


def test_a_workshop_participant_edits_their_register_with_the_keyboard_alone_on_a_phone(
    browser, live_server, app, make_user, make_org
):
    """The same pages for a participant on a 390 px phone: join, add a group, change a listed
    one, remove the added one; focus and announcements as for a member; axe at zero and no
    sideways scroll at 320 px on every page."""
    from assess.services import participant_answers, workshops

    facilitator = make_user(name="Fay Facilitator")
    organisation = make_org(members={facilitator: "facilitator"})
    assessment_id = start_assessment(app, organisation.id, facilitator)
    with app.test_request_context():
        assessment = assessments.get(assessment_id)
        workshop, code = workshops.open_session(assessment, facilitator, "Senior team")
        workshops.set_sections(workshop, facilitator, ["definition/stakeholder-register"])
        session_id = workshop.id
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    summary = f"/workshop/{session_id}/definition/stakeholder-register"
    try:
        phone.goto(f"{live_server.url}/workshop/join?code={code}")
        _tab_to(phone, "#name")
        phone.keyboard.type("Pat")
        _tab_to(phone, "main button[type=submit]")
        _enter(phone)
        _tab_to(phone, f"a[href='{summary}']")
        _enter(phone)
        assert phone.locator("select").count() == 0
        _check(phone, "participant-summary")

        _tab_to(phone, "#add-group")
        _enter(phone)
        assert phone.url.endswith(f"/workshop/{session_id}/register/add")
        assert "You are Pat" in phone.locator("header").inner_text()
        _check(phone, "participant-add")
        _tab_to(phone, "#label")
        phone.keyboard.type("Council tenants")
        phone.keyboard.press("Tab")
        assert _active(phone)["id"] == "rating-power-none"
        phone.keyboard.press("ArrowUp")  # 4: Decisive
        _rate(phone, "legitimacy", 2)  # 3: Well founded
        _tab_to(phone, "button[type=submit].button")
        _enter(phone)

        assert phone.url.endswith(f"{summary}#register-banner")
        _wait_for_focus(phone, "#register-banner")
        banner = phone.locator("#register-banner")
        assert "“Council tenants” has been added to the register." in banner.inner_text()
        assert banner.get_attribute("role") == "alert"
        assert "Power: 4" in phone.locator("#register-group-custom-group-1").inner_text()
        _check(phone, "participant-summary-added")

        _tab_to(phone, "#change-residents")
        _enter(phone)
        _check(phone, "participant-change")
        _rate(phone, "power", 2)  # 3: Considerable
        _tab_to(phone, "button[type=submit].button")
        _enter(phone, "Space")
        assert phone.url.endswith(f"{summary}#change-residents")
        _wait_for_focus(phone, "#change-residents")
        assert phone.locator("#register-banner").get_attribute("role") == "status"

        _tab_to(phone, f"a[href='/workshop/{session_id}/register/groups/custom-group-1/remove']")
        _enter(phone)
        assert "taken out of your answers" in phone.locator("main").inner_text()
        _check(phone, "participant-remove")
        _tab_to(phone, "button.button--warning-solid")
        _enter(phone)
        _wait_for_focus(phone, "#register-banner")
        assert "has been removed" in phone.locator("#register-banner").inner_text()
        assert phone.locator("#register-group-custom-group-1").count() == 0
    finally:
        context.close()

    with app.app_context():
        from sqlalchemy import select

        from assess import db
        from assess.models import Participant

        pat = db.session().scalar(select(Participant).where(Participant.display_name == "Pat"))
        rows = participant_answers.own_answers(pat, "definition")["register"].value
        assert [(r.segment_id, r.power) for r in rows] == [("residents", 3)]
        assert "register" not in assessments.answers(assessments.get(assessment_id), "definition")
