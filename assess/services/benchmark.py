"""The peer benchmark: who contributes, the releases of each group's figures, and where a body
stands against its sector and its size band.

Contributions. Every organisation that has not opted out (:func:`set_participation`) and is
active contributes its latest finalised assessment, as its stored report gives it (the figures as
finalised), when that report was worked out with a method of the current major version (2.0 and
2.1 score maturity alike; a 1.x report does not count) and has a lowest level and a score in every
area of the current adoption questionnaire. One organisation, one contribution.

Releases. Figures are never computed live for a page: :func:`refresh` (a step of ``assess
maintenance purge``, which runs daily) publishes a new snapshot of a group only under the rules
of :mod:`assess.scoring.benchmark`, checked against every release ever made. A page shows a
group's latest release while every organisation in it still takes part; when one opts out, is
suspended or is deleted, the release stops being shown at once, and the group waits for a release
that differs from every earlier one in at least the threshold's number of contributions.

Nothing here changes a score: the benchmark is reporting.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, or_, select

from assess import audit, db
from assess.models import Assessment, BenchmarkRelease, Organisation, StoredReport, User
from assess.reference import SECTORS, SIZE_BANDS
from assess.scoring import METHOD_VERSION, AssessmentResult
from assess.scoring import benchmark as stats
from assess.services import assessments, finalising, maintenance
from assess.services.questionnaires import current_questionnaires

#: The groupings, in the order pages show them: the organisation's attribute and its labels.
GROUPINGS: tuple[tuple[str, dict[str, Any]], ...] = (("sector", SECTORS), ("size_band", SIZE_BANDS))


def min_peers() -> int:
    """How many organisations a group needs (``ASSESS_BENCHMARK_MIN_PEERS``, checked at start)."""
    return stats.checked_min_peers(current_app.config["BENCHMARK_MIN_PEERS"])


def _major(version: str) -> str:
    return str(version).split(".", 1)[0]


# ---- taking part ---------------------------------------------------------------------------


def set_participation(organisation: Organisation, user: User, take_part: bool) -> bool:
    """Opt the organisation into the benchmark or out of it; False when it already was.

    Opting out takes effect at once: a release with its figures is no longer shown anywhere."""
    if organisation.benchmark_opt_out == (not take_part):
        return False
    organisation.benchmark_opt_out = not take_part
    audit.record(
        audit.BENCHMARK_PARTICIPATION_CHANGED,
        organisation_id=organisation.id,
        actor=user,
        object_type="organisation",
        object_id=organisation.id,
        old="out" if take_part else "in",
        new="in" if take_part else "out",
    )
    db.session().commit()
    return True


def _taking_part() -> dict[int, Organisation]:
    """The organisations that may contribute now, by id: not opted out, active, not scheduled
    for deletion."""
    return {
        o.id: o
        for o in db.session().scalars(
            select(Organisation).where(
                Organisation.benchmark_opt_out.is_(False),
                Organisation.status == "active",
                Organisation.deletion_due_at.is_(None),
            )
        )
    }


# ---- contributions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Contributor:
    """An organisation's contribution and the groups it falls in."""

    contribution: stats.Contribution
    sector: str
    size_band: str
    method_version: str

    def group(self, kind: str) -> str:
        return self.sector if kind == "sector" else self.size_band


def area_ids() -> list[str]:
    """The areas benchmarked: those of the current adoption questionnaire, in its order."""
    return [s.id for s in current_questionnaires().adoption.sections]


def _latest_reports(organisation_ids: Iterable[int]) -> dict[int, StoredReport]:
    """Each organisation's latest finalised assessment's stored report."""
    ids = list(organisation_ids)
    if not ids:
        return {}
    latest = (
        select(Assessment.organisation_id, func.max(Assessment.finalised_at).label("at"))
        .where(Assessment.organisation_id.in_(ids), Assessment.status == "finalised")
        .group_by(Assessment.organisation_id)
        .subquery()
    )
    rows = db.session().execute(
        select(Assessment.organisation_id, StoredReport)
        .join(StoredReport, StoredReport.assessment_id == Assessment.id)
        .join(
            latest,
            (latest.c.organisation_id == Assessment.organisation_id)
            & (latest.c.at == Assessment.finalised_at),
        )
        .where(Assessment.status == "finalised")
        .order_by(Assessment.id)
    )
    found: dict[int, StoredReport] = {}
    for organisation_id, report in rows:
        found[organisation_id] = report  # the last of two finalised at once
    return found


def contributors(areas: Sequence[str] | None = None) -> list[Contributor]:
    """Every contribution that counts now (see the module's docstring)."""
    areas = list(areas if areas is not None else area_ids())
    organisations = _taking_part()
    found = []
    for organisation_id, report in sorted(_latest_reports(organisations).items()):
        data = json.loads(finalising.stored_data(report))
        version = str(data.get("method_version") or "1.0")
        if _major(version) != _major(METHOD_VERSION):
            continue
        dimensions = data.get("result", {}).get("maturity", {}).get("dimensions", [])
        contribution = stats.Contribution(
            organisation_id=organisation_id,
            key=report.sha256,
            figures={d["dimension_id"]: (d.get("floor"), d.get("mean")) for d in dimensions},
        )
        if not stats.complete(contribution, areas):
            continue
        organisation = organisations[organisation_id]
        found.append(
            Contributor(contribution, organisation.sector, organisation.size_band, version)
        )
    return found


# ---- releases ------------------------------------------------------------------------------


def _contributor_map(release: BenchmarkRelease) -> dict[int, str]:
    return {int(k): v for k, v in release.contributors.items()}


def releases() -> list[BenchmarkRelease]:
    """Every release ever made, oldest first."""
    return list(db.session().scalars(select(BenchmarkRelease).order_by(BenchmarkRelease.id)))


def _latest_by_group(made: Sequence[BenchmarkRelease]) -> dict[tuple[str, str], BenchmarkRelease]:
    latest: dict[tuple[str, str], BenchmarkRelease] = {}
    for release in made:
        latest[release.group_kind, release.group_value] = release
    return latest


def _figures_as_stored(figures: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        area: {
            "level": None if f["level"] is None else f["level"].as_dict(),
            "score": None if f["score"] is None else f["score"].as_dict(),
            "withheld": f["withheld"],
        }
        for area, f in figures.items()
    }


def refresh(now: datetime | None = None) -> list[BenchmarkRelease]:
    """Publish a new release of every group whose contributions changed, where the rules allow
    (committed); returns the releases made."""
    threshold = min_peers()
    areas = area_ids()
    everyone = contributors(areas)
    made = releases()
    history = [_contributor_map(r) for r in made]
    latest = _latest_by_group(made)
    members = {
        (kind, value): [c for c in everyone if c.group(kind) == value]
        for kind, labels in GROUPINGS
        for value in labels
    }
    candidates = {
        group: {c.contribution.organisation_id: c.contribution.key for c in found}
        for group, found in members.items()
    }
    current = {
        group: _contributor_map(release)
        for group, release in latest.items()
        if release.method_version == METHOD_VERSION
    }
    session = db.session()
    new = []
    for group in stats.plan_releases(candidates, current, history, threshold):
        figures = stats.group_figures([c.contribution for c in members[group]], areas, threshold)
        assert figures is not None  # plan_releases checked the number
        release = BenchmarkRelease(
            group_kind=group[0],
            group_value=group[1],
            method_version=METHOD_VERSION,
            contributors={str(k): v for k, v in sorted(candidates[group].items())},
            contributor_count=len(candidates[group]),
            figures=_figures_as_stored(figures),
            released_at=now or db.utcnow(),
        )
        session.add(release)
        new.append(release)
    session.commit()
    return new


@maintenance.purge_step("peer benchmark: new releases of the groups whose contributions changed")
def refresh_step(now: datetime) -> int:
    """The daily refresh; how many releases were made."""
    return len(refresh(now))


def _shown(
    release: BenchmarkRelease | None, taking_part: set[int], threshold: int
) -> BenchmarkRelease | None:
    """``release`` if it may be shown now: every organisation in it still takes part, it has
    enough contributors for today's threshold, and its method is of the current major version."""
    if release is None:
        return None
    if release.contributor_count < threshold:
        return None
    if _major(release.method_version) != _major(METHOD_VERSION):
        return None
    if not set(_contributor_map(release)) <= taking_part:
        return None
    return release


def shown_releases(
    groups: Iterable[tuple[str, str]] | None = None,
) -> dict[tuple[str, str], BenchmarkRelease]:
    """The release each group (of ``groups``, default all) shows now, by (kind, value); groups
    without one are left out."""
    latest_ids = select(func.max(BenchmarkRelease.id)).group_by(
        BenchmarkRelease.group_kind, BenchmarkRelease.group_value
    )
    query = select(BenchmarkRelease).where(BenchmarkRelease.id.in_(latest_ids))
    if groups is not None:
        wanted = list(groups)
        query = query.where(
            or_(
                *(
                    (BenchmarkRelease.group_kind == kind) & (BenchmarkRelease.group_value == value)
                    for kind, value in wanted
                )
            )
        )
    latest = list(db.session().scalars(query))
    if not latest:
        return {}
    taking_part = set(_taking_part())
    threshold = min_peers()
    found = {}
    for key, release in _latest_by_group(latest).items():
        shown = _shown(release, taking_part, threshold)
        if shown is not None:
            found[key] = shown
    return found


# ---- where a body stands -------------------------------------------------------------------


def _quartiles(stored: dict[str, float] | None) -> stats.Quartiles | None:
    return None if stored is None else stats.Quartiles(**stored)


def standing(
    assessment: Assessment, locale: str = "en", result: AssessmentResult | None = None
) -> dict[str, Any]:
    """Where ``assessment`` stands in each area against its organisation's sector and size band,
    as plain values for the results page and the report.

    ``taking_part`` is False when the organisation opted out (it then sees no peers' figures
    either); each group has ``shown`` False, with no figures, when it has no release to show.
    ``result`` is the assessment's result when the caller has already scored it."""
    organisation = assessment.organisation
    threshold = min_peers()
    base: dict[str, Any] = {
        "taking_part": not organisation.benchmark_opt_out,
        "min_peers": threshold,
        "groups": [],
    }
    if organisation.benchmark_opt_out:
        return base
    result = result or assessments.score(assessment, locale)
    own = {
        d.dimension_id: (d.title, d.floor, None if d.mean is None else stats.shown_score(d.mean))
        for d in result.maturity.dimensions
    }
    shown = shown_releases((kind, getattr(organisation, kind)) for kind, _labels in GROUPINGS)
    zone = organisation.time_zone
    for kind, labels in GROUPINGS:
        value = getattr(organisation, kind)
        release = shown.get((kind, value))
        group: dict[str, Any] = {
            "kind": kind,
            "value": value,
            "label": str(labels[value]),
            "shown": release is not None,
            "rows": [],
        }
        if release is not None:
            group["count"] = release.contributor_count
            group["released_at"] = release.released_at
            group["released"] = _date(release.released_at, zone)
            for dimension_id, (title, floor, score) in own.items():
                stored = release.figures.get(dimension_id)
                if stored is None:
                    continue
                level_q = _quartiles(stored["level"])
                score_q = _quartiles(stored["score"])
                group["rows"].append(
                    {
                        "dimension_id": dimension_id,
                        "title": title,
                        "withheld": stored["withheld"],
                        "level": floor,
                        "level_quartiles": None if level_q is None else level_q.as_dict(),
                        "level_standing": stats.standing(floor, level_q),
                        "score": score,
                        "score_quartiles": None if score_q is None else score_q.as_dict(),
                        "score_standing": stats.standing(score, score_q),
                    }
                )
        base["groups"].append(group)
    return base


def report_section(
    assessment: Assessment, locale: str = "en", result: AssessmentResult | None = None
) -> dict[str, Any]:
    """:func:`standing` as plain JSON values, for the report (its dates in words)."""
    found = standing(assessment, locale, result)
    for group in found["groups"]:
        group.pop("released_at", None)
    return found


def _date(moment: datetime, zone: str) -> str:
    """The day in English, for the report (pages format ``released_at`` in their language)."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local.day} {local:%B %Y}"


# ---- the operator's view -------------------------------------------------------------------


def operator_summary() -> list[dict[str, Any]]:
    """Per group: the organisations contributing now, the release shown (its contributors and
    date), and why a group shows nothing. For the instance operator, who may see counts."""
    threshold = min_peers()
    everyone = contributors()
    taking_part = set(_taking_part())
    made = releases()
    latest = _latest_by_group(made)
    history = [_contributor_map(r) for r in made]
    rows = []
    for kind, labels in GROUPINGS:
        for value, label in labels.items():
            members = {
                c.contribution.organisation_id: c.contribution.key
                for c in everyone
                if c.group(kind) == value
            }
            release = latest.get((kind, value))
            shown = _shown(release, taking_part, threshold)
            if shown is not None:
                state = "shown"
            elif len(members) < threshold:
                state = "too_few"
            elif release is not None and not set(_contributor_map(release)) <= taking_part:
                state = "withdrawn"
            elif not stats.may_release(members, history, threshold):
                state = "waiting"
            else:
                state = "next_refresh"
            rows.append(
                {
                    "kind": kind,
                    "value": value,
                    "label": str(label),
                    "contributing": len(members),
                    "state": state,
                    "release_count": shown.contributor_count if shown else None,
                    "released_at": shown.released_at if shown else None,
                }
            )
    return rows
