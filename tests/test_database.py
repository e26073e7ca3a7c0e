"""The database layer: migrations match the models; SQLite runs in WAL mode; times are UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from assess import db, migrate
from assess.db import UTCDateTime


def test_models_and_migrations_agree(app):
    assert migrate.differences(app) == []


def test_migrations_go_down_and_up_again(app):
    migrate.downgrade(app, "base")
    with db.engine(app).connect() as connection:
        tables = set(db.Base.metadata.tables)
        present = set(connection.dialect.get_table_names(connection))
        assert not tables & present
    migrate.upgrade(app)
    assert migrate.differences(app) == []


def test_sqlite_uses_write_ahead_logging(app):
    if db.engine(app).dialect.name != "sqlite":
        pytest.skip("SQLite only: this run is on PostgreSQL")
    with app.app_context(), db.engine(app).connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1


def test_times_are_stored_in_utc():
    column = UTCDateTime()
    paris = timezone(timedelta(hours=1))
    stored = column.process_bind_param(datetime(2026, 1, 1, 13, 0, tzinfo=paris), None)
    assert stored == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert stored.tzinfo == UTC
    read = column.process_result_value(datetime(2026, 1, 1, 12, 0), None)
    assert read.tzinfo == UTC


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), None)


def test_db_upgrade_command(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "head" in result.output
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
