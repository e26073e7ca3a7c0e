"""Questionnaire sections as web forms: the fields of each question type, and reading a posted page.

A section is one page. Every question on it has these fields (``<id>`` is the question's id; ids
never contain an underscore, so ``__`` cannot be part of one):

``q_<id>``
    The answer: an option id (single), option ids (multiple), a level 1 to 5 (level) or text. For
    single and level questions "Not applicable" and "Don't know" are further radios of the same
    group, with the values ``not_applicable`` and ``dont_know`` (never an option id: option ids
    have no underscore).
``q_<id>__status``
    For multiple, text and register questions: a checkbox ``not_applicable`` or ``dont_know``.
``q_<id>__c<level>-<n>`` and ``q_<id>__c<level>-<n>__ref``
    Level questions: whether criterion ``n`` of ``level`` (3 to 5) is ``met`` or ``not-met``, and
    the document or record that shows it (optional). Only the criteria up to the level chosen are
    kept (see :func:`assess.questionnaire.validation.keep_criteria`).
``q_<id>__note``
    The evidence note (at most :data:`~assess.questionnaire.validation.NOTE_MAX_LENGTH` characters).
``q_<id>__rev``
    The stored revision the page showed ("" when there was no answer yet).
``q_<id>__was``
    A fingerprint of the answer the page showed. A question posted unchanged is not saved again,
    so that a colleague's newer answer to a question this person did not touch is never reported
    as a conflict, nor overwritten.
``q_<id>__conflict`` and ``q_<id>__resolve``
    After a conflict: the marker that the page asked, and the choice, ``mine`` or ``theirs``.
``q_<id>__<segment>__<attribute>``
    The register: one field per segment and attribute, and ``q_<id>__<segment>__label`` for a
    group the body added itself (segment ids ``custom-group-1``, ``custom-group-2`` ...). The
    assessment's section page carries the stored rows as hidden fields (each group is added,
    changed and removed on its own page, see :mod:`assess.views.register`), so that saving the
    page or its evidence note keeps them; a workshop participant's page shows every cell.

:func:`parse_page` (and :func:`parse_question`, which the autosave uses) is the one place that
turns posted fields into :class:`~assess.services.assessments.Submission` objects. The page views
(:class:`QuestionView`) carry what the templates show.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from assess.questionnaire.answers import Answer, CriterionCheck, RegisterRow, Status
from assess.questionnaire.progress import count_progress as count_progress
from assess.questionnaire.progress import is_done as is_done
from assess.questionnaire.schema import (
    ALL_RATING_ATTRIBUTES,
    CHOICE_ATTRIBUTES,
    LevelQuestion,
    MultipleQuestion,
    Question,
    RegisterQuestion,
    Section,
    SingleQuestion,
    TextQuestion,
)
from assess.questionnaire.validation import (
    CUSTOM_SEGMENT_PREFIX,
    NOTE_MAX_LENGTH,
    REFERENCE_MAX_LENGTH,
    keep_criteria,
)
from assess.questionnaire.wording import describe as describe
from assess.questionnaire.wording import status_label as status_label
from assess.scoring.maturity import evidenced_level
from assess.services.assessments import Conflict, StoredAnswer, Submission

#: The prefix of every answer field.
PREFIX = "q_"
SEP = "__"
#: The statuses offered beside a real answer, as posted.
OTHER_STATUSES = (Status.NOT_APPLICABLE.value, Status.DONT_KNOW.value)
#: Page fields that are not answers.
PAGE_FIELDS = frozenset({"csrf_token", "action", "remove_segment", "extra_rows"})
#: Per-question fields besides the answer itself.
SUFFIXES = frozenset({"status", "note", "rev", "was", "conflict", "resolve"})
RESOLVE_MINE = "mine"
RESOLVE_THEIRS = "theirs"

_FIELD = re.compile(r"^q_([a-z][a-z0-9-]*)(?:__([a-z0-9-]+))?(?:__([a-z]+))?$")
#: A criterion's field suffix: ``c3-1`` (its met / not met), with ``__ref`` for its reference.
_CRITERION = re.compile(r"^c([3-5])-([1-9][0-9]?)$")
CRITERION_MET = "met"
CRITERION_NOT_MET = "not-met"
REFERENCE_SUFFIX = "ref"


def criterion_field(question_id: str, level: int, number: int, reference: bool = False) -> str:
    """The field of criterion ``level``.``number`` of ``question_id`` (or of its reference)."""
    name = field_name(question_id, f"c{level}-{number}")
    return f"{name}{SEP}{REFERENCE_SUFFIX}" if reference else name


class BadPage(ValueError):
    """The posted page cannot have come from our form (a field for a question not on the page)."""


def field_name(question_id: str, suffix: str | None = None) -> str:
    """The name of ``question_id``'s answer field, or of its ``suffix`` field."""
    return f"{PREFIX}{question_id}{SEP}{suffix}" if suffix else f"{PREFIX}{question_id}"


def register_field(question_id: str, segment_id: str, attribute: str) -> str:
    """The name of one cell of the register."""
    return f"{PREFIX}{question_id}{SEP}{segment_id}{SEP}{attribute}"


def fingerprint(answer: Answer | None) -> str:
    """A short, stable digest of ``answer`` (``""`` for no answer): did the person change it?"""
    if answer is None:
        return ""
    data = {"status": answer.status.value, "value": answer.value_to_json(), "note": answer.note}
    if answer.criteria:
        data["criteria"] = answer.criteria_to_json()
    text = json.dumps(data, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def clean_text(value: str | None) -> str:
    """Posted text as stored: one kind of line ending, no surrounding space."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


#: A number as a page sends it: plain ASCII digits, few enough to mean something (never the
#: 4,301 digits Python refuses to read, nor "²", which ``str.isdigit`` accepts).
_NUMBER = re.compile(r"[0-9]{1,9}")
#: The most empty groups a register shows for adding at once.
MAX_EXTRA_ROWS = 20


def small_number(raw: str | None) -> int | None:
    """``raw`` as a whole number when it is one of at most nine ASCII digits; None otherwise."""
    raw = (raw or "").strip()
    return int(raw) if _NUMBER.fullmatch(raw) else None


def extra_rows(raw: str | None) -> int:
    """How many empty register groups a page asked for (``?rows=`` or ``extra_rows``): a number
    above the limit means the limit; anything that is not a number means none."""
    raw = (raw or "").strip()
    if raw and raw.isascii() and raw.isdigit():
        return MAX_EXTRA_ROWS if len(raw) > 2 else min(int(raw), MAX_EXTRA_ROWS)
    return 0


def _revision(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    revision = small_number(raw)
    if revision is None:
        raise BadPage(gettext("The page sent an unreadable revision number."))
    return revision


@dataclass(frozen=True)
class ParsedQuestion:
    """One question as posted."""

    question_id: str
    #: The answer the fields hold (None: empty).
    answer: Answer | None
    base_revision: int | None
    #: The fingerprint of the answer the page showed.
    was: str
    #: ``mine`` or ``theirs`` after a conflict; None otherwise.
    resolve: str | None = None
    #: Problems the fields alone show (before the question's own rules are checked).
    errors: tuple[str, ...] = ()
    #: Level questions: every criterion field as posted, (level, number, state, reference), so
    #: that a page shown again with a problem keeps what the person typed.
    criteria_fields: tuple[tuple[int, int, str, str], ...] = ()

    @property
    def changed(self) -> bool:
        """The person changed the answer on the page (or chose to keep theirs after a conflict)."""
        if self.resolve == RESOLVE_MINE:
            return True
        return fingerprint(self.answer) != self.was

    @property
    def submission(self) -> Submission:
        """What the service stores."""
        return Submission(self.answer, self.base_revision)


@dataclass(frozen=True)
class ParsedPage:
    """A posted section."""

    questions: dict[str, ParsedQuestion]
    #: The button pressed: ``save`` (default), ``save-exit``, ``add-segment``.
    action: str = "save"
    #: A custom register row the person removed.
    removed_segment: str | None = None

    @property
    def errors(self) -> dict[str, list[str]]:
        """Problems found while reading the fields, by question id."""
        return {qid: list(p.errors) for qid, p in self.questions.items() if p.errors}

    def submissions(self) -> dict[str, Submission]:
        """The changed questions, for the service; a conflict settled as "theirs" is left out."""
        return {
            qid: p.submission
            for qid, p in self.questions.items()
            if p.changed and p.resolve != RESOLVE_THEIRS
        }

    def answers(self) -> dict[str, Answer]:
        """The answers as posted (to show again, and to work out what is visible)."""
        return {qid: p.answer for qid, p in self.questions.items() if p.answer is not None}


# ---- reading one question ----------------------------------------------------------------


def _status_and_value(
    question: Question, form: MultiDict[str, str]
) -> tuple[Status, Any, list[str]]:
    name = field_name(question.id)
    problems: list[str] = []
    if isinstance(question, SingleQuestion | LevelQuestion):
        raw = (form.get(name) or "").strip()
        extra = (form.get(field_name(question.id, "status")) or "").strip()
        if extra and extra != Status.ANSWERED.value:
            raw = raw or extra
        if raw in OTHER_STATUSES:
            return Status(raw), None, problems
        if isinstance(question, LevelQuestion) and raw:
            return Status.ANSWERED, int(raw) if re.fullmatch(r"-?\d{1,3}", raw) else raw, problems
        return Status.ANSWERED, raw or None, problems
    status_raw = (form.get(field_name(question.id, "status")) or "").strip()
    status = Status.ANSWERED
    if status_raw and status_raw != Status.ANSWERED.value:
        if status_raw not in OTHER_STATUSES:
            problems.append(gettext("That is not an answer this question takes."))
        else:
            status = Status(status_raw)
    if isinstance(question, MultipleQuestion):
        value: Any = tuple(v.strip() for v in form.getlist(name) if v.strip())
    elif isinstance(question, TextQuestion):
        value = clean_text(form.get(name))
    else:
        assert isinstance(question, RegisterQuestion)
        value = _register_rows(question, form)
    if status is not Status.ANSWERED and value not in (None, "", ()):
        problems.append(
            gettext(
                "Either answer the question or tick “%(other)s”, not both.",
                other=status_label(status),
            )
        )
    return status, value, problems


def _register_rows(
    question: RegisterQuestion, form: MultiDict[str, str]
) -> tuple[RegisterRow, ...]:
    """The register's rows as posted: listed segments in order, then the body's own groups."""
    cells: dict[str, dict[str, str]] = {}
    start = field_name(question.id) + SEP
    for key in form:
        if not key.startswith(start):
            continue
        rest = key[len(start) :]
        if rest in SUFFIXES:
            continue
        segment, _, attribute = rest.partition(SEP)
        cells.setdefault(segment, {})[attribute] = (form.get(key) or "").strip()
    listed = [s.id for s in question.segments]
    custom = sorted((s for s in cells if s not in listed), key=_custom_order)
    rows: list[RegisterRow] = []
    for segment_id in [*listed, *custom]:
        values = cells.get(segment_id)
        if not values:
            continue
        row: dict[str, Any] = {}
        for attribute, raw in values.items():
            if not raw:
                continue
            if attribute == "label":
                row["label"] = clean_text(raw)
            elif attribute in ALL_RATING_ATTRIBUTES:
                row[attribute] = int(raw) if re.fullmatch(r"-?\d{1,3}", raw) else raw
            elif attribute in CHOICE_ATTRIBUTES:
                row[attribute] = raw
            else:
                raise BadPage(gettext("The register has no column “%(name)s”.", name=attribute))
        if row:
            rows.append(RegisterRow(segment_id=segment_id, **row))
    return tuple(rows)


#: The id of the n-th group a body adds to the register ("custom-group-1", ...).
CUSTOM_GROUP = CUSTOM_SEGMENT_PREFIX + "group-"


def _custom_order(segment_id: str) -> tuple[int, str]:
    number = segment_id.removeprefix(CUSTOM_GROUP)
    found = small_number(number)
    return (found, "") if found is not None else (10**9, segment_id)


def _criteria(
    question: LevelQuestion, form: MultiDict[str, str]
) -> tuple[
    tuple[CriterionCheck, ...], dict[tuple[int, int], str], tuple[tuple[int, int, str, str], ...]
]:
    """The criteria confirmations as posted (every level's), problems by criterion, and the
    fields as posted."""
    checks: list[CriterionCheck] = []
    problems: dict[tuple[int, int], str] = {}
    fields: list[tuple[int, int, str, str]] = []
    for level, number, _text in question.criteria_up_to(5):
        key = f"{level}.{number}"
        raw = (form.get(criterion_field(question.id, level, number)) or "").strip()
        reference = clean_text(form.get(criterion_field(question.id, level, number, True)))
        if raw or reference:
            fields.append((level, number, raw, reference))
        if raw in (CRITERION_MET, CRITERION_NOT_MET):
            checks.append(CriterionCheck(level, number, raw == CRITERION_MET, reference))
        elif raw:
            problems[(level, number)] = gettext("Choose “Met” or “Not met” for each criterion.")
        elif reference:
            problems[(level, number)] = gettext(
                "Criterion %(key)s has a document reference: say whether it is met.", key=key
            )
        if len(reference) > REFERENCE_MAX_LENGTH:
            problems[(level, number)] = gettext(
                "The document reference for criterion %(key)s is %(length)d characters long. "
                "Shorten it to %(most)d characters or fewer.",
                key=key,
                length=len(reference),
                most=REFERENCE_MAX_LENGTH,
            )
    return tuple(checks), problems, tuple(fields)


def parse_question(question: Question, form: MultiDict[str, str]) -> ParsedQuestion:
    """Read ``question``'s fields from ``form``."""
    status, value, problems = _status_and_value(question, form)
    criteria: tuple[CriterionCheck, ...] = ()
    criteria_fields: tuple[tuple[int, int, str, str], ...] = ()
    if isinstance(question, LevelQuestion):
        criteria, by_criterion, criteria_fields = _criteria(question, form)
        # Only the criteria of the level chosen, and of the levels below it, are read.
        chosen = value if status is Status.ANSWERED and isinstance(value, int) else 0
        problems += [p for (level, _n), p in by_criterion.items() if level <= chosen]
    note = clean_text(form.get(field_name(question.id, "note")))
    if len(note) > NOTE_MAX_LENGTH:
        problems.append(
            gettext(
                "The evidence note is %(length)d characters long. Shorten it to %(most)d "
                "characters or fewer.",
                length=len(note),
                most=NOTE_MAX_LENGTH,
            )
        )
    empty = status is Status.ANSWERED and value in (None, "", ()) and not note
    answer = None if empty else Answer(question.id, status, value, note)
    if answer is not None and criteria:
        answer = keep_criteria(question, answer, criteria)
    resolve = None
    if form.get(field_name(question.id, "conflict")):
        resolve = form.get(field_name(question.id, "resolve")) or None
        if resolve not in (RESOLVE_MINE, RESOLVE_THEIRS):
            resolve = None
            problems.append(gettext("Choose which answer to keep."))
    return ParsedQuestion(
        question_id=question.id,
        answer=answer,
        base_revision=_revision(form.get(field_name(question.id, "rev"))),
        was=(form.get(field_name(question.id, "was")) or "").strip(),
        resolve=resolve,
        errors=tuple(problems),
        criteria_fields=criteria_fields,
    )


def parse_page(section: Section, form: MultiDict[str, str]) -> ParsedPage:
    """Read a posted section. Raises :class:`BadPage` for a field of a question not on it."""
    on_page = {q.id: q for q in section.questions}
    for key in form:
        if key in PAGE_FIELDS:
            continue
        match = _FIELD.match(key)
        if not match or match.group(1) not in on_page:
            raise BadPage(
                gettext(
                    "The form sent an answer to a question that is not on this page (%(name)s).",
                    name=key[:80],
                )
            )
        question = on_page[match.group(1)]
        suffix = match.group(2)
        if suffix is None:
            continue
        if isinstance(question, RegisterQuestion):
            if suffix in SUFFIXES or match.group(3):
                continue
        elif isinstance(question, LevelQuestion) and _CRITERION.match(suffix):
            level, number = (int(n) for n in _CRITERION.match(suffix).groups())  # type: ignore[union-attr]
            known = {(n, i) for n, i, _t in question.criteria_up_to(5)}
            if (level, number) in known and match.group(3) in (None, REFERENCE_SUFFIX):
                continue
            raise BadPage(
                gettext("The form sent a field this page does not have (%(name)s).", name=key[:80])
            )
        elif suffix not in SUFFIXES or match.group(3):
            raise BadPage(
                gettext("The form sent a field this page does not have (%(name)s).", name=key[:80])
            )
    questions = {qid: parse_question(q, form) for qid, q in on_page.items() if _posted(q, form)}
    action = form.get("action") or "save"
    if action not in ("save", "save-exit", "add-segment"):
        action = "save"
    removed = form.get("remove_segment") or None
    if removed is not None:
        questions = {qid: _without_segment(p, removed) for qid, p in questions.items()}
    return ParsedPage(questions, action, removed)


def _posted(question: Question, form: MultiDict[str, str]) -> bool:
    """Whether the page carried ``question`` (any of its fields)."""
    name = field_name(question.id)
    return any(key == name or key.startswith(name + SEP) for key in form)


def _without_segment(parsed: ParsedQuestion, segment_id: str) -> ParsedQuestion:
    answer = parsed.answer
    if (
        answer is None
        or not isinstance(answer.value, tuple)
        or not segment_id.startswith(CUSTOM_SEGMENT_PREFIX)
    ):
        return parsed
    rows = tuple(
        r for r in answer.value if not (isinstance(r, RegisterRow) and r.segment_id == segment_id)
    )
    if rows == answer.value:
        return parsed
    return ParsedQuestion(
        parsed.question_id,
        Answer(answer.question_id, answer.status, rows, answer.note, answer.criteria),
        parsed.base_revision,
        parsed.was,
        parsed.resolve,
        parsed.errors,
        parsed.criteria_fields,
    )


# ---- showing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterRowView:
    """One row of the register as the page shows it."""

    segment_id: str
    label: str
    description: str | None
    custom: bool
    values: Mapping[str, Any]


@dataclass(frozen=True)
class CriterionView:
    """One criterion as the answering page shows it."""

    level: int
    number: int
    text: str
    #: The radio group's name and the reference field's name.
    field: str
    reference_field: str
    #: ``met``, ``not-met`` or "" (not confirmed yet), and the reference given.
    state: str
    reference: str

    @property
    def key(self) -> str:
        """``3.1``."""
        return f"{self.level}.{self.number}"


@dataclass
class QuestionView:
    """Everything a template needs to show one question."""

    question: Question
    #: What the fields show: the stored answer, or what was just posted.
    answer: Answer | None
    stored: StoredAnswer | None
    #: The revision and fingerprint the page carries.
    revision: int | None
    was: str
    visible: bool
    errors: list[str] = field(default_factory=list)
    conflict: Conflict | None = None
    resolve: str | None = None
    #: Empty rows of the body's own groups to offer (register only).
    extra_rows: int = 0
    #: The question appeared because of answers just saved.
    new: bool = False
    #: Criterion fields as posted, when the page is shown again (see ParsedQuestion).
    posted_criteria: tuple[tuple[int, int, str, str], ...] | None = None

    @property
    def id(self) -> str:
        """The question's id."""
        return self.question.id

    @property
    def type(self) -> str:
        """single, multiple, level, text or register."""
        return self.question.type

    def name(self, suffix: str | None = None) -> str:
        """A field name of this question."""
        return field_name(self.question.id, suffix)

    def cell(self, segment_id: str, attribute: str) -> str:
        """A register field name."""
        return register_field(self.question.id, segment_id, attribute)

    @property
    def status(self) -> str:
        """The status shown (answered when there is no answer)."""
        return self.answer.status.value if self.answer else Status.ANSWERED.value

    @property
    def note(self) -> str:
        """The evidence note shown."""
        return self.answer.note if self.answer else ""

    @property
    def value(self) -> Any:
        """The value shown (None when not answered)."""
        if self.answer is None or self.answer.status is not Status.ANSWERED:
            return None
        return self.answer.value

    def chosen(self, option_id: str | int) -> bool:
        """Whether ``option_id`` (or a level) is selected."""
        value = self.value
        if isinstance(value, tuple):
            return option_id in value
        if isinstance(self.question, LevelQuestion):
            return str(value) == str(option_id)
        return value == option_id

    def criteria_levels(self, locale: str) -> list[tuple[int, list[CriterionView]]]:
        """Levels 3 to 5 of a level question, each with its criteria as the page shows them."""
        if not isinstance(self.question, LevelQuestion):
            return []
        answer = self.answer
        posted = {(lv, n): (s, r) for lv, n, s, r in self.posted_criteria or ()}
        grouped: dict[int, list[CriterionView]] = {}
        for level, number, text in self.question.criteria_up_to(5):
            check = answer.check(level, number) if answer else None
            state = "" if check is None else (CRITERION_MET if check.met else CRITERION_NOT_MET)
            reference = check.reference if check else ""
            if self.posted_criteria is not None:
                state, reference = posted.get((level, number), ("", ""))
            grouped.setdefault(level, []).append(
                CriterionView(
                    level,
                    number,
                    text.get(locale),
                    criterion_field(self.question.id, level, number),
                    criterion_field(self.question.id, level, number, True),
                    state,
                    reference,
                )
            )
        return sorted(grouped.items())

    @property
    def evidenced(self) -> int | None:
        """The evidenced level of the level shown (None unless a level is chosen)."""
        value = self.value
        if not isinstance(self.question, LevelQuestion) or not isinstance(value, int):
            return None
        if isinstance(value, bool) or not 1 <= value <= 5 or self.answer is None:
            return None
        return evidenced_level(self.question, self.answer)

    def show_if(self) -> dict[str, str]:
        """``data-`` attributes mirroring the question's condition, for the script."""
        condition = self.question.show_if
        if condition is None:
            return {}
        return {
            "data-show-if": field_name(condition.question),
            "data-show-if-any": " ".join(str(v) for v in condition.any_of),
        }

    def register_rows(self, locale: str) -> list[RegisterRowView]:
        """The listed segments, then the body's own groups, then empty rows to add one."""
        assert isinstance(self.question, RegisterQuestion)
        by_id: dict[str, RegisterRow] = {}
        if isinstance(self.value, tuple):
            by_id = {r.segment_id: r for r in self.value if isinstance(r, RegisterRow)}
        rows = [
            RegisterRowView(
                s.id,
                s.label.get(locale),
                s.description.get(locale) if s.description else None,
                False,
                by_id[s.id].to_json() if s.id in by_id else {},
            )
            for s in self.question.segments
        ]
        listed = {s.id for s in self.question.segments}
        numbers = [0]
        for segment_id, row in by_id.items():
            if segment_id in listed:
                continue
            number = _custom_order(segment_id)[0]
            if number < 10**9:
                numbers.append(number)
            rows.append(RegisterRowView(segment_id, row.label or "", None, True, row.to_json()))
        for n in range(1, self.extra_rows + 1):
            segment_id = f"{CUSTOM_GROUP}{max(numbers) + n}"
            rows.append(RegisterRowView(segment_id, "", None, True, {}))
        return rows


def question_views(
    section: Section,
    stored: Mapping[str, StoredAnswer],
    visible: Iterable[str],
    parsed: ParsedPage | None = None,
    errors: Mapping[str, list[str]] | None = None,
    conflicts: Iterable[Conflict] = (),
) -> list[QuestionView]:
    """The section's questions as the page shows them.

    Without ``parsed`` the fields show what is stored. With it (the page is shown again because
    something was wrong, or after a conflict) they show what the person sent, with the revision
    their page carried, so that nothing they typed is lost and no colleague's save is overwritten.
    """
    shown = set(visible)
    by_conflict = {c.question_id: c for c in conflicts}
    views = []
    for question in section.questions:
        current = stored.get(question.id)
        posted = parsed.questions.get(question.id) if parsed else None
        conflict = by_conflict.get(question.id)
        if conflict is not None:
            # Show their answer's revision: saving again then means "keep mine".
            theirs = conflict.theirs
            view = QuestionView(
                question,
                conflict.yours,
                current,
                theirs.revision if theirs else None,
                fingerprint(theirs.answer if theirs else None),
                question.id in shown,
                conflict=conflict,
            )
        elif posted is not None:
            view = QuestionView(
                question,
                posted.answer,
                current,
                posted.base_revision,
                posted.was,
                question.id in shown,
                resolve=posted.resolve,
                posted_criteria=posted.criteria_fields,
            )
        else:
            view = QuestionView(
                question,
                current.answer if current else None,
                current,
                current.revision if current else None,
                fingerprint(current.answer if current else None),
                question.id in shown,
            )
        view.errors = list((errors or {}).get(question.id, []))
        views.append(view)
    return views
