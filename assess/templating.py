"""Jinja filters: times in the organisation's own zone, labels for stored values, names isolated
from the text around them, and the one way a text box states its limit."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from babel.numbers import format_decimal
from flask import Flask
from flask_babel import gettext
from markupsafe import Markup, escape

from assess import context
from assess.i18n import current_locale
from assess.permissions import ROLE_LABELS
from assess.reference import COUNTRIES, QUESTIONNAIRE_NAMES, SECTORS, SIZE_BANDS


def local_time(moment: datetime | None, time_zone: str | None = None) -> str:
    """``moment`` in ``time_zone`` (default: the current organisation's, else UTC) with its
    offset, e.g. "29 Nov 2026, 15:04 (UTC+00:00)"; the month is named in the page's language
    ("29 Tach 2026, 15:04 (UTC+00:00)" in Welsh)."""
    if moment is None:
        return ""
    zone_name = time_zone or context.current_time_zone() or "UTC"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    # The month's short name in the page's language ("Nov", "Tach"), not strftime's English.
    written = format_datetime(local, "d MMM y, HH:mm", tzinfo=zone, locale=current_locale())
    return f"{written} (UTC{offset[:3]}:{offset[3:]})"


def clock_time(moment: datetime | None, time_zone: str | None = None) -> str:
    """The time of day of :func:`local_time` with its offset, e.g. "15:04 (UTC+00:00)"."""
    return local_time(moment, time_zone).partition(", ")[2]


def grouped(value: int) -> str:
    """A count with the page language's thousands separator: "1,000", not "1000"."""
    return format_decimal(value, format="#,##0", locale=current_locale())


def bdi(name: object) -> Markup:
    """A name people chose, isolated from the sentence around it (``<bdi>``), so that a
    right-to-left name neither reorders nor is reordered by the words next to it."""
    return Markup('<bdi dir="auto">%s</bdi>') % escape("" if name is None else name)


def bdi_print(name: object) -> Markup:
    """:func:`bdi` for the PDF: WeasyPrint ignores ``unicode-bidi``, so the name is also wrapped in
    the Unicode isolate characters (FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE), which the
    text layout applies itself and which print as nothing."""
    return Markup('<bdi dir="auto">\u2068%s\u2069</bdi>') % escape("" if name is None else name)


def char_limit(most: int) -> Markup:
    """The attributes of a text box limited to ``most`` characters.

    Characters are counted as the server counts them: Unicode code points (an emoji is one, a
    flag two), never the browser's UTF-16 units. So the box has no ``maxlength``, which would cut
    pasted text silently at a different count; assess.js counts as the person types and says how
    many are left or too many, and the server refuses a longer text with a message, keeping it to
    shorten.
    """
    return Markup(
        ' data-max-chars="%d" data-msg-chars-left="%s" data-msg-chars-one-left="%s" '
        'data-msg-chars-over="%s" data-msg-chars-one-over="%s"'
    ) % (
        most,
        gettext("You have {n} characters left (of %(most)s).", most=f"{most:,}"),
        gettext("You have 1 character left (of %(most)s).", most=f"{most:,}"),
        gettext("{n} characters too many: shorten it to %(most)s.", most=f"{most:,}"),
        gettext("1 character too many: shorten it to %(most)s.", most=f"{most:,}"),
    )


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(bdi, "bdi")
    app.add_template_filter(grouped, "grouped")
    app.add_template_global(char_limit, "char_limit")
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
