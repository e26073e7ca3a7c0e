"""The ``assess`` command: Flask's CLI with the application's own command groups."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from assess import migrate
from assess.questionnaire import loader
from assess.services import ServiceError, accounts, maintenance
from assess.services import questionnaires as questionnaire_service


def _create_app() -> Flask:
    from assess import create_app

    # A broken questionnaire must not stop the command that reports it (see create_app).
    return create_app(strict_questionnaires=False)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """assess: stakeholder-management maturity for public bodies."""


def init_app(app: Flask) -> None:
    """Add assess's command groups to ``app.cli`` (and so to the ``assess`` command)."""
    app.cli.add_command(db_group)
    app.cli.add_command(questionnaires_group)
    app.cli.add_command(users_group)
    app.cli.add_command(maintenance_group)


@click.group("db", cls=AppGroup)
def db_group() -> None:
    """Create and migrate the database."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Bring the database schema up to REVISION (default: the newest)."""
    migrate.upgrade(current_app, revision)
    click.echo(f"Database is at revision {revision}.")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Take the database schema back to REVISION."""
    migrate.downgrade(current_app, revision)


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does.")
@with_appcontext
def db_revision(message: str) -> None:
    """Write a migration for the difference between the models and the database."""
    migrate.revision(current_app, message)


@db_group.command("check")
@with_appcontext
def db_check() -> None:
    """Exit 1 if the models and the migrations disagree."""
    diffs = migrate.differences(current_app)
    for diff in diffs:
        click.echo(repr(diff))
    if diffs:
        raise SystemExit(1)
    click.echo("Models and migrations agree.")


@click.group("questionnaires", cls=AppGroup)
def questionnaires_group() -> None:
    """Check the questionnaire files."""


@questionnaires_group.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@with_appcontext
def questionnaires_validate(paths: tuple[Path, ...]) -> None:
    """Check questionnaire files (default: the app's questionnaires folder).

    Prints each problem as ``file: path: message`` and exits 1, or one line per good file. When
    the database has been set up, the files are also compared with the versions already used.
    """
    targets = list(paths) or [questionnaire_service.questionnaires_dir(current_app)]
    loaded, problems = loader.load_paths(targets)
    good = [(path, q) for path, q in loaded if not any(p.file == path.name for p in problems)]
    sources = {q.id: path for path, q in good}
    stored = questionnaire_service.stored_problems(current_app, [q for _path, q in good], sources)
    if stored is None:
        click.echo(
            "(Not compared with stored versions: the database is not set up or not reachable.)",
            err=True,
        )
    else:
        problems += stored
    for problem in problems:
        click.echo(str(problem))
    for path, questionnaire in good:
        if any(p.file in {path.name, f"{path.parent.name}/{path.name}"} for p in problems):
            continue
        questions = sum(1 for _ in questionnaire.questions())
        click.echo(
            f"{path.name}: {questionnaire.kind} v{questionnaire.version}, "
            f"{len(questionnaire.sections)} sections, {questions} questions \N{EN DASH} OK"
        )
    if problems:
        raise SystemExit(1)


@click.group("users", cls=AppGroup)
def users_group() -> None:
    """Manage accounts from the command line."""


@users_group.command("create-operator")
@click.option("--email", prompt="Email address", help="The operator's sign-in address.")
@click.option("--name", prompt="Name", default="Operator", show_default=True, help="Their name.")
@click.option(
    "--password",
    prompt="Password",
    hide_input=True,
    confirmation_prompt=True,
    help="At least 12 characters (prompted for, unseen, when not given).",
)
@with_appcontext
def create_operator(email: str, name: str, password: str) -> None:
    """Create an instance operator, who approves and suspends organisations.

    An existing account with EMAIL is made an operator instead (its password is kept).
    """
    try:
        user = accounts.create_operator(name, email, password)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"{user.email} is an instance operator.")


@click.group("maintenance", cls=AppGroup)
def maintenance_group() -> None:
    """Housekeeping to run from cron."""


@maintenance_group.command("purge")
@with_appcontext
def maintenance_purge() -> None:
    """Delete what has outlived its retention period (run daily).

    Organisations past their deletion grace period, and each step other features register (see
    assess.services.maintenance). Prints one line per step.
    """
    for name, count in maintenance.purge().items():
        click.echo(f"{name}: {count}")
