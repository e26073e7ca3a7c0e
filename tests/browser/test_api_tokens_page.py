"""The API tokens page: made and revoked with the keyboard alone, the token shown once, axe at
zero and no sideways scrolling at 320 px."""

from __future__ import annotations

import os

from browser_helpers import assert_accessible, assert_reflows
from helpers import PASSWORD


def test_making_and_revoking_a_token_with_the_keyboard(
    page, live_server, make_user, make_org, tmp_path
):
    me = make_user(name="Nia Evans", email="nia@example.org")
    make_org(name="Riverside District Council with a Long Name", members={me: "admin"})
    make_org(name="Second Parish", members={me: "auditor"})
    page.goto(live_server.url + "/login")
    page.fill("#email", "nia@example.org")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/start")

    page.goto(live_server.url + "/account")
    page.locator("main a:has-text('Make or revoke API tokens')").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('API tokens')")
    assert_accessible(page)

    # Sent with nothing chosen: the error summary takes focus and names what is missing.
    page.locator("main button:has-text('Make the token')").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".error-summary")
    assert "Choose at least one organisation" in page.inner_text(".error-summary")
    assert_accessible(page)

    page.locator("#name").focus()
    page.keyboard.type("Power BI dashboard")
    page.locator("label:has-text('Riverside')").click()
    page.locator("label:has-text('30 days')").click()
    page.locator("main button:has-text('Make the token')").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#new-token")
    token = page.input_value("#new-token")
    assert token.startswith("assess_")
    assert_accessible(page)
    assert_reflows(page)
    if os.environ.get("ASSESS_SCREENSHOTS"):
        page.screenshot(path=str(tmp_path / "tokens-1280.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 800})
        page.screenshot(path=str(tmp_path / "tokens-390.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        print("screenshots in", tmp_path)

    # Shown once: the page again lists it, without the token.
    page.goto(live_server.url + "/account/api-tokens")
    assert token not in page.content()
    assert "Power BI dashboard" in page.inner_text("main table")

    page.locator("main button:has-text('Revoke Power BI dashboard')").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".notice:has-text('revoked')")
    assert "Revoked" in page.inner_text("main table")
    assert page.locator("main button:has-text('Revoke')").count() == 0
    assert_accessible(page)
