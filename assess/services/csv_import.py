"""Answers typed into a CSV file (a paper or offline session) and brought into an assessment.

The steps, each its own function:

1. :func:`template_text`: the assessment's questions as a CSV file, one row per question (the
   stakeholder register is entered on its own pages), with the question's id, its text, the
   answers it allows, and the answer stored now, so that a file uploaded unchanged changes nothing.
2. :func:`preview`: an uploaded file read and every row checked, before anything is stored. The
   whole file is refused for what makes it unreadable (too large, not UTF-8 text, binary, no
   header, too many rows); otherwise each row is ok, unchanged, left blank or has errors that name
   its row and column. The answers to store travel to the confirmation in a signed token
   (:func:`sign`) rather than being kept on the server.
3. :func:`confirm`: the previewed answers stored through :func:`assess.services.assessments.
   save_batch`, the same checks, revisions and audit events as answers typed on the pages, in one
   transaction: all of them or, if any answer changed since the preview, none.

Rules for a cell (``docs/csv.md`` says them for people):

- ``answer``: an option id (single choice); option ids separated by ``;``, ``,`` or spaces
  (several choices); a whole number 1 to 5 (a level); the text (a text question);
  ``not-applicable`` or ``dont-know`` where the question allows them. Empty: the stored answer
  stays as it is (a note alone changes only the note).
- ``criteria_met``: for a level 3 or above, the criteria whose records exist, such as
  ``3.1; 3.2; 4.1``; every other criterion up to the level is then recorded as not met; ``none``:
  none met; empty: the confirmations stored for that level stay.
- A cell starting with an apostrophe followed by ``=``, ``+``, ``-`` or ``@`` is read without the
  apostrophe (the files this application writes are defused that way); anything else is text and
  never run.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from assess import audit
from assess.models import Assessment
from assess.models.accounts import User
from assess.questionnaire.answers import Answer, CriterionCheck, Status
from assess.questionnaire.schema import (
    LevelQuestion,
    MultipleQuestion,
    Question,
    Questionnaire,
    RegisterQuestion,
    SingleQuestion,
    TextQuestion,
)
from assess.questionnaire.validation import Message, check_answer, keep_criteria
from assess.services import assessments
from assess.services.assessments import KINDS, StoredAnswer, Submission
from assess.spreadsheet import rows_to_text, undefuse

#: The template's columns, in order. Only ``questionnaire``, ``question_id``, ``answer``,
#: ``criteria_met`` and ``note`` are read back; the others are there for the person filling it in.
COLUMNS = (
    "questionnaire",
    "section",
    "question_id",
    "question",
    "type",
    "allowed_answers",
    "answer",
    "criteria_met",
    "note",
)
#: Columns a file must have.
REQUIRED_COLUMNS = ("questionnaire", "question_id", "answer")
#: Columns read when present.
READ_COLUMNS = (*REQUIRED_COLUMNS, "criteria_met", "note")

#: The largest file accepted, in bytes (a full template with long notes is far below it).
MAX_BYTES = 1_000_000
#: The most rows (besides the header) a file may have: the questionnaires have under a hundred
#: questions, so a longer file is not a filled-in template.
MAX_ROWS = 500
#: The longest cell accepted, in characters (the longest answer or note allowed is 10000).
MAX_CELL = 20_000
#: The longest signed token a confirmation form carries (a form field may hold 500 kB).
MAX_TOKEN = 400_000
#: How long a preview can be confirmed, in seconds.
PREVIEW_MAX_AGE = 3600

NOT_APPLICABLE = "not-applicable"
DONT_KNOW = "dont-know"
#: What is read as "not applicable" and "don't know" (lower case, any curly apostrophe made
#: straight).
_NA_WORDS = frozenset({NOT_APPLICABLE, "not applicable", "n/a", "na"})
_DONT_KNOW_WORDS = frozenset({DONT_KNOW, "don't know", "dont know", "don't-know"})
_NONE_WORDS = frozenset({"none", "no", "0"})
_SPLIT = re.compile(r"[;,\s]+")
#: Control characters no answer or note may hold (tab and line ends are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SALT = "csv-import"


# ---- the template ----------------------------------------------------------------------------


def _question_rows(qset: assessments.AssessmentQuestionnaires) -> list[tuple[Questionnaire, Any]]:
    """Every question a file can answer, in the order of the pages, with its questionnaire."""
    by_kind = {q.kind: q for q in qset}
    rows = []
    for kind in KINDS:
        questionnaire = by_kind[kind]
        for section, question in questionnaire.questions():
            if not isinstance(question, RegisterQuestion):
                rows.append((questionnaire, (section, question)))
    return rows


def _type_name(question: Question) -> str:
    if isinstance(question, SingleQuestion):
        return "single"
    if isinstance(question, MultipleQuestion):
        return "multiple"
    if isinstance(question, LevelQuestion):
        return "level"
    return "text"


def _allowed(question: Question, locale: str, gettext: Any) -> str:
    """What the answer cell may hold, in words, one possibility a line."""
    lines: list[str] = []
    if isinstance(question, SingleQuestion):
        lines.append(gettext("One of:"))
        lines += [f"{o.id}: {o.label.get(locale)}" for o in question.options]
    elif isinstance(question, MultipleQuestion):
        if question.max_choices:
            lines.append(
                gettext(
                    "Up to %(most)d of these, separated by semicolons:", most=question.max_choices
                )
            )
        else:
            lines.append(gettext("Any of these, separated by semicolons:"))
        lines += [f"{o.id}: {o.label.get(locale)}" for o in question.options]
    elif isinstance(question, LevelQuestion):
        lines.append(gettext("A level from 1 to 5:"))
        lines += [f"{n}: {text.get(locale)}" for n, text in sorted(question.levels.items())]
        criteria = question.criteria_up_to(5)
        if criteria:
            lines.append(
                gettext(
                    "For level 3 or above, list in criteria_met the records that exist "
                    "(for example 3.1; 3.2), or none:"
                )
            )
            lines += [f"{n}.{i}: {text.get(locale)}" for n, i, text in criteria]
    elif isinstance(question, TextQuestion):
        lines.append(
            gettext("Your own words, up to %(most)d characters.", most=question.max_length)
        )
    if question.allow_na:
        lines.append(
            gettext(
                '%(word)s, saying why in the note ("not applicable, because …")',
                word=NOT_APPLICABLE,
            )
        )
    if question.allow_dont_know:
        lines.append(DONT_KNOW)
    if question.show_if is not None:
        lines.append(
            gettext(
                "Asked only when %(question)s is answered %(answers)s.",
                question=question.show_if.question,
                answers=" / ".join(str(a) for a in question.show_if.any_of),
            )
        )
    return "\n".join(lines)


def answer_cells(answer: Answer | None) -> tuple[str, str, str]:
    """``answer`` as the template's ``answer``, ``criteria_met`` and ``note`` cells: what
    :func:`preview` reads back as the same answer."""
    if answer is None:
        return "", "", ""
    if answer.status is Status.NOT_APPLICABLE:
        value = NOT_APPLICABLE
    elif answer.status is Status.DONT_KNOW:
        value = DONT_KNOW
    elif isinstance(answer.value, tuple):
        value = "; ".join(str(v) for v in answer.value)
    elif answer.value is None:
        value = ""
    else:
        value = str(answer.value)
    if answer.criteria:
        met = [c.key for c in answer.criteria if c.met]
        criteria = "; ".join(met) if met else "none"
    else:
        criteria = ""
    return value, criteria, answer.note


def template_text(assessment: Assessment, locale: str, gettext: Any) -> str:
    """The assessment's questions as a CSV file to fill in (see the module's docstring)."""
    qset = assessments.questionnaires_of(assessment)
    stored = {q.id: assessments.answers(assessment, q.id) for q in qset}
    rows = []
    for questionnaire, (section, question) in _question_rows(qset):
        answer, criteria, note = answer_cells(stored[questionnaire.id].get(question.id))
        rows.append(
            (
                questionnaire.id,
                section.title.get(locale),
                question.id,
                question.text.get(locale),
                _type_name(question),
                _allowed(question, locale, gettext),
                answer,
                criteria,
                note,
            )
        )
    return rows_to_text(COLUMNS, rows)


# ---- reading a file --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What is wrong with one cell (``column`` None: with the row as a whole)."""

    column: str | None
    message: str


@dataclass(frozen=True)
class Row:
    """One row of an uploaded file, checked."""

    #: The row's number as a spreadsheet shows it (the header is row 1).
    number: int
    questionnaire_id: str
    question_id: str
    #: The question's text, when the row names a known question.
    question_text: str = ""
    #: change, unchanged, blank or error.
    outcome: str = "error"
    #: The answer that would be stored (change and unchanged).
    answer: Answer | None = None
    problems: tuple[Problem, ...] = ()
    #: The row's answer, criteria_met and note cells as the file has them.
    cells: tuple[str, str, str] = ("", "", "")


@dataclass(frozen=True)
class Preview:
    """A file read and checked: refused whole (``file_problems``), or row by row."""

    filename: str
    sha256: str
    rows: tuple[Row, ...] = ()
    #: Problems that stop the file being read at all.
    file_problems: tuple[str, ...] = ()
    #: The column letters of the file's columns, by name (for messages).
    letters: Mapping[str, str] = field(default_factory=dict)
    #: The stored revision each changed answer is based on.
    revisions: Mapping[tuple[str, str], int | None] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        """Rows with errors."""
        return sum(1 for r in self.rows if r.outcome == "error")

    @property
    def changes(self) -> tuple[Row, ...]:
        """The rows whose answer would be stored."""
        return tuple(r for r in self.rows if r.outcome == "change")

    @property
    def ok(self) -> bool:
        """Nothing stops the file from being stored (it may still change nothing)."""
        return not self.file_problems and not self.errors


def _decode(content: bytes) -> tuple[str | None, str | None]:
    """The file's text, or None and why it cannot be read."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16"), None
        except UnicodeDecodeError:
            return None, Message("The file says it is UTF-16 text but is not.")
    if b"\x00" in content:
        return None, Message(
            "The file is not a CSV file: it holds binary data. Save it from your spreadsheet "
            'program as "CSV UTF-8 (comma delimited)".'
        )
    try:
        return content.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        return None, Message(
            "The file is not UTF-8 text (the first character that is not is on line %(line)d), "
            "so Welsh and accented letters would be misread. Save it from your spreadsheet program "
            'as "CSV UTF-8 (comma delimited)" and upload it again.',
            line=line,
        )


def _delimiter(text: str) -> str:
    """The separator the header line uses: comma, or the semicolon or tab some spreadsheet
    programs write instead."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _letter(index: int) -> str:
    """The spreadsheet column letter of the 0-based ``index`` (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _records(text: str) -> tuple[list[list[str]] | None, str | None]:
    """The file's records, or None and why it cannot be read as CSV."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    records: list[list[str]] = []
    # The csv module's own cell limit (131072 characters, a setting of the whole process) is left
    # alone; cells are held to MAX_CELL below.
    try:
        for record in reader:
            records.append(record)
            if any(len(cell) > MAX_CELL for cell in record):
                return None, Message(
                    "Row %(row)d has a cell longer than %(most)d characters.",
                    row=len(records),
                    most=MAX_CELL,
                )
            if len(records) > MAX_ROWS + 1:
                return None, Message(
                    "The file has more than %(most)d rows. A filled-in template has one row a "
                    "question: upload it without extra rows.",
                    most=MAX_ROWS,
                )
    except csv.Error as error:
        if "field larger" in str(error):
            return None, Message(
                "Row %(row)d has a cell longer than %(most)d characters.",
                row=len(records) + 1,
                most=MAX_CELL,
            )
        return None, Message(
            "Row %(row)d cannot be read as CSV: a quotation mark is not closed or is in the "
            "wrong place.",
            row=len(records) + 1,
        )
    return records, None


def preview(assessment: Assessment, content: bytes, filename: str, locale: str = "en") -> Preview:
    """``content`` (an uploaded file) read and every row checked against ``assessment``;
    nothing is stored."""
    digest = hashlib.sha256(content).hexdigest()
    base = Preview(filename=filename, sha256=digest)
    if len(content) > MAX_BYTES:
        return replace(
            base,
            file_problems=(
                Message(
                    "The file is %(size)d KB; the most accepted is %(most)d KB.",
                    size=len(content) // 1000,
                    most=MAX_BYTES // 1000,
                ),
            ),
        )
    if not content.strip(b" \t\r\n\xef\xbb\xbf"):
        return replace(base, file_problems=(Message("The file is empty."),))
    text, problem = _decode(content)
    if text is None:
        return replace(base, file_problems=(problem or "",))
    records, problem = _records(text)
    if records is None:
        return replace(base, file_problems=(problem or "",))
    header = [cell.strip().lower().replace(" ", "_") for cell in records[0]] if records else []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return replace(
            base,
            file_problems=(
                Message(
                    "The first row must name the columns, as the template does; the column(s) "
                    "%(missing)s are missing.",
                    missing=", ".join(missing),
                ),
            ),
        )
    twice = sorted({c for c in header if c in READ_COLUMNS and header.count(c) > 1})
    if twice:
        return replace(
            base,
            file_problems=(
                Message("The column(s) %(columns)s appear twice.", columns=", ".join(twice)),
            ),
        )
    position = {name: header.index(name) for name in READ_COLUMNS if name in header}
    letters = {name: _letter(i) for name, i in position.items()}
    body = records[1:]
    if not any(any(cell.strip() for cell in r) for r in body):
        return replace(
            base,
            letters=letters,
            file_problems=(Message("The file has no rows below the column names."),),
        )
    qset = assessments.questionnaires_of(assessment)
    stored = {q.id: assessments.stored_answers(assessment, q.id) for q in qset}
    seen: dict[tuple[str, str], int] = {}
    rows: list[Row] = []
    revisions: dict[tuple[str, str], int | None] = {}
    for number, record in enumerate(body, start=2):
        if not any(cell.strip() for cell in record):
            continue  # a blank line
        row = _check_row(number, record, len(header), position, qset, stored, seen, locale)
        rows.append(row)
        key = (row.questionnaire_id, row.question_id)
        if row.outcome == "change":
            current = stored[row.questionnaire_id].get(row.question_id)
            revisions[key] = current.revision if current else None
    return replace(base, rows=tuple(rows), letters=letters, revisions=revisions)


def _cell(record: Sequence[str], position: Mapping[str, int], name: str) -> str:
    index = position.get(name)
    if index is None or index >= len(record):
        return ""
    return undefuse(record[index])


def _check_row(
    number: int,
    record: Sequence[str],
    width: int,
    position: Mapping[str, int],
    qset: assessments.AssessmentQuestionnaires,
    stored: Mapping[str, Mapping[str, StoredAnswer]],
    seen: dict[tuple[str, str], int],
    locale: str,
) -> Row:
    questionnaire_id = _cell(record, position, "questionnaire").strip()
    question_id = _cell(record, position, "question_id").strip()
    cells = tuple(_cell(record, position, c)[:200] for c in ("answer", "criteria_met", "note"))
    row = Row(
        number=number,
        questionnaire_id=questionnaire_id,
        question_id=question_id,
        cells=cells,  # type: ignore[arg-type]
    )

    def refuse(column: str | None, message: str) -> Row:
        return replace(row, outcome="error", problems=(Problem(column, message),))

    if len(record) > width and any(cell.strip() for cell in record[width:]):
        return refuse(
            None,
            Message(
                "The row has %(cells)d cells but the first row names %(columns)d columns.",
                cells=len(record),
                columns=width,
            ),
        )
    by_id = {q.id: q for q in qset}
    if questionnaire_id not in by_id:
        return refuse(
            "questionnaire",
            Message(
                "%(given)r is not a questionnaire of this assessment: use %(known)s.",
                given=questionnaire_id,
                known=", ".join(KINDS),
            )
            if questionnaire_id
            else Message("Say which questionnaire the question is in."),
        )
    questionnaire = by_id[questionnaire_id]
    try:
        question = questionnaire.question(question_id)
    except KeyError:
        return refuse(
            "question_id",
            Message(
                "There is no question %(given)r in the %(questionnaire)s questionnaire.",
                given=question_id,
                questionnaire=questionnaire_id,
            )
            if question_id
            else Message("Give the question's id, as the template does."),
        )
    row = replace(row, question_text=question.text.get(locale))
    key = (questionnaire_id, question_id)
    if key in seen:
        return refuse(
            "question_id",
            Message(
                "Question %(question)s is answered twice: in row %(first)d and in this row.",
                question=question_id,
                first=seen[key],
            ),
        )
    seen[key] = number
    if isinstance(question, RegisterQuestion):
        return refuse(
            "question_id",
            Message("The stakeholder register is filled in on its own pages, not from a file."),
        )
    value_cell = _cell(record, position, "answer").strip()
    criteria_cell = _cell(record, position, "criteria_met").strip()
    note = _cell(record, position, "note").strip()
    problems: list[Problem] = []
    for column, cell in (("answer", value_cell), ("criteria_met", criteria_cell), ("note", note)):
        if _CONTROL.search(cell):
            problems.append(Problem(column, Message("The cell holds a control character.")))
    if problems:
        return replace(row, outcome="error", problems=tuple(problems))
    current = stored[questionnaire_id].get(question_id)
    if not value_cell and not criteria_cell and not note:
        return replace(row, outcome="blank", answer=current.answer if current else None)
    if not value_cell:
        if criteria_cell:
            return refuse(
                "criteria_met",
                Message("Give the level in the answer column before the criteria met."),
            )
        # A note alone: the stored answer with this note.
        base = current.answer if current else Answer(question_id=question_id)
        answer = replace(base, note=note)
    else:
        answer, value_problems = _read_value(question, value_cell, note)
        problems += value_problems
        if answer is not None:
            answer, criteria_problems = _read_criteria(question, answer, criteria_cell, current)
            problems += criteria_problems
    if answer is not None and not problems:
        answer = keep_criteria(question, answer)
        problems += [
            Problem(_column_of(message), message) for message in check_answer(question, answer)
        ]
    if problems:
        return replace(row, outcome="error", problems=tuple(problems))
    unchanged = current is not None and current.answer == answer
    return replace(row, outcome="unchanged" if unchanged else "change", answer=answer)


def _column_of(message: str) -> str:
    """The column a check's message is about."""
    template = getattr(message, "template", message)
    if "note" in template:
        return "note"
    if "criteri" in template:
        return "criteria_met"
    return "answer"


def _read_value(question: Question, cell: str, note: str) -> tuple[Answer | None, list[Problem]]:
    """The answer a non-empty ``answer`` cell gives, or its problems."""
    word = cell.lower().replace("\u2019", "'")
    if word in _NA_WORDS and (question.allow_na or not isinstance(question, TextQuestion)):
        return Answer(question.id, Status.NOT_APPLICABLE, None, note), []
    if word in _DONT_KNOW_WORDS and (
        question.allow_dont_know or not isinstance(question, TextQuestion)
    ):
        return Answer(question.id, Status.DONT_KNOW, None, note), []
    if isinstance(question, SingleQuestion):
        known = [o.id for o in question.options]
        if cell not in known and cell.lower() in known:
            cell = cell.lower()
        if cell not in known:
            return None, [
                Problem(
                    "answer",
                    Message(
                        "%(given)r is not one of this question's options: use one of %(known)s.",
                        given=cell,
                        known=", ".join(known),
                    ),
                )
            ]
        return Answer(question.id, Status.ANSWERED, cell, note), []
    if isinstance(question, MultipleQuestion):
        chosen = tuple(v.lower() for v in _SPLIT.split(cell) if v)
        known = [o.id for o in question.options]
        wrong = [v for v in chosen if v not in known]
        if wrong:
            return None, [
                Problem(
                    "answer",
                    Message(
                        "%(given)s is not one of this question's options: use %(known)s, "
                        "separated by semicolons.",
                        given=", ".join(repr(v) for v in wrong),
                        known=", ".join(known),
                    ),
                )
            ]
        return Answer(question.id, Status.ANSWERED, chosen, note), []
    if isinstance(question, LevelQuestion):
        if not re.fullmatch(r"[1-5]", cell):
            return None, [
                Problem(
                    "answer",
                    Message(
                        "%(given)r is not a level: give a whole number from 1 to 5.", given=cell
                    ),
                )
            ]
        return Answer(question.id, Status.ANSWERED, int(cell), note), []
    return Answer(question.id, Status.ANSWERED, cell, note), []


def _read_criteria(
    question: Question, answer: Answer, cell: str, current: StoredAnswer | None
) -> tuple[Answer, list[Problem]]:
    """``answer`` with the confirmations ``cell`` gives (see the module's docstring)."""
    level = answer.value if isinstance(answer.value, int) else 0
    if not isinstance(question, LevelQuestion) or answer.status is not Status.ANSWERED:
        if cell:
            return answer, [
                Problem(
                    "criteria_met",
                    Message("Only a level answered 3 or above has criteria to confirm."),
                )
            ]
        return answer, []
    known = question.criteria_up_to(level)
    stored = current.answer.criteria if current else ()
    if not cell:
        return keep_criteria(question, answer, stored), []
    if not known:
        return answer, [
            Problem(
                "criteria_met",
                Message("Only a level answered 3 or above has criteria to confirm."),
            )
        ]
    references = {(c.level, c.number): c.reference for c in stored}
    if cell.lower() in _NONE_WORDS:
        met: set[tuple[int, int]] = set()
    else:
        met = set()
        keys = {f"{n}.{i}": (n, i) for n, i, _text in known}
        wrong = []
        for token in (t for t in _SPLIT.split(cell) if t):
            if token in keys:
                met.add(keys[token])
            else:
                wrong.append(token)
        if wrong:
            return answer, [
                Problem(
                    "criteria_met",
                    Message(
                        "%(given)s: not a criterion of level %(level)d or below; they are "
                        "%(known)s.",
                        given=", ".join(wrong),
                        level=level,
                        known=", ".join(keys),
                    ),
                )
            ]
    checks = tuple(
        CriterionCheck(n, i, (n, i) in met, references.get((n, i), "")) for n, i, _text in known
    )
    return replace(answer, criteria=checks), []


# ---- carrying a preview to its confirmation ---------------------------------------------------


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def sign(preview_: Preview, assessment: Assessment, user: User, secret_key: str) -> str:
    """The answers ``preview_`` would store, signed for this assessment and person."""
    changes = [
        {
            "q": row.questionnaire_id,
            "id": row.question_id,
            "row": row.number,
            "base": preview_.revisions.get((row.questionnaire_id, row.question_id)),
            "status": row.answer.status.value,
            "value": row.answer.value_to_json(),
            "note": row.answer.note,
            "criteria": row.answer.criteria_to_json(),
        }
        for row in preview_.changes
        if row.answer is not None
    ]
    payload = {
        "assessment": assessment.id,
        "user": user.id,
        "file": preview_.filename,
        "sha256": preview_.sha256,
        "rows": len(preview_.rows),
        "changes": changes,
    }
    return _serializer(secret_key).dumps(payload)


class ImportRefused(Exception):
    """The import cannot go ahead; the message says why, for people."""


@dataclass(frozen=True)
class Imported:
    """What an import stored."""

    saved: int
    unchanged: int


def confirm(assessment: Assessment, user: User, token: str, secret_key: str) -> Imported:
    """Store the answers of a confirmed preview, all or nothing.

    Raises :class:`ImportRefused` when the token is not this person's for this assessment, is
    older than :data:`PREVIEW_MAX_AGE`, or an answer changed since the preview (nothing is
    stored); :class:`assessments.AssessmentClosed` when the assessment is no longer a draft.
    """
    try:
        payload = _serializer(secret_key).loads(token, max_age=PREVIEW_MAX_AGE)
    except SignatureExpired as error:
        raise ImportRefused(
            Message("The preview is more than an hour old. Upload the file again.")
        ) from error
    except BadSignature as error:
        raise ImportRefused(
            Message("The preview could not be read. Upload the file again.")
        ) from error
    if payload.get("assessment") != assessment.id or payload.get("user") != user.id:
        raise ImportRefused(Message("The preview could not be read. Upload the file again."))
    if not assessment.is_draft:
        raise assessments.AssessmentClosed(assessment.id)
    pages: dict[str, dict[str, Submission]] = {}
    rows: dict[tuple[str, str], int] = {}
    for change in payload["changes"]:
        answer = Answer(
            question_id=change["id"],
            status=Status(change["status"]),
            value=Answer.value_from_json(change["value"]),
            note=change["note"],
            criteria=Answer.criteria_from_json(change["criteria"]),
        )
        pages.setdefault(change["q"], {})[change["id"]] = Submission(answer, change["base"])
        rows[(change["q"], change["id"])] = change["row"]
    # The file's name stays out of the trail (it may name a person); its digest identifies it.
    detail = {"imported_from": "csv", "sha256": payload["sha256"]}
    outcome = assessments.save_batch(
        assessment,
        user,
        pages,
        detail=detail,
        event={
            "action": audit.ANSWERS_IMPORTED,
            "organisation_id": assessment.organisation_id,
            "actor": user,
            "object_type": "assessment",
            "object_id": assessment.id,
            "new": {"answers": sum(len(p) for p in pages.values())},
            "detail": {**detail, "rows": payload["rows"]},
        },
    )
    if outcome.conflicts:
        changed = sorted(outcome.conflicts, key=lambda key: rows.get(key, 0))
        raise ImportRefused(
            Message(
                "Nothing was stored: since the preview, someone changed the answer(s) in row(s) "
                "%(rows)s. Upload the file again to see the preview with their changes.",
                rows=", ".join(str(rows.get(key, "?")) for key in changed),
            )
        )
    if outcome.errors:  # the preview checked them all; only a changed questionnaire gets here
        raise ImportRefused(
            Message(
                "Nothing was stored: the file no longer fits the questionnaires. Upload it again."
            )
        )
    return Imported(saved=len(outcome.saved), unchanged=len(outcome.unchanged))
