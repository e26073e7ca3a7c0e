"""The public pages pass axe-core's WCAG 2.x A/AA rules and can be used with the keyboard."""

from __future__ import annotations

import pytest
from browser_helpers import assert_accessible

PUBLIC_PAGES = [
    "/",
    "/login",
    "/register",
    "/register/confirm",
    "/register/confirm/not-a-token",
    "/password/forgot",
    "/privacy",
    "/no-such-page",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_wcag_violations(page, live_server, path):
    page.goto(live_server.url + path)
    assert_accessible(page)


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page, live_server):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_pages_fit_a_phone_without_sideways_scrolling(browser, live_server):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    tab = context.new_page()
    try:
        for path in PUBLIC_PAGES:
            tab.goto(live_server.url + path)
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"{path} is {width}px wide at 320px"
    finally:
        context.close()
