"""``assess questionnaires validate`` says what is wrong, file by file, or that all is well."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from assess import cli
from assess.services.questionnaires import current_questionnaires, ensure_stored

DATA = Path(__file__).parent / "data" / "questionnaires"


def test_the_shipped_questionnaires_are_ok(app, runner):
    result = runner.invoke(args=["questionnaires", "validate"])
    assert result.exit_code == 0, result.output
    qset = current_questionnaires(app)
    questions = sum(1 for _ in qset.adoption.questions())
    sections = len(qset.adoption.sections)
    assert (
        f"adoption.yaml: adoption v{qset.adoption.version}, {sections} sections, "
        f"{questions} questions \N{EN DASH} OK"
    ) in result.stdout.splitlines()
    assert len(result.stdout.splitlines()) == 4  # definition, model fit, adoption, perception
    assert result.stderr == ""


def test_each_problem_is_printed_on_its_own_line_and_the_exit_code_is_1(runner):
    result = runner.invoke(
        args=["questionnaires", "validate", str(DATA / "broken" / "duplicate-ids.yaml")]
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert lines[0] == (
        "duplicate-ids.yaml: sections[0] (scope) > questions[1] (def-where) > options[2] (plan) "
        "> id: option id `plan` is used twice in this list (first at [1])"
    )


def test_good_files_are_still_reported_ok_beside_bad_ones(runner):
    result = runner.invoke(
        args=[
            "questionnaires",
            "validate",
            str(DATA / "valid" / "definition.yaml"),
            str(DATA / "broken" / "level-missing.yaml"),
        ]
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "level-missing.yaml: sections[0] (leadership) > questions[0] (lead-commitment) > "
        "levels: levels 1 to 5 are all needed; missing [4]",
        "definition.yaml: definition v1.0.0, 2 sections, 4 questions \N{EN DASH} OK",
    ]


def test_a_file_changed_without_a_new_version_is_reported(make_app, tmp_path):
    folder = tmp_path / "questionnaires"
    shutil.copytree(DATA / "valid", folder)
    app = make_app(QUESTIONNAIRES_DIR=str(folder))
    with app.app_context():
        ensure_stored(current_questionnaires())
    adoption = folder / "adoption.yaml"
    adoption.write_text(adoption.read_text().replace("Name a lead", "Name a senior lead"))
    result = app.test_cli_runner().invoke(args=["questionnaires", "validate"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "questionnaires/adoption.yaml: changed but its version is still 1.0.0: bump `version`",
        "definition.yaml: definition v1.0.0, 2 sections, 4 questions \N{EN DASH} OK",
        "model-fit.yaml: model-fit v1.0.0, 1 sections, 2 questions \N{EN DASH} OK",
    ]


def test_validation_needs_no_database(make_app, tmp_path):
    unreachable = "sqlite:///" + str(tmp_path / "no-such-folder" / "assess.sqlite3")
    app = make_app(DATABASE_URL=unreachable)
    result = app.test_cli_runner().invoke(args=["questionnaires", "validate", str(DATA / "valid")])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 3
    assert "Not compared with stored versions" in result.stderr


def test_the_assess_command_runs_validate_even_when_the_questionnaires_are_broken(tmp_path):
    folder = tmp_path / "questionnaires"
    shutil.copytree(DATA / "valid", folder)
    shutil.copy(DATA / "broken" / "unknown-key.yaml", folder / "definition.yaml")
    env = {
        "ASSESS_QUESTIONNAIRES_DIR": str(folder),
        "ASSESS_INSTANCE_PATH": str(tmp_path / "instance"),
        "ASSESS_DATABASE_URL": f"sqlite:///{tmp_path / 'assess.sqlite3'}",
        "ASSESS_SECRET_KEY": "test",
    }
    result = CliRunner(env=env).invoke(cli.main, ["questionnaires", "validate"])
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[0] == (
        "definition.yaml: sections[0] (scope) > questions[1] (def-where): "
        "unknown key `show_iff` (did you mean `show_if`?)"
    )


def _later_adoption(tmp_path, carry_over: str):
    """A copy of the shipped questionnaires whose adoption file is a later version with
    lead-commitment renamed lead-pledge, and ``carry_over`` appended."""
    import shutil

    from assess.paths import QUESTIONNAIRES_DIR

    folder = tmp_path / "questionnaires"
    shutil.copytree(QUESTIONNAIRES_DIR, folder)
    adoption = folder / "adoption.yaml"
    text = adoption.read_text(encoding="utf-8").replace("lead-commitment", "lead-pledge")
    text = text.replace('version: "2.1.0"', 'version: "3.0.0"', 1)
    adoption.write_text(text + carry_over, encoding="utf-8")
    return folder


def test_a_carry_over_mapping_is_validated(runner, tmp_path):
    good = _later_adoption(
        tmp_path / "good",
        "carry_over:\n  - from: [lead-commitment]\n    to: [lead-pledge]\n"
        '    note: {en: "Renamed"}\n',
    )
    result = runner.invoke(args=["questionnaires", "validate", str(good)])
    assert result.exit_code == 0, result.output
    assert "adoption.yaml: adoption v3.0.0" in result.output
    bad = _later_adoption(
        tmp_path / "bad",
        "carry_over:\n  - from: [lead-commitment]\n    to: [no-such-question]\n"
        "  - from: [lead-commitment, lead-resources]\n    to: [lead-pledge]\n",
    )
    result = runner.invoke(args=["questionnaires", "validate", str(bad)])
    assert result.exit_code == 1
    assert "`no-such-question` is not a question of this version" in result.output
    assert "`lead-commitment` is already mapped by carry_over[0]" in result.output
    assert "`lead-resources` is still a question of this version" in result.output
