"""Every ``assess`` command runs without a terminal when its options are given: in a script, a
container's entrypoint or cron nothing is asked for, and a missing option is an error naming it,
never a prompt that waits or aborts. Each command is run as a separate process with stdin closed.

The commands come from the application, so a command added later without an entry in COMMANDS
fails ``test_every_command_is_run_here``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from helpers import PASSWORD
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from assess import db
from assess.models import User

ASSESS = str(Path(sys.executable).with_name("assess"))

#: Each command with the options that make it complete, and the exit codes it may end with. In
#: order: later ones use what earlier ones made (the demo's assessment, its rendered report).
COMMANDS: dict[str, tuple[list[str], set[int]]] = {
    "db upgrade": (["db", "upgrade"], {0}),
    "db check": (["db", "check"], {0}),
    "db downgrade": (["db", "downgrade", "head"], {0}),
    "questionnaires validate": (["questionnaires", "validate"], {0}),
    "users create-operator": (
        [
            "users",
            "create-operator",
            "--email",
            "op@example.org",
            "--password",
            "a long operator pass",
        ],
        {0},
    ),
    # This year's assessment only: the commands after it need an assessment and its trail, not
    # last year's finalised reports (the whole demo is loaded in tests/test_demo.py).
    "demo": (["demo", "--quick"], {0}),
    "report render": (["report", "render", "1", "-o", "{tmp}/report.pdf"], {0}),
    # A draft's report is not a finalised one: verify says so and exits 1, without asking.
    "report verify": (["report", "verify", "{tmp}/report.pdf"], {0, 1}),
    # Without ASSESS_REDIS_URL there is nothing for a worker to do: it says so and exits 2.
    "worker": (["worker", "--burst"], {2}),
    "maintenance purge": (["maintenance", "purge"], {0}),
    "mail send": (["mail", "send"], {0}),
    "audit verify": (["audit", "verify"], {0}),
    "export": (["export", "--all", "-o", "{tmp}/export.json"], {0}),
    # The instance it exports is already here: the import refuses the clash and exits 1.
    "import": (["import", "{tmp}/export.json"], {1}),
    # Not a questionnaire pack (a zip): the check says so and exits 1, asking nothing.
    "questionnaires install": (["questionnaires", "install", "{tmp}/export.json"], {1}),
    # Grants only on PostgreSQL, to a role that must exist: elsewhere it says why and exits 1.
    "db grant-app-role": (["db", "grant-app-role", "assess_app_not_there"], {0, 1}),
    "routes": (["routes"], {0}),
    "shell": (["shell"], {0}),  # reads its commands from stdin: none, so it ends
}
#: Commands not run here, and why.
NOT_RUN = {
    "db revision": "writes a migration into the source tree; it asks nothing (-m is required)",
    "run": "serves until stopped; it asks nothing",
}


def _all_commands(group: click.Group, prefix: str = "") -> list[str]:
    found = []
    for name, command in group.commands.items():
        full = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found += _all_commands(command, f"{full} ")
        else:
            found.append(full)
    return found


def test_every_command_is_run_here(app):
    from flask.cli import FlaskGroup

    builtin = FlaskGroup(add_default_commands=True).commands
    names = set(_all_commands(app.cli)) | set(builtin)
    assert names == set(COMMANDS) | set(NOT_RUN)


@pytest.fixture
def environment(make_database, tmp_path):
    url = make_database()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSESS_")}
    env.update(
        ASSESS_DATABASE_URL=url,
        ASSESS_INSTANCE_PATH=str(tmp_path / "instance"),
        ASSESS_MAIL_BACKEND="file",
        PYTHONUNBUFFERED="1",
    )
    return env, url


def _run(args, env, tmp_path):
    return subprocess.run(
        [ASSESS, *(a.replace("{tmp}", str(tmp_path)) for a in args)],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_each_command_runs_with_stdin_closed(environment, tmp_path):
    env, url = environment
    for label, (args, codes) in COMMANDS.items():
        result = _run(args, env, tmp_path)
        assert result.returncode in codes, (label, result.returncode, result.stderr[-2000:])
        assert "Aborted" not in result.stderr, label
    engine = create_engine(url)
    with Session(engine) as session:
        operator = session.scalar(select(User).where(User.email == "op@example.org"))
        assert operator is not None and operator.is_operator and operator.name == "Operator"
    engine.dispose()
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")


def test_create_operator_asks_nothing_when_its_options_are_given(app, runner):
    result = runner.invoke(
        args=["users", "create-operator", "--email", "op@example.org", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert "op@example.org is an instance operator." in result.output
    with app.app_context():
        user = db.session().scalar(select(User))
        assert user.is_operator and user.name == "Operator"


def test_a_missing_option_is_named_rather_than_waited_for(app, runner):
    result = runner.invoke(args=["users", "create-operator", "--email", "op@example.org"])
    assert result.exit_code == 2
    assert "Give --password: there is no terminal to ask for it." in result.output
    # The password can come from the environment instead, out of the process list.
    result = runner.invoke(
        args=["users", "create-operator", "--email", "op@example.org", "--name", "Olu"],
        env={"ASSESS_OPERATOR_PASSWORD": PASSWORD},
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session().scalar(select(User)).name == "Olu"
