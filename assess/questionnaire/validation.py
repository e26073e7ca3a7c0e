"""Is an answer allowed, and is a question shown at all?

:func:`check_answer` says in plain words what is wrong with one answer to one question; the web
forms show these messages and the services refuse to store an answer that has any.
:func:`visible_questions` applies the ``show_if`` conditions: a hidden question's answer is kept
(the person may change the controlling answer back) but ignored by the scoring and by completeness.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from assess.questionnaire.answers import Answer, RegisterRow, Status
from assess.questionnaire.schema import (
    ALL_RATING_ATTRIBUTES,
    CHOICE_ATTRIBUTES,
    ID_PATTERN,
    LevelQuestion,
    MultipleQuestion,
    Question,
    Questionnaire,
    RegisterQuestion,
    SingleQuestion,
    TextQuestion,
)

#: The longest evidence note accepted, in characters.
NOTE_MAX_LENGTH = 5000
#: A segment the body adds to the register itself has an id starting with this.
CUSTOM_SEGMENT_PREFIX = "custom-"
#: The longest name of a custom segment, in characters.
CUSTOM_LABEL_MAX_LENGTH = 200
#: The longest document reference given with a criterion, in characters.
REFERENCE_MAX_LENGTH = 300

_CUSTOM_ID = re.compile(CUSTOM_SEGMENT_PREFIX + ID_PATTERN.lstrip("^"))

#: Answers by question id.
Answers = Mapping[str, Answer]


class Message(str):
    """A problem, in English, that remembers its template and values.

    It is a plain ``str`` everywhere (logs, tests, the command line); the web layer translates it
    with ``gettext(message.template, **message.params)``. The templates are found by
    ``pybabel extract`` through the ``Message`` keyword (see babel.cfg).
    """

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Message:
        text = super().__new__(cls, template % params if params else template)
        text.template = template
        text.params = params
        return text


def check_answer(question: Question, answer: Answer) -> list[str]:
    """What is wrong with ``answer`` as an answer to ``question``; empty when it is acceptable.

    An answered question with no value yet (None, "" or nothing chosen) is acceptable: it is simply
    not answered. Visibility is not checked here (see :func:`visible_questions`).
    """
    problems: list[str] = []
    if answer.question_id != question.id:
        problems.append(
            Message(
                "this answer is for question %(given)s, not %(expected)s",
                given=answer.question_id,
                expected=question.id,
            )
        )
    if len(answer.note) > NOTE_MAX_LENGTH:
        problems.append(
            Message(
                "the evidence note must be %(most)d characters or fewer: it is %(length)d",
                length=len(answer.note),
                most=NOTE_MAX_LENGTH,
            )
        )
    if answer.status is Status.NOT_APPLICABLE and not question.allow_na:
        problems.append(Message('"Not applicable" is not an answer to this question'))
    elif answer.status is Status.NOT_APPLICABLE and not answer.note.strip():
        problems.append(
            Message('say in the evidence note why this does not apply: "not applicable, because …"')
        )
    elif answer.status is Status.DONT_KNOW and not question.allow_dont_know:
        problems.append(Message('"Don\'t know" is not an answer to this question'))
    problems += _check_criteria(question, answer)
    if answer.status is not Status.ANSWERED:
        if answer.value not in (None, "", ()):
            problems.append(
                Message("an answer that is not applicable or not known carries no value")
            )
        return problems
    if answer.value in (None, "", ()):
        return problems
    problems += _check_value(question, answer.value)
    return problems


def _check_criteria(question: Question, answer: Answer) -> list[str]:
    """Criteria confirmations: only for a level question answered 3 or above, each one known."""
    if not answer.criteria:
        return []
    level = answer.value if isinstance(answer.value, int) else 0
    if not isinstance(question, LevelQuestion) or answer.status is not Status.ANSWERED:
        return [Message("only a level answered 3 or above has criteria to confirm")]
    known = {(n, i) for n, i, _text in question.criteria_up_to(level)}
    problems: list[str] = []
    seen: set[tuple[int, int]] = set()
    for check in answer.criteria:
        key = (check.level, check.number)
        if key not in known:
            problems.append(
                Message(
                    "criterion %(key)s is not a criterion of level %(level)s or below",
                    key=check.key,
                    level=level,
                )
            )
        if key in seen:
            problems.append(Message("criterion %(key)s is confirmed twice", key=check.key))
        seen.add(key)
        if len(check.reference) > REFERENCE_MAX_LENGTH:
            problems.append(
                Message(
                    "the document reference for criterion %(key)s is %(length)d characters "
                    "long; the most is %(most)d",
                    key=check.key,
                    length=len(check.reference),
                    most=REFERENCE_MAX_LENGTH,
                )
            )
    return problems


def keep_criteria(question: Question, answer: Answer, criteria: Any = None) -> Answer:
    """``answer`` with only the confirmations its level asks for, in the question's order.

    ``criteria`` (default: the answer's own) are the confirmations to choose from: a workshop's
    agreed level keeps the confirmations stored before it. Confirmations of levels above the
    chosen one, and all of them for a level below 3 or an answer that is not a level, are
    dropped: the level chosen decides which records are being vouched for.
    """
    given = answer.criteria if criteria is None else tuple(criteria)
    if not isinstance(question, LevelQuestion):
        return replace(answer, criteria=()) if answer.criteria else answer
    level = answer.value if isinstance(answer.value, int) else 0
    if answer.status is not Status.ANSWERED or isinstance(answer.value, bool):
        level = 0
    by_key = {(c.level, c.number): c for c in given}
    kept = tuple(
        by_key[(n, i)] for n, i, _text in question.criteria_up_to(level) if (n, i) in by_key
    )
    return answer if kept == answer.criteria else replace(answer, criteria=kept)


def _check_value(question: Question, value: Any) -> list[str]:
    if isinstance(question, SingleQuestion):
        return _check_single(question, value)
    if isinstance(question, MultipleQuestion):
        return _check_multiple(question, value)
    if isinstance(question, LevelQuestion):
        if isinstance(value, bool) or not isinstance(value, int):
            return [Message("the answer should be a level from 1 to 5, not %(value)r", value=value)]
        if value not in question.levels:
            return [
                Message("level %(value)s is out of range: choose a level from 1 to 5", value=value)
            ]
        return []
    if isinstance(question, TextQuestion):
        if not isinstance(value, str):
            return [Message("the answer should be text, not %(value)r", value=value)]
        if len(value) > question.max_length:
            return [
                Message(
                    "the answer must be %(most)d characters or fewer: it is %(length)d",
                    length=len(value),
                    most=question.max_length,
                )
            ]
        return []
    if isinstance(question, RegisterQuestion):
        return _check_register(question, value)
    raise TypeError(f"unknown question type {type(question).__name__}")


def _check_single(question: SingleQuestion, value: Any) -> list[str]:
    option_ids = [o.id for o in question.options]
    if not isinstance(value, str):
        return [Message("the answer should be one option, not %(value)r", value=value)]
    if value not in option_ids:
        return [Message("%(value)r is not one of this question's options", value=value)]
    return []


def _check_multiple(question: MultipleQuestion, value: Any) -> list[str]:
    option_ids = [o.id for o in question.options]
    if not isinstance(value, tuple | list) or not all(isinstance(v, str) for v in value):
        return [Message("the answer should be a list of options, not %(value)r", value=value)]
    problems = [
        Message("%(value)r is not one of this question's options", value=v)
        for v in value
        if v not in option_ids
    ]
    if len(set(value)) != len(value):
        problems.append(Message("an option is chosen twice"))
    if question.max_choices is not None and len(set(value)) > question.max_choices:
        problems.append(
            Message(
                "choose up to %(most)d options: %(count)d are chosen",
                count=len(set(value)),
                most=question.max_choices,
            )
        )
    return problems


def _check_register(question: RegisterQuestion, value: Any) -> list[str]:
    if not isinstance(value, tuple | list) or not all(isinstance(r, RegisterRow) for r in value):
        return [Message("the answer should be the register's rows")]
    listed = {s.id for s in question.segments}
    problems: list[str] = []
    seen: set[str] = set()
    for row in value:
        name = row.segment_id
        if name in seen:
            problems.append(Message("segment %(name)s has two rows", name=name))
        seen.add(name)
        if name in listed:
            pass
        elif not _CUSTOM_ID.fullmatch(name):
            problems.append(Message("%(name)r is not a segment of the register", name=name))
            continue
        elif not question.allow_custom_segments:
            problems.append(
                Message("this register takes no segments of your own, such as %(name)r", name=name)
            )
            continue
        elif not (row.label or "").strip():
            problems.append(Message("segment %(name)s of your own needs a name", name=name))
        elif len(row.label or "") > CUSTOM_LABEL_MAX_LENGTH:
            problems.append(
                Message(
                    "the name of segment %(name)s is longer than %(most)d characters",
                    name=name,
                    most=CUSTOM_LABEL_MAX_LENGTH,
                )
            )
        label = row.label if name not in listed and row.label else name
        for attribute in (*ALL_RATING_ATTRIBUTES, *CHOICE_ATTRIBUTES):
            if getattr(row, attribute) is not None and not question.has_attribute(attribute):
                problems.append(
                    Message(
                        "%(label)s: this register has no column %(attribute)s",
                        label=label,
                        attribute=attribute,
                    )
                )
        for attribute in ALL_RATING_ATTRIBUTES:
            rating = getattr(row, attribute)
            if rating is None or not question.has_attribute(attribute):
                continue
            allowed = {int(o.id) for o in question.attribute(attribute).options}
            if isinstance(rating, bool) or not isinstance(rating, int) or rating not in allowed:
                problems.append(
                    Message(
                        "%(label)s: %(attribute)s should be rated from %(low)d to %(high)d, "
                        "not %(rating)r",
                        label=label,
                        attribute=attribute,
                        low=min(allowed),
                        high=max(allowed),
                        rating=rating,
                    )
                )
        for attribute in CHOICE_ATTRIBUTES:
            choice = getattr(row, attribute)
            if not question.has_attribute(attribute):
                continue
            allowed_ids = [o.id for o in question.attribute(attribute).options]
            if choice is not None and choice not in allowed_ids:
                problems.append(
                    Message(
                        "%(label)s: %(choice)r is not a choice for %(attribute)s (%(allowed)s)",
                        label=label,
                        choice=choice,
                        attribute=attribute,
                        allowed=", ".join(allowed_ids),
                    )
                )
    return problems


def condition_met(question: Question, answers: Answers) -> bool:
    """Whether ``question``'s own ``show_if`` holds (True when it has none).

    The controlling question must have a real answer: "not applicable", "don't know" and no answer
    all leave the condition unmet. This ignores whether the controlling question is itself hidden;
    :func:`visible_questions` takes care of that.
    """
    condition = question.show_if
    if condition is None:
        return True
    answer = answers.get(condition.question)
    if answer is None or not answer.is_answered:
        return False
    chosen = answer.value if isinstance(answer.value, tuple | list) else (answer.value,)
    return any(value in condition.any_of for value in chosen)


def visible_questions(questionnaire: Questionnaire, answers: Answers) -> set[str]:
    """The ids of the questions shown, given ``answers`` (by question id).

    A question is hidden when its condition is not met, or when the question it depends on is
    hidden (its answer then no longer counts, so neither does anything that depends on it).
    Conditions only point at earlier questions, so one pass in file order settles every chain.
    """
    visible: set[str] = set()
    for _section, question in questionnaire.questions():
        condition = question.show_if
        if condition is not None and condition.question not in visible:
            continue
        if condition_met(question, answers):
            visible.add(question.id)
    return visible


def is_visible(questionnaire: Questionnaire, question_id: str, answers: Answers) -> bool:
    """Whether the question ``question_id`` is shown, given ``answers`` (by question id).

    Raises KeyError for a question the questionnaire does not have.
    """
    questionnaire.question(question_id)
    return question_id in visible_questions(questionnaire, answers)


def visible_answers(questionnaire: Questionnaire, answers: Answers) -> dict[str, Answer]:
    """``answers`` without those to hidden questions: what the scoring and completeness count."""
    shown = visible_questions(questionnaire, answers)
    return {qid: answer for qid, answer in answers.items() if qid in shown}
