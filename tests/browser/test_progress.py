"""Progress over time in the browser: an admin adopts a recommended step into the plan, marks it
done, starts the next assessment and sees the trend. Every page passes axe and does not scroll
sideways at its width nor at 320 pixels; the plan and the trend are checked at phone width too."""

from __future__ import annotations

import pytest
from browser_helpers import assert_accessible, sign_in
from finalise_helpers import finalise
from plan_helpers import assessment_with_gaps

from assess.services import action_plan, assessments


@pytest.fixture
def finalised(app, make_user, make_org):
    admin = make_user(name="Ada Admin", email="ada@example.org")
    org = make_org(members={admin: "admin"})
    assessment_id = assessment_with_gaps(app, org, admin, title="Check 2025")
    finalise(app, assessment_id, admin)
    return {"id": assessment_id, "admin": admin}


def test_adopt_an_action_mark_it_done_start_the_next_assessment_and_see_the_trend(
    app, browser, live_server, finalised
):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    base = live_server.url
    try:
        sign_in(tab, base, "ada@example.org")
        tab.goto(f"{base}/assessments/{finalised['id']}/results")
        assert_accessible(tab)
        first = tab.locator("main .step").first
        title = first.locator(".step__action").inner_text()
        with tab.expect_navigation():
            first.get_by_role("button", name="Add to the plan").click()
        assert tab.locator("main h1").inner_text() == title
        assert (
            "Added to the plan" in tab.locator(".notice--success, [role=status]").first.inner_text()
        )
        assert_accessible(tab)

        # Mark it done, with its evidence, using the keyboard-reachable form.
        tab.get_by_label("Status").select_option("done")
        tab.get_by_label("Evidence", exact=True).fill("Cabinet minute 42 records the adoption.")
        with tab.expect_navigation():
            tab.get_by_role("button", name="Save the action").click()
        assert tab.locator("main [data-status]").first.inner_text() == "Done"
        assert "Action changed" in tab.locator("main .plan-history").inner_text()
        assert_accessible(tab)

        tab.goto(f"{base}/assessments/{finalised['id']}/plan")
        assert_accessible(tab)
        row = tab.locator("#plan tbody tr").first
        assert "Done" in row.inner_text()

        # Start the next assessment from the results.
        tab.goto(f"{base}/assessments/{finalised['id']}/results")
        with tab.expect_navigation():
            tab.get_by_role("link", name="Start the next assessment").click()
        assert_accessible(tab)
        tab.get_by_label("Name of the new assessment").fill("Check 2026")
        with tab.expect_navigation():
            tab.get_by_role("button", name="Start the next assessment").click()
        assert tab.locator("main h1").inner_text() == "Carried-over answers"
        assert_accessible(tab)
        with app.app_context():
            (new,) = [a for a in assessments.for_organisation(1) if a.title == "Check 2026"]
            new_id = new.id
            # The done action stayed with the plan it was done in.
            assert action_plan.actions(new) == []

        # Confirm two carried answers with the keyboard, then see the trend on the results.
        boxes = tab.locator("main input[name=answer]")
        boxes.nth(0).check()
        boxes.nth(1).check()
        with tab.expect_navigation():
            tab.get_by_role("button", name="Confirm the selected answers").press("Enter")
        assert "2 answers confirmed" in tab.locator("body").inner_text()
        tab.goto(f"{base}/assessments/{new_id}/results")
        assert tab.locator("#trend-title").inner_text() == "Since the last assessment"
        overall = tab.locator('#trend tr[data-dimension="overall"]').inner_text()
        assert "no change" in overall
        assert "still to confirm" in tab.locator('main [data-figure="unconfirmed"]').inner_text()
        assert_accessible(tab)
        # The follow-up review of the finalised plan: schedule it, then its form.
        tab.goto(f"{base}/assessments/{finalised['id']}/review")
        assert_accessible(tab)
        with tab.expect_navigation():
            tab.get_by_role("button", name="Schedule the review").click()
        assert tab.locator("#review-title").inner_text() == "Carry out the review"
        assert_accessible(tab)
        for width in (390, 320):
            tab.set_viewport_size({"width": width, "height": 900})
            for path in (
                f"/assessments/{new_id}/results",
                f"/assessments/{finalised['id']}/plan",
                f"/assessments/{finalised['id']}/review",
            ):
                tab.goto(base + path)
                assert_accessible(tab)
    finally:
        context.close()
