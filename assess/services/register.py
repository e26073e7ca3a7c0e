"""The stakeholder register, one group at a time: adding a group, changing a group's ratings and
removing a group (or clearing a listed group's ratings).

The register is stored as it always was: one answer to the ``register`` question whose value is
the tuple of :class:`~assess.questionnaire.answers.RegisterRow` (listed segments in the
questionnaire's order, then the body's own groups, ``custom-group-1``, ``custom-group-2`` ...).
Each change here rewrites that one answer through :func:`assess.services.assessments.save_answers`,
so it is checked, audited and guarded by the answer's revision like any other save.

Two people may work on different groups at once: a change is based on the group *as the person's
page showed it* (a fingerprint of its row, see :func:`row_fingerprint`), not on the whole
register. When that group is still as shown, the change is applied to the register as it is now,
keeping everything colleagues changed meanwhile; when a colleague changed or removed that same
group, nothing is stored and the change comes back as a :class:`GroupConflict` showing both.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from assess.models import Assessment, Participant, User
from assess.questionnaire.answers import Answer, RegisterRow, Status
from assess.questionnaire.schema import Questionnaire, RegisterQuestion, Section
from assess.questionnaire.validation import (
    CUSTOM_LABEL_MAX_LENGTH,
    CUSTOM_SEGMENT_PREFIX,
    Message,
)
from assess.services import assessments, participant_answers, workshops
from assess.services.assessments import StoredAnswer, Submission
from assess.services.questionnaires import current_questionnaires

#: The id of the n-th group a body adds to the register ("custom-group-1", ...).
CUSTOM_GROUP = CUSTOM_SEGMENT_PREFIX + "group-"
#: How often a change is worked out again when a colleague's save to *another* group lands
#: between reading the register and writing it.
_ATTEMPTS = 4

ADDED = "added"
CHANGED = "changed"
REMOVED = "removed"


@dataclass(frozen=True)
class RegisterPlace:
    """Where an assessment's register is: its questionnaire, section and question."""

    questionnaire: Questionnaire
    section: Section
    question: RegisterQuestion


@dataclass(frozen=True)
class Group:
    """One group of the register as the pages show it."""

    segment_id: str
    #: The listed segment's label, or the body's own name for its group.
    label: str
    description: str | None
    #: A group the body added itself (it can be renamed and removed).
    custom: bool
    #: The listed segment's kind (``media``, ``extra-support``) or None.
    kind: str | None
    #: The stored row; None when the group has no ratings yet.
    row: RegisterRow | None

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the group as shown (see :func:`row_fingerprint`)."""
        return row_fingerprint(self.row)


@dataclass(frozen=True)
class GroupConflict:
    """A colleague changed (or removed) the group after this person's page showed it."""

    segment_id: str
    yours: RegisterRow | None
    theirs: RegisterRow | None
    updated_by: str | None
    updated_at: datetime | None

    @property
    def was(self) -> str:
        """The fingerprint to base a second try on: "keep mine" then means keep mine."""
        return row_fingerprint(self.theirs)


@dataclass(frozen=True)
class GroupOutcome:
    """What happened to one group's change."""

    #: The group's id (for an added group, the id it was given).
    segment_id: str | None = None
    saved: bool = False
    #: Problems (nothing was stored); :class:`~assess.questionnaire.validation.Message` objects.
    errors: tuple[str, ...] = ()
    conflict: GroupConflict | None = None


def find(assessment: Assessment) -> RegisterPlace | None:
    """The assessment's register question, or None when its questionnaires have none."""
    for questionnaire in assessments.questionnaires_of(assessment):
        for section, question in questionnaire.questions():
            if isinstance(question, RegisterQuestion):
                return RegisterPlace(questionnaire, section, question)
    return None


def stored(assessment: Assessment, place: RegisterPlace) -> StoredAnswer | None:
    """The register's stored answer (None before anything was saved)."""
    return assessments.stored_answers(assessment, place.questionnaire.id).get(place.question.id)


def rows_of(answer: Answer | None) -> dict[str, RegisterRow]:
    """The rows of a register answer by segment id (none for a status such as "Don't know")."""
    if answer is None or answer.status is not Status.ANSWERED:
        return {}
    value = answer.value if isinstance(answer.value, tuple | list) else ()
    return {r.segment_id: r for r in value if isinstance(r, RegisterRow)}


def row_fingerprint(row: RegisterRow | None) -> str:
    """A short, stable digest of one group's row (``""`` when it has none)."""
    if row is None:
        return ""
    text = json.dumps(row.to_json(), sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def custom_number(segment_id: str) -> int | None:
    """n for ``custom-group-n``; None for any other id."""
    number = segment_id.removeprefix(CUSTOM_GROUP)
    if number == segment_id or not number.isascii() or not number.isdigit() or len(number) > 9:
        return None
    return int(number)


def groups(place: RegisterPlace, answer: Answer | None, locale: str) -> list[Group]:
    """The listed groups in the questionnaire's order, then the body's own in the order added."""
    rows = rows_of(answer)
    listed = [
        Group(
            s.id,
            s.label.get(locale),
            s.description.get(locale) if s.description else None,
            False,
            s.kind,
            rows.get(s.id),
        )
        for s in place.question.segments
    ]
    listed_ids = {s.id for s in place.question.segments}
    own = [
        Group(r.segment_id, r.label or r.segment_id, None, True, None, r)
        for r in _ordered(
            place.question, [r for r in rows.values() if r.segment_id not in listed_ids]
        )
    ]
    return [*listed, *own]


def group(
    place: RegisterPlace, answer: Answer | None, segment_id: str, locale: str
) -> Group | None:
    """One group of the register, or None when there is no such group."""
    return next((g for g in groups(place, answer, locale) if g.segment_id == segment_id), None)


def _ordered(question: RegisterQuestion, rows: list[RegisterRow]) -> list[RegisterRow]:
    """Listed segments in the questionnaire's order, then the body's own by number."""
    listed = [s.id for s in question.segments]

    def key(row: RegisterRow) -> tuple[int, int, str]:
        if row.segment_id in listed:
            return (0, listed.index(row.segment_id), "")
        number = custom_number(row.segment_id)
        return (1, number if number is not None else 10**9, row.segment_id)

    return sorted(rows, key=key)


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _check_name(
    place: RegisterPlace, rows: Mapping[str, RegisterRow], segment_id: str | None, label: str
) -> list[str]:
    """A group of the body's own needs a name of its own (no other group is called the same)."""
    if not label.strip():
        return [Message("Enter the name of the group.")]
    if len(label) > CUSTOM_LABEL_MAX_LENGTH:
        return [
            Message(
                "The name of the group must be %(most)d characters or fewer.",
                most=CUSTOM_LABEL_MAX_LENGTH,
            )
        ]
    wanted = _name_key(label)
    names = [
        name
        for s in place.question.segments
        for name in s.label.root.values()
        if s.id != segment_id
    ]
    names += [r.label or "" for r in rows.values() if r.segment_id != segment_id]
    if any(_name_key(name) == wanted for name in names):
        return [Message("There is already a group called “%(name)s” in the register.", name=label)]
    return []


def _next_custom_id(rows: Mapping[str, RegisterRow]) -> str:
    numbers = [n for n in (custom_number(s) for s in rows) if n is not None]
    return f"{CUSTOM_GROUP}{max(numbers, default=0) + 1}"


def _answer(
    place: RegisterPlace, current: StoredAnswer | None, rows: Mapping[str, RegisterRow]
) -> Answer | None:
    """The register answer with ``rows``, keeping its evidence note (None: nothing left)."""
    note = current.answer.note if current else ""
    ordered = tuple(_ordered(place.question, list(rows.values())))
    return Answer(place.question.id, Status.ANSWERED, ordered, note) if ordered or note else None


def with_group(
    place: RegisterPlace, current: StoredAnswer | None, segment_id: str, values: Mapping[str, Any]
) -> Answer | None:
    """The register answer ``current`` with one group's ratings replaced by ``values`` (a listed
    group left without ratings drops out), keeping every other group and the evidence note; None
    when nothing would be left. What a workshop's facilitator records for the room, group by
    group (:mod:`assess.views.consensus_register`)."""
    rows = dict(rows_of(current.answer if current else None))
    listed = {s.id for s in place.question.segments}
    fields = {k: v for k, v in values.items() if v is not None and k != "segment_id"}
    if segment_id in listed:
        fields.pop("label", None)
    else:
        fields["label"] = " ".join(str(fields.get("label") or "").split()) or segment_id
    row = RegisterRow(segment_id=segment_id, **fields)
    if _empty(row) and segment_id in listed:
        rows.pop(segment_id, None)
    else:
        rows[segment_id] = row
    return _answer(place, current, rows)


def _empty(row: RegisterRow) -> bool:
    return not any(v is not None for k, v in row.to_json().items() if k not in ("segment_id",))


@dataclass(frozen=True)
class _Written:
    """What writing the register answer did."""

    #: Problems (nothing was stored).
    errors: tuple[str, ...] = ()
    #: Someone saved the register between reading and writing: nothing was stored, and this is
    #: what is stored now (None for "raced" with nothing stored).
    raced: bool = False
    theirs: StoredAnswer | None = None


class _Store(Protocol):
    """Whose register a change applies to: the assessment's, or a workshop participant's own."""

    place: RegisterPlace

    def read(self) -> StoredAnswer | None: ...

    def write(
        self, current: StoredAnswer | None, answer: Answer | None, detail: dict[str, str]
    ) -> _Written: ...


@dataclass(frozen=True)
class _AssessmentRegister:
    """The assessment's register, saved by a member (checked, audited, guarded by revision)."""

    assessment: Assessment
    user: User
    place: RegisterPlace

    def read(self) -> StoredAnswer | None:
        return stored(self.assessment, self.place)

    def write(
        self, current: StoredAnswer | None, answer: Answer | None, detail: dict[str, str]
    ) -> _Written:
        outcome = assessments.save_answers(
            self.assessment,
            self.user,
            self.place.questionnaire.id,
            {self.place.question.id: Submission(answer, current.revision if current else None)},
            detail=detail,
        )
        if outcome.errors:
            return _Written(errors=tuple(p for found in outcome.errors.values() for p in found))
        if outcome.conflicts:
            return _Written(raced=True, theirs=outcome.conflicts[0].theirs)
        return _Written()


@dataclass(frozen=True)
class _ParticipantRegister:
    """A workshop participant's own register answer (the facilitator sees it in the room's
    spread; the assessment's register changes only when the room's answer is recorded)."""

    participant: Participant
    place: RegisterPlace

    def read(self) -> StoredAnswer | None:
        found = participant_answers.own_answers_with_times(
            self.participant, self.place.questionnaire.id
        ).get(self.place.question.id)
        return StoredAnswer(found[0], 1, None, found[1], "workshop") if found else None

    def write(
        self, current: StoredAnswer | None, answer: Answer | None, detail: dict[str, str]
    ) -> _Written:
        errors = participant_answers.save_own_answers(
            self.participant.workshop,
            self.participant,
            self.place.questionnaire.id,
            self.place.section.id,
            {self.place.question.id: answer},
        ).errors
        return _Written(errors=tuple(p for found in errors.values() for p in found))


def participant_place(participant: Participant) -> RegisterPlace | None:
    """The register a workshop participant may answer: None when the session's questionnaires
    have none, or the facilitator has not opened its section."""
    workshop = participant.workshop
    for questionnaire in workshops.questionnaires_of(workshop.assessment):
        for section, question in questionnaire.questions():
            if isinstance(question, RegisterQuestion):
                key = workshops.section_key(questionnaire.id, section.id)
                if key not in workshop.opened_sections:
                    return None
                return RegisterPlace(questionnaire, section, question)
    return None


def participant_stored(participant: Participant, place: RegisterPlace) -> StoredAnswer | None:
    """The participant's own register answer (None before they saved any group)."""
    return _ParticipantRegister(participant, place).read()


def save_group(
    assessment: Assessment,
    user: User,
    place: RegisterPlace,
    segment_id: str | None,
    values: Mapping[str, Any],
    *,
    was: str,
) -> GroupOutcome:
    """Store one group's ratings (and, for a group of the body's own, its name).

    ``segment_id`` None adds a group of the body's own, given the next free ``custom-group-n``.
    ``values`` are the row's fields (``label`` and the ratings; a field left out is not rated).
    ``was`` is the fingerprint of the group as the person's page showed it. Raises
    :class:`~assess.services.assessments.AssessmentClosed` for a finalised assessment.
    """
    return _save_group(_AssessmentRegister(assessment, user, place), segment_id, values, was)


def save_own_group(
    participant: Participant,
    place: RegisterPlace,
    segment_id: str | None,
    values: Mapping[str, Any],
    *,
    was: str,
) -> GroupOutcome:
    """:func:`save_group` for a workshop participant's own register answer. Raises
    :class:`~assess.services.workshops.WorkshopError` once the session or the section closed."""
    return _save_group(_ParticipantRegister(participant, place), segment_id, values, was)


def _save_group(
    store: _Store, segment_id: str | None, values: Mapping[str, Any], was: str
) -> GroupOutcome:
    place = store.place
    adding = segment_id is None
    listed = {s.id for s in place.question.segments}
    if not adding and segment_id not in listed and custom_number(segment_id or "") is None:
        return GroupOutcome(
            segment_id, errors=(Message("There is no such group in the register."),)
        )
    conflict: GroupConflict | None = None
    for _attempt in range(_ATTEMPTS):
        current = store.read()
        rows = rows_of(current.answer if current else None)
        target = _next_custom_id(rows) if adding else segment_id
        assert target is not None
        custom = target not in listed
        fields = {k: v for k, v in values.items() if v is not None and k != "segment_id"}
        if custom:
            label = " ".join(str(fields.get("label") or "").split())
            problems = _check_name(place, rows, None if adding else target, label)
            if problems:
                return GroupOutcome(target if not adding else None, errors=tuple(problems))
            fields["label"] = label
        else:
            fields.pop("label", None)
        row = RegisterRow(segment_id=target, **fields)
        before = rows.get(target)
        if not adding and row_fingerprint(before) != was:
            if row_fingerprint(before) == row_fingerprint(None if _empty(row) else row):
                return GroupOutcome(target)  # a colleague made the very same change
            return GroupOutcome(
                target,
                conflict=GroupConflict(
                    target,
                    row,
                    before,
                    current.updated_by if current else None,
                    current.updated_at if current else None,
                ),
            )
        changed = dict(rows)
        if _empty(row) and not custom:
            changed.pop(target, None)
        else:
            changed[target] = row
        if changed == rows:
            return GroupOutcome(target)
        written = store.write(
            current,
            _answer(place, current, changed),
            {"register_group": target, "register_change": ADDED if adding else CHANGED},
        )
        if written.errors:
            return GroupOutcome(target if not adding else None, errors=written.errors)
        if not written.raced:
            return GroupOutcome(target, saved=True)
        # A colleague saved the register (another group, or its note) between our read and our
        # write: work the change out again on what is stored now.
        theirs = written.theirs
        conflict = GroupConflict(
            target,
            row,
            rows_of(theirs.answer if theirs else None).get(target),
            theirs.updated_by if theirs else None,
            theirs.updated_at if theirs else None,
        )
    return GroupOutcome(segment_id, conflict=conflict)


def remove_group(
    assessment: Assessment, user: User, place: RegisterPlace, segment_id: str, *, was: str
) -> GroupOutcome:
    """Take a group of the body's own out of the register, or clear a listed group's ratings.

    ``was`` is the fingerprint of the group as the confirmation page showed it: a group a
    colleague changed since is not removed (the change comes back as a conflict).
    """
    return _remove_group(_AssessmentRegister(assessment, user, place), segment_id, was)


def remove_own_group(
    participant: Participant, place: RegisterPlace, segment_id: str, *, was: str
) -> GroupOutcome:
    """:func:`remove_group` for a workshop participant's own register answer."""
    return _remove_group(_ParticipantRegister(participant, place), segment_id, was)


def _remove_group(store: _Store, segment_id: str, was: str) -> GroupOutcome:
    for _attempt in range(_ATTEMPTS):
        current = store.read()
        rows = rows_of(current.answer if current else None)
        before = rows.get(segment_id)
        if before is None:
            return GroupOutcome(segment_id)  # already gone: nothing to do
        if row_fingerprint(before) != was:
            return GroupOutcome(
                segment_id,
                conflict=GroupConflict(
                    segment_id,
                    None,
                    before,
                    current.updated_by if current else None,
                    current.updated_at if current else None,
                ),
            )
        changed = {k: v for k, v in rows.items() if k != segment_id}
        written = store.write(
            current,
            _answer(store.place, current, changed),
            {"register_group": segment_id, "register_change": REMOVED},
        )
        if written.errors:
            return GroupOutcome(segment_id, errors=written.errors)
        if not written.raced:
            return GroupOutcome(segment_id, saved=True)
    return GroupOutcome(
        segment_id,
        errors=(Message("The register is being changed by colleagues right now. Try again."),),
    )


def event_group(detail: Any, old_value: Any, new_value: Any, locale: str) -> tuple[str, str] | None:
    """For an audit event of a change made one group at a time: (the group's name, ``added``,
    ``changed`` or ``removed``); None for any other event. The name is the body's own name kept
    in the event's values, or the listed group's label."""
    if not isinstance(detail, dict) or not isinstance(detail.get("register_group"), str):
        return None
    segment_id = detail["register_group"]
    change = str(detail.get("register_change") or CHANGED)
    for value in (new_value, old_value):
        rows = value.get("value") if isinstance(value, dict) else None
        for row in rows if isinstance(rows, list) else ():
            if isinstance(row, dict) and row.get("segment_id") == segment_id and row.get("label"):
                return str(row["label"]), change
    for questionnaire in current_questionnaires():
        for _section, question in questionnaire.questions():
            if isinstance(question, RegisterQuestion):
                for segment in question.segments:
                    if segment.id == segment_id:
                        return segment.label.get(locale), change
    return segment_id, change
