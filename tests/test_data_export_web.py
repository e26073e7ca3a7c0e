"""Downloading an export from the web: an admin their organisation's, an operator the whole
instance's; nobody else; audited; the same file as the command writes."""

from __future__ import annotations

import json

from helpers import login
from sqlalchemy import select

from assess import db
from assess.data_format import schema
from assess.models import AuditEvent


def _events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session().scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_an_admin_downloads_the_organisation_export_from_its_page(app, client, make_user, make_org):
    admin = make_user(name="Ada Admin")
    org = make_org(name="Môn Council", members={admin: "admin"})
    other = make_org(name="Elsewhere")
    login(client, admin)
    page = client.get(f"/organisations/{org.id}")
    assert f'href="/organisations/{org.id}/export.json"'.encode() in page.data
    response = client.get(f"/organisations/{org.id}/export.json")
    assert response.status_code == 200
    assert response.is_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    document = json.loads(response.get_data())
    assert schema.validator().is_valid(document)
    assert document["scope"] == {"kind": "organisation", "organisation_id": org.id}
    assert [o["name"] for o in document["records"]["organisations"]] == ["Môn Council"]
    assert all("password_hash" not in p for p in document["records"]["people"])
    (event,) = _events(app, "data.exported")
    assert event.organisation_id == org.id
    assert event.detail == {"with_credentials": False, "from": "web"}
    # Another organisation's export is not theirs to take.
    assert client.get(f"/organisations/{other.id}/export.json").status_code in (403, 404)


def test_members_who_are_not_admins_cannot_download_it(client, make_user, make_org):
    respondent = make_user()
    org = make_org(members={respondent: "respondent"})
    login(client, respondent)
    assert b"export.json" not in client.get(f"/organisations/{org.id}").data
    assert client.get(f"/organisations/{org.id}/export.json").status_code == 403


def test_an_operator_downloads_the_whole_instance(app, client, make_user, make_org):
    operator = make_user(operator=True)
    admin = make_user()
    make_org(name="One", members={admin: "admin"})
    make_org(name="Two")
    login(client, operator)
    assert b'href="/operator/export.json"' in client.get("/operator/organisations").data
    response = client.get("/operator/export.json")
    assert response.status_code == 200
    document = json.loads(response.get_data())
    assert document["scope"] == {"kind": "instance"}
    assert sorted(o["name"] for o in document["records"]["organisations"]) == ["One", "Two"]
    assert (
        document["audit_chain"]["last_hash"]
        == document["records"]["audit_events"][-1]["event_hash"]
    )
    assert len(_events(app, "data.exported")) == 1


def test_an_admin_is_not_an_operator_and_strangers_sign_in_first(app, client, make_user, make_org):
    admin = make_user()
    org = make_org(members={admin: "admin"})
    login(client, admin)
    assert client.get("/operator/export.json").status_code == 403
    stranger = app.test_client()
    assert stranger.get("/operator/export.json").status_code == 302
    assert stranger.get(f"/organisations/{org.id}/export.json").status_code == 302
    assert _events(app, "data.exported") == []


def test_an_export_that_fails_half_way_is_never_taken_for_a_whole_one(
    app, client, make_user, make_org, monkeypatch, tmp_path
):
    from export_helpers import import_file

    from assess.data_format import export_file

    admin = make_user()
    org = make_org(members={admin: "admin"})
    login(client, admin)
    original = export_file._check

    def failing(key, data):
        if key == "audit_events":
            raise export_file.ExportInvalid("audit_events record 1: broken on purpose")
        original(key, data)

    monkeypatch.setattr(export_file, "_check", failing)
    response = client.get(f"/organisations/{org.id}/export.json", buffered=False)
    assert response.status_code == 200  # the headers went out before the failure
    received = b""
    try:
        for chunk in response.response:
            received += chunk
    except export_file.ExportInvalid:
        pass
    else:  # pragma: no cover
        raise AssertionError("the export should have stopped")
    assert received.startswith(b"{") and not received.rstrip().endswith(b"}")
    (tmp_path / "partial.json").write_bytes(received)
    result = import_file(app, tmp_path / "partial.json")
    assert result.exit_code == 1
    assert "ends too soon: it was cut off" in result.output
