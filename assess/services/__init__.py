"""Business rules. Views call these functions; only here is the database session committed."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule refused the request. ``message`` is a sentence for the person; ``field`` names the
    form field it concerns, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
