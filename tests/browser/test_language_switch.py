"""The language switch in the header: reached and used with the keyboard, back on the same page in
the other language, and axe-clean in both languages."""

from __future__ import annotations

from browser_helpers import assert_accessible


def _tab_to(page, selector: str, limit: int = 30) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"{selector} was not reached with the Tab key")


def test_the_switch_is_used_with_the_keyboard_and_comes_back_to_the_same_page(page, live_server):
    page.goto(live_server.url + "/privacy?from=test")
    assert page.get_attribute("html", "lang") == "en"
    _tab_to(page, ".language-switch__link")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Cymraeg"
    page.keyboard.press("Enter")
    page.wait_for_function("document.documentElement.lang === 'cy'")
    assert page.url == live_server.url + "/privacy?from=test"
    assert_accessible(page)
    _tab_to(page, ".language-switch__link")
    assert page.evaluate("document.activeElement.textContent.trim()") == "English"
    assert page.evaluate("document.activeElement.getAttribute('lang')") == "en"
    page.keyboard.press("Enter")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.url == live_server.url + "/privacy?from=test"


def test_the_header_with_the_switch_fits_320_px_in_both_languages(browser, live_server):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    tab = context.new_page()
    try:
        for language in ("en", "cy"):
            tab.goto(f"{live_server.url}/language/{language}?next=/login")
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"/login in {language} is {width}px wide at 320px"
            box = tab.locator(".language-switch__link").bounding_box()
            assert box is not None and box["x"] + box["width"] <= 320
    finally:
        context.close()
