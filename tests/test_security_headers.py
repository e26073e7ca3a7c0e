"""Every response carries the security headers; errors are pages, never tracebacks."""

from __future__ import annotations

from flask import abort

from assess import access
from assess.security import CONTENT_SECURITY_POLICY


def test_pages_carry_security_headers(client):
    for path in ("/", "/healthz", "/no-such-page"):
        response = client.get(path)
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response.headers


def test_https_deployments_get_hsts_and_host_prefixed_secure_cookies(make_app):
    app = make_app(HTTPS=True)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    response = app.test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_cookie_defaults():
    from assess.config import DEFAULTS

    assert DEFAULTS["SESSION_COOKIE_HTTPONLY"] is True
    assert DEFAULTS["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_not_found_is_a_plain_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Page not found" in response.data
    assert b"Traceback" not in response.data


def test_unexpected_errors_are_a_calm_500_page(make_app):
    app = make_app()

    @app.get("/boom-for-test")
    @access.public
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom-for-test")
    assert response.status_code == 500
    assert b"Sorry, something went wrong" in response.data
    assert b"secret internals" not in response.data
    assert b"Traceback" not in response.data


def test_own_messages_are_shown_and_json_clients_get_json(make_app):
    app = make_app()

    @app.get("/bad-for-test")
    @access.public
    def bad():
        abort(400, "The level must be a whole number from 1 to 5.")

    client = app.test_client()
    page = client.get("/bad-for-test")
    assert page.status_code == 400
    assert b"The level must be a whole number from 1 to 5." in page.data
    as_json = client.get("/bad-for-test", headers={"Accept": "application/json"})
    assert as_json.get_json()["detail"] == "The level must be a whole number from 1 to 5."
