"""The database: engine, the per-request session, the declarative base, and column types.

Views and services get the session with :func:`session`. Only service functions commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

#: Constraint names follow one pattern so that migrations can name what they drop or alter.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_EXTENSION = "assess.db"


class Base(DeclarativeBase):
    """Base class of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back as an aware UTC datetime.

    SQLite keeps no time zone, so a naive value read from it is UTC by construction.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing to store a naive datetime; use assess.db.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def one_of(column: str, values: Iterable[str]) -> str:
    """The SQL of a CHECK constraint: ``column`` holds one of ``values``."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def make_engine(url: str, echo: bool = False, **pool: Any) -> Engine:
    """Create the engine; SQLite connections get WAL mode, foreign keys and a busy timeout.

    ``pool`` (PostgreSQL only): ``pool_size``, ``max_overflow``, ``pool_recycle`` and
    ``pool_pre_ping``, as :func:`init_app` reads them from the configuration.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    settings = {"pool_pre_ping": True, **pool}
    return create_engine(url, echo=echo, **settings)


def init_app(app: Flask) -> None:
    """Bind an engine and a session factory to ``app``; close the session after each request."""
    engine = make_engine(
        app.config["DATABASE_URL"],
        echo=app.config["DATABASE_ECHO"],
        pool_size=app.config["DATABASE_POOL_SIZE"],
        max_overflow=app.config["DATABASE_MAX_OVERFLOW"],
        pool_recycle=app.config["DATABASE_POOL_RECYCLE"],
        pool_pre_ping=app.config["DATABASE_POOL_PRE_PING"],
    )
    app.extensions[_EXTENSION] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine(app: Flask | None = None) -> Engine:
    """The engine of ``app`` (default: the current app)."""
    factory: sessionmaker[Session] = (app or current_app).extensions[_EXTENSION]
    bound = factory.kw["bind"]
    assert isinstance(bound, Engine)
    return bound


def session() -> Session:
    """The session of the current app context, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions[_EXTENSION]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session: Session | None = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


def lost_race(error: DBAPIError) -> bool:
    """Whether ``error`` is another transaction's write getting there first, so that reading again
    and retrying is the answer: a unique key taken, a deadlock broken, a serialisation failure (not
    a database that is down, nor a check that failed)."""
    if isinstance(error, IntegrityError):
        return getattr(error.orig, "sqlstate", None) in (None, "23505")
    return getattr(error.orig, "sqlstate", None) in {"40P01", "40001"}


def ping() -> None:
    """One round trip to the database; raises if it cannot be reached."""
    with engine().connect() as connection:
        connection.execute(text("SELECT 1")).scalar_one()
