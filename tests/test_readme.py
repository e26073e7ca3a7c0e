"""The README's Quick start says what a newcomer gets from ``make run`` and ``make test``: every
statement it makes is checked here against the Makefile and against the demo as ``assess demo``
loads it, so the README cannot drift from what a fresh clone does. (CI's first stage runs
``make run`` itself in a fresh clone; see .ci/run and .ci/newcomer.py.)"""

from __future__ import annotations

import re

import pytest
from scoring_helpers import ROOT

from assess.demo import load
from assess.questionnaire.answers import Status
from assess.services import assessments, organisations

README = (ROOT / "README.md").read_text(encoding="utf-8")
QUICK_START = README[README.index("## Quick start") : README.index("## Configuration")]
FLAT = " ".join(QUICK_START.split())
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
DEMO = load()


def _make_variable(name: str) -> str:
    """A Makefile variable's value, with its continuation lines joined."""
    match = re.search(rf"^{name}\s*[?:]?=\s*((?:.*\\\n)*.*)$", MAKEFILE, re.MULTILINE)
    assert match, name
    return " ".join(match.group(1).replace("\\\n", " ").split())


def _table_rows(text: str, first_header: str) -> list[list[str]]:
    """The rows of the Markdown table whose first header cell is ``first_header``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_make_run_serves_where_the_readme_says():
    host, port = _make_variable("HOST"), _make_variable("PORT")
    assert f"<http://{host}:{port}/>" in QUICK_START
    assert "make run" in QUICK_START and "make test" in QUICK_START
    # make run loads the demo straight after migrating, as the README says.
    run_recipe = MAKEFILE[MAKEFILE.index("\nrun:") : MAKEFILE.index("\ntest:")]
    assert run_recipe.index("db upgrade") < run_recipe.index("assess demo")


def test_the_sign_in_table_is_the_demos_people_and_password():
    rows = _table_rows(QUICK_START, "account")
    stated = {}
    for account, role in rows:
        match = re.fullmatch(r"`([^`]+)`", account)
        assert match, account
        stated[match.group(1)] = role
    actual = {p.email: f"{p.role} ({p.name})" for p in DEMO.people}
    assert stated == actual
    assert f"the password `{DEMO.password}`" in FLAT


def test_the_debian_packages_tables_are_what_the_makefile_installs():
    rows = _table_rows(QUICK_START, "package")
    run_packages, test_packages = set(), set()
    for packages, why in rows:
        names = set(re.findall(r"`([^`]+)`", packages))
        (test_packages if "(tests only)" in packages else run_packages).update(names)
        assert why, packages
    assert run_packages == set(_make_variable("SYSTEM_PACKAGES").split())
    assert test_packages == set(_make_variable("TEST_SYSTEM_PACKAGES").split())


@pytest.fixture
def demo_assessment(app, runner):
    result = runner.invoke(args=["demo", "--quick"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        (organisation,) = [
            o for o in organisations.all_organisations() if o.name == DEMO.details.name
        ]
        (assessment,) = assessments.for_organisation(organisation.id)
        yield assessment


def test_the_demos_size_is_as_stated(app, demo_assessment):
    with app.app_context():
        per_questionnaire: dict[str, int] = {}
        statuses = dict.fromkeys(Status, 0)
        register_rows = 0
        for questionnaire in assessments.questionnaires_of(demo_assessment):
            answers = assessments.answers(demo_assessment, questionnaire.id)
            per_questionnaire[questionnaire.id] = len(answers)
            for answer in answers.values():
                statuses[answer.status] += 1
            if "register" in answers:
                register_rows = len(answers["register"].value)
    total = sum(per_questionnaire.values())
    parts = ", ".join(f"{n} {q}" for q, n in per_questionnaire.items())
    assert f"{total} questions with a stored answer ({parts})" in FLAT
    answered = statuses[Status.ANSWERED]
    dont_know = statuses[Status.DONT_KNOW]
    not_applicable = statuses[Status.NOT_APPLICABLE]
    assert (
        f'of which {answered} are answered, {dont_know} "don\'t know" and '
        f'{not_applicable} "not applicable"'
    ) in FLAT
    assert f"a stakeholder register of {register_rows} rows" in FLAT


def test_running_the_demo_twice_changes_nothing_as_stated(app, runner, demo_assessment):
    assert "Running `assess demo` again changes nothing" in FLAT
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    assert "already exists" in again.output
