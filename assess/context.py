"""The organisation a signed-in person is working in, kept in their session.

A person may belong to several organisations; the header shows the current one and the
organisations page switches. The choice is re-checked against their memberships on every request,
so a removed member is never left "in" an organisation.
"""

from __future__ import annotations

from flask import Flask, g, session
from flask_login import current_user

from assess.models import Membership
from assess.services import organisations

#: The Flask-session key of the current organisation's id.
ORGANISATION = "organisation_id"


def switch_to(organisation_id: int) -> None:
    """Make ``organisation_id`` the current organisation (the caller has checked membership)."""
    session[ORGANISATION] = organisation_id
    g.pop("current_membership", None)


def current_membership() -> Membership | None:
    """The signed-in person's membership of their current organisation: the one they chose, else
    the first they belong to; None when signed out or a member of none."""
    if not current_user.is_authenticated:
        return None
    if "current_membership" in g:
        return g.current_membership
    chosen = session.get(ORGANISATION)
    member = organisations.membership(current_user.id, chosen) if chosen else None
    if member is None:
        mine = organisations.memberships_of(current_user.id)
        member = mine[0] if mine else None
    g.current_membership = member
    return member


def current_time_zone() -> str | None:
    """The time zone of the current organisation, if there is one."""
    member = current_membership()
    return member.organisation.time_zone if member else None


def init_app(app: Flask) -> None:
    """Offer the current membership to every template."""
    app.context_processor(lambda: {"current_membership": current_membership})
