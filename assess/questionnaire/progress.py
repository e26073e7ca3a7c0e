"""How far a questionnaire has been answered.

Pure: it reads a questionnaire and answers by question id, never the database. The overview, the
start page (:mod:`assess.services.resume`), the section pages and the autosave all count with
these, so that they agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from assess.questionnaire.answers import Answer, Status
from assess.questionnaire.schema import Questionnaire


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
