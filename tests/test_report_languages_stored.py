"""A finalised report is stored in English and in Welsh: both verifiable by their own SHA-256,
both listed with their language, both downloadable, and the audit event names both."""

from __future__ import annotations

import hashlib
import io

import pikepdf
import pytest
from finalise_helpers import answered_draft, finalise
from helpers import login
from sqlalchemy import select
from test_verify import _upload

from assess import db
from assess.models import AuditEvent, StoredReport, StoredReportLanguage


@pytest.fixture
def stored(app, make_user, make_org):
    admin = make_user(name="Ada Admin")
    org = make_org(name="Testshire Council", members={admin: "admin"})
    assessment_id = answered_draft(app, org, admin)
    report = finalise(app, assessment_id, admin)
    with app.app_context():
        stored = {
            x.locale: x.pdf
            for x in db.session().scalars(
                select(StoredReportLanguage).where(
                    StoredReportLanguage.stored_report_id == report.id
                )
            )
        }
    assert set(stored) == {"cy", "cy-en"}
    return {
        "report": report,
        "welsh": stored["cy"],
        "bilingual": stored["cy-en"],
        "admin": admin,
        "org": org,
        "id": assessment_id,
    }


def _lang(pdf: bytes) -> str:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return str(document.Root.Lang)


def _data(pdf: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return document.attachments["assessment.json"].get_file().read_bytes()


def test_both_languages_are_stored_with_the_same_data(stored):
    english, welsh = stored["report"].pdf, stored["welsh"]
    assert _lang(english) == "en" and _lang(welsh) == "cy"
    assert english != welsh
    assert _data(english) == _data(welsh)
    assert hashlib.sha256(_data(welsh)).hexdigest() == stored["report"].data_sha256


def test_the_welsh_file_is_verified_and_says_its_language(client, stored):
    html = _upload(client, stored["welsh"]).get_data(as_text=True)
    assert '<div class="panel panel--confirmation"' in html
    assert stored["report"].report_id in html
    assert hashlib.sha256(stored["welsh"]).hexdigest() in html
    assert "Welsh" in html
    english = _upload(client, stored["report"].pdf).get_data(as_text=True)
    assert '<div class="panel panel--confirmation"' in english and "English" in english
    changed = bytearray(stored["welsh"])
    changed[len(changed) // 2] ^= 0x01
    assert "panel--failure" in _upload(client, bytes(changed)).get_data(as_text=True)


def test_both_are_listed_and_downloadable(app, client, stored):
    login(client, stored["admin"])
    page = client.get(f"/organisations/{stored['org'].id}/reports").get_data(as_text=True)
    welsh_sha = hashlib.sha256(stored["welsh"]).hexdigest()
    assert stored["report"].sha256 in page and welsh_sha in page
    assert f"/assessments/{stored['id']}/report.pdf?lang=cy" in page
    assert f"/assessments/{stored['id']}/report.pdf?lang=en" in page
    assert "</span>: Welsh (PDF" in page and "</span>: English (PDF" in page
    welsh = client.get(f"/assessments/{stored['id']}/report.pdf?lang=cy")
    assert welsh.data == stored["welsh"]
    assert welsh.headers["ETag"].strip('"') == welsh_sha
    assert (
        welsh.headers["Content-Disposition"].endswith('-cy.pdf"')
        or "-cy.pdf" in (welsh.headers["Content-Disposition"])
    )
    english = client.get(f"/assessments/{stored['id']}/report.pdf?lang=en")
    assert english.data == stored["report"].pdf
    bilingual = client.get(f"/assessments/{stored['id']}/report.pdf?summary=bilingual")
    assert bilingual.data == stored["bilingual"]
    assert f"/assessments/{stored['id']}/report.pdf?lang=cy-en" in page
    # An unknown language is the person's own (English here), never an error.
    assert client.get(f"/assessments/{stored['id']}/report.pdf?lang=fr").data == english.data


def test_the_audit_event_says_which_languages_were_stored(app, stored):
    with app.app_context():
        event = (
            db.session()
            .scalars(select(AuditEvent).where(AuditEvent.action == "assessment.finalised"))
            .one()
        )
        report = db.session().get(StoredReport, stored["report"].id)
        languages = event.detail["languages"]
        assert languages == {
            "en": report.sha256,
            "cy": hashlib.sha256(stored["welsh"]).hexdigest(),
            "cy-en": hashlib.sha256(stored["bilingual"]).hexdigest(),
        }


def test_a_stored_copy_in_another_language_cannot_be_changed_or_deleted(app, stored):
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DBAPIError

    with app.app_context():
        session = db.session()
        for statement in (
            update(StoredReportLanguage).values(sha256="0" * 64),
            delete(StoredReportLanguage),
        ):
            with pytest.raises(DBAPIError, match="cannot be changed or deleted"):
                session.execute(statement)
            session.rollback()
        assert len(session.scalars(select(StoredReportLanguage)).all()) == 2


def test_every_language_moves_with_an_export_and_still_verifies(app, make_app, stored, tmp_path):
    from export_helpers import export, import_file

    document = export(app, tmp_path / "org.json", "--organisation", str(stored["org"].id))
    assert {r["locale"] for r in document["records"]["stored_report_languages"]} == {"cy", "cy-en"}
    target = make_app()
    result = import_file(target, tmp_path / "org.json")
    assert result.exit_code == 0, result.output
    response = _upload(target.test_client(), stored["welsh"])
    assert response.status_code == 200
    assert "Verified" in response.get_data(as_text=True)
