"""The live view's figures keep the page language's thousands separator when the script updates
them: a room of a thousand reads "1,000 joined", never "1000"."""

from __future__ import annotations

import json

from browser_helpers import open_workshop
from workshop_helpers import start_assessment


def test_the_live_view_groups_thousands_as_it_updates(
    app, browser, live_server, make_user, make_org
):
    from playwright.sync_api import expect

    facilitator = make_user(name="Fay Facilitator")
    organisation = make_org(members={facilitator: "facilitator"})
    assessment_id = start_assessment(app, organisation.id, facilitator)
    url = live_server.url
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        fay = context.new_page()
        open_workshop(fay, url, facilitator, assessment_id, "Whole staff")
        fay.get_by_label("Leadership").check()
        fay.get_by_role("button", name="Open the ticked sections").click()
        session_url = fay.url

        # The server's own figures, as a room of a thousand would give them.
        def crowded(route):
            data = route.fetch().json()
            data["participants"], data["answers"] = 1234, 18765
            data["questions"][0]["responses"] = 1000
            route.fulfill(status=200, content_type="application/json", body=json.dumps(data))

        fay.route("**/live.json", crowded)
        fay.goto(f"{session_url}/live")
        expect(fay.locator("[data-participants]").first).to_have_text("1,234")
        expect(fay.locator("[data-answers]")).to_have_text("18,765")
        expect(fay.locator("[data-responses]").first).to_have_text("1,000")
    finally:
        context.close()
