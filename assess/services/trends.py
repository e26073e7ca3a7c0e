"""Trends: each area's level and score against the previous finalised assessment, and the
organisation's maturity over all its finalised assessments.

A finalised assessment's figures are read from its stored report (the ``assessment.json`` the PDF
carries), so they are the figures as finalised, with the method version they were worked out
with, even after the method changes. The assessment being looked at is scored now, as on the rest
of its results page. Trends are reporting, not scoring: nothing here changes a figure.

An area is "not comparable" when the previous assessment asked its questions differently: its
level questions, or the descriptions of their levels, differ between the two questionnaire
versions (see ``docs/methodology.md``, "Trends").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from assess import db
from assess.models import Assessment
from assess.questionnaire.schema import LevelQuestion, Questionnaire
from assess.scoring import METHOD_VERSION
from assess.services import assessments, finalising


@dataclass(frozen=True)
class Point:
    """One assessment's figures."""

    assessment_id: int
    title: str
    moment: datetime
    status: str
    method_version: str
    level: int | None
    score: float | None
    #: By dimension id: title, floor, mean.
    dimensions: dict[str, dict[str, Any]]


def finalised_of(organisation_id: int) -> list[Assessment]:
    """The organisation's finalised assessments (corrections replace what they correct), oldest
    first."""
    return list(
        db.session().scalars(
            select(Assessment)
            .where(Assessment.organisation_id == organisation_id, Assessment.status == "finalised")
            .order_by(Assessment.finalised_at, Assessment.id)
        )
    )


def _stored_point(assessment: Assessment) -> Point | None:
    stored = finalising.stored_report(assessment)
    if stored is None:
        return None
    data = json.loads(finalising.stored_data(stored))
    maturity = data.get("result", {}).get("maturity", {})
    overall = maturity.get("overall", {})
    return Point(
        assessment_id=assessment.id,
        title=assessment.title,
        moment=assessment.finalised_at or assessment.updated_at,
        status=assessment.status,
        method_version=str(data.get("method_version") or "1.0"),
        level=overall.get("level"),
        score=overall.get("maturity_score"),
        dimensions={
            d["dimension_id"]: {
                "title": d.get("title"),
                "floor": d.get("floor"),
                "mean": d.get("mean"),
            }
            for d in maturity.get("dimensions", [])
        },
    )


def _live_point(assessment: Assessment, locale: str) -> Point:
    result = assessments.score(assessment, locale)
    overall = result.maturity.overall
    return Point(
        assessment_id=assessment.id,
        title=assessment.title,
        moment=assessment.finalised_at or assessment.updated_at,
        status=assessment.status,
        method_version=result.method_version,
        level=overall.level,
        score=overall.maturity_score,
        dimensions={
            d.dimension_id: {"title": d.title, "floor": d.floor, "mean": d.mean}
            for d in result.maturity.dimensions
        },
    )


def previous_finalised(assessment: Assessment) -> Assessment | None:
    """The finalised assessment before ``assessment``: for a draft, the latest finalised one."""
    earlier = [
        a
        for a in finalised_of(assessment.organisation_id)
        if a.id != assessment.id
        and (
            assessment.finalised_at is None
            or (a.finalised_at is not None and a.finalised_at < assessment.finalised_at)
        )
    ]
    return earlier[-1] if earlier else None


def _level_meaning(questionnaire: Questionnaire, dimension_id: str) -> tuple[Any, ...] | None:
    try:
        section = questionnaire.section(dimension_id)
    except KeyError:
        return None
    return tuple(
        (q.id, tuple(q.levels[n].get("en") for n in range(1, 6)))
        for q in section.questions
        if isinstance(q, LevelQuestion)
    )


def comparable_dimensions(previous: Assessment, current: Assessment) -> set[str]:
    """The dimensions whose questions mean the same in both assessments' questionnaires."""
    if previous.adoption_version_id == current.adoption_version_id:
        return {s.id for s in assessments.questionnaires_of(current).adoption.sections}
    before = assessments.questionnaires_of(previous).adoption
    now = assessments.questionnaires_of(current).adoption
    return {
        s.id
        for s in now.sections
        if _level_meaning(now, s.id) is not None
        and _level_meaning(now, s.id) == _level_meaning(before, s.id)
    }


def _change(before: float | None, after: float | None, *, decimals: int) -> dict[str, Any]:
    """A change as a direction and words (never colour alone)."""
    if before is None or after is None:
        return {
            "direction": "none",
            "arrow": "",
            "text": "not comparable",
            "amount": "",
            "delta": None,
        }
    delta = round(after - before, decimals)
    shown = f"{abs(delta):.{decimals}f}" if decimals else f"{abs(delta):g}"
    if delta > 0:
        return {
            "direction": "up",
            "arrow": "\u25b2",
            "text": f"up {shown}",
            "amount": shown,
            "delta": delta,
        }
    if delta < 0:
        return {
            "direction": "down",
            "arrow": "\u25bc",
            "text": f"down {shown}",
            "amount": shown,
            "delta": delta,
        }
    return {"direction": "same", "arrow": "=", "text": "no change", "amount": "0", "delta": 0}


def _label(moment: datetime, zone: str, locale: str = "en") -> str:
    """``5 Mar 2026`` in ``zone``, the month in ``locale`` (``5 Maw 2026`` in Welsh)."""
    local = moment.astimezone(ZoneInfo(zone))
    return format_date(local.date(), "d MMM y", locale=locale)


def trend(
    assessment: Assessment, locale: str = "en", *, status: str | None = None
) -> dict[str, Any] | None:
    """This assessment against the previous finalised one, and the figures of every finalised
    assessment up to it (then this one, if it is not finalised yet), as plain values; None when
    there is no earlier finalised assessment. ``status`` overrides the assessment's own (the
    report rendered while finalising shows it as finalised)."""
    previous = previous_finalised(assessment)
    if previous is None:
        return None
    zone = assessment.organisation.time_zone
    before = _stored_point(previous)
    if before is None:
        return None
    now = _live_point(assessment, locale)
    if status is not None:
        now = replace(now, status=status)
    comparable = comparable_dimensions(previous, assessment)
    rows = []
    for dimension_id, figures in now.dimensions.items():
        earlier = before.dimensions.get(dimension_id)
        ok = earlier is not None and dimension_id in comparable
        rows.append(
            {
                "dimension_id": dimension_id,
                "title": figures["title"],
                "comparable": ok,
                "previous_floor": earlier["floor"] if earlier else None,
                "current_floor": figures["floor"],
                "floor_change": _change(
                    earlier["floor"] if ok else None, figures["floor"], decimals=0
                ),
                "previous_mean": earlier["mean"] if earlier else None,
                "current_mean": figures["mean"],
                "mean_change": _change(
                    earlier["mean"] if ok else None, figures["mean"], decimals=2
                ),
            }
        )
    history = [
        p
        for p in (
            _stored_point(a)
            for a in finalised_of(assessment.organisation_id)
            if assessment.finalised_at is None
            or (a.finalised_at is not None and a.finalised_at <= assessment.finalised_at)
        )
        if p is not None and p.assessment_id != assessment.id
    ]
    history.append(now)
    return {
        "previous": {
            "assessment_id": previous.id,
            "title": previous.title,
            "date": _label(before.moment, zone, locale),
            "method_version": before.method_version,
        },
        "current": {"title": assessment.title, "method_version": now.method_version},
        "method_changed": before.method_version != now.method_version,
        "overall": {
            "previous_level": before.level,
            "current_level": now.level,
            "level_change": _change(before.level, now.level, decimals=0),
            "previous_score": before.score,
            "current_score": now.score,
            "score_change": _change(before.score, now.score, decimals=1),
        },
        "rows": rows,
        "not_comparable": [r["title"] for r in rows if not r["comparable"]],
        "points": [
            {
                "assessment_id": p.assessment_id,
                "title": p.title,
                "label": _label(p.moment, zone, locale)
                if p.status == "finalised"
                else _("%(date)s (draft)", date=_label(p.moment, zone, locale)),
                "method_version": p.method_version,
                "level": p.level,
                "score": p.score,
                "current": p.assessment_id == assessment.id,
            }
            for p in history
        ],
        "current_method": METHOD_VERSION,
    }
