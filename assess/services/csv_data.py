"""An assessment's answers and stakeholder register as CSV files for analysts.

One row per stored answer (:func:`answers_text`) and one row per group of the register
(:func:`register_text`); the action plan's CSV is :func:`assess.services.action_plan.csv_lines`.
Every file is written by :mod:`assess.spreadsheet`: UTF-8 with a byte-order mark, every cell
defused. Times are ISO 8601 with the organisation's offset (``2026-03-05T14:02:11+00:00``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from assess import audit, db
from assess.data_format import serializer, values
from assess.models import Assessment, User
from assess.questionnaire.answers import Answer, Status
from assess.questionnaire.schema import (
    ALL_RATING_ATTRIBUTES,
    CHOICE_ATTRIBUTES,
    LevelQuestion,
    MultipleQuestion,
    Question,
    RegisterQuestion,
    SingleQuestion,
)
from assess.scoring.maturity import evidenced_level
from assess.services import assessments, register
from assess.services.assessments import KINDS
from assess.services.audit_trail import zone_of
from assess.services.csv_import import answer_cells
from assess.spreadsheet import rows_to_text

ANSWER_COLUMNS = (
    "questionnaire",
    "questionnaire_version",
    "area",
    "question_id",
    "question",
    "type",
    "status",
    "answer_value",
    "answer",
    "claimed_level",
    "evidenced_level",
    "criteria_met",
    "criteria_not_met",
    "note",
    "source",
    "revision",
    "changed_by",
    "changed_at",
)

REGISTER_COLUMNS = (
    "segment_id",
    "group",
    "added_by_organisation",
    *ALL_RATING_ATTRIBUTES,
    *CHOICE_ATTRIBUTES,
)


def _iso(moment: datetime, assessment: Assessment) -> str:
    return moment.astimezone(zone_of(assessment.organisation)).isoformat(timespec="seconds")


def _answer_words(question: Question, answer: Answer, locale: str) -> str:
    """The answer as the pages show it: the options' labels, the level's description."""
    if answer.status is Status.NOT_APPLICABLE:
        return gettext("Not applicable")
    if answer.status is Status.DONT_KNOW:
        return gettext("Don't know")
    if isinstance(question, SingleQuestion | MultipleQuestion):
        labels = {o.id: o.label.get(locale) for o in question.options}
        chosen = answer.value if isinstance(answer.value, tuple) else (answer.value,)
        return "\n".join(labels.get(str(v), str(v)) for v in chosen if v is not None)
    if isinstance(question, LevelQuestion) and isinstance(answer.value, int):
        text = question.levels.get(answer.value)
        return f"{answer.value}: {text.get(locale)}" if text else str(answer.value)
    return "" if answer.value is None else str(answer.value)


def _authors(assessment: Assessment, records: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """Who last changed each answer, by (questionnaire id, question id): the account's name, or
    for an account since erased the pseudonym the trail gives it."""
    ids = {r["updated_by_id"] for r in records if r["updated_by_id"] is not None}
    names: dict[int, str] = {}
    if ids:
        for user_id, name in db.session().execute(
            select(User.id, User.name).where(User.id.in_(ids))
        ):
            names[user_id] = name
    authors: dict[tuple[str, str], str] = {}
    orphans: dict[str, list[str]] = {}
    for r in records:
        key = (r["questionnaire_id"], r["question_id"])
        if r["updated_by_id"] in names:
            authors[key] = names[r["updated_by_id"]]
        else:
            orphans.setdefault(r["questionnaire_id"], []).append(r["question_id"])
    for questionnaire_id, question_ids in orphans.items():
        for question_id, name in audit.last_authors(
            assessment.id, questionnaire_id, question_ids
        ).items():
            authors[(questionnaire_id, question_id)] = name
    return authors


def answer_rows(assessment: Assessment, locale: str = "en") -> list[list[object]]:
    """One row per stored answer, from the serializer's answer records, in the order of the
    questionnaires and their pages (the register's groups are in :func:`register_rows`)."""
    records = serializer.answer_records(assessment)
    by_key = {(r["questionnaire_id"], r["question_id"]): r for r in records}
    authors = _authors(assessment, records)
    qset = assessments.questionnaires_of(assessment)
    by_kind = {q.kind: q for q in qset}
    rows: list[list[object]] = []
    for kind in KINDS:
        questionnaire = by_kind[kind]
        for section, question in questionnaire.questions():
            found = by_key.get((questionnaire.id, question.id))
            if found is None:
                continue
            answer = Answer(
                question_id=question.id,
                status=Status(found["status"]),
                value=Answer.value_from_json(found["value"]),
                note=found["note"],
                criteria=Answer.criteria_from_json(found["criteria"]),
            )
            claimed = evidenced = met = not_met = ""
            if isinstance(question, RegisterQuestion):
                count = len(answer.value) if isinstance(answer.value, tuple) else 0
                value = words = gettext("%(num)d groups", num=count)
            else:
                value, met, _note = answer_cells(answer)
                words = _answer_words(question, answer, locale)
            if isinstance(question, LevelQuestion) and answer.is_answered:
                claimed = str(answer.value)
                evidenced = str(evidenced_level(question, answer))
                not_met = "; ".join(c.key for c in answer.criteria if not c.met)
                met = "; ".join(c.key for c in answer.criteria if c.met)
            changed = values.parse_utc(found["updated_at"])
            rows.append(
                [
                    questionnaire.id,
                    questionnaire.version,
                    section.title.get(locale),
                    question.id,
                    question.text.get(locale),
                    question.type,
                    answer.status.value,
                    value,
                    words,
                    claimed,
                    evidenced,
                    met,
                    not_met,
                    answer.note,
                    found["source"],
                    found["revision"],
                    authors.get((questionnaire.id, question.id), ""),
                    _iso(changed, assessment) if changed else "",
                ]
            )
    return rows


def answers_text(assessment: Assessment, locale: str = "en") -> str:
    """:func:`answer_rows` as a CSV file."""
    return rows_to_text(ANSWER_COLUMNS, answer_rows(assessment, locale))


def register_rows(assessment: Assessment, locale: str = "en") -> list[list[object]]:
    """One row per group of the register, from the serializer's register records: the listed
    groups in the questionnaire's order (a group not rated yet has empty cells), then the
    organisation's own."""
    place = register.find(assessment)
    if place is None:
        return []
    stored = {
        r["segment_id"]: r
        for r in serializer.register_records(assessment)
        if r["questionnaire_id"] == place.questionnaire.id and r["question_id"] == place.question.id
    }
    rows: list[list[object]] = []
    listed = [(s.id, s.label.get(locale), False) for s in place.question.segments]
    listed_ids = {segment_id for segment_id, _label, _own in listed}
    own = [
        (segment_id, r.get("label") or segment_id, True)
        for segment_id, r in sorted(
            stored.items(), key=lambda item: (register.custom_number(item[0]) or 0, item[0])
        )
        if segment_id not in listed_ids
    ]
    for segment_id, label, is_own in (*listed, *own):
        record = stored.get(segment_id, {})
        rows.append(
            [
                segment_id,
                label,
                "yes" if is_own else "no",
                *(record.get(a) for a in (*ALL_RATING_ATTRIBUTES, *CHOICE_ATTRIBUTES)),
            ]
        )
    return rows


def register_text(assessment: Assessment, locale: str = "en") -> str:
    """:func:`register_rows` as a CSV file."""
    return rows_to_text(REGISTER_COLUMNS, register_rows(assessment, locale))
