"""Helpers for tests that act as a person in a browser: CSRF-carrying posts, signing in, email."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assess import db
from assess.models import User, UserSession

#: A password that passes the rules; every factory-made account has it unless told otherwise.
PASSWORD = "correct horse battery staple"

_CSRF = re.compile(
    r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"|name="csrf-token" content="([^"]+)"'
)


def csrf_token(client: FlaskClient) -> str:
    """A CSRF token valid in ``client``'s session (taken from a page's form, as a browser would)."""
    page = client.get("/login").get_data(as_text=True)
    match = _CSRF.search(page)
    assert match, "no CSRF token on the sign-in page"
    return match.group(1) or match.group(2)


def post(client: FlaskClient, url: str, data: dict[str, object] | None = None, **kwargs: object):
    """POST a form the way a browser does: with the session's CSRF token."""
    fields = {"csrf_token": csrf_token(client), **(data or {})}
    return client.post(url, data=fields, **kwargs)


def login(client: FlaskClient, user: User, password: str = PASSWORD, **kwargs: object):
    """Sign ``user`` in through the sign-in form."""
    response = post(client, "/login", {"email": user.email, "password": password}, **kwargs)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def register(
    client: FlaskClient,
    mailbox: Callable[[], list[Mail]],
    email: str,
    name: str = "Ada",
    password: str = PASSWORD,
):
    """Register through the form and confirm the address through the emailed link, as a person
    does; returns the response of confirming (a redirect, signed in)."""
    before = len(mailbox())
    response = post(
        client,
        "/register",
        {"name": name, "email": email, "password": password, "confirm": password},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    confirmation = mailbox()[before]
    assert confirmation.to == email.lower()
    response = post(client, confirmation.link())
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@dataclass
class Mail:
    """One message the file backend wrote."""

    to: str
    subject: str
    text: str
    html: str

    def link(self) -> str:
        """The first link into the app, as a path (the test client's host is localhost)."""
        match = re.search(r"http://localhost(/\S+)", self.text)
        assert match, self.text
        return match.group(1)


def age_sessions(app: Flask, *, idle: int = 0, since_login: int = 0) -> None:
    """Move every session's last activity ``idle`` seconds, and its start ``since_login``
    seconds, into the past."""
    with app.app_context():
        for record in db.session().scalars(select(UserSession)):
            record.last_seen_at -= timedelta(seconds=idle)
            record.created_at -= timedelta(seconds=since_login)
        db.session().commit()
