"""The ``assess`` command: Flask's CLI with the application's own command groups."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from assess import migrate
from assess.services import ServiceError, accounts


def _create_app() -> Flask:
    from assess import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """assess: stakeholder-management maturity for public bodies."""


def init_app(app: Flask) -> None:
    """Add assess's command groups to ``app.cli`` (and so to the ``assess`` command)."""
    app.cli.add_command(db_group)
    app.cli.add_command(users_group)


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
