"""An organisation's audit trail, filtered, as a CSV file that streams (:func:`csv_lines`):
UTF-8 with a byte-order mark, times in the organisation's zone with their offset, every cell
defused against spreadsheet formulas, a constant number of queries and flat memory however long
the trail (docs/benchmarks.md, "Pages that stay fast"). Which events make the trail is
:mod:`assess.services.audit_trail`'s.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext
from sqlalchemy import ColumnElement, String, Text, cast, func, select, type_coerce

from assess import audit, db
from assess.models import AuditEvent, Organisation
from assess.services.audit_trail import (
    Filters,
    narrowing,
    people_in_trail,
    questions_of,
    trail_parts,
    zone_of,
)
from assess.spreadsheet import defuse

#: The CSV's columns, in order.
CSV_COLUMNS = (
    "time",
    "person",
    "person_ref",
    "action",
    "action_label",
    "about",
    "about_ref",
    "object_type",
    "object_id",
    "questionnaire",
    "question",
    "old_value",
    "new_value",
    "source",
    "detail",
    "question_text",
)


def _json(value: Any) -> str:
    """A value as the CSV writes it: JSON, keys sorted, accents as they are."""
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


#: Lines of the CSV sent at a time.
LINES_PER_CHUNK = 2000
#: Rows the export reads from the database at a time, through each of its two queries.
EXPORT_BATCH = 2000
#: The most distinct values a cache of the export keeps before it starts again (memory stays
#: flat however many different notes the trail holds).
_CACHE_LIMIT = 20_000


def _field(text: str) -> str:
    """``text`` defused and written as one field of a CSV line (quoted when it must be), exactly
    as :mod:`csv`'s writer writes it among other fields."""
    if not text:
        return ""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([defuse(text)])
    return buffer.getvalue()[:-2]


class _Fields(dict[Any, str]):
    """Fields worked out once per distinct value: ``fields[value]`` is ``make(value)`` as a
    defused CSV field (see :func:`_field`), made on the first look-up. The export writes most
    values many times (the same few actions, people, questions and answers): a look-up is far
    cheaper than decoding JSON, checking for a formula and quoting again."""

    def __init__(self, make: Any) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, value: Any) -> str:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        field = self[value] = _field(self.make(value))
        return field


def _stored_json(text: str | None) -> str:
    """A JSON column's stored text as the CSV writes it (see :func:`_json`)."""
    return "" if text is None else _json(json.loads(text))


class _Times(dict[str, tuple[str, str] | None]):
    """Local times of stored UTC times ``YYYY-MM-DD HH:MM:SS[.ffffff]``, worked out once per UTC
    minute: ``times.local(stored)`` is ISO 8601 to the second with the offset, in ``zone``."""

    def __init__(self, zone: ZoneInfo) -> None:
        super().__init__()
        self.zone = zone

    def __missing__(self, minute: str) -> tuple[str, str] | None:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        local = datetime.fromisoformat(minute).replace(tzinfo=UTC).astimezone(self.zone)
        offset = local.utcoffset()
        # A whole-minute offset (every zone's since the 1970s) moves the minute and keeps the
        # seconds; an older one with seconds is worked out for each time (None).
        whole = offset is not None and offset.seconds % 60 == 0 and offset.microseconds == 0
        found = self[minute] = (
            (local.strftime("%Y-%m-%dT%H:%M"), local.isoformat()[19:]) if whole else None
        )
        return found

    def local(self, stored: str) -> str:
        """``stored`` in the zone, to the second, with its offset (a time needs no quoting)."""
        minute = self[stored[:16]]
        if minute is None or stored[16:17] != ":":
            moment = datetime.fromisoformat(stored).replace(tzinfo=UTC).astimezone(self.zone)
            return moment.isoformat(timespec="seconds")
        return minute[0] + stored[16:19] + minute[1]


def _stored_time(column: Any) -> ColumnElement[str]:
    """``column`` (UTC) as text, ``YYYY-MM-DD HH:MM:SS.ffffff``: as SQLite stores it, and on
    PostgreSQL formatted so (text is much cheaper to read than a datetime for every row)."""
    if db.session().get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24:MI:SS.US")
    return type_coerce(column, String)


def _everyone(organisation: Organisation) -> dict[str, str]:
    """Names of the organisation's people, by reference (one query; see :func:`people_in_trail`)."""
    return dict(people_in_trail(organisation))


def _merged(own: Iterator[Sequence[Any]], others: Iterator[Any]) -> Iterator[list[Any]]:
    """Batches of rows in id order (each row's first column), from ``own``, batches in id order,
    and ``others``, rows in id order: a batch passes as it is unless ``others`` has rows among
    its ids (the members' sign-ins, a small share of a long trail)."""
    waiting = next(others, None)
    for batch in own:
        rows = list(batch)
        if waiting is not None and waiting[0] < rows[-1][0]:
            while waiting is not None and waiting[0] < rows[-1][0]:
                rows.append(waiting)
                waiting = next(others, None)
            rows.sort(key=lambda row: row[0])
        yield rows
    rest = [] if waiting is None else [waiting]
    for row in others:
        rest.append(row)
        if len(rest) >= EXPORT_BATCH:
            yield rest
            rest = []
    if rest:
        yield rest


def _chunk(lines: list[str]) -> str:
    """Lines of the CSV as text, each ending CRLF."""
    return "".join(line + "\r\n" for line in lines)


def csv_lines(organisation: Organisation, filters: Filters) -> Iterator[str]:
    """The filtered trail as CSV text, a few thousand lines at a time: UTF-8 with a byte-order
    mark (so that Excel reads accents right), times in ISO 8601 with their offset, and every cell
    defused.

    A constant number of queries whatever the trail's length: the members, the people and the
    question texts are read first; then the organisation's own events and its members'
    sign-ins come through two queries (each in id order through its index, merged), read
    :data:`EXPORT_BATCH` rows at a time (a server-side cursor on PostgreSQL), oldest first, so
    memory stays flat. Someone in the trail who is not among the organisation's people (a
    workshop participant) is looked up with the others of the same batch. Values are read as
    the stored text, and each distinct value is made into a field once (see :class:`_Fields`).
    If reading fails part-way, the file ends with a line saying so and the error is raised
    again, so the download is marked failed rather than ending as if complete.
    """
    # Every field comes from a cache of fields or is a time (digits and signs, never quoted):
    # a line is its fields joined by commas, without the csv writer's look at every character
    # of every field of every line.
    yield "\ufeff" + _chunk([",".join(_field(cell) for cell in CSV_COLUMNS)])
    written = 0
    lines: list[str] = []
    results = []
    try:
        connection = db.session().connection()
        rest = narrowing(organisation, filters)
        parts = trail_parts(organisation)
        erased = gettext("Erased person")
        names = {ref: _field(name) for ref, name in _everyone(organisation).items()}
        texts = questions_of(organisation).texts()
        questions = _Fields(lambda key: texts.get(key) or "")
        times = _Times(zone_of(organisation))
        labels = _Fields(lambda action: str(audit.ACTION_LABELS.get(action, action)))
        plain = _Fields(lambda value: value or "")  # ids and codes
        values = _Fields(_stored_json)
        by_system, by_unknown = _field(gettext("System")), _field(gettext("Unknown"))

        # Rows of text, read on the connection: no objects, nothing accumulates in the session
        # while the file streams, and no value is decoded only to be encoded again.
        columns = [
            AuditEvent.id,
            _stored_time(AuditEvent.occurred_at),
            AuditEvent.actor_ref,
            AuditEvent.action,
            AuditEvent.subject_ref,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.questionnaire_id,
            AuditEvent.question_id,
            AuditEvent.source,
            cast(AuditEvent.old_value, Text),
            cast(AuditEvent.new_value, Text),
            cast(AuditEvent.detail, Text),
        ]
        for part in parts:
            results.append(
                connection.execute(
                    select(*columns)
                    .where(part, *rest)
                    .order_by(AuditEvent.id)
                    .execution_options(yield_per=EXPORT_BATCH)
                )
            )
        others: Iterator[Any] = iter(results[1]) if len(results) > 1 else iter(())
        for batch in _merged(results[0].partitions(), others):
            unknown = {row[2] for row in batch} | {row[4] for row in batch}
            unknown.difference_update(names)
            unknown.discard(None)
            if unknown:  # not among the organisation's people: one look-up for the batch
                found = audit.people(unknown)
                for ref in unknown:
                    person = found.get(ref)
                    # A reference with no record left: erased before pseudonyms were kept.
                    names[ref] = _field(person.display_name if person else erased)
            for (
                _id,
                occurred_at,
                actor_ref,
                action,
                subject_ref,
                object_type,
                object_id,
                questionnaire_id,
                question_id,
                source,
                old_value,
                new_value,
                detail,
            ) in batch:
                lines.append(
                    ",".join(
                        (
                            times.local(occurred_at),
                            (names[actor_ref] if actor_ref else "")
                            or (by_system if source == "system" else by_unknown),
                            plain[actor_ref],
                            plain[action],
                            labels[action],
                            names[subject_ref] if subject_ref else "",
                            plain[subject_ref],
                            plain[object_type],
                            plain[object_id],
                            plain[questionnaire_id],
                            plain[question_id],
                            values[old_value],
                            values[new_value],
                            plain[source],
                            values[detail],
                            questions[questionnaire_id or "", question_id] if question_id else "",
                        )
                    )
                )
            if len(lines) >= LINES_PER_CHUNK:
                # Lines go out in chunks: one write to the socket for thousands of events.
                yield _chunk(lines)
                written += len(lines)
                lines.clear()
        yield _chunk(lines)
        written += len(lines)
        lines.clear()
    except GeneratorExit:  # the person stopped the download: nothing to say, nothing to keep
        raise
    except Exception:
        # The events worked out so far, then the line that says the file is incomplete.
        written += len(lines)
        error = gettext(
            "ERROR: the export stopped after %(count)d events and is incomplete. "
            "Download it again.",
            count=written,
        )
        yield _chunk([*lines, _field(error)])
        raise
    finally:
        for result in results:
            result.close()  # the server-side cursors, at once, however the stream ended
