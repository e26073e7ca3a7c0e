"""Every response carries the security headers; errors are pages, never tracebacks."""

from __future__ import annotations

import io

import pytest
from flask import Response, abort
from werkzeug.datastructures import FileStorage

from assess import access, security
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


def test_requests_larger_than_the_limit_are_refused(client):
    response = client.post("/login", data={"email": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert b"That was too large" in response.data


def test_downloads_are_attachments_with_a_safe_name():
    response = security.attachment(Response("a,b"), '../../etc/"passwd".csv')
    assert response.headers["Content-Disposition"] == 'attachment; filename="etc_passwd.csv"'
    assert response.headers["Cache-Control"] == "no-store"


CSV_ONLY = {".csv": security.UploadType("text/csv")}
PNG_ONLY = {".png": security.UploadType("image/png", b"\x89PNG\r\n\x1a\n")}


def _upload(name: str, content: bytes, content_type: str) -> FileStorage:
    return FileStorage(io.BytesIO(content), filename=name, content_type=content_type)


def test_an_upload_of_the_right_type_and_size_is_read():
    assert security.read_upload(_upload("a.CSV", b"x,y", "text/csv"), CSV_ONLY, 10) == b"x,y"


@pytest.mark.parametrize(
    ("upload", "types", "message"),
    [
        (_upload("a.html", b"<p>", "text/html"), CSV_ONLY, "one of these types: .csv"),
        (_upload("a.csv", b"x", "text/html"), CSV_ONLY, "not a .csv file"),
        (_upload("a.csv", b"x" * 11, "text/csv"), CSV_ONLY, "larger than"),
        (_upload("a.png", b"<svg>", "image/png"), PNG_ONLY, "not a .png file"),
    ],
)
def test_uploads_of_another_type_or_too_large_are_refused(upload, types, message):
    with pytest.raises(security.UploadRefused, match=message):
        security.read_upload(upload, types, 10)


def test_nul_characters_are_refused_before_they_reach_the_database(app, client, make_user):
    from helpers import csrf_token, login

    user = make_user()
    login(client, user)
    token = csrf_token(client)
    form = client.post("/organisations/new", data={"name": "a\x00b", "csrf_token": token})
    assert form.status_code == 400
    assert "NUL character" in form.get_data(as_text=True)
    query = client.get("/?q=a%00b")
    assert query.status_code == 400
    as_json = client.post(
        "/organisations/new",
        json={"name": "a\x00b"},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )
    assert as_json.status_code == 400
    assert "NUL character" in as_json.get_json()["detail"]
