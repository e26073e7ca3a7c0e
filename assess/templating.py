"""Jinja filters: times in the organisation's own zone, and labels for stored values."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask

from assess import context
from assess.i18n import current_locale
from assess.permissions import ROLE_LABELS
from assess.reference import COUNTRIES, QUESTIONNAIRE_NAMES, SECTORS, SIZE_BANDS


def local_time(moment: datetime | None, time_zone: str | None = None) -> str:
    """``moment`` in ``time_zone`` (default: the current organisation's, else UTC) with its
    offset, e.g. "29 Nov 2026, 15:04 (UTC+00:00)"."""
    if moment is None:
        return ""
    zone_name = time_zone or context.current_time_zone() or "UTC"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    return f"{local.day} {local:%b %Y, %H:%M} (UTC{offset[:3]}:{offset[3:]})"


def clock_time(moment: datetime | None, time_zone: str | None = None) -> str:
    """The time of day of :func:`local_time` with its offset, e.g. "15:04 (UTC+00:00)"."""
    return local_time(moment, time_zone).partition(", ")[2]


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(local_time, "localtime")
    app.add_template_filter(clock_time, "clocktime")
    app.add_template_filter(lambda value: SECTORS.get(value, value), "sector")
    app.add_template_filter(lambda value: SIZE_BANDS.get(value, value), "size_band")
    app.add_template_filter(lambda value: COUNTRIES.get(value, value), "country")
    app.add_template_filter(lambda value: ROLE_LABELS.get(value, value), "role")
    app.add_template_filter(questionnaire_name, "qname")


def questionnaire_name(questionnaire: object) -> str:
    """The one name of a questionnaire on every page ("Definition", "Model fit", "Adoption"),
    by its kind; a questionnaire of another kind keeps its own title."""
    kind = getattr(questionnaire, "kind", None)
    if kind in QUESTIONNAIRE_NAMES:
        return str(QUESTIONNAIRE_NAMES[kind])
    title = getattr(questionnaire, "title", None)
    return title.get(current_locale()) if title is not None else str(questionnaire)
