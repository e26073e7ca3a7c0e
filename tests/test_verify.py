"""Verifying a report file: on the public page and with ``assess report verify``. An unaltered
finalised report is verified; a changed byte, a draft, another PDF or garbage is not, and each is
told so plainly (never a server error)."""

from __future__ import annotations

import io

import pikepdf
import pytest
from factories import org_factory, user_factory
from finalise_helpers import answered_draft, finalise
from helpers import csrf_token, login
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from assess import db
from assess.models import Assessment
from assess.services import reports


def _stored(app):
    """A finalised report of "Testshire Council", and the organisation's admin."""
    # Her address is given so that the tests' own make_user() accounts cannot take it.
    admin = user_factory(app)(name="Ada Admin", email="ada@example.org")
    org = org_factory(app)(name="Testshire Council", members={admin: "admin"})
    assessment_id = answered_draft(app, org, admin)
    report = finalise(app, assessment_id, admin)
    return {"report": report, "admin": admin, "org": org, "assessment_id": assessment_id}


@pytest.fixture
def stored(load_snapshot):
    """:func:`_stored`, finalised once per worker and copied for each test."""
    return load_snapshot(_stored)


def _upload(client, content: bytes, filename: str = "report.pdf"):
    fields = MultiDict({"csrf_token": csrf_token(client)})
    fields.add("report", FileStorage(io.BytesIO(content), filename, content_type="application/pdf"))
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(fields)
    return client.post(
        "/verify", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _one_byte_changed(pdf: bytes) -> bytes:
    changed = bytearray(pdf)
    changed[len(changed) // 2] ^= 0x01
    return bytes(changed)


def test_the_verify_page_needs_no_account(client):
    page = client.get("/verify")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert 'name="csrf_token"' in html
    assert '<label class="label" for="report">' in html


def test_an_unaltered_report_is_verified_with_its_organisation_and_assessment(client, stored):
    report = stored["report"]
    response = _upload(client, report.pdf)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<div class="panel panel--confirmation"' in html
    assert "panel--failure" not in html
    assert report.report_id in html
    assert "Testshire Council" in html
    assert "Annual check" in html
    assert f"assessment {stored['assessment_id']}, version 1" in html
    assert "It is the current version." in html
    assert report.data_sha256 in html


def test_a_one_byte_change_fails_verification_on_the_page(client, stored):
    report = stored["report"]
    response = _upload(client, _one_byte_changed(report.pdf))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<div class="panel panel--failure"' in html
    assert "panel--confirmation" not in html
    assert "It has been changed." in html
    assert "Testshire Council" not in html


def test_a_one_byte_change_fails_verification_on_the_command_line(app, stored, tmp_path):
    runner = app.test_cli_runner()
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(stored["report"].pdf)
    bad.write_bytes(_one_byte_changed(stored["report"].pdf))
    result = runner.invoke(args=["report", "verify", str(good)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Verified:")
    assert "It is the current version." in result.output
    assert "Testshire Council" in result.output
    assert "version 1" in result.output
    result = runner.invoke(args=["report", "verify", str(bad)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Not verified:")
    assert stored["report"].report_id in result.output


def test_a_report_of_another_instance_is_not_verified_and_says_why(make_app, stored, tmp_path):
    elsewhere = make_app()  # another instance: its own, empty database
    path = tmp_path / "theirs.pdf"
    path.write_bytes(stored["report"].pdf)
    result = elsewhere.test_cli_runner().invoke(args=["report", "verify", str(path)])
    assert result.exit_code == 1
    assert "looks like an assess report" in result.output
    assert "comes from another instance" in result.output


def test_a_draft_report_is_not_verified(app, client, stored, make_user, make_org):
    with app.app_context():
        admin = make_user()
        org = make_org(members={admin: "admin"})
        draft = db.session().get(Assessment, answered_draft(app, org, admin))
        pdf = reports.render(draft).pdf
    html = _upload(client, pdf).get_data(as_text=True)
    assert '<div class="panel panel--failure"' in html
    assert "draft report" in html


def test_another_pdf_is_not_an_assess_report(client, stored):
    other = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(other)
    html = _upload(client, other.getvalue()).get_data(as_text=True)
    assert '<div class="panel panel--failure"' in html
    assert "this is not an assess report" in html


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (b"not a pdf at all", "report.pdf"),
        (b"\x00\xff" * 500, "report.pdf"),
        (b"", "report.pdf"),
    ],
)
def test_a_file_that_is_not_a_pdf_gets_a_clear_message(client, content, filename):
    response = _upload(client, content, filename)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "Choose the" in html


def test_a_damaged_pdf_is_not_a_server_error(client, stored):
    pdf = stored["report"].pdf
    for damaged in (b"%PDF-1.7\n" + b"\x00" * 2000, pdf[: len(pdf) // 3], b"%PDF-" + pdf[5:][::-1]):
        response = _upload(client, damaged)
        assert response.status_code == 200
        assert '<div class="panel panel--failure"' in response.get_data(as_text=True)


def test_no_file_chosen_is_explained(client):
    response = client.post("/verify", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 400
    assert "Choose the PDF file of the report to check." in response.get_data(as_text=True)


def test_the_upload_needs_the_form_token(client, stored):
    response = client.post(
        "/verify",
        data={"report": (io.BytesIO(stored["report"].pdf), "report.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


def test_a_file_over_the_limit_is_refused_plainly(make_app, stored):
    small = make_app(REPORT_VERIFY_MAX_BYTES=50_000)
    client = small.test_client()
    # Just over the limit: read, and refused on the form.
    response = _upload(client, b"%PDF-" + b"x" * 50_000)
    assert response.status_code == 400
    assert "larger than" in response.get_data(as_text=True)
    # Far over it: refused before it is read, on the same page.
    response = _upload(client, b"%PDF-" + b"x" * 500_000)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "larger than" in html
    assert "Check a report" in html


def test_the_verify_page_accepts_more_than_other_forms(app, client):
    # Other forms stay within MAX_CONTENT_LENGTH; the verify page takes reports up to its own.
    assert app.config["REPORT_VERIFY_MAX_BYTES"] > app.config["MAX_CONTENT_LENGTH"]
    big = b"%PDF-" + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1000)
    assert _upload(client, big).status_code == 200
    response = client.post("/login", data={"csrf_token": "x", "email": "a" * len(big)})
    assert response.status_code == 413


def test_auditors_can_download_and_verify(app, stored, make_user, add_member):
    auditor = make_user()
    add_member(auditor, stored["org"], "auditor")
    client = app.test_client()
    login(client, auditor)
    listing = client.get(f"/organisations/{stored['org'].id}/reports")
    assert listing.status_code == 200
    assert stored["report"].report_id in listing.get_data(as_text=True)
    assert "Open a correction" not in listing.get_data(as_text=True)
    downloaded = client.get(f"/assessments/{stored['assessment_id']}/report.pdf").data
    verified = _upload(client, downloaded).get_data(as_text=True)
    assert '<div class="panel panel--confirmation"' in verified


def test_verifying_is_rate_limited_per_address(make_app, stored):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_VERIFY="2 per minute")
    client = limited.test_client()
    for _ in range(2):
        assert _upload(client, b"%PDF-1.7 nothing").status_code == 200
    response = _upload(client, b"%PDF-1.7 nothing")
    assert response.status_code == 429
    assert client.get("/verify").status_code == 200
