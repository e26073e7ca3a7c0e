"""A workshop that ends in a tie: a facilitator and four participants, each on their own device
(browser context). The room view shows how to join and then the spread, readable at 1280 x 720 with
nothing below the fold; the arrow keys move between slides; the tie is stated, nothing is offered
as a default, and the room's answer replaces the organisation's recorded one only after old and new
are shown side by side and a reason is given. Closing asks first. Every page passes axe and none
scrolls sideways at 320 px.

Set ``ASSESS_SCREENSHOTS`` to a folder to keep a screenshot of each page at 1280, 390 and 320 px.
"""

from __future__ import annotations

import os
from pathlib import Path

from browser_helpers import assert_accessible, open_workshop
from workshop_helpers import start_assessment

from assess import db
from assess.models import User
from assess.questionnaire.answers import Answer
from assess.services import assessments
from assess.services.assessments import Submission

PEOPLE = {"Ada": 1, "Bea": 2, "Cy": 3, "Dee": 4}
WIDTHS = (1280, 390, 320)
SHOTS = os.environ.get("ASSESS_SCREENSHOTS")


def _context(browser, width: int, height: int):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    tab = context.new_page()
    return context, tab


def _check_widths(tab, name: str) -> None:
    """axe at every width, no sideways scrolling at any, and a screenshot when asked for."""
    tab.wait_for_load_state("load")  # styles applied: what is measured is what people see
    size = tab.viewport_size
    for width in WIDTHS:
        tab.set_viewport_size({"width": width, "height": 900})
        used = tab.evaluate("document.documentElement.scrollWidth")
        assert used <= width, f"{name} is {used} px wide at {width} px"
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    tab.set_viewport_size(size)
    assert_accessible(tab)


def _below_the_fold(tab, selector: str) -> list[str]:
    """Elements matching ``selector`` whose bottom edge is below the window."""
    tab.wait_for_load_state("load")  # styles applied: what is measured is what people see
    return tab.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector))
            .filter((el) => el.getBoundingClientRect().bottom > window.innerHeight)
            .map((el) => el.className.baseVal ?? el.className)""",
        selector,
    )


def test_four_participants_tie_and_the_room_decides(app, browser, live_server, make_user, make_org):
    from playwright.sync_api import expect

    facilitator = make_user(name="Fay Facilitator")
    organisation = make_org(members={facilitator: "facilitator"})
    assessment_id = start_assessment(app, organisation.id, facilitator)
    with app.test_request_context():
        # The organisation had already answered this question online: level 4.
        assessments.save_answers(
            assessments.get(assessment_id),
            db.session().get(User, facilitator.id),
            "adoption",
            {"lead-commitment": Submission(Answer("lead-commitment", value=4, note="Minutes"))},
        )
    url = live_server.url
    contexts = []
    try:
        context, fay = _context(browser, 1280, 720)
        contexts.append(context)
        open_workshop(fay, url, facilitator, assessment_id, "Senior team")
        join_url = fay.locator(".join-panel__url a").inner_text()
        fay.get_by_label("Leadership").check()
        fay.get_by_role("button", name="Open the ticked sections").click()
        session_url = fay.url

        # The room view, on a 1280 x 720 projector: code, QR and controls all above the fold.
        fay.get_by_role("link", name="Room view for the projector").click()
        code = fay.locator("[data-join-code]").inner_text()
        assert code in join_url
        expect(fay.locator(".room-join__qr svg.qr")).to_be_visible()
        assert _below_the_fold(fay, ".room-join__code, svg.qr, .room__nav, .room-join__count") == []
        code_size = fay.locator("[data-join-code]").evaluate(
            "(el) => parseFloat(getComputedStyle(el).fontSize)"
        )
        assert code_size >= 80, code_size
        room_url = fay.url
        _check_widths(fay, "room-join")

        # Four participants join, each on their own phone, and answer 1, 2, 3 and 4.
        for name, level in PEOPLE.items():
            context, phone = _context(browser, 390, 844)
            contexts.append(context)
            phone.goto(join_url)
            phone.get_by_label("Your name").fill(name)
            phone.get_by_role("button", name="Join").click()
            phone.get_by_role("link", name="Leadership").click()
            question = phone.locator("#question-lead-commitment")
            question.get_by_label(f"Level {level}", exact=False).first.check()
            expect(question.locator("[data-save-status]")).to_have_text("Saved")

        # The join slide counts them without a reload.
        expect(fay.locator(".room-join__count [data-participants]")).to_have_text("4")
        assert fay.url == room_url

        # The right arrow moves to the first question: the tie, stated in words, large.
        fay.keyboard.press("ArrowRight")
        expect(fay.locator(".room-question__text")).to_be_visible()
        statement = fay.locator("[data-statement]")
        expect(statement).to_have_text(
            "No agreement: 1 each for Level 1 (Initial), Level 2 (Managed), Level 3 (Defined) "
            "and Level 4 (Measured)."
        )
        assert _below_the_fold(fay, ".room-spread__row, .room__nav, [data-statement]") == []
        expect(fay.locator(".room-question__flag")).to_be_visible()
        _check_widths(fay, "room-question")
        # On a 1920 px projector the type is readable from the back of the room.
        fay.set_viewport_size({"width": 1920, "height": 1080})
        sizes = fay.evaluate(
            """() => ['.room-question__text', '.room-spread__label', '[data-statement]']
                .map((s) => parseFloat(getComputedStyle(document.querySelector(s)).fontSize))"""
        )
        assert min(sizes) >= 36, sizes
        assert _below_the_fold(fay, ".room-spread__row, .room__nav") == []
        fay.set_viewport_size({"width": 1280, "height": 720})
        fay.keyboard.press("ArrowLeft")
        expect(fay.locator("[data-join-code]")).to_be_visible()

        # The consensus page states the tie and offers no aggregate to accept.
        fay.goto(f"{session_url}/live")
        first = fay.locator('[data-key="adoption/lead-commitment"]')
        first.get_by_role("link", name="Record the agreed answer").click()
        expect(fay.locator("[data-statement]")).to_contain_text("No agreement: 1 each")
        expect(fay.locator("[data-no-default]")).to_contain_text("the room is tied")
        expect(fay.get_by_role("button", name="Accept the aggregate")).to_have_count(0)
        _check_widths(fay, "consensus-tie")

        # The room agrees level 2: the recorded 4 is not overwritten without a reason.
        record = fay.locator("form", has=fay.get_by_role("button", name="Record the agreed answer"))
        record.get_by_label("Level 2", exact=False).first.check()
        record.get_by_role("button", name="Record the agreed answer").click()
        expect(fay.get_by_role("heading", name="Replace the recorded answer?")).to_be_visible()
        expect(fay.locator('[data-compare="current"]')).to_contain_text("Level 4")
        expect(fay.locator('[data-compare="proposed"]')).to_contain_text("Level 2")
        _check_widths(fay, "consensus-confirm")
        fay.get_by_role("button", name="Replace the recorded answer").click()
        expect(fay.locator(".error-summary")).to_contain_text("Say why")
        _check_widths(fay, "consensus-confirm-error")
        fay.get_by_label(
            "Why does the room\N{RIGHT SINGLE QUOTATION MARK}s answer replace the recorded one?"
        ).fill("Only two directorates plan this")
        fay.get_by_role("button", name="Replace the recorded answer").click()
        expect(first.get_by_text("Agreed", exact=True)).to_be_visible()
        with app.test_request_context():
            stored = assessments.stored_answers(assessments.get(assessment_id), "adoption")
            assert stored["lead-commitment"].answer.value == 2

        # Closing asks first and says what will happen.
        fay.goto(session_url)
        fay.get_by_role("link", name="Close the session").click()
        expect(
            fay.get_by_text("The 4 people who joined see that the session has closed.")
        ).to_be_visible()
        _check_widths(fay, "close-confirm")
        fay.get_by_role("button", name="Close the session").click()
        expect(fay.get_by_text("This session closed on")).to_be_visible()
    finally:
        for context in contexts:
            context.close()
