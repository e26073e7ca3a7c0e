"""The report's answers: the appendix of every answer as given (with its evidence records, who
gave it and when, and the auditor's mark), the table of level answers whose evidence falls short,
and the auditor's marks. :func:`assess.reporting.context.build_context` puts them in the report's
context.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _

from assess.figures import evidence_rows
from assess.questionnaire.answers import Answer, RegisterRow, Status
from assess.questionnaire.schema import (
    LevelQuestion,
    MultipleQuestion,
    Question,
    RegisterQuestion,
    SingleQuestion,
    TextQuestion,
)
from assess.questionnaire.validation import visible_questions
from assess.reporting.formatting import format_datetime, text_direction
from assess.reporting.stakeholders import register_row_text
from assess.scoring.maturity import question_level

if TYPE_CHECKING:
    from assess.reporting.context import ReportInput, _Labels


def option_label(question: SingleQuestion | MultipleQuestion, option_id: str, locale: str) -> str:
    """The label of a choice question's option, in ``locale`` (its id when it has none)."""
    for option in question.options:
        if option.id == option_id:
            return option.label.get(locale)
    return option_id


def answer_display(question: Question, answer: Answer, labels: _Labels) -> list[str]:
    """A real answer as lines of text: option labels, the level described, the text given."""
    locale = labels.locale
    value = answer.value
    if isinstance(question, SingleQuestion):
        return [option_label(question, str(value), locale)]
    if isinstance(question, MultipleQuestion):
        chosen = value if isinstance(value, tuple) else (value,)
        return [option_label(question, str(v), locale) for v in chosen]
    if isinstance(question, LevelQuestion):
        level = int(value)  # type: ignore[arg-type]
        described = question.levels[level].get(locale) if level in question.levels else ""
        return [
            _(
                "Level %(level)s: %(described)s", level=labels.level(level), described=described
            ).strip()
        ]
    if isinstance(question, RegisterQuestion):
        rows = value if isinstance(value, tuple) else ()
        return [register_row_text(question, r, locale) for r in rows if isinstance(r, RegisterRow)]
    assert isinstance(question, TextQuestion)
    return [str(value)]


def _evidence(question: Any, answer: Answer | None, labels_locale: str) -> dict[str, Any]:
    """A level answer's claimed and evidenced levels and the records confirmed, for the report."""
    if not isinstance(question, LevelQuestion) or answer is None:
        return {}
    value = answer.value
    if isinstance(value, bool) or not isinstance(value, int):
        return {}
    level = question_level(question, answer)
    records = []
    for n, i, text in question.criteria_up_to(value):
        check = answer.check(n, i)
        state = _("not confirmed") if check is None else (_("met") if check.met else _("not met"))
        records.append(
            {
                "key": f"{n}.{i}",
                "text": text.get(labels_locale),
                "state": state,
                "reference": check.reference if check and check.reference else None,
            }
        )
    return {
        "claimed": level.claimed,
        "evidenced": level.level,
        "no_evidence": not level.evidence_given,
        "records": records,
    }


def _mark_row(mark: Mapping[str, Any], zone: str, locale: str) -> dict[str, Any]:
    return {
        "mark": mark["mark"],
        "mark_text": _("Verified by the auditor")
        if mark["mark"] == "verified"
        else _("Challenged by the auditor"),
        "comment": mark.get("comment") or None,
        "by": mark.get("by"),
        "at": format_datetime(mark.get("at"), zone, locale),
        "changed": bool(mark.get("changed")),
    }


def evidence_table(report: ReportInput) -> list[dict[str, Any]]:
    """The adoption answers whose evidence falls short, in questionnaire order."""
    return [
        {
            **row,
            "text": report.adoption.question(row["question_id"]).text.get(report.locale),
        }
        for row in evidence_rows(report.result)
    ]


def marks_table(report: ReportInput) -> list[dict[str, Any]]:
    """Every mark the auditor made, in questionnaire order, with its question's text."""
    rows = []
    by_key = {(m["questionnaire_id"], m["question_id"]): m for m in report.marks}
    for questionnaire, _given in report.questionnaires():
        for _section, question in questionnaire.questions():
            mark = by_key.get((questionnaire.id, question.id))
            if mark:
                rows.append(
                    {
                        "questionnaire": questionnaire.title.get(report.locale),
                        "text": question.text.get(report.locale),
                        **_mark_row(mark, report.organisation_timezone, report.locale),
                    }
                )
    return rows


def appendix(report: ReportInput, labels: _Labels) -> list[dict[str, Any]]:
    """Every question of every questionnaire, section by section: how it was answered (or why
    not), the evidence records of a level, the note, who answered and when, and the mark."""
    zone, locale = report.organisation_timezone, report.locale
    marks = {(m["questionnaire_id"], m["question_id"]): m for m in report.marks}
    result = []
    for questionnaire, given in report.questionnaires():
        visible = visible_questions(questionnaire, {k: v.answer for k, v in given.items()})
        sections = []
        for section in questionnaire.sections:
            questions = []
            for question in section.questions:
                entry = given.get(question.id)
                answer = entry.answer if entry else None
                if question.id not in visible:
                    status, lines = (
                        "hidden",
                        [_("Not asked: an earlier answer made it irrelevant.")],
                    )
                elif answer is None or (
                    answer.status is Status.ANSWERED and not answer.is_answered
                ):
                    status, lines = "unanswered", [_("Not answered.")]
                elif answer.status is Status.NOT_APPLICABLE:
                    status, lines = "not_applicable", [_("Not applicable.")]
                elif answer.status is Status.DONT_KNOW:
                    status, lines = "dont_know", [_("Don't know.")]
                else:
                    status, lines = "answered", answer_display(question, answer, labels)
                evidence = _evidence(question, answer, locale) if status == "answered" else {}
                mark = marks.get((questionnaire.id, question.id))
                questions.append(
                    {
                        "id": question.id,
                        "text": question.text.get(locale),
                        "status": status,
                        **evidence,
                        "mark": _mark_row(mark, zone, locale) if mark else None,
                        "answer_lines": lines,
                        "note": answer.note if answer and answer.note else None,
                        "note_dir": text_direction(answer.note if answer else None),
                        "answer_dir": text_direction(" ".join(lines)),
                        "answered_by": entry.answered_by if entry else None,
                        "answered_at": format_datetime(entry.answered_at, zone, locale)
                        if entry
                        else None,
                    }
                )
            sections.append(
                {"id": section.id, "title": section.title.get(locale), "questions": questions}
            )
        result.append(
            {
                "id": questionnaire.id,
                "version": questionnaire.version,
                "title": questionnaire.title.get(locale),
                "sections": sections,
            }
        )
    return result
