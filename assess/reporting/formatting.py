"""Dates and text directions as the report prints them."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date


def format_datetime(value: datetime | None, zone: str, locale: str = "en") -> str | None:
    """``value`` in ``zone`` for people: ``3 March 2026, 14:05 GMT (UTC+00:00)``, the month in
    ``locale`` (``3 Mawrth 2026`` in Welsh)."""
    if value is None:
        return None
    local = value.astimezone(ZoneInfo(zone))
    offset = local.strftime("%z")
    day = babel_format_date(local.date(), "d MMMM y", locale=locale)
    return f"{day}, {local:%H:%M} {local:%Z} (UTC{offset[:3]}:{offset[3:]})"


def text_direction(text: str | None) -> str:
    """``rtl`` or ``ltr`` from the first letter with a strong direction, as ``dir="auto"`` does.

    WeasyPrint does not resolve ``dir="auto"`` itself, so the report states the direction
    (``auto`` when the text has no letter with a direction, such as a number).
    """
    for character in text or "":
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "auto"
