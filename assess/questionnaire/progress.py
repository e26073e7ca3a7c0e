"""How far a questionnaire has been answered, and the next question to answer.

Pure: it reads a questionnaire and answers by question id, never the database. The overview, the
start page, the section pages and the autosave all count with these, so that they agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assess.questionnaire.answers import Answer, Status
from assess.questionnaire.schema import Question, Questionnaire, Section
from assess.questionnaire.validation import visible_questions


def is_done(answer: Answer | None) -> bool:
    """Whether a question counts as done in progress: answered, not applicable or not known."""
    return answer is not None and (answer.is_answered or answer.status is not Status.ANSWERED)


def count_progress(
    questionnaire: Questionnaire, answers: Mapping[str, Answer], visible: Iterable[str]
) -> tuple[int, int]:
    """(answered, total) over the visible questions: hidden conditional questions do not count."""
    shown = set(visible)
    ids = [q.id for _s, q in questionnaire.questions() if q.id in shown]
    return sum(1 for qid in ids if is_done(answers.get(qid))), len(ids)


@dataclass(frozen=True)
class Unanswered:
    """The first question still to answer, and its section."""

    section: Section
    question: Question


def next_unanswered(questionnaire: Questionnaire, answers: Mapping[str, Answer]) -> Unanswered | None:
    """The first visible question, in questionnaire order, that is not done; None when every
    visible question is done."""
    visible = visible_questions(questionnaire, answers)
    for section, question in questionnaire.questions():
        if question.id in visible and not is_done(answers.get(question.id)):
            return Unanswered(section, question)
    return None
