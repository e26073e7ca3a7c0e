"""The peer benchmark in the browser: the results page's section, the participation page (by
keyboard) and the operator's counts pass axe and do not scroll sideways at 320 pixels."""

from __future__ import annotations

import pytest
from benchmark_helpers import peer_factory, render_quickly
from browser_helpers import assert_accessible, sign_in

from assess.services import benchmark


@pytest.fixture
def group(app, monkeypatch, make_user, make_org):
    render_quickly(monkeypatch)
    made = peer_factory(app, make_user, make_org)([1, 2, 3, 3, 4])
    with app.app_context():
        benchmark.refresh()
    return made


def test_the_results_show_where_the_body_stands_and_an_admin_opts_out_by_keyboard(
    app, browser, live_server, group
):
    org, admin, assessment_id = group[3]
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    base = live_server.url
    try:
        sign_in(tab, base, admin.email)
        tab.goto(f"{base}/assessments/{assessment_id}/results")
        section = tab.locator("#benchmark")
        assert "Common Assessment Framework" in section.inner_text()
        row = tab.locator("#benchmark-sector-table tr[data-area=leadership]")
        assert "at the median" in row.inner_text()
        assert_accessible(tab)

        tab.goto(f"{base}/organisations/{org.id}/benchmark")
        assert_accessible(tab)
        box = tab.get_by_label("Take part in the peer benchmark")
        assert box.is_checked()
        box.focus()
        tab.keyboard.press("Space")
        tab.keyboard.press("Tab")
        with tab.expect_navigation():
            tab.keyboard.press("Enter")
        assert (
            "out of the peer benchmark" in tab.locator("[role=status], .notice").first.inner_text()
        )
        assert not tab.get_by_label("Take part in the peer benchmark").is_checked()

        tab.goto(f"{base}/assessments/{assessment_id}/results")
        assert "does not take part" in tab.locator("#benchmark").inner_text()
        assert_accessible(tab)
    finally:
        context.close()


def test_the_operator_page_passes_axe(app, browser, live_server, group, make_user):
    operator = make_user(email="op@example.org", operator=True)
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    try:
        sign_in(tab, live_server.url, operator.email)
        tab.goto(f"{live_server.url}/operator/benchmark")
        row = tab.locator("#benchmark-sector tr[data-group=local_government]")
        assert "5" in row.locator("[data-figure=contributing]").inner_text()
        assert_accessible(tab)
    finally:
        context.close()
