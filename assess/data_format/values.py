"""How single values are written in assess's JSON documents (the export format and the report's
embedded data share these rules).

- a moment: UTC, ISO 8601 with a ``Z``; :func:`utc_text` keeps microseconds (the export, so that a
  round trip is exact), :func:`utc_text_short` leaves them out when there are none (the report's
  data, whose bytes are fixed by its format ``assess-report-data/1``);
- a calendar date: ``YYYY-MM-DD``;
- bytes (stored PDFs, logos): standard base64;
- an answer: ``status``, ``value`` as :meth:`assess.questionnaire.answers.Answer.value_to_json`
  gives it, and ``note`` (:func:`answer_fields`).
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, date, datetime
from typing import Any

#: The pattern of :func:`utc_text` (used by the JSON Schema too).
UTC_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$"
#: The pattern of :func:`date_text`.
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def utc_text(moment: datetime | None) -> str | None:
    """``moment`` in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (None stays None)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utc_text_short(moment: datetime | None) -> str | None:
    """``moment`` in UTC as ISO 8601 with ``Z``, microseconds only when it has some."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_utc(text: str | None) -> datetime | None:
    """The inverse of :func:`utc_text`: an aware UTC datetime."""
    if text is None:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def date_text(day: date | None) -> str | None:
    """``day`` as ``YYYY-MM-DD``."""
    return None if day is None else day.isoformat()


def parse_date(text: str | None) -> date | None:
    """The inverse of :func:`date_text`."""
    return None if text is None else date.fromisoformat(text)


def binary_text(data: bytes | None) -> str | None:
    """``data`` as standard base64."""
    return None if data is None else base64.b64encode(data).decode("ascii")


def parse_binary(text: str | None) -> bytes | None:
    """The inverse of :func:`binary_text`; raises ValueError on anything but strict base64."""
    if text is None:
        return None
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as error:
        raise ValueError(f"not base64: {error}") from None


def answer_fields(status: str, value: Any, note: str) -> dict[str, Any]:
    """An answer's own fields, as both the export and the report's data write them."""
    return {"status": str(status), "value": value, "note": note}
