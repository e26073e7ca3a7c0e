"""Exporting an organisation or the whole instance, and importing an export: all or nothing.

Ids are kept. Every record is written back under the id it had, because the things that prove
the data has not been tampered with depend on them: an audit event's hash covers its
``organisation_id`` and ``object_id``, and a stored report's PDF prints its report id and is found
by its SHA-256. So an import goes into a database where none of the file's ids is taken (a new,
empty database when moving an instance); a clash is refused, naming the record, before anything
is written.

The audit trail:

- a whole-instance export carries the whole chain; it is imported only into a database whose
  trail is empty, event for event with its original times and hashes, so ``assess audit verify``
  passes afterwards exactly as before the move;
- an organisation's export carries that organisation's events, each with its hashes (anyone can
  check them against docs/security.md). They are a part of the source instance's chain, not a
  chain of their own, so they continue the receiving trail only where they fit it exactly (the
  receiving trail is empty and they start the chain); otherwise they stay in the file, and the
  receiving trail records the import with the file's checksum and the hash of the last event it
  carried, which ties the file to the trail.

Either way the import itself is one more event, ``data.imported``, at the end of the trail.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from assess import audit, audit_chain, db
from assess.data_format import export_file, import_file, serializer
from assess.data_format.export_file import Scope
from assess.data_format.import_file import FileRefused
from assess.data_format.serializer import KINDS, Kind
from assess.models import AuditChain, AuditEvent, Organisation, User

__all__ = ["FileRefused", "ImportResult", "Scope", "export_chunks", "import_bytes", "record_export"]

#: What describes a record in a message about it, per kind (besides its id).
_LABELS = {
    "people": "email",
    "organisations": "name",
    "assessments": "title",
    "stored_reports": "report_id",
    "progress_reviews": "report_id",
    "questionnaire_versions": "version",
    "audit_people": "ref",
    "surveys": "title",
    "workshop_sessions": "title",
}


def _describe(kind: Kind, data: dict[str, Any]) -> str:
    identifier = data.get(kind.primary_key)
    label = _LABELS.get(kind.key)
    if label and data.get(label):
        return f"{kind.key} record {identifier} ({data[label]})"
    return f"{kind.key} record {identifier}"


# ---- export --------------------------------------------------------------------------------


def record_export(scope: Scope, by: User | None, *, with_credentials: bool, where: str) -> None:
    """Audit that ``by`` took an export of ``scope`` (``where``: web or command line)."""
    audit.record(
        audit.DATA_EXPORTED,
        organisation_id=scope.organisation_id,
        actor=by,
        object_type="organisation" if scope.organisation_id else "instance",
        object_id=scope.organisation_id,
        source="system" if by is None else "online",
        detail={"with_credentials": with_credentials, "from": where},
    )
    db.session().commit()


def export_chunks(scope: Scope, *, with_credentials: bool = False) -> Iterator[bytes]:
    """The export file of ``scope`` as it is written (see :mod:`assess.data_format.export_file`).

    On PostgreSQL the export reads one snapshot (REPEATABLE READ), so what is written while it
    runs is either wholly in the file or not at all.
    """
    session = db.session()
    session.rollback()
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    try:
        yield from export_file.write(
            session, scope, with_credentials=with_credentials, exported_at=db.utcnow()
        )
    finally:
        session.rollback()


def organisation_exists(organisation_id: int) -> bool:
    return db.session().get(Organisation, organisation_id) is not None


# ---- import --------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import stored."""

    scope: dict[str, Any]
    #: Records written, by kind.
    counts: dict[str, int] = field(default_factory=dict)
    #: Records that were already here as the same thing (a questionnaire version with the same
    #: content, a person with the same id and address...), by kind: kept as they were.
    reused: dict[str, int] = field(default_factory=dict)
    #: Whether the file's audit events were written into this trail (else kept in the file).
    events_in_trail: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _existing(session: Session, kind: Kind, column_name: str, wanted: list[Any]) -> set[Any]:
    column = getattr(kind.model, column_name)
    found: set[Any] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(session.scalars(select(column).where(column.in_(chunk))))
    return found


#: Kinds whose records may already be here, shared with an organisation imported before (two
#: organisations moved one after the other share a consultant, and the questionnaire versions): a
#: record whose id is taken by one with the same values of these columns is kept as it is.
_SHARED = {
    "questionnaire_versions": ("questionnaire_id", "version", "content_sha256"),
    "people": ("email",),
    "consultancy_brands": ("user_id",),
    "audit_people": ("ref", "user_id"),
}


def _reusable(session: Session, document: dict[str, Any]) -> dict[str, set[Any]]:
    """Per kind, the ids of the file's records already stored here as the same thing; raises
    :class:`FileRefused` for an id taken by something else."""
    found: dict[str, set[Any]] = {}
    for key, identity in _SHARED.items():
        kind = serializer.KIND_BY_KEY[key]
        found[key] = set()
        for data in document["records"][key]:
            stored = session.get(kind.model, data[kind.primary_key])
            if stored is None:
                continue
            if all(getattr(stored, name) == data[name] for name in identity):
                found[key].add(data[kind.primary_key])
            else:
                raise FileRefused(
                    f"{_describe(kind, data)} clashes with a different record stored here under "
                    "the same id. Import into a new, empty database, or remove that record first."
                )
    version = serializer.KIND_BY_KEY["questionnaire_versions"].model
    for data in document["records"]["questionnaire_versions"]:
        if data["id"] in found["questionnaire_versions"]:
            continue
        same = session.scalars(
            select(version).where(
                version.questionnaire_id == data["questionnaire_id"],
                version.version == data["version"],
            )
        ).first()
        if same is not None:
            raise FileRefused(
                f"questionnaire_versions record {data['id']} ({data['questionnaire_id']} "
                f"{data['version']}) is stored in this database under another id "
                f"({same.id}); ids must be kept, so it cannot be imported here."
            )
    return found


def _clashes(session: Session, document: dict[str, Any], reusable: dict[str, set[Any]]) -> None:
    """Refuse, naming the first record, if any id or unique value of the file is taken here."""
    for kind in KINDS:
        records = _new(kind, document, reusable)
        if not records:
            continue
        unique = [kind.primary_key] + [
            c.key for c in kind.table.columns if c.unique and not c.primary_key
        ]
        for column_name in unique:
            values = [d[column_name] for d in records if d.get(column_name) is not None]
            taken = _existing(session, kind, column_name, values)
            if not taken:
                continue
            clash = next(d for d in records if d.get(column_name) in taken)
            what = "id" if column_name == kind.primary_key else column_name
            raise FileRefused(
                f"{_describe(kind, clash)} clashes with a record already in this database (the "
                f"same {what}). Import into a new, empty database, or remove that record first."
            )


def _new(kind: Kind, document: dict[str, Any], reusable: dict[str, set[Any]]) -> list[Any]:
    """The file's records of ``kind`` that are not already here."""
    kept = reusable.get(kind.key, set())
    return [d for d in document["records"][kind.key] if d[kind.primary_key] not in kept]


def _ordered(kind: Kind, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``records`` so that one referring to another of its kind comes after it."""
    own = [c for c, target in serializer.references(kind).items() if target is kind]
    if not own:
        return records
    by_id = {d[kind.primary_key]: d for d in records}
    done: set[Any] = set()
    result: list[dict[str, Any]] = []

    def visit(data: dict[str, Any], trail: set[Any]) -> None:
        identifier = data[kind.primary_key]
        if identifier in done:
            return
        if identifier in trail:
            raise FileRefused(f"{_describe(kind, data)} refers to itself through a loop.")
        trail.add(identifier)
        for column in own:
            target = data.get(column)
            if target is not None and target in by_id:
                visit(by_id[target], trail)
        done.add(identifier)
        result.append(data)

    for data in records:
        visit(data, set())
    return result


@contextmanager
def _triggers_off(session: Session) -> Iterator[None]:
    """The protecting triggers (append-only trail, closed answers, stored reports) do not fire
    for the import's own writes: it writes finished history, as it was. Only inside the import's
    transaction: on PostgreSQL ``ALTER TABLE ... DISABLE TRIGGER USER`` (which the database's
    owner may do; foreign keys stay checked), on SQLite the triggers are dropped and created
    again from their own SQL. A failure rolls back with them in place."""
    tables = [kind.table.name for kind in KINDS] + [AuditChain.__tablename__]
    if session.get_bind().dialect.name == "postgresql":
        for table in tables:
            session.execute(text(f'ALTER TABLE "{table}" DISABLE TRIGGER USER'))
        yield
        for table in tables:
            session.execute(text(f'ALTER TABLE "{table}" ENABLE TRIGGER USER'))
        return
    # The first write begins SQLite's transaction, so that the DROPs below are part of it.
    session.execute(text("UPDATE audit_chain SET last_hash = last_hash WHERE id = 1"))
    triggers = session.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
    ).all()
    for name, _sql in triggers:
        session.execute(text(f'DROP TRIGGER "{name}"'))
    yield
    for _name, sql in triggers:
        session.execute(text(sql))


def _reset_sequences(session: Session) -> None:
    """PostgreSQL: each table's id sequence continues after the largest imported id."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for kind in KINDS:
        column = kind.table.primary_key.columns[kind.primary_key]
        if not column.autoincrement or column.foreign_keys:
            continue
        largest = select(func.max(column)).scalar_subquery()
        sequence = func.pg_get_serial_sequence(f'"{kind.table.name}"', column.name)
        session.execute(select(func.setval(sequence, func.coalesce(largest, 0) + 1, False)))


def _trail_head(session: Session) -> tuple[int, str]:
    count = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    head = session.get(AuditChain, 1)
    return count, head.last_hash if head else audit_chain.GENESIS


def import_bytes(content: bytes, *, by: User | None = None, file_name: str = "") -> ImportResult:
    """Check and store the export file ``content`` in one transaction; raises
    :class:`FileRefused` (nothing stored) with a sentence naming the record at fault."""
    document = import_file.read(content)
    session = db.session()
    session.rollback()
    try:
        return _store(session, document, by=by, file_name=file_name)
    except FileRefused:
        session.rollback()
        raise
    except DBAPIError as error:
        session.rollback()
        raise FileRefused(
            f"The database refused the import, so nothing was stored: {_first_line(error)}"
        ) from None
    except BaseException:
        session.rollback()
        raise


def _first_line(error: DBAPIError) -> str:
    return str(error.orig).strip().splitlines()[0] if error.orig else str(error)


def _store(
    session: Session, document: dict[str, Any], *, by: User | None, file_name: str
) -> ImportResult:
    scope = document["scope"]
    result = ImportResult(scope=scope)
    reusable = _reusable(session, document)
    result.reused = {key: len(ids) for key, ids in reusable.items() if ids}
    _clashes(session, document, reusable)
    events, head = _trail_head(session)
    if scope["kind"] == "instance" and events:
        raise FileRefused(
            "A whole-instance export can only be imported into a database whose audit trail is "
            f"empty; this one holds {events} events. Import it into a new, empty database."
        )
    carried = document["records"]["audit_events"]
    result.events_in_trail = events == 0 and import_file.chains_from(document, head)
    with _triggers_off(session):
        for kind in KINDS:
            records = _new(kind, document, reusable)
            if kind.key == "audit_events" and not result.events_in_trail:
                records = []
            for data in _ordered(kind, records):
                row = serializer.from_record(kind.key, data)
                try:
                    session.execute(insert(kind.table), row)
                except DBAPIError as error:
                    raise FileRefused(
                        f"{_describe(kind, data)} could not be stored, so nothing was: "
                        f"{_first_line(error)}"
                    ) from None
            result.counts[kind.key] = len(records)
        _surveys_take_no_more(session, document)
        if result.events_in_trail and carried:
            last = max(carried, key=lambda d: d["id"])
            session.execute(
                update(AuditChain)
                .where(AuditChain.id == 1)
                .values(last_event_id=last["id"], last_hash=last["event_hash"])
            )
    _reset_sequences(session)
    last_carried = max(carried, key=lambda d: d["id"]) if carried else None
    audit.record(
        audit.DATA_IMPORTED,
        organisation_id=scope.get("organisation_id"),
        actor=by,
        object_type="organisation" if scope["kind"] == "organisation" else "instance",
        object_id=scope.get("organisation_id"),
        source="system",
        detail={
            "checksum": document["checksum"],
            "file_name": file_name[:200],
            "exported_at": document["exported_at"],
            "records": result.total,
            "events_carried": len(carried),
            "events_in_trail": result.events_in_trail,
            "last_carried_event_hash": last_carried["event_hash"] if last_carried else None,
        },
    )
    session.commit()
    return result


def _surveys_take_no_more(session: Session, document: dict[str, Any]) -> None:
    """Survey responses never travel (only their counts): a survey whose responses were still
    held takes no more after the move, its counts kept as they were at export."""
    from assess.models import Survey

    held = [d["id"] for d in document["records"]["surveys"] if d["responses_deleted_at"] is None]
    if held:
        moved_at = serializer.values.parse_utc(document["exported_at"])
        session.execute(
            update(Survey).where(Survey.id.in_(held)).values(responses_deleted_at=moved_at)
        )
