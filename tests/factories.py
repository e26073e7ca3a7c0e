"""Accounts, organisations and memberships made directly through the services, in a given app.

The fixtures ``make_user``, ``make_org`` and ``add_member`` (``conftest.py``) are these, in the
test's own app; a set-up prepared once in an app of its own (``load_snapshot``) calls them
directly.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from helpers import PASSWORD

from assess import db
from assess.models import Membership, Organisation, User
from assess.services import accounts


def user_factory(app: Flask) -> Callable[..., User]:
    """Create an account: ``make_user(email=..., name=..., password=..., operator=False,
    language=None)``; unnamed ones are "Person 1", "Person 2"... in the order made."""
    counter = iter(range(1, 10_000))

    def factory(
        email: str | None = None,
        name: str | None = None,
        password: str = PASSWORD,
        operator: bool = False,
        language: str | None = None,
    ) -> User:
        n = next(counter)
        with app.test_request_context():
            user = accounts.create_user(
                name or f"Person {n}",
                email or f"person{n}@example.org",
                password,
                is_operator=operator,
                language=language,
            )
            db.session().commit()
            return user

    return factory


def org_factory(app: Flask) -> Callable[..., Organisation]:
    """Create an organisation: ``make_org(name=..., members={user: role}, status="active")``."""
    counter = iter(range(1, 10_000))

    def factory(
        name: str | None = None,
        members: dict[User, str] | None = None,
        status: str = "active",
        time_zone: str = "Europe/London",
        **fields: str,
    ) -> Organisation:
        with app.app_context():
            organisation = Organisation(
                name=name or f"Council {next(counter)}",
                sector=fields.get("sector", "local_government"),
                size_band=fields.get("size_band", "250_999"),
                country=fields.get("country", "GB"),
                time_zone=time_zone,
                status=status,
            )
            session = db.session()
            session.add(organisation)
            for user, role in (members or {}).items():
                session.add(Membership(user_id=user.id, organisation=organisation, role=role))
            session.commit()
            return organisation

    return factory


def member_adder(app: Flask) -> Callable[[User, Organisation, str], None]:
    """Give ``user`` ``role`` in ``organisation``: ``add_member(user, organisation, role)``."""

    def factory(user: User, organisation: Organisation, role: str) -> None:
        with app.app_context():
            db.session().add(
                Membership(user_id=user.id, organisation_id=organisation.id, role=role)
            )
            db.session().commit()

    return factory
