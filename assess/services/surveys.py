"""Perception surveys: opening one for some register groups, taking responses, and the results.

An admin opens a survey on an assessment for groups of its stakeholder register. Anyone with the
survey's link (or a group's own link, or the QR code of either, or a paper copy that staff type in)
answers it, without an account. The rules kept here:

* nothing about a respondent is stored: no name, no network address, no browser; a comment's email
  addresses, phone numbers and postcodes are removed before it is stored (:mod:`assess.redaction`);
* a group's figures and comments leave this module only when the group has at least the survey's
  threshold of responses (:func:`export` is what every page, download and the report read);
* a browser that answered before is marked as a possible duplicate, never refused;
* some time after closing, :func:`purge_expired` deletes the responses and keeps their counts.

The scoring is pure (:mod:`assess.scoring.perception`).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, func, select

from assess import audit, db
from assess.models import Assessment, Organisation, Survey, SurveyGroup, SurveyResponse, User
from assess.questionnaire.schema import Questionnaire, RegisterQuestion, TextQuestion
from assess.questionnaire.validation import Message
from assess.redaction import redact
from assess.scoring import METHOD_VERSION
from assess.scoring.perception import (
    DONT_KNOW,
    MIN_THRESHOLD,
    SCALE,
    GroupTally,
    PerceptionResult,
    score_perception,
)
from assess.services import ServiceError, maintenance
from assess.services import assessments as assessment_service
from assess.services import questionnaires as questionnaire_service

#: The most responses a threshold may ask for, and the highest alert rate.
MAX_THRESHOLD = 100
MAX_ALERT_PER_HOUR = 10_000
TITLE_MAX_LENGTH = 200
#: What a survey is: not open yet, taking responses, or closed.
SCHEDULED, OPEN, CLOSED = "scheduled", "open", "closed"
ANSWER_VALUES = frozenset({*(str(p) for p in SCALE), DONT_KNOW})


@dataclass(frozen=True)
class RegisterGroup:
    """A group of the assessment's register that a survey can ask."""

    segment_id: str
    label: str
    #: customer, citizen, stakeholder, or None when the register does not say.
    regard: str | None


# ---- reading ---------------------------------------------------------------------------------


def get(survey_id: int) -> Survey | None:
    return db.session().get(Survey, survey_id)


def by_token(token: str) -> Survey | None:
    """The survey whose public link carries ``token``."""
    if not token or len(token) > 32:
        return None
    return db.session().scalars(select(Survey).where(Survey.token == token)).one_or_none()


def group_by_token(survey: Survey, token: str) -> SurveyGroup | None:
    given = token.encode("utf-8")
    return next(
        (g for g in survey.groups if secrets.compare_digest(g.token.encode("ascii"), given)), None
    )


def for_assessment(assessment: Assessment) -> list[Survey]:
    """The assessment's surveys, newest first."""
    return list(
        db.session()
        .scalars(
            select(Survey)
            .where(Survey.assessment_id == assessment.id)
            .order_by(Survey.created_at.desc(), Survey.id.desc())
        )
        .all()
    )


def questionnaire(survey: Survey) -> Questionnaire:
    """The perception questionnaire exactly as the survey asks it."""
    return questionnaire_service.load_stored(survey.questionnaire_version)


def comment_question(perception: Questionnaire) -> TextQuestion | None:
    return next((q for _s, q in perception.questions() if isinstance(q, TextQuestion)), None)


def today_for_organisation(organisation: Organisation) -> date:
    """Today in the organisation's time zone (a survey opens and closes on its dates)."""
    return db.utcnow().astimezone(ZoneInfo(organisation.time_zone)).date()


def today_for(survey: Survey) -> date:
    return today_for_organisation(survey.assessment.organisation)


def state(survey: Survey, today: date | None = None) -> str:
    """``scheduled``, ``open`` or ``closed``."""
    today = today or today_for(survey)
    if survey.closed_at is not None or today > survey.closes_on:
        return CLOSED
    if today < survey.opens_on:
        return SCHEDULED
    return OPEN


def register_groups(assessment: Assessment, locale: str = "en") -> list[RegisterGroup]:
    """The groups of the assessment's register (its listed groups while it has no rows yet)."""
    qset = assessment_service.questionnaires_of(assessment)
    question = next(
        (q for _s, q in qset.definition.questions() if isinstance(q, RegisterQuestion)), None
    )
    if question is None:
        return []
    labels = {s.id: s.label.get(locale) for s in question.segments}
    answer = assessment_service.answers(assessment, qset.definition.id).get(question.id)
    rows = answer.value if answer is not None and isinstance(answer.value, tuple) else ()
    if not rows:
        return [RegisterGroup(s.id, labels[s.id], None) for s in question.segments]
    return [
        RegisterGroup(
            row.segment_id, row.label or labels.get(row.segment_id, row.segment_id), row.regard
        )
        for row in rows
    ]


def group_labels(survey: Survey, locale: str) -> dict[int, str]:
    """Each group's name as a respondent reading in ``locale`` sees it, by group id.

    A group keeps the name it had when the survey opened, in the language of whoever opened it.
    A listed group (residents, businesses ...) still called by its listed name, in any of the
    questionnaire's languages, is shown by that name in ``locale``; a group the organisation
    named itself keeps its own name in every language."""
    question = next(
        (
            q
            for _s, q in assessment_service.questionnaires_of(
                survey.assessment
            ).definition.questions()
            if isinstance(q, RegisterQuestion)
        ),
        None,
    )
    listed = {s.id: s.label for s in question.segments} if question is not None else {}
    labels: dict[int, str] = {}
    for group in survey.groups:
        label = listed.get(group.segment_id)
        names = set(label.root.values()) if label is not None else set()
        labels[group.id] = label.get(locale) if group.label in names else group.label
    return labels


def _regards(assessment: Assessment) -> dict[str, str | None]:
    return {g.segment_id: g.regard for g in register_groups(assessment)}


def response_count(survey: Survey) -> int:
    """Every stored response (for the admin's progress; never per group)."""
    return int(
        db.session().scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.survey_id == survey.id)
        )
        or 0
    )


# ---- opening and closing ---------------------------------------------------------------------


def _whole(value: Any, low: int, high: int, message: str, field: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ServiceError(message, field) from None
    if not low <= number <= high:
        raise ServiceError(message, field)
    return number


def open_survey(
    assessment: Assessment,
    user: User,
    *,
    title: str,
    segment_ids: list[str],
    opens_on: date | None,
    closes_on: date | None,
    threshold: Any,
    alert_per_hour: Any,
    perception: Questionnaire | None,
) -> Survey:
    """Open a survey on ``assessment`` for the register groups ``segment_ids``.

    Raises :class:`ServiceError` (and stores nothing) for anything a person must correct.
    """
    if perception is None:
        raise ServiceError(
            "This installation has no perception questionnaire (questionnaires/perception.yaml), "
            "so surveys cannot be opened."
        )
    title = " ".join((title or "").split())
    if not title:
        raise ServiceError("Give the survey a name, such as “Spring survey of residents”.", "title")
    if len(title) > TITLE_MAX_LENGTH:
        raise ServiceError(
            Message("Shorten the name to %(most)d characters or fewer.", most=TITLE_MAX_LENGTH),
            "title",
        )
    available = {g.segment_id: g for g in register_groups(assessment)}
    chosen = list(dict.fromkeys(s for s in segment_ids if s))
    if not chosen:
        raise ServiceError("Choose at least one group to ask.", "groups")
    if any(s not in available for s in chosen):
        raise ServiceError("Choose groups from the register only.", "groups")
    if opens_on is None or closes_on is None:
        raise ServiceError("Give an opening and a closing date.", "opens_on")
    if closes_on < opens_on:
        raise ServiceError("The closing date is before the opening date.", "closes_on")
    if closes_on < today_for_organisation(assessment.organisation):
        raise ServiceError("The closing date has already passed.", "closes_on")
    threshold_n = _whole(
        threshold,
        MIN_THRESHOLD,
        MAX_THRESHOLD,
        Message(
            "The threshold is a whole number from %(low)d to %(high)d.",
            low=MIN_THRESHOLD,
            high=MAX_THRESHOLD,
        ),
        "threshold",
    )
    alert_n = _whole(
        alert_per_hour,
        1,
        MAX_ALERT_PER_HOUR,
        Message(
            "The alert rate is a whole number of responses an hour, from 1 to %(high)d.",
            high=MAX_ALERT_PER_HOUR,
        ),
        "alert_per_hour",
    )
    row = questionnaire_service.ensure_stored([perception])[perception.id]
    survey = Survey(
        assessment_id=assessment.id,
        questionnaire_version_id=row.id,
        title=title,
        token=secrets.token_urlsafe(9),
        opens_on=opens_on,
        closes_on=closes_on,
        threshold=threshold_n,
        alert_per_hour=alert_n,
        created_by_id=user.id,
    )
    for position, segment_id in enumerate(chosen):
        survey.groups.append(
            SurveyGroup(
                segment_id=segment_id,
                label=available[segment_id].label[:200],
                token=secrets.token_urlsafe(9),
                position=position,
            )
        )
    session = db.session()
    session.add(survey)
    session.flush()
    audit.record(
        audit.SURVEY_OPENED,
        organisation_id=assessment.organisation_id,
        actor=user,
        object_type="survey",
        object_id=survey.id,
        new={
            "assessment_id": assessment.id,
            "groups": chosen,
            "opens_on": opens_on.isoformat(),
            "closes_on": closes_on.isoformat(),
            "threshold": threshold_n,
        },
    )
    session.commit()
    return survey


def close(survey: Survey, user: User) -> None:
    """Close the survey now: no more online responses."""
    if survey.closed_at is not None:
        return
    survey.closed_at = db.utcnow()
    audit.record(
        audit.SURVEY_CLOSED,
        organisation_id=survey.assessment.organisation_id,
        actor=user,
        object_type="survey",
        object_id=survey.id,
    )
    db.session().commit()


# ---- responding ------------------------------------------------------------------------------


def submit(
    survey: Survey,
    group: SurveyGroup | None,
    answers: dict[str, str],
    comment: str,
    *,
    source: str = "online",
    seen_before: bool = False,
    entered_by: User | None = None,
) -> SurveyResponse:
    """Store one response. ``answers`` maps statement ids to "1" to "5" or "dont_know" (blank:
    skipped); ``comment`` is redacted before it is stored.

    Online responses are taken while the survey is open. Paper responses (``entered_by`` a member
    of staff) may be typed in until the responses are deleted. Raises :class:`ServiceError`.
    """
    if source not in ("online", "paper"):
        raise ValueError(source)
    if survey.responses_deleted_at is not None:
        raise ServiceError("This survey's responses have been deleted; it takes no more.")
    if source == "online" and state(survey) != OPEN:
        if state(survey) == SCHEDULED:
            raise ServiceError("This survey has not opened yet.")
        raise ServiceError("This survey has closed. Thank you for your interest.")
    if group is None or group.survey_id != survey.id:
        raise ServiceError("Choose the group you belong to.", "group")
    perception = questionnaire(survey)
    stored: dict[str, Any] = {}
    for statement in perception.statements():
        value = (answers.get(statement.id) or "").strip()
        if not value:
            continue
        if value not in ANSWER_VALUES:
            raise ServiceError("Choose one of the answers offered for each sentence.", statement.id)
        stored[statement.id] = DONT_KNOW if value == DONT_KNOW else int(value)
    text = (comment or "").replace("\r\n", "\n").strip()
    question = comment_question(perception)
    most = question.max_length if question else 0
    if len(text) > most:
        raise ServiceError(
            Message(
                "Your comment is %(length)d characters long; please shorten it to %(most)d.",
                length=len(text),
                most=most,
            ),
            "comment",
        )
    if not stored and not text:
        raise ServiceError("Answer at least one sentence before you send the survey.")
    response = SurveyResponse(
        survey_id=survey.id,
        group_id=group.id,
        answers=stored,
        comment=redact(text),
        source=source,
        possible_duplicate=seen_before,
        submitted_at=db.utcnow(),
    )
    session = db.session()
    session.add(response)
    if source == "paper":
        audit.record(
            audit.SURVEY_PAPER_ENTERED,
            organisation_id=survey.assessment.organisation_id,
            actor=entered_by,
            object_type="survey",
            object_id=survey.id,
        )
    session.commit()
    return response


# ---- counting and results --------------------------------------------------------------------


def _empty_counts() -> dict[str, int]:
    return {**{str(p): 0 for p in SCALE}, DONT_KNOW: 0}


def aggregate_of(survey: Survey) -> dict[str, Any]:
    """The survey's counts by group id: what is kept once the responses are deleted."""
    if survey.aggregate is not None:
        return dict(survey.aggregate)
    perception = questionnaire(survey)
    groups: dict[str, Any] = {
        str(g.id): {"responses": 0, "paper": 0, "possible_duplicates": 0, "counts": {}}
        for g in survey.groups
    }
    rows = db.session().scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id))
    for response in rows:
        entry = groups.setdefault(
            str(response.group_id),
            {"responses": 0, "paper": 0, "possible_duplicates": 0, "counts": {}},
        )
        entry["responses"] += 1
        entry["paper"] += response.source == "paper"
        entry["possible_duplicates"] += bool(response.possible_duplicate)
        for statement in perception.statements():
            value = response.answers.get(statement.id)
            if value is None:
                continue
            counts = entry["counts"].setdefault(statement.id, _empty_counts())
            counts[str(value)] = counts.get(str(value), 0) + 1
    return {"groups": groups}


def tallies(survey: Survey, locale: str = "en") -> list[GroupTally]:
    """Each of the survey's groups as counts, with the register's current regard; groups are
    named in ``locale`` (see :func:`group_labels`)."""
    regards = _regards(survey.assessment)
    groups = aggregate_of(survey)["groups"]
    labels = group_labels(survey, locale)
    result = []
    for group in survey.groups:
        entry = groups.get(str(group.id)) or {}
        result.append(
            GroupTally(
                group_id=group.segment_id,
                label=labels[group.id],
                regard=regards.get(group.segment_id),
                responses=int(entry.get("responses", 0)),
                counts=entry.get("counts", {}),
                paper=int(entry.get("paper", 0)),
                possible_duplicates=int(entry.get("possible_duplicates", 0)),
            )
        )
    return result


def results(survey: Survey, locale: str = "en") -> PerceptionResult:
    """The survey set beside the assessment's own levels (see :mod:`assess.scoring.perception`)."""
    score = assessment_service.score(survey.assessment, locale=locale)
    body = {d.dimension_id: (d.title, d.mean) for d in score.maturity.dimensions}
    return score_perception(
        questionnaire(survey), tallies(survey, locale), body, survey.threshold, locale=locale
    )


def comments(survey: Survey, shown: set[str]) -> dict[str, list[str]]:
    """The (redacted) comments of the groups in ``shown`` only, oldest first, by segment id."""
    if survey.responses_deleted_at is not None or not shown:
        return {}
    by_group: dict[str, list[str]] = defaultdict(list)
    rows = db.session().execute(
        select(SurveyGroup.segment_id, SurveyResponse.comment)
        .join(SurveyGroup, SurveyGroup.id == SurveyResponse.group_id)
        .where(SurveyResponse.survey_id == survey.id, SurveyResponse.comment != "")
        .order_by(SurveyResponse.submitted_at, SurveyResponse.id)
    )
    for segment_id, comment in rows:
        if segment_id in shown:
            by_group[segment_id].append(comment)
    return dict(by_group)


def _agreement(value: Any) -> dict[str, Any]:
    return {
        "agreement": value.mean,
        "margin": value.margin,
        "ratings": value.ratings,
        "dont_know": value.dont_know,
    }


def export(survey: Survey, locale: str = "en") -> dict[str, Any]:
    """The survey's results as plain data: what every page, download and the report show.

    Only groups past the threshold appear with figures and comments; the others are named in
    ``hidden_groups`` and counted nowhere.
    """
    result = results(survey, locale)
    perception = questionnaire(survey)
    texts = {s.id: s.text.get(locale) for s in perception.statements()}
    labels = {g.group_id: g.label for g in result.groups}
    said = comments(survey, set(labels))
    areas = {a.area_id: a.title for a in result.areas}
    return {
        "format": "assess-survey-results/1",
        "method_version": METHOD_VERSION,
        "survey": {
            "id": survey.id,
            "title": survey.title,
            "assessment_id": survey.assessment_id,
            "opens_on": survey.opens_on.isoformat(),
            "closes_on": survey.closes_on.isoformat(),
            "state": state(survey),
            "threshold": survey.threshold,
            "responses_deleted": survey.responses_deleted_at is not None,
        },
        "responses": result.responses,
        "reliability": result.reliability,
        "hidden_groups": list(result.hidden_groups),
        "areas": [
            {
                "area_id": a.area_id,
                "title": a.title,
                "body_level": a.body_level,
                **_agreement(a.agreement),
                "gap": a.gap,
                "blind_spot": a.blind_spot,
                "statements": [texts[s] for s in a.statement_ids],
            }
            for a in result.areas
        ],
        "blind_spots": [areas[a] for a in result.blind_spots],
        "groups": [
            {
                "group_id": g.group_id,
                "label": g.label,
                "regard": g.regard,
                "responses": g.responses,
                "paper": g.paper,
                "possible_duplicates": g.possible_duplicates,
                "reliability": g.reliability,
                **_agreement(g.overall),
                "least_heard": g.group_id in result.least_heard,
                "least_agreed": [texts[s] for s in g.least_agreed],
                "statements": [
                    {"statement_id": s.statement_id, "text": s.text, **_agreement(s.agreement)}
                    for s in g.statements
                ],
                "comments": said.get(g.group_id, []),
            }
            for g in result.groups
        ],
        "least_heard": [labels[g] for g in result.least_heard],
        "regard_checks": [
            {
                "group_id": c.group_id,
                "label": c.label,
                "regard": c.regard,
                **_agreement(c.agreement),
                "statements": [texts[s] for s in c.statement_ids],
                "verdict": c.verdict,
            }
            for c in result.regard_checks
        ],
    }


def latest_with_results(assessment: Assessment) -> Survey | None:
    """The newest survey of ``assessment`` with at least one group past its threshold."""
    for survey in for_assessment(assessment):
        groups = aggregate_of(survey)["groups"].values()
        if any(int(g.get("responses", 0)) >= survey.threshold for g in groups):
            return survey
    return None


def report_section(assessment: Assessment, locale: str = "en") -> dict[str, Any] | None:
    """The report's survey section: :func:`export` of the newest survey with results, without
    its comments (a report is kept for good; comments go when the responses do), or None."""
    survey = latest_with_results(assessment)
    if survey is None:
        return None
    data = export(survey, locale)
    for group in data["groups"]:
        group.pop("comments", None)
    return data


# ---- abuse -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Burst:
    """The busiest hour of online responses: how many, and when it started."""

    count: int
    start: datetime | None
    alert: bool


def busiest_hour(survey: Survey) -> Burst:
    """The most online responses within any one hour (typed-in paper responses do not count),
    and whether that is more than the survey's alert rate."""
    times = list(
        db.session().scalars(
            select(SurveyResponse.submitted_at)
            .where(SurveyResponse.survey_id == survey.id, SurveyResponse.source == "online")
            .order_by(SurveyResponse.submitted_at)
        )
    )
    best, start, first = 0, None, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= timedelta(hours=1):
            first += 1
        if last - first + 1 > best:
            best, start = last - first + 1, times[first]
    return Burst(best, start, best > survey.alert_per_hour)


# ---- retention -------------------------------------------------------------------------------


def response_cutoff(now: datetime) -> date:
    """Surveys that closed before this date have their responses deleted."""
    return (now - timedelta(days=current_app.config["SURVEY_RESPONSE_RETENTION_DAYS"])).date()


def deletion_due(survey: Survey) -> date:
    """The day from which ``assess maintenance purge`` deletes the survey's responses."""
    closed = survey.closed_at.date() if survey.closed_at else survey.closes_on
    return closed + timedelta(days=current_app.config["SURVEY_RESPONSE_RETENTION_DAYS"] + 1)


@maintenance.purge_step("responses of perception surveys closed past their retention")
def purge_expired(now: datetime) -> int:
    """Delete the responses (and comments) of surveys closed before the cutoff; keep counts."""
    cutoff = response_cutoff(now)
    session = db.session()
    due = session.scalars(select(Survey).where(Survey.responses_deleted_at.is_(None))).all()
    deleted = 0
    for survey in due:
        closed = survey.closed_at.date() if survey.closed_at else survey.closes_on
        if closed >= cutoff:
            continue
        survey.aggregate = aggregate_of(survey)
        result = session.execute(
            delete(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
        )
        count = int(getattr(result, "rowcount", 0) or 0)
        survey.responses_deleted_at = now
        audit.record(
            audit.SURVEY_PURGED,
            organisation_id=survey.assessment.organisation_id,
            actor=None,
            object_type="survey",
            object_id=survey.id,
            detail={"responses": count},
            source="system",
        )
        session.commit()
        deleted += count
    return deleted


# ---- downloads -------------------------------------------------------------------------------

CSV_COLUMNS = (
    "row",
    "group",
    "area",
    "statement",
    "body_level",
    "agreement",
    "margin",
    "ratings",
    "dont_know",
    "responses",
    "gap",
    "blind_spot",
    "verdict",
    "comment",
)


def csv_text(data: dict[str, Any]) -> str:
    """:func:`export` as CSV (UTF-8 with a byte-order mark, every cell defused): one row per
    area, group, group statement, regard check and comment; a group below the threshold gets a
    row that names it and holds no figure."""
    import csv
    import io

    from assess.spreadsheet import defuse

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def row(**cells: Any) -> None:
        writer.writerow(
            [defuse("" if cells.get(c) is None else str(cells.get(c))) for c in CSV_COLUMNS]
        )

    writer.writerow(CSV_COLUMNS)
    for area in data["areas"]:
        row(
            row="area",
            area=area["title"],
            body_level=area["body_level"],
            agreement=area["agreement"],
            margin=area["margin"],
            ratings=area["ratings"],
            dont_know=area["dont_know"],
            responses=data["responses"],
            gap=area["gap"],
            blind_spot="yes" if area["blind_spot"] else "no",
        )
    for group in data["groups"]:
        row(
            row="group",
            group=group["label"],
            agreement=group["agreement"],
            margin=group["margin"],
            ratings=group["ratings"],
            dont_know=group["dont_know"],
            responses=group["responses"],
        )
        for statement in group["statements"]:
            row(
                row="statement",
                group=group["label"],
                statement=statement["text"],
                agreement=statement["agreement"],
                margin=statement["margin"],
                ratings=statement["ratings"],
                dont_know=statement["dont_know"],
                responses=group["responses"],
            )
    for check in data["regard_checks"]:
        row(
            row=f"treated as {check['regard']}",
            group=check["label"],
            statement=" / ".join(check["statements"]),
            agreement=check["agreement"],
            margin=check["margin"],
            ratings=check["ratings"],
            verdict=check["verdict"],
        )
    for group in data["groups"]:
        for comment in group["comments"]:
            row(row="comment", group=group["label"], comment=comment)
    for label in data["hidden_groups"]:
        row(row="below threshold", group=label)
    return "\ufeff" + buffer.getvalue()
