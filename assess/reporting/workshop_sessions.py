"""The report's workshop section: each facilitated session, who took part, and how each question
on which the room's views differed was resolved."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import ngettext

from assess.i18n import N_
from assess.reporting.formatting import format_datetime, text_direction

if TYPE_CHECKING:
    from assess.reporting.context import ReportInput

_RESOLUTION = {
    "agreed": N_("Discussed and agreed"),
    "aggregate": N_("Aggregate accepted"),
    "open": N_("Not resolved"),
}


def workshop_sessions(report: ReportInput) -> list[dict[str, Any]] | None:
    """Each workshop session: who took part, and how each divergent question was resolved."""
    if not report.workshop:
        return None
    zone, locale = report.organisation_timezone, report.locale
    sessions = []
    for entry in report.workshop:
        divergent = []
        for item in entry.get("divergent", ()):
            if item.get("range") is not None:
                spread = ngettext(
                    "answers %(num)s level apart", "answers %(num)s levels apart", item["range"]
                )
            elif item.get("most_common_share") is not None:
                spread = _(
                    "most common answer %(percent)d%%",
                    percent=round(item["most_common_share"] * 100),
                )
            else:
                spread = ""
            resolution = item["resolution"]
            divergent.append(
                {
                    "text": item["text"],
                    "spread": spread,
                    "resolution": _(_RESOLUTION[resolution])
                    if resolution in _RESOLUTION
                    else resolution,
                    "note": item.get("note") or "",
                    "note_dir": text_direction(item.get("note")),
                }
            )
        opened = format_datetime(entry.get("opened_at"), zone, locale)
        closed = format_datetime(entry.get("closed_at"), zone, locale)
        took_part = _(
            "%(participants)s gave %(answers)s to %(questions)s.",
            participants=ngettext(
                "%(num)d participant", "%(num)d participants", entry["participants"]
            ),
            answers=ngettext(
                "%(num)d individual answer", "%(num)d individual answers", entry["answers"]
            ),
            questions=ngettext("%(num)d question", "%(num)d questions", entry["questions"]),
        )
        agreed = ngettext(
            "The room agreed %(num)d answer after discussion and accepted the aggregate for "
            "%(aggregate)d.",
            "The room agreed %(num)d answers after discussion and accepted the aggregate for "
            "%(aggregate)d.",
            entry["agreed"],
            aggregate=entry["aggregate"],
        )
        when = (
            _("Opened %(opened)s, closed %(closed)s.", opened=opened, closed=closed)
            if closed
            else _("Opened %(opened)s; still open.", opened=opened)
        )
        sessions.append(
            {
                "title": entry["title"],
                "status": entry["status"],
                "opened": opened,
                "closed": closed,
                "summary": " ".join((took_part, agreed, when)),
                "agreed": entry["agreed"],
                "aggregate": entry["aggregate"],
                "divergent": divergent,
            }
        )
    return sessions
