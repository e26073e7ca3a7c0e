"""A storage for the ``limits`` library in the app's own database, so that every worker process
(``gunicorn -w 4``) and every machine sharing the database counts together without another
service. Registered as ``assess+database://``; ``assess.limits`` uses it unless a Redis URL is
configured.

One row per counter (``rate_limit_counter``); an increment is one atomic upsert, so concurrent
workers never lose a count. Expired rows are removed by ``assess maintenance purge``.
"""

from __future__ import annotations

import time
from typing import Any

from limits.storage import Storage
from sqlalchemy import Engine, case, delete, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from assess.models import RateLimitCounter

SCHEME = "assess+database"
_TABLE = RateLimitCounter.__table__


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_limit_counter`` table (SQLite or PostgreSQL)."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012 - the type the limits library declares

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        engine: Engine | None = None,
        **options: Any,
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        if engine is None:
            raise ValueError("the database storage needs the app's engine (storage_options)")
        self.engine = engine
        dialect = engine.dialect.name
        if dialect not in {"sqlite", "postgresql"}:
            raise ValueError(f"the database storage supports SQLite and PostgreSQL, not {dialect}")
        self._insert = sqlite_insert if dialect == "sqlite" else postgresql_insert

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        expired = _TABLE.c.expires_at <= now
        statement = (
            self._insert(_TABLE)
            .values(key=key, count=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[_TABLE.c.key],
                set_={
                    "count": case((expired, amount), else_=_TABLE.c.count + amount),
                    "expires_at": case((expired, now + expiry), else_=_TABLE.c.expires_at),
                },
            )
            .returning(_TABLE.c.count)
        )
        with self.engine.begin() as connection:
            return int(connection.execute(statement).scalar_one())

    def get(self, key: str) -> int:
        with self.engine.connect() as connection:
            count = connection.execute(
                select(_TABLE.c.count).where(_TABLE.c.key == key, _TABLE.c.expires_at > time.time())
            ).scalar_one_or_none()
        return int(count or 0)

    def get_expiry(self, key: str) -> float:
        with self.engine.connect() as connection:
            expires = connection.execute(
                select(_TABLE.c.expires_at).where(_TABLE.c.key == key)
            ).scalar_one_or_none()
        return float(expires) if expires is not None else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(delete(_TABLE)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(_TABLE).where(_TABLE.c.key == key))


def purge_expired(engine: Engine, now: float | None = None) -> int:
    """Delete counters whose window has ended; returns how many."""
    with engine.begin() as connection:
        result = connection.execute(
            delete(_TABLE).where(_TABLE.c.expires_at <= (now or time.time()))
        )
    return result.rowcount
