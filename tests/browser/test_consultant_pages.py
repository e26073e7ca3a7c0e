"""The pages a consultant and an admin meet around this issue, checked with axe at 1280, 390 and
320 px and for sideways scrolling: the clients page, the consultancy's name and logo, the
invitation form (respondent by default) and the confirmation before removing a member.

Set ``ASSESS_SCREENSHOTS`` to a folder to keep a screenshot of each page at each width.
"""

from __future__ import annotations

import os
from pathlib import Path

from browser_helpers import assert_accessible
from helpers import PASSWORD
from PIL import Image
from workshop_helpers import start_assessment

WIDTHS = (1280, 390, 320)
SHOTS = os.environ.get("ASSESS_SCREENSHOTS")


def _check(tab, name: str) -> None:
    tab.wait_for_load_state("load")  # styles applied: what is measured is what people see
    for width in WIDTHS:
        tab.set_viewport_size({"width": width, "height": 900})
        used = tab.evaluate("document.documentElement.scrollWidth")
        assert used <= width, f"{name} is {used} px wide at {width} px"
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
        assert_accessible(tab)
    tab.set_viewport_size({"width": 1280, "height": 900})


def test_consultant_and_admin_pages_pass_axe_and_reflow(
    app, page, live_server, make_user, make_org, add_member, tmp_path
):
    from playwright.sync_api import expect

    consultant = make_user(name="Connie Consultant")
    admin = make_user(name="Alex Admin")
    client = make_org(name="Riverside Borough Council", members={admin: "admin"})
    other = make_org(name="Hillside District Council")
    add_member(consultant, client, "facilitator")
    add_member(consultant, other, "facilitator")
    start_assessment(app, client.id, consultant)
    start_assessment(app, other.id, consultant)
    url = live_server.url

    page.goto(f"{url}/login")
    page.get_by_label("Email address").fill(consultant.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Your clients").click()
    expect(page.get_by_role("heading", name="Hillside District Council")).to_be_visible()
    expect(page.get_by_role("heading", name="Riverside Borough Council")).to_be_visible()
    _check(page, "clients")

    logo = tmp_path / "logo.png"
    Image.new("RGB", (900, 300), (29, 79, 145)).save(logo, format="PNG")
    add = "Add your consultancy\N{RIGHT SINGLE QUOTATION MARK}s name and logo"
    page.get_by_role("link", name=add).click()
    _check(page, "consultancy")
    page.get_by_label("Name of your consultancy").fill("Bright Advisers")
    page.get_by_label("Logo (optional)").set_input_files(str(logo))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("img", name="Your current logo")).to_be_visible()
    svg = tmp_path / "logo.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    page.get_by_label("Logo (optional)").set_input_files(str(svg))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".error-summary")).to_contain_text("PNG or JPEG")
    _check(page, "consultancy-error")

    # The admin's side: the invitation form and removing the consultant.
    page.context.clear_cookies()
    page.goto(f"{url}/login")
    page.get_by_label("Email address").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{url}/organisations/{client.id}/invitations/new")
    expect(page.get_by_label("Respondent")).to_be_checked()
    _check(page, "invite")
    page.goto(f"{url}/organisations/{client.id}/members")
    page.get_by_role("link", name="Remove Connie Consultant").click()
    expect(page.get_by_text("Their account is not deleted")).to_be_visible()
    _check(page, "remove-member")
    page.get_by_role("button", name="Remove Connie Consultant").click()
    expect(page.get_by_text("Connie Consultant is no longer a member.")).to_be_visible()
