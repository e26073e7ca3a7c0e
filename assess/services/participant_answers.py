"""A workshop participant's own answers: read back, and saved all or nothing, a section the
facilitator has opened at a time.

They are kept per person in :class:`~assess.models.ParticipantAnswer` and never written into the
assessment (only the answer the room agrees is, see :mod:`assess.services.consensus`). A save is a
few plain statements built once, because a phone saves every question it leaves; two tabs of the
same person saving at once are safe (docs/benchmarks.md, "1,000 workshop participants").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from assess import db
from assess.models import Participant, ParticipantAnswer, WorkshopSession
from assess.questionnaire.answers import Answer, Status
from assess.questionnaire.validation import check_answer
from assess.services.workshops import (
    SectionNotOpen,
    WorkshopError,
    questionnaire,
    require_open,
    section_key,
)


def _to_answer(row: Any) -> Answer:
    return _answer_from(row.question_id, row.status, row.value, row.note)


def _answer_from(question_id: str, status: str, value: Any, note: str | None) -> Answer:
    """An individual answer as its stored columns give it."""
    return Answer(
        question_id=question_id,
        status=Status(status),
        value=Answer.value_from_json(value),
        note=note or "",
    )


#: A participant's own answers to one questionnaire.
_OWN_ANSWERS = select(ParticipantAnswer).where(
    ParticipantAnswer.participant_id == bindparam("participant_id"),
    ParticipantAnswer.questionnaire_id == bindparam("questionnaire_id"),
)


def own_answers_with_times(
    participant: Participant, questionnaire_id: str
) -> dict[str, tuple[Answer, datetime]]:
    """The participant's own answers to one questionnaire with when each last changed."""
    found = db.session().scalars(
        _OWN_ANSWERS, {"participant_id": participant.id, "questionnaire_id": questionnaire_id}
    )
    return {r.question_id: (_to_answer(r), r.updated_at) for r in found}


def own_answers(participant: Participant, questionnaire_id: str) -> dict[str, Answer]:
    """The participant's own answers to one questionnaire, by question id."""
    found = own_answers_with_times(participant, questionnaire_id)
    return {qid: answer for qid, (answer, _at) in found.items()}


@dataclass(frozen=True)
class OwnSave:
    """What a participant's save did.

    ``errors``: the problems by question id (nothing was stored when there are any);
    ``answers``: the participant's answers to the questionnaire after the save, read in its
    transaction, so the page needs no second read (empty when there are errors).
    """

    errors: dict[str, list[str]]
    answers: dict[str, Answer] = field(default_factory=dict)


def save_own_answers(
    workshop: WorkshopSession,
    participant: Participant,
    questionnaire_id: str,
    section_id: str,
    answers: Mapping[str, Answer | None],
) -> OwnSave:
    """Store a participant's answers to questions of one opened section, all or nothing.

    None clears an answer. Raises :class:`SessionClosed` after closing and
    :class:`SectionNotOpen` for a section the facilitator has not opened.
    """
    if participant.session_id != workshop.id:
        raise WorkshopError("That is not your session.")
    require_open(workshop)
    if section_key(questionnaire_id, section_id) not in workshop.opened_sections:
        raise SectionNotOpen("The facilitator has not opened these questions, or has closed them.")
    try:
        found = questionnaire(workshop.assessment, questionnaire_id).section(section_id)
    except KeyError:
        raise SectionNotOpen("There are no such questions in this workshop.") from None
    on_page = {q.id: q for q in found.questions}
    errors: dict[str, list[str]] = {}
    for question_id, answer in answers.items():
        question = on_page.get(question_id)
        if question is None:
            errors[question_id] = ["This question is not part of the section."]
        elif answer is not None:
            problems = check_answer(question, answer)
            if problems:
                errors[question_id] = problems
    if errors:
        return OwnSave(errors)
    return OwnSave({}, _write_own(workshop, participant, questionnaire_id, answers))


# The participant's save, as plain statements built once: a save runs them for every question a
# phone leaves, and reading and writing ORM objects cost more than the statements themselves.
#: A participant's own answers to one questionnaire, as plain rows.
_OWN_ROWS = select(
    ParticipantAnswer.id,
    ParticipantAnswer.question_id,
    ParticipantAnswer.status,
    ParticipantAnswer.value,
    ParticipantAnswer.note,
).where(
    ParticipantAnswer.participant_id == bindparam("participant_id"),
    ParticipantAnswer.questionnaire_id == bindparam("questionnaire_id"),
)
_INSERT_OWN = insert(ParticipantAnswer)
_UPDATE_OWN = (
    update(ParticipantAnswer)
    .where(ParticipantAnswer.id == bindparam("answer_id"))
    .values(
        status=bindparam("status"),
        value=bindparam("value"),
        note=bindparam("note"),
        updated_at=bindparam("updated_at"),
    )
)
_DELETE_OWN = delete(ParticipantAnswer).where(ParticipantAnswer.id == bindparam("answer_id"))


class _ReadAgain(Exception):
    """The answer read a moment ago has gone (the same person cleared it in another tab): read
    again and write what this save says, rather than acknowledge a change nothing stored."""


def _write_own(
    workshop: WorkshopSession,
    participant: Participant,
    questionnaire_id: str,
    answers: Mapping[str, Answer | None],
) -> dict[str, Answer]:
    """Write the answers; returns all of the participant's answers to the questionnaire after."""
    session = db.session()
    now = db.utcnow()
    for attempt in (1, 2, 3):
        try:
            connection = session.connection()
            # All of the participant's answers to the questionnaire (a few dozen at most): the
            # submitted ones are written, and all of them are what the page shows after the save.
            current = {
                r.question_id: r
                for r in connection.execute(
                    _OWN_ROWS,
                    {"participant_id": participant.id, "questionnaire_id": questionnaire_id},
                )
            }
            after = {qid: _to_answer(row) for qid, row in current.items()}
            # One order for every writer, so two tabs saving the same questions cannot deadlock.
            for question_id, answer in sorted(answers.items()):
                row = current.get(question_id)
                if answer is None:
                    if row is not None:
                        connection.execute(_DELETE_OWN, {"answer_id": row.id})
                        del after[question_id]
                    continue
                values = {
                    "status": answer.status.value,
                    "value": answer.value_to_json(),
                    "note": answer.note,
                    "updated_at": now,
                }
                if row is None:
                    connection.execute(
                        _INSERT_OWN,
                        {
                            "participant_id": participant.id,
                            "session_id": workshop.id,
                            "questionnaire_id": questionnaire_id,
                            "question_id": question_id,
                            **values,
                        },
                    )
                elif connection.execute(_UPDATE_OWN, {"answer_id": row.id, **values}).rowcount != 1:
                    raise _ReadAgain
                # What a read would give back: the stored columns, not the posted object.
                after[question_id] = _answer_from(
                    question_id, values["status"], values["value"], values["note"]
                )
            session.commit()
            return after
        except _ReadAgain:
            session.rollback()
            if attempt == 3:
                raise WorkshopError("Your answer could not be saved: try again.") from None
        except (IntegrityError, OperationalError) as error:
            # The same device saved the same question twice at once: the other save inserted
            # the row first. Read it and update it instead.
            session.rollback()
            if attempt == 3 or not db.lost_race(error):
                raise
    raise AssertionError("unreachable")  # pragma: no cover
