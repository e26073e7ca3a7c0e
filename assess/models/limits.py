"""Rate-limit counts kept in the database, so that every worker process of an instance shares them
(see ``assess.limits``)."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from assess.db import Base


class RateLimitCounter(Base):
    """One counter of the ``limits`` library: a key, its count and when its window ends."""

    __tablename__ = "rate_limit_counter"

    #: The limiter's key (endpoint, limit and who is counted; email addresses are hashed).
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    #: Hits in the current window.
    count: Mapped[int] = mapped_column(Integer, default=0)
    #: When the window ends, in seconds since the epoch; the count starts again after it.
    expires_at: Mapped[float] = mapped_column(Float, index=True)
