"""A questionnaire version is stored when first used, and editing the file never rewrites it."""

from __future__ import annotations

import shutil
from datetime import UTC
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from assess import create_app, db
from assess.models import QuestionnaireVersion
from assess.questionnaire import loader
from assess.questionnaire.problems import QuestionnaireError
from assess.services.questionnaires import (
    check_stored,
    current_questionnaires,
    ensure_stored,
    load_stored,
)

DATA = Path(__file__).parent / "data" / "questionnaires"
OLD_TEXT = "How committed are the leaders?"
NEW_TEXT = "How committed are the senior leaders?"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the tiny valid set that a test may edit."""
    target = tmp_path / "questionnaires"
    shutil.copytree(DATA / "valid", target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def row_count(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(QuestionnaireVersion))


def test_the_app_keeps_the_questionnaires_it_loaded_at_start_up(make_app, folder):
    app = make_app(QUESTIONNAIRES_DIR=str(folder))
    with app.app_context():
        qset = current_questionnaires()
    assert qset.sources["adoption"] == folder / "adoption.yaml"
    assert current_questionnaires(app) is qset


def test_the_shipped_questionnaires_are_the_default(app):
    assert current_questionnaires(app).adoption.id == "adoption"
    assert len(current_questionnaires(app).adoption.sections) >= 7


def test_first_use_stores_each_version_once(make_app, folder):
    app = make_app(QUESTIONNAIRES_DIR=str(folder))
    assert row_count(app) == 0
    with app.app_context():
        qset = current_questionnaires()
        rows = ensure_stored(qset)
        assert sorted(rows) == ["adoption", "definition", "model-fit"]
        row = rows["adoption"]
        assert (row.questionnaire_id, row.version, row.kind) == ("adoption", "1.0.0", "adoption")
        assert row.content_sha256 == loader.fingerprint(qset.adoption)
        assert row.first_used_at.tzinfo == UTC
        again = ensure_stored(qset)
        assert {k: r.id for k, r in again.items()} == {k: r.id for k, r in rows.items()}
    assert row_count(app) == 3


def test_start_up_refuses_a_file_changed_without_a_new_version(make_app, folder):
    app = make_app(QUESTIONNAIRES_DIR=str(folder))
    with app.app_context():
        ensure_stored(current_questionnaires())
    edit(folder / "adoption.yaml", OLD_TEXT, NEW_TEXT)
    with pytest.raises(QuestionnaireError) as caught:
        make_app(DATABASE_URL=app.config["DATABASE_URL"], QUESTIONNAIRES_DIR=str(folder))
    assert str(caught.value) == (
        f"The questionnaires in {folder} cannot be used:\n"
        "questionnaires/adoption.yaml: changed but its version is still 1.0.0: bump `version`"
    )


def test_a_comment_or_layout_change_is_not_a_content_change(make_app, folder):
    app = make_app(QUESTIONNAIRES_DIR=str(folder))
    with app.app_context():
        ensure_stored(current_questionnaires())
    edit(
        folder / "adoption.yaml",
        "    weight: 3\n",
        "    # Leadership counts most.\n    weight:   3\n",
    )
    restarted = make_app(DATABASE_URL=app.config["DATABASE_URL"], QUESTIONNAIRES_DIR=str(folder))
    assert current_questionnaires(restarted).adoption.sections[0].weight == 3


def test_a_new_version_is_stored_beside_the_old_one_which_stays_as_it_was(make_app, folder):
    app = make_app(QUESTIONNAIRES_DIR=str(folder))
    with app.app_context():
        old_row_id = ensure_stored(current_questionnaires())["adoption"].id
    edit(folder / "adoption.yaml", OLD_TEXT, NEW_TEXT)
    edit(folder / "adoption.yaml", 'version: "1.0.0"', 'version: "1.1.0"')
    restarted = make_app(DATABASE_URL=app.config["DATABASE_URL"], QUESTIONNAIRES_DIR=str(folder))
    with restarted.app_context():
        new_row = ensure_stored(current_questionnaires())["adoption"]
        old_row = db.session().get(QuestionnaireVersion, old_row_id)
        assert (old_row.version, new_row.version) == ("1.0.0", "1.1.0")
        assert new_row.id != old_row.id
        # An assessment that started on 1.0.0 still reads the old wording.
        assert load_stored(old_row).question("lead-commitment").text.get() == OLD_TEXT
        assert load_stored(new_row).question("lead-commitment").text.get() == NEW_TEXT
        assert load_stored(old_row) == loader.from_content(old_row.content)
    assert row_count(restarted) == 4


def test_ensure_stored_refuses_changed_content_and_stores_nothing(make_app, folder):
    app = make_app(QUESTIONNAIRES_DIR=str(folder))
    with app.app_context():
        ensure_stored(current_questionnaires())
    edit(folder / "model-fit.yaml", 'version: "1.0.0"', 'version: "1.0.1"')
    edit(folder / "adoption.yaml", OLD_TEXT, NEW_TEXT)
    with app.app_context():
        changed = loader.load_directory(folder)
        with pytest.raises(QuestionnaireError, match=r"adoption\.yaml: changed but its version"):
            ensure_stored(changed)
    assert row_count(app) == 3


def test_a_questionnaire_cannot_change_its_kind(make_app, folder):
    app = make_app(QUESTIONNAIRES_DIR=str(folder))
    with app.app_context():
        qset = current_questionnaires()
        session = db.session()
        session.add(
            QuestionnaireVersion(
                questionnaire_id="definition",
                version="0.9.0",
                kind="adoption",
                content={},
                content_sha256="0" * 64,
            )
        )
        session.commit()
        problems = check_stored(session, qset, qset.sources)
    assert [str(p) for p in problems] == [
        "questionnaires/definition.yaml: kind: `definition` was used with kind `adoption`; "
        "a questionnaire of kind `definition` needs an id of its own"
    ]


def test_a_broken_questionnaire_stops_start_up(make_app, tmp_path):
    folder = tmp_path / "questionnaires"
    shutil.copytree(DATA / "valid", folder)
    shutil.copy(DATA / "broken" / "missing-key.yaml", folder / "definition.yaml")
    with pytest.raises(QuestionnaireError, match=r"definition\.yaml: .*missing key `text`"):
        make_app(QUESTIONNAIRES_DIR=str(folder))


def test_the_command_line_app_starts_with_a_broken_questionnaire_and_says_why(
    make_database, tmp_path
):
    folder = tmp_path / "questionnaires"
    shutil.copytree(DATA / "valid", folder)
    shutil.copy(DATA / "broken" / "missing-key.yaml", folder / "definition.yaml")
    config = {
        "TESTING": True,
        "DATABASE_URL": make_database(),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "QUESTIONNAIRES_DIR": str(folder),
    }
    app = create_app(config, strict_questionnaires=False)
    try:
        with pytest.raises(QuestionnaireError, match="missing key `text`"):
            current_questionnaires(app)
    finally:
        db.engine(app).dispose()


def test_start_up_before_db_upgrade_skips_the_version_check(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    app = create_app(
        {"TESTING": True, "DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path / "instance")}
    )
    try:
        assert current_questionnaires(app).definition.kind == "definition"
    finally:
        db.engine(app).dispose()
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.dialect.get_table_names(connection) == []
    engine.dispose()


def test_start_up_with_the_database_down_skips_the_version_check(make_app, tmp_path):
    unreachable = "sqlite:///" + str(tmp_path / "no-such-folder" / "assess.sqlite3")
    app = make_app(DATABASE_URL=unreachable)
    assert current_questionnaires(app).model_fit.kind == "model-fit"
