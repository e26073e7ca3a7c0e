"""WCAG 1.4.10 on the pages people manage an organisation with: an admin and an auditor of the
demo council, with one finalised report, visit each page at desktop and phone widths. Every page
passes axe and scrolls sideways neither at its width nor at 320 pixels (``assert_accessible``
checks both, as it does on every page of every browser test), in English and in Welsh, whose
longer words and sentences must wrap as well."""

from __future__ import annotations

import pytest
from browser_helpers import (
    LANGUAGES,
    assert_accessible,
    assert_language,
    sideways_scroll,
    sign_in,
    use_language,
)
from sqlalchemy import select

from assess import db
from assess.models import Assessment, User
from assess.services import finalising

PASSWORD = "demo borough 2025"

ADMIN_PAGES = (
    "/start",
    "/organisations",
    "/organisations/{org}",
    "/organisations/{org}/members",
    "/organisations/{org}/invitations/new",
    "/organisations/{org}/settings",
    "/organisations/{org}/assessments",
    "/organisations/{org}/reports",
    "/organisations/{org}/audit",
    "/account",
    "/verify",
)
AUDITOR_PAGES = (
    "/start",
    "/organisations/{org}/reports",
    "/organisations/{org}/audit",
    "/organisations/{org}/members",
)


def _finalised_demo(app):
    """The demo council, with its assessment finalised (so the reports page lists a report)."""
    assert app.test_cli_runner().invoke(args=["demo", "--quick"]).exit_code == 0
    with app.app_context():
        session = db.session()
        assessment = session.scalars(select(Assessment)).first()
        admin = session.scalars(select(User).where(User.email == "admin@demo.example")).one()
        stored = finalising.finalise(assessment, admin)
        return {"org": assessment.organisation_id, "sha256": stored.sha256}


@pytest.fixture
def demo(load_snapshot):
    """:func:`_finalised_demo`, made once per worker (three PDFs rendered) and copied for each
    test."""
    return load_snapshot(_finalised_demo)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize(
    ("email", "pages"),
    [("admin@demo.example", ADMIN_PAGES), ("auditor@demo.example", AUDITOR_PAGES)],
    ids=["admin", "auditor"],
)
def test_organisation_pages_reflow_and_pass_axe(
    browser, live_server, demo, email, pages, width, language
):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    tab = context.new_page()
    try:
        use_language(tab, live_server.url, language)
        sign_in(tab, live_server.url, email, PASSWORD)
        for path in pages:
            tab.goto(live_server.url + path.format(org=demo["org"]))
            assert tab.locator("main h1").count() == 1, path
            assert_language(tab, language)
            assert_accessible(tab)
    finally:
        context.close()


def test_the_reports_page_keeps_download_on_screen_with_the_whole_sha256(
    browser, live_server, demo
):
    """The unbroken SHA-256 used to push Download off a 1280-pixel screen: it wraps now, and all
    64 characters are still there to copy."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    try:
        sign_in(tab, live_server.url, "auditor@demo.example", PASSWORD)
        tab.goto(f"{live_server.url}/organisations/{demo['org']}/reports")
        # The English file's SHA-256 comes first; the Welsh copies' follow, each whole.
        shown = tab.locator("code.sha256").all_inner_texts()
        assert shown[0] == demo["sha256"]
        assert len(shown) == 3 and all(len(text) == 64 for text in shown)
        for width in (1280, 320):
            tab.set_viewport_size({"width": width, "height": 900})
            assert sideways_scroll(tab, width) is None
            for link in tab.locator("main a", has_text="Download").all():
                download = link.bounding_box()
                assert download["x"] + download["width"] <= width
    finally:
        context.close()


def test_every_page_a_browser_test_loads_is_checked_at_320_px(browser, page, live_server):
    """The check covers every load without the test asking: a page too wide at 320 px is caught,
    and the real pages loaded before it are not."""
    from conftest import reflow_problems

    page.goto(live_server.url + "/verify")
    wide = (
        '<!doctype html><html lang="en"><title>t</title>'
        '<main><div style="width:600px">x</div></main>'
    )
    page.route("**/too-wide", lambda route: route.fulfill(body=wide, content_type="text/html"))
    page.goto(live_server.url + "/too-wide")
    assert page.locator("div").inner_text() == "x"  # (the page's load is seen meanwhile)
    page.goto(live_server.url + "/login")
    assert page.locator("h1").count() == 1
    found = reflow_problems(browser)
    assert list(found) == [live_server.url + "/too-wide"]
    assert "wide at 320px: div reaches" in found[live_server.url + "/too-wide"]
