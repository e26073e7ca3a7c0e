"""A facilitated workshop end to end: the facilitator in one browser, three participants in
others. They join by code, answer privately, the live view updates without a reload, the room's
answer is recorded, the session closes, and the results show the consensus and participation."""

from __future__ import annotations

import time

from browser_helpers import assert_accessible
from helpers import PASSWORD
from workshop_helpers import start_assessment

LEVELS = {"Ada": 1, "Bea": 3, "Cy": 5}


def _new_tab(browser):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    return context, tab


def _phone(browser):
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    return context, tab


def test_a_facilitator_runs_a_workshop_with_three_participants(
    app, browser, live_server, make_user, make_org
):
    from playwright.sync_api import expect

    facilitator = make_user(name="Fay Facilitator")
    organisation = make_org(members={facilitator: "facilitator"})
    assessment_id = start_assessment(app, organisation.id, facilitator)
    url = live_server.url
    contexts = []
    try:
        # The facilitator signs in and opens a session.
        context, fay = _new_tab(browser)
        contexts.append(context)
        fay.goto(f"{url}/login")
        fay.get_by_label("Email address").fill(facilitator.email)
        fay.get_by_label("Password").fill(PASSWORD)
        fay.get_by_role("button", name="Sign in").click()
        fay.goto(f"{url}/assessments/{assessment_id}/workshops")
        assert_accessible(fay)
        fay.get_by_label("Name of the session").fill("Senior team")
        fay.get_by_role("button", name="Open the session").click()
        code = fay.locator("[data-join-code]").inner_text()
        join_url = fay.locator(".join-panel__url a").inner_text()
        assert code in join_url
        expect(fay.locator("svg.qr")).to_be_visible()
        fay.get_by_label("Leadership").check()
        fay.get_by_role("button", name="Open the ticked sections").click()
        assert_accessible(fay)
        session_url = fay.url

        # The live view, open before anyone answers; it must update without a reload.
        fay.get_by_role("link", name="Live view").click()
        first = fay.locator('[data-key="adoption/lead-commitment"]')
        expect(first.locator("[data-responses]")).to_have_text("0")
        fay.evaluate("window.notReloaded = true")
        assert_accessible(fay)

        # Three participants join on their own devices (the link carries the code) and answer.
        phones = {}
        for name in LEVELS:
            context, phone = _phone(browser)
            contexts.append(context)
            phone.goto(join_url)
            expect(phone.get_by_label("Join code")).to_have_value(code)
            phone.get_by_label("Your name").fill(name)
            phone.get_by_role("button", name="Join").click()
            expect(phone.get_by_text(f"You are {name}")).to_be_visible()
            phones[name] = phone
        assert_accessible(phones["Ada"])

        for name, level in LEVELS.items():
            phone = phones[name]
            phone.get_by_role("link", name="Leadership").click()
            if name == "Ada":
                assert_accessible(phone)
            question = phone.locator("#question-lead-commitment")
            question.get_by_label(f"Level {level}", exact=False).first.check()
            expect(question.locator("[data-save-status]")).to_have_text("Saved")
        answered_at = time.monotonic()

        # Within two seconds, without a reload, the facilitator sees three answers and the spread.
        expect(first.locator("[data-responses]")).to_have_text("3", timeout=2_000)
        assert time.monotonic() - answered_at <= 2.5
        expect(first.locator("[data-divergent]")).to_be_visible()
        expect(first.locator("[data-median]")).to_have_text("3")
        assert fay.evaluate("window.notReloaded") is True

        # Nobody sees anyone else's answer: Bea's page shows only her own choice.
        phones["Bea"].reload()
        checked = phones["Bea"].locator("#question-lead-commitment input:checked")
        expect(checked).to_have_value("3")

        # The facilitator records what the room agreed, with a note.
        first.get_by_role("link", name="Record the agreed answer").click()
        assert_accessible(fay)
        record = fay.locator("form", has=fay.get_by_role("button", name="Record the agreed answer"))
        record.get_by_label("Level 2", exact=False).first.check()
        record.get_by_label("Why the room agreed this").fill("Strong only in two directorates")
        record.get_by_role("button", name="Record the agreed answer").click()
        expect(first.get_by_text("Agreed", exact=True)).to_be_visible()

        # Closing stops answers; the participants are told.
        fay.goto(session_url)
        fay.get_by_role("link", name="Close the session").click()
        assert_accessible(fay)
        fay.get_by_role("button", name="Close the session").click()
        expect(fay.get_by_text("This session closed on")).to_be_visible()
        phones["Cy"].goto(f"{url}/workshop/{session_url.rsplit('/', 1)[1]}/")
        expect(phones["Cy"].get_by_text("This session has closed")).to_be_visible()

        # The results show the consensus and the participation.
        fay.goto(f"{url}/assessments/{assessment_id}/results")
        participation = fay.locator("section", has_text="Workshop participation")
        expect(participation).to_contain_text("3 people took part")
        expect(participation).to_contain_text("Discussion: agreed answer")
        expect(participation).to_contain_text("Strong only in two directorates")
        assert_accessible(fay)
    finally:
        for context in contexts:
            context.close()
