"""Schema migrations with Alembic, driven from the ``assess db`` commands and the tests."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from flask import Flask

from assess import db, models
from assess.paths import MIGRATIONS_DIR


def alembic_config(app: Flask) -> Config:
    """An Alembic configuration for ``app``'s database, with no ``alembic.ini`` needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    # env.py takes the engine from here rather than from a URL in a file.
    config.attributes["engine"] = db.engine(app)
    return config


def upgrade(app: Flask, revision: str = "head") -> None:
    """Bring the database up to ``revision``."""
    command.upgrade(alembic_config(app), revision)


def downgrade(app: Flask, revision: str) -> None:
    """Take the database back to ``revision``."""
    command.downgrade(alembic_config(app), revision)


def revision(app: Flask, message: str) -> None:
    """Write a new migration by comparing the models with the upgraded database."""
    command.revision(alembic_config(app), message=message, autogenerate=True)


def differences(app: Flask) -> list[Any]:
    """What autogenerate would change: empty when the models and the migrations agree."""
    with db.engine(app).connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, models.Base.metadata)
