"""The pages of confirming an address and of an invitation whose email failed pass axe, work with
the keyboard and fit a phone."""

from __future__ import annotations

import re

from browser_helpers import assert_accessible
from smtp_helpers import closed_port

PASSWORD = "correct horse battery staple"


def _fits(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_registering_confirming_and_a_failed_invitation(page, live_server, app, mailbox, tmp_path):
    page.goto(live_server.url + "/register")
    page.fill("#name", "Nia Evans")
    page.fill("#email", "nia@example.org")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.press("#confirm", "Enter")
    page.wait_for_selector("h1:has-text('Check your email')")
    assert_accessible(page)
    _fits(page, 320)

    (message,) = mailbox()
    path = re.search(r"https?://[^/\s]+(/\S+)", message.text).group(1)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + path)
    assert_accessible(page)
    page.focus("main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/organisations/new")
    page.fill("#name", "Riverside District Council")
    page.select_option("#sector", index=1)
    page.select_option("#size_band", index=2)
    page.select_option("#country", index=1)
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Riverside District Council')")
    org_path = re.search(r"/organisations/\d+", page.url).group(0)

    # The mail server is down: the invitation is kept, its email shown as failed, with a button.
    app.config.update(
        MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=closed_port(), SMTP_STARTTLS=False
    )
    page.goto(live_server.url + org_path + "/invitations/new")
    page.fill("#email", "a.very.long.address.for.a.colleague@riverside-district.example.org")
    page.click("main button[type=submit]")
    page.wait_for_selector("td:has-text('Failed')")
    assert_accessible(page)
    resend = page.locator("main button:has-text('Resend')")
    assert resend.count() == 1
    page.screenshot(path=str(tmp_path / "members-failed-1280.png"))
    _fits(page, 390)
    page.screenshot(path=str(tmp_path / "members-failed-390.png"), full_page=True)
    print("screenshots in", tmp_path)
