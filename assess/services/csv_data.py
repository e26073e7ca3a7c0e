"""An assessment's answers and stakeholder register as CSV files for analysts.

One row per stored answer (:func:`answers_text`) and one row per group of the register
(:func:`register_text`); the action plan's CSV is :func:`assess.services.action_plan.csv_lines`.
Every file is written by :mod:`assess.spreadsheet`: UTF-8 with a byte-order mark, every cell
defused. Times are ISO 8601 with the organisation's offset (``2026-03-05T14:02:11+00:00``).
"""

from __future__ import annotations

from datetime import datetime

from assess.models import Assessment
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
        return "Not applicable"
    if answer.status is Status.DONT_KNOW:
        return "Don't know"
    if isinstance(question, SingleQuestion | MultipleQuestion):
        labels = {o.id: o.label.get(locale) for o in question.options}
        chosen = answer.value if isinstance(answer.value, tuple) else (answer.value,)
        return "\n".join(labels.get(str(v), str(v)) for v in chosen if v is not None)
    if isinstance(question, LevelQuestion) and isinstance(answer.value, int):
        text = question.levels.get(answer.value)
        return f"{answer.value}: {text.get(locale)}" if text else str(answer.value)
    return "" if answer.value is None else str(answer.value)


def answer_rows(assessment: Assessment, locale: str = "en") -> list[list[object]]:
    """One row per stored answer (the register's rows are in :func:`register_rows`), in the
    order of the questionnaires and their pages."""
    qset = assessments.questionnaires_of(assessment)
    by_kind = {q.kind: q for q in qset}
    rows: list[list[object]] = []
    for kind in KINDS:
        questionnaire = by_kind[kind]
        stored = assessments.stored_answers(assessment, questionnaire.id)
        for section, question in questionnaire.questions():
            found = stored.get(question.id)
            if found is None:
                continue
            answer = found.answer
            claimed = evidenced = met = not_met = ""
            if isinstance(question, RegisterQuestion):
                value = f"{len(answer.value) if isinstance(answer.value, tuple) else 0} groups"
                words = value
            else:
                value, met, _note = answer_cells(answer)
                words = _answer_words(question, answer, locale)
            if isinstance(question, LevelQuestion) and answer.is_answered:
                claimed = str(answer.value)
                evidenced = str(evidenced_level(question, answer))
                not_met = "; ".join(c.key for c in answer.criteria if not c.met)
                met = "; ".join(c.key for c in answer.criteria if c.met)
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
                    found.source,
                    found.revision,
                    found.updated_by or "",
                    _iso(found.updated_at, assessment),
                ]
            )
    return rows


def answers_text(assessment: Assessment, locale: str = "en") -> str:
    """:func:`answer_rows` as a CSV file."""
    return rows_to_text(ANSWER_COLUMNS, answer_rows(assessment, locale))


def register_rows(assessment: Assessment, locale: str = "en") -> list[list[object]]:
    """One row per group of the register: the listed groups, then the organisation's own."""
    place = register.find(assessment)
    if place is None:
        return []
    found = register.stored(assessment, place)
    rows: list[list[object]] = []
    for group in register.groups(place, found.answer if found else None, locale):
        row = group.row
        cells: list[object] = [group.segment_id, group.label, "yes" if group.custom else "no"]
        for attribute in (*ALL_RATING_ATTRIBUTES, *CHOICE_ATTRIBUTES):
            cells.append(getattr(row, attribute) if row is not None else None)
        rows.append(cells)
    return rows


def register_text(assessment: Assessment, locale: str = "en") -> str:
    """:func:`register_rows` as a CSV file."""
    return rows_to_text(REGISTER_COLUMNS, register_rows(assessment, locale))
