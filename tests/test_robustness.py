"""Whatever is sent, the answer is a page a person can act on, never a server error."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from helpers import login, post
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assess.views.auth import safe_next

JUNK = {
    "email": "\x00<script>@@",
    "password": "",
    "confirm": "x" * 5000,
    "name": "é" * 500,
    "sector": "' OR 1=1 --",
    "size_band": "[]",
    "country": "ZZZ",
    "time_zone": "../../etc/passwd",
    "role": "owner",
    "current_password": "",
    "new_password": "a",
}


@pytest.mark.parametrize(
    "url",
    [
        "/register",
        "/login",
        "/password/forgot",
        "/password/reset/not-a-token",
        "/register/confirm",
        "/register/confirm/not-a-token",
        "/organisations/{org}/invitations/999999/resend",
        "/organisations/new",
        "/organisations/{org}/settings",
        "/organisations/{org}/invitations/new",
        "/organisations/{org}/members/999999/role",
        "/organisations/invitations/not-a-token",
        "/account/password",
        "/session/extend",
    ],
)
def test_junk_in_every_form_is_answered_without_a_server_error(client, make_user, make_org, url):
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    login(client, admin)
    response = post(client, url.format(org=organisation.id), JUNK)
    assert response.status_code < 500, response.get_data(as_text=True)


def test_unknown_pages_and_methods_get_a_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert client.get("/logout").status_code == 405
    assert client.get("/organisations/not-a-number").status_code == 404


def test_a_form_without_its_token_is_refused_with_an_explanation(client):
    response = client.post("/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    assert "could not be accepted" in response.get_data(as_text=True)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_sign_in_never_sends_anyone_to_another_site(target):
    result = safe_next(target)
    if result is not None:
        resolved = urlsplit(urljoin("https://assess.example/start", result))
        assert resolved.netloc == "assess.example"
