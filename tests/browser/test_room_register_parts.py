"""The room view's register slide when the room has rated more groups than a projector's screen
holds: as many groups as fit are shown, with "Groups 1 to 3 of 9" above them, and the arrow keys
(or the Next and Previous links) step through the other parts before moving to the next slide.
Coming back from the next slide shows the last part. Nothing ever scrolls; on a phone, where the
table is a list of cards, every group is there to scroll to.

Set ``ASSESS_SCREENSHOTS`` to a folder to keep a screenshot of each part.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from browser_helpers import assert_accessible, sign_in
from helpers import post
from sqlalchemy import select
from workshop_helpers import join, open_room

from assess import db
from assess.models import User

SHOTS = os.environ.get("ASSESS_SCREENSHOTS")
GROUPS = (
    "residents",
    "service-users",
    "special-needs",
    "businesses",
    "lobbies",
    "media",
    "elected-members",
    "partners",
    "staff",
)
#: Three people who disagree on every rating, so every cell lists two or three ratings.
RATINGS = (
    {"power": "4", "legitimacy": "3", "urgency": "2", "interest": "4", "affected": "3",
     "conflict": "none", "support": "no", "regard": "citizen", "engagement": "consult"},
    {"power": "2", "legitimacy": "3", "urgency": "4", "interest": "1", "affected": "2",
     "conflict": "commercial", "support": "yes", "regard": "customer", "engagement": "involve"},
    {"power": "4", "legitimacy": "1", "urgency": "2", "interest": "3", "affected": "4",
     "conflict": "regulatory", "support": "no", "regard": "stakeholder", "engagement": "empower"},
)  # fmt: skip
PART = re.compile(r"Groups (\d+) to (\d+) of (\d+)|Group (\d+) of (\d+)")
_LAST_SHOWN = "document.querySelector('[data-room-part]').textContent.endsWith(` ${n} of ${n}`)"
#: Scripts true when the slide shows (or does not show) the last part of ``n`` groups.
ON_LAST, NOT_ON_LAST = f"(n) => {_LAST_SHOWN}", f"(n) => !{_LAST_SHOWN}"


def _facilitator(app, browser, live_server):
    """The room's facilitator (made by ``open_room``), signed in on a 1920 x 1080 screen."""
    with app.app_context():
        email = db.session().scalar(select(User.email).where(User.name == "Fay Facilitator"))
    context = browser.new_context(bypass_csp=True, viewport={"width": 1920, "height": 1080})
    tab = context.new_page()
    sign_in(tab, live_server.url, email)
    return context, tab


def _shown(tab) -> list[str]:
    """The groups whose rows the slide shows now (named in their row headers), in order."""
    return tab.evaluate(
        """() => Array.from(document.querySelectorAll('[data-register-spread] tbody tr'))
            .filter((row) => row.getBoundingClientRect().height > 0)
            .map((row) => row.querySelector('.room-ratings__name').textContent.trim())"""
    )


def _part(tab) -> tuple[int, int, int]:
    label = tab.locator("[data-room-part]")
    match = PART.fullmatch(label.inner_text())
    assert match, label.inner_text()
    if match.group(4):  # one group: "Group 9 of 9"
        first, total = int(match.group(4)), int(match.group(5))
        return first, first, total
    first, last, total = (int(n) for n in match.groups()[:3])
    assert first < last, label.inner_text()
    return first, last, total


def _fits(tab) -> bool:
    return tab.evaluate(
        "document.documentElement.scrollHeight <= window.innerHeight"
        " && document.documentElement.scrollWidth <= window.innerWidth"
    )


def _rate(app, code: str, session_id: int, name: str, groups, ratings) -> None:
    """``name`` joins on a device of their own and rates ``groups``."""
    device = join(app, code, name)
    for group in groups:
        address = f"/workshop/{session_id}/register/groups/{group}"
        shown = device.get(address).get_data(as_text=True)
        was = re.search(r'name="was" value="([^"]*)"', shown)
        assert was, shown
        saved = post(device, address, {"was": was.group(1), **ratings})
        assert saved.status_code == 302, saved.get_data(as_text=True)


def test_a_register_taller_than_the_screen_is_shown_a_part_at_a_time(
    app, browser, live_server, make_user, make_org
):
    room = open_room(
        app,
        make_user,
        make_org,
        sections=("definition/stakeholder-register", "adoption/leadership"),
    )
    for name, ratings in zip(("Ada", "Bea", "Cy"), RATINGS, strict=True):
        _rate(app, room.code, room.session_id, name, GROUPS, ratings)
    context, fay = _facilitator(app, browser, live_server)
    try:
        slide = f"{live_server.url}/workshops/{room.session_id}/room/definition/register"
        fay.goto(slide)
        names = fay.evaluate(
            """() => Array.from(document.querySelectorAll('[data-register-spread] tbody tr'))
                .map((row) => row.querySelector('.room-ratings__name').textContent.trim())"""
        )
        assert len(names) == len(GROUPS)

        # The first part: the first groups, as many as fit, and nothing to scroll.
        first, last, total = _part(fay)
        assert (first, total) == (1, len(GROUPS)) and last < total
        assert _shown(fay) == names[:last]
        assert _fits(fay)
        assert_accessible(fay)
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            fay.screenshot(path=f"{SHOTS}/room-register-part-1.png")

        # The right arrow steps through the parts on the same slide; every group is shown once.
        seen = _shown(fay)
        while last < total:
            fay.keyboard.press("ArrowRight")
            fay.wait_for_function(
                "(n) => !document.querySelector('[data-room-part]').textContent"
                ".startsWith(`Groups ${n} to`)",
                arg=first,
            )
            assert fay.url == slide
            first, last, total = _part(fay)
            assert _shown(fay) == names[first - 1 : last]
            assert _fits(fay)
            seen += _shown(fay)
        assert seen == names
        if SHOTS:
            fay.screenshot(path=f"{SHOTS}/room-register-part-last.png")

        # The Previous link steps back a part as the left arrow does, and Next forward again.
        fay.get_by_role("link", name="Previous").click()
        fay.wait_for_function(
            NOT_ON_LAST,
            arg=total,
        )
        assert fay.url == slide and _part(fay)[1] < total
        fay.get_by_role("link", name="Next").click()
        fay.wait_for_function(
            ON_LAST,
            arg=total,
        )

        # After the last part, the next slide: the first leadership question.
        with fay.expect_navigation():
            fay.keyboard.press("ArrowRight")
        assert "/room/adoption/" in fay.url
        # Back from there: the register's last part, and the address as it was.
        with fay.expect_navigation():
            fay.keyboard.press("ArrowLeft")
        fay.wait_for_function(
            ON_LAST,
            arg=total,
        )
        assert fay.url == slide
        assert _shown(fay) == names[_part(fay)[0] - 1 :]

        # A smaller screen holds fewer groups: the parts are made again, and the part shown is
        # the one that holds the group shown first before.
        shown_first = _shown(fay)[0]
        fay.set_viewport_size({"width": 1280, "height": 720})
        fay.wait_for_function(
            """(name) => {
                const rows = Array.from(
                    document.querySelectorAll('[data-register-spread] tbody tr')
                ).filter((r) => r.getBoundingClientRect().height);
                return rows.length && document.documentElement.scrollHeight <= window.innerHeight
                    && rows.some((r) =>
                        r.querySelector('.room-ratings__name').textContent.trim() === name);
            }""",
            arg=shown_first,
        )
        assert _fits(fay)

        # On a phone the table is a list of cards: every group is there, to scroll to.
        fay.set_viewport_size({"width": 390, "height": 844})
        fay.wait_for_function(
            "() => document.querySelector('[data-room-part]').hidden"
            " && Array.from(document.querySelectorAll('[data-register-spread] tbody tr'))"
            ".every((r) => r.getBoundingClientRect().height > 0)"
        )
        assert _shown(fay) == names
    finally:
        context.close()


def test_the_register_slide_shows_groups_rated_after_it_was_opened(
    app, browser, live_server, make_user, make_org
):
    from playwright.sync_api import expect

    room = open_room(app, make_user, make_org, sections=("definition/stakeholder-register",))
    context, fay = _facilitator(app, browser, live_server)
    try:
        fay.goto(f"{live_server.url}/workshops/{room.session_id}/room/definition/register")
        expect(fay.get_by_text("Nobody has rated a group yet.")).to_be_visible()

        # Someone rates the residents: the slide shows them without a reload.
        _rate(app, room.code, room.session_id, "Ada", ["residents"], RATINGS[0])
        table = fay.locator("[data-register-spread] tbody")
        expect(table.locator(".room-ratings__name")).to_have_text(["Residents"])
        expect(fay.get_by_text("Nobody has rated a group yet.")).to_have_count(0)

        # Two more people rate every group: the table outgrows the screen and is split into parts.
        _rate(app, room.code, room.session_id, "Bea", GROUPS, RATINGS[1])
        _rate(app, room.code, room.session_id, "Cy", GROUPS, RATINGS[2])
        expect(fay.locator("[data-room-part]")).to_be_visible()
        expect(fay.locator("[data-room-part]")).to_have_text(re.compile(rf" of {len(GROUPS)}$"))
        first, last, total = _part(fay)
        assert (first, total) == (1, len(GROUPS)) and last < total
        assert _fits(fay)
        assert len(_shown(fay)) == last
        assert_accessible(fay)
    finally:
        context.close()
