"""``assess export`` and ``assess import``: what the file holds, the round trip into an empty
database (SQLite to PostgreSQL and back), and what still verifies after a move."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from database_helpers import ON_POSTGRES, SERVER_URL, _base_config, _database_url, _run_admin
from export_helpers import comparable, export, import_file
from factories import org_factory, user_factory
from finalise_helpers import answered_draft, correct, finalise
from sqlalchemy import func, select

from assess import create_app, db, migrate
from assess.data_format import schema, serializer
from assess.models import Assessment, AuditEvent, Organisation, StoredReport, User

ROOT = Path(__file__).resolve().parent.parent


def _history(app):
    """The demo council (answers, register, survey, plan) and a second organisation with a
    finalised report that a correction superseded."""
    assert app.test_cli_runner().invoke(args=["demo", "--quick"]).exit_code == 0
    admin = user_factory(app)(name="Ada Admin", email="ada@example.org")
    org = org_factory(app)(name="Llanfair Council", members={admin: "admin"})
    first = answered_draft(app, org, admin)
    finalise(app, first, admin)
    corrected = correct(app, first, admin)
    finalise(app, corrected, admin)
    return org


@pytest.fixture
def history(load_snapshot):
    """:func:`_history`, made once per worker and copied for each test."""
    return load_snapshot(_history)


def _count(app, model) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model))


def test_the_shipped_schema_is_the_one_the_models_give():
    # A model change that changes the format fails here until its version is decided.
    assert schema.load() == schema.generate()


def test_the_published_schema_is_the_shipped_one():
    published = ROOT / "docs" / "formats" / schema.schema_filename()
    assert json.loads(published.read_text("utf-8")) == schema.load()


def test_an_instance_export_round_trips_through_an_empty_database(app, make_app, history, tmp_path):
    first = export(app, tmp_path / "all.json", "--all")
    assert first["scope"] == {"kind": "instance"}
    assert schema.validator().is_valid(first)
    reports = {r["report_id"]: r for r in first["records"]["stored_reports"]}
    assert len(reports) == 2
    assert any(r["superseded_by_id"] for r in reports.values())
    assert all("password_hash" not in p for p in first["records"]["people"])

    target = make_app()
    result = import_file(target, tmp_path / "all.json")
    assert result.exit_code == 0, result.output
    assert "Imported the whole instance" in result.output

    # The trail verifies event for event, and the move's own import is at its end.
    verified = target.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "intact" in verified.output
    second = export(target, tmp_path / "again.json", "--all")
    assert comparable(second) == comparable(first)
    actions = [e["action"] for e in second["records"]["audit_events"]]
    assert actions[-2:] == ["data.imported", "data.exported"]

    # A stored report still verifies, byte for byte, on the new instance.
    with app.app_context():
        pdf = db.session().scalars(select(StoredReport.pdf).order_by(StoredReport.id)).first()
    (tmp_path / "report.pdf").write_bytes(pdf)
    checked = target.test_cli_runner().invoke(
        args=["report", "verify", str(tmp_path / "report.pdf")]
    )
    assert checked.exit_code == 0, checked.output
    assert "superseded" in checked.output

    # New records get new ids after the imported ones (the id sequences moved on).
    with target.app_context():
        largest = db.session().scalar(select(func.max(Organisation.id)))
    with target.test_request_context():
        organisation = Organisation(
            name="After the move",
            sector="local_government",
            size_band="250_999",
            country="GB",
            time_zone="Europe/London",
        )
        db.session().add(organisation)
        db.session().commit()
        assert organisation.id == largest + 1


def test_an_organisation_export_holds_that_organisation_only(app, history, tmp_path):
    document = export(app, tmp_path / "org.json", "--organisation", str(history.id))
    records = document["records"]
    assert document["scope"] == {"kind": "organisation", "organisation_id": history.id}
    assert [o["name"] for o in records["organisations"]] == ["Llanfair Council"]
    assert {a["organisation_id"] for a in records["assessments"]} == {history.id}
    assert [p["email"] for p in records["people"]] == ["ada@example.org"]
    assert {e["organisation_id"] for e in records["audit_events"]} == {history.id}
    assert len(records["stored_reports"]) == 2
    assert records["surveys"] == []


def test_an_organisation_moves_to_an_empty_instance(app, make_app, history, tmp_path):
    first = export(app, tmp_path / "org.json", "--organisation", str(history.id))
    target = make_app()
    result = import_file(target, tmp_path / "org.json")
    assert result.exit_code == 0, result.output
    second = export(target, tmp_path / "again.json", "--organisation", str(history.id))
    mine = comparable(first)
    theirs = comparable(second)
    # The organisation's earlier events stay in the file unless they start the new trail.
    mine["records"].pop("audit_events"), theirs["records"].pop("audit_events")
    mine["records"].pop("audit_people"), theirs["records"].pop("audit_people")
    assert theirs == mine
    assert target.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0
    with target.app_context():
        imported = (
            db.session()
            .scalars(select(AuditEvent).where(AuditEvent.action == "data.imported"))
            .one()
        )
    assert imported.detail["checksum"] == first["checksum"]
    assert imported.detail["events_carried"] == len(first["records"]["audit_events"])


def test_without_credentials_people_set_a_new_password_after_the_move(
    app, make_app, history, tmp_path
):
    export(app, tmp_path / "plain.json", "--all")
    target = make_app()
    assert import_file(target, tmp_path / "plain.json").exit_code == 0
    with target.app_context():
        ada = db.session().scalars(select(User).where(User.email == "ada@example.org")).one()
        assert ada.password_hash == serializer.NO_PASSWORD
    from helpers import PASSWORD, post

    response = post(target.test_client(), "/login", {"email": ada.email, "password": PASSWORD})
    assert response.status_code != 302
    assert b"Sign out" not in response.data


def test_with_credentials_people_sign_in_as_before(app, make_app, history, tmp_path):
    document = export(app, tmp_path / "keys.json", "--all", "--with-credentials")
    assert all(p["password_hash"].startswith("$argon2") for p in document["records"]["people"])
    target = make_app()
    assert import_file(target, tmp_path / "keys.json").exit_code == 0
    from helpers import login

    with target.app_context():
        ada = db.session().scalars(select(User).where(User.email == "ada@example.org")).one()
    client = target.test_client()
    login(client, ada)  # signed in: redirected onwards
    assert b"Llanfair Council" in client.get("/").data


def test_importing_twice_is_refused_naming_the_record_and_stores_nothing(app, history, tmp_path):
    export(app, tmp_path / "all.json", "--all")
    before = {model: _count(app, model) for model in (Organisation, Assessment, AuditEvent)}
    result = import_file(app, tmp_path / "all.json")
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output
    assert "clashes with a record already in this database" in result.output
    assert "organisations record 1 (Demo Borough Council)" in result.output
    after = {model: _count(app, model) for model in (Organisation, Assessment, AuditEvent)}
    assert after == before


def test_two_organisations_sharing_a_person_move_one_after_the_other(
    app, make_app, make_user, make_org, tmp_path
):
    consultant = make_user(name="Cai Consultant", email="cai@example.org")
    first = make_org(name="Anglesey", members={consultant: "admin"})
    second = make_org(name="Gwynedd", members={consultant: "admin", make_user(): "respondent"})
    answered_draft(app, first, consultant)
    answered_draft(app, second, consultant)
    export(app, tmp_path / "a.json", "--organisation", str(first.id))
    export(app, tmp_path / "b.json", "--organisation", str(second.id))
    target = make_app()
    assert import_file(target, tmp_path / "a.json").exit_code == 0
    result = import_file(target, tmp_path / "b.json")
    assert result.exit_code == 0, result.output
    assert "people already here (the same), kept as they were: 1" in result.output
    with target.app_context():
        names = db.session().scalars(select(Organisation.name).order_by(Organisation.id)).all()
        assert names == ["Anglesey", "Gwynedd"]
        assert db.session().scalar(select(func.count()).select_from(User)) == 2
        assert db.session().scalar(select(func.count()).select_from(Assessment)) == 2
    assert target.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_the_export_command_needs_exactly_one_scope(runner, tmp_path):
    result = runner.invoke(args=["export", "-o", str(tmp_path / "x.json")])
    assert result.exit_code == 2
    assert "exactly one of --organisation ID and --all" in result.output
    result = runner.invoke(args=["export", "--organisation", "99", "-o", str(tmp_path / "x.json")])
    assert result.exit_code == 1
    assert "There is no organisation 99" in result.output
    assert not (tmp_path / "x.json").exists()


def _postgres_server() -> str | None:
    if ON_POSTGRES:
        return SERVER_URL
    return os.environ.get("ASSESS_TEST_POSTGRES_URL")


@pytest.mark.skipif(
    _postgres_server() is None,
    reason="needs a PostgreSQL server (ASSESS_DATABASE_URL or ASSESS_TEST_POSTGRES_URL)",
)
def test_sqlite_to_postgresql_and_back_gives_the_same_file(tmp_path, monkeypatch):
    import database_helpers

    monkeypatch.setattr(database_helpers, "SERVER_URL", _postgres_server())
    apps = []

    def sqlite_app(name: str):
        app = create_app(_base_config(f"sqlite:///{tmp_path / name}.sqlite3", tmp_path / name))
        with app.app_context():
            migrate.upgrade(app)
        apps.append(app)
        return app

    name = f"assess_export_{os.getpid()}_{tmp_path.name[-12:]}".replace("-", "_").lower()
    _run_admin(f'CREATE DATABASE "{name}"')
    try:
        source = sqlite_app("source")
        assert source.test_cli_runner().invoke(args=["demo", "--quick"]).exit_code == 0
        postgres = create_app(_base_config(_database_url(name), tmp_path / "pg"))
        apps.append(postgres)
        with postgres.app_context():
            migrate.upgrade(postgres)
        first = export(source, tmp_path / "1.json", "--all")
        assert import_file(postgres, tmp_path / "1.json").exit_code == 0
        assert postgres.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0
        second = export(postgres, tmp_path / "2.json", "--all")
        back = sqlite_app("back")
        assert import_file(back, tmp_path / "2.json").exit_code == 0
        assert back.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0
        third = export(back, tmp_path / "3.json", "--all")
        assert comparable(second) == comparable(first)
        assert comparable(third) == comparable(first)
    finally:
        for app in apps:
            db.engine(app).dispose()
        _run_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_an_organisation_on_a_questionnaire_pack_moves_with_its_pack(
    app, make_app, make_user, make_org, tmp_path
):
    """The pack the organisation uses, and its questionnaire versions, travel with it: on the
    new instance its assessment still has its pack and new assessments use the pack."""
    from pack_helpers import pack_zip, rename_first_adoption_question

    from assess.models import OrganisationPack, QuestionnairePack
    from assess.services import assessments, packs

    operator = make_user(operator=True)
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    with app.test_request_context():
        staged, check = packs.stage(
            pack_zip(rename_first_adoption_question("Who leads the work with residents?")),
            "parish-light.zip",
            operator,
        )
        assert staged is not None, check
        installed = packs.install(staged, operator)
        packs.set_users(installed, [organisation.id], operator)
        started = assessments.start(
            organisation.id, admin, "On the pack", packs.questionnaires_for(organisation.id)
        )
        pack_id, adoption_version = started.questionnaire_pack_id, started.adoption_version_id
        assert pack_id == installed.id
    first = export(app, tmp_path / "org.json", "--organisation", str(organisation.id))
    assert [p["id"] for p in first["records"]["questionnaire_packs"]] == [pack_id]
    assert [p["organisation_id"] for p in first["records"]["organisation_packs"]] == [
        organisation.id
    ]
    target = make_app()
    result = import_file(target, tmp_path / "org.json")
    assert result.exit_code == 0, result.output
    with target.test_request_context():
        moved = db.session().get(Assessment, started.id)
        assert moved.questionnaire_pack_id == pack_id
        assert moved.adoption_version_id == adoption_version
        assert db.session().get(QuestionnairePack, pack_id).status == "installed"
        assert db.session().get(OrganisationPack, organisation.id).pack_id == pack_id
        new = packs.questionnaires_for(organisation.id).adoption
        first_question = next(iter(new.questions()))[1]
        assert first_question.text.get("en") == "Who leads the work with residents?"


def test_the_benchmark_history_moves_with_the_instance_not_an_organisation(
    app, make_app, history, tmp_path
):
    """The disclosure rules check a new release against every release ever shown, so the
    releases travel in a whole-instance file (and are never part of one organisation's)."""
    from assess.models import BenchmarkRelease

    with app.app_context():
        release = BenchmarkRelease(
            group_kind="sector",
            group_value="local_government",
            method_version="2.1",
            contributors={str(history.id): "1:2026-01-01"},
            contributor_count=1,
            figures={"areas": []},
        )
        db.session().add(release)
        db.session().commit()
        release_id = release.id
    whole = export(app, tmp_path / "all.json", "--all")
    assert [r["id"] for r in whole["records"]["benchmark_releases"]] == [release_id]
    one = export(app, tmp_path / "org.json", "--organisation", str(history.id))
    assert one["records"].get("benchmark_releases", []) == []
    target = make_app()
    result = import_file(target, tmp_path / "all.json")
    assert result.exit_code == 0, result.output
    with target.app_context():
        moved = db.session().get(BenchmarkRelease, release_id)
        assert moved.contributors == {str(history.id): "1:2026-01-01"}
