"""Which questions a respondent was shown: the ``show_if`` rule, as the scoring applies it.

A question with ``show_if`` is shown only when the controlling (earlier) question is itself shown,
has a real answer, and that answer matches ``any_of``: the chosen option (single), any one of the
chosen options (multiple) or the level (level). A hidden question is left out of every score and
of completeness, whatever answer may be stored for it.
"""

from __future__ import annotations

from collections.abc import Mapping

from assess.questionnaire.answers import Answer
from assess.questionnaire.schema import Questionnaire


def _chosen(answer: Answer) -> set[str]:
    """The answer's value as a set of strings, so option ids and levels compare alike."""
    value = answer.value
    if isinstance(value, tuple):
        return {str(v) for v in value}
    return {str(value)}


def visible_question_ids(
    questionnaire: Questionnaire, answers: Mapping[str, Answer]
) -> frozenset[str]:
    """The ids of every question in ``questionnaire`` that ``answers`` make visible."""
    visible: set[str] = set()
    # show_if names an earlier question, so one pass in file order settles every question.
    for _section, question in questionnaire.questions():
        condition = question.show_if
        if condition is None:
            visible.add(question.id)
            continue
        controlling = answers.get(condition.question)
        if (
            condition.question in visible
            and controlling is not None
            and controlling.is_answered
            and _chosen(controlling) & {str(v) for v in condition.any_of}
        ):
            visible.add(question.id)
    return frozenset(visible)


def is_visible(
    questionnaire: Questionnaire, question_id: str, answers: Mapping[str, Answer]
) -> bool:
    """True when the question ``question_id`` is shown, given ``answers``."""
    questionnaire.question(question_id)  # KeyError for an unknown id
    return question_id in visible_question_ids(questionnaire, answers)
