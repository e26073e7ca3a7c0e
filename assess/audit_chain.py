"""The audit trail's hash chain: what each event's hash covers, and appending events in order.

Every ``audit_event`` row stores ``prev_hash``, the ``event_hash`` of the event before it (64
zeros for the first event, :data:`GENESIS`), and its own ``event_hash``: the SHA-256, in lower-case
hex, of the canonical serialisation of its content (:func:`canonical`):

- a JSON object with exactly these members: ``v`` (the format, 1), ``occurred_at`` (UTC, as
  ``YYYY-MM-DDTHH:MM:SS.ffffffZ``), ``organisation_id``, ``action``, ``actor_ref``,
  ``subject_ref``, ``object_type``, ``object_id``, ``questionnaire_id``, ``question_id``,
  ``source``, ``old_value``, ``new_value``, ``detail`` (each as stored; absent values are
  ``null``) and ``prev_hash``;
- serialised by the JSON Canonicalization Scheme (RFC 8785: members sorted, no white space,
  numbers in their shortest form), encoded as UTF-8.

The event's database id is not covered (the chain itself gives the order), and neither are the
names behind ``actor_ref`` and ``subject_ref``: they live in ``audit_person``, which erasure
rewrites, so erasing a person never breaks the chain.

Appending
    :func:`assess.audit.record` does not add the event to the session: it keeps it in the
    session's pending list, and :func:`append_pending` (run just before the session commits)
    writes the pending events at the end of the chain. It first flushes everything else, then
    takes the chain's lock: the row of ``audit_chain`` (``SELECT ... FOR UPDATE`` on PostgreSQL;
    on SQLite an UPDATE of that row, which takes the database's write lock), so that two
    transactions never append after the same event. The lock is held only from then until the
    commit. The events take the database's time (``clock_timestamp()`` on PostgreSQL; on SQLite
    the one clock the engine and the application share).

The database checks the rest (triggers of migration ``a7c3e91f2d40``): an event's ``prev_hash``
must be the chain's last hash, its time the database's current time, and ``audit_chain`` only
ever names the newest event. :mod:`assess.services.audit_verification` checks the whole chain.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

import rfc8785
from sqlalchemy import Insert, Table, event, insert, text
from sqlalchemy.orm import Session, SessionTransaction

from assess import db

#: The ``prev_hash`` of the first event.
GENESIS: Final = "0" * 64
#: The version of the serialisation, inside every hashed object.
FORMAT: Final = 1
#: The event columns the hash covers, besides ``occurred_at`` and ``prev_hash``.
FIELDS: Final[tuple[str, ...]] = (
    "organisation_id",
    "action",
    "actor_ref",
    "subject_ref",
    "object_type",
    "object_id",
    "questionnaire_id",
    "question_id",
    "source",
    "old_value",
    "new_value",
    "detail",
)
#: The JSON columns: stored as JSON text and read back, so hashed as they will be read back.
JSON_FIELDS: Final = ("old_value", "new_value", "detail")

_PENDING: Final = "assess.audit.pending"


def timestamp(moment: datetime) -> str:
    """``moment`` as the chain writes it: UTC, microseconds, ``Z``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def as_stored(value: Any) -> Any:
    """A JSON-able value as it reads back from a JSON column (tuples become lists, keys text)."""
    return None if value is None else json.loads(json.dumps(value))


def canonical(content: Mapping[str, Any]) -> bytes:
    """The bytes an event's hash is taken of; ``content`` has the event's columns by name."""
    document = {name: content.get(name) for name in FIELDS}
    document["v"] = FORMAT
    document["occurred_at"] = timestamp(content["occurred_at"])
    document["prev_hash"] = content["prev_hash"]
    return rfc8785.dumps(document)


def content_of(entry: Any) -> dict[str, Any]:
    """What an event's hash covers, read from ``entry`` (an AuditEvent) by column name."""
    return {name: getattr(entry, name) for name in (*FIELDS, "occurred_at", "prev_hash")}


def content_hash(content: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of :func:`canonical` of ``content``."""
    return hashlib.sha256(canonical(content)).hexdigest()


def check_hashable(value: Any) -> None:
    """Raise ValueError if ``value`` cannot be part of an event (RFC 8785 refuses NaN, infinities
    and integers beyond 2^53, which JSON readers cannot all keep exactly)."""
    try:
        rfc8785.dumps(as_stored(value))
    except (rfc8785.CanonicalizationError, ValueError, TypeError) as error:
        raise ValueError(f"an audit event cannot hold {value!r}: {error}") from None


# ---- appending -----------------------------------------------------------------------------


def add_pending(session: Session, entry: Any) -> None:
    """Keep ``entry`` (an AuditEvent) to be appended when ``session`` commits."""
    session.info.setdefault(_PENDING, []).append(entry)


def pending(session: Session) -> list[Any]:
    """The events ``session`` will append at its next commit, oldest first."""
    return list(session.info.get(_PENDING, []))


def _lock_head(session: Session) -> tuple[str, datetime]:
    """Take the chain's lock; returns its last hash and the database's time."""
    connection = session.connection()
    # One round trip each: the lock, the last hash and (on PostgreSQL) the database's time.
    if connection.dialect.name == "postgresql":
        head, now = connection.execute(_LOCK_HEAD_POSTGRESQL).one()
        return head, now
    # A write takes SQLite's write lock, held until the commit; the trigger on audit_chain lets
    # this one through because it changes nothing.
    head = connection.execute(_LOCK_HEAD_SQLITE).scalar_one()
    return head, db.utcnow()


_LOCK_HEAD_POSTGRESQL: Final = text(
    "SELECT last_hash, clock_timestamp() FROM audit_chain WHERE id = 1 FOR UPDATE"
)
_LOCK_HEAD_SQLITE: Final = text(
    "UPDATE audit_chain SET last_hash = last_hash WHERE id = 1 RETURNING last_hash"
)


def append_pending(session: Session) -> None:
    """Write ``session``'s pending events at the end of the chain (before its commit)."""
    entries = session.info.get(_PENDING)
    if not entries or session.in_nested_transaction():
        return
    session.info[_PENDING] = []
    session.flush()  # everything else first: the chain's lock is then held only briefly
    head, now = _lock_head(session)
    connection = session.connection()
    for entry in entries:
        entry.occurred_at = now
        for name in JSON_FIELDS:
            setattr(entry, name, as_stored(getattr(entry, name)))
        entry.prev_hash = head
        entry.event_hash = head = content_hash(content_of(entry))
        # A plain INSERT on the session's connection, one at a time so that ids follow the chain:
        # events are never read back or changed through the session, so the unit of work would
        # only add its bookkeeping to every save.
        statement, columns = _insert_of(type(entry).__table__)
        values = {key: getattr(entry, key) for key in columns}
        entry.id = connection.execute(statement, values).inserted_primary_key[0]


@functools.cache
def _insert_of(table: Table) -> tuple[Insert, tuple[str, ...]]:
    """The INSERT of an event into ``table`` and the columns it writes (all but the id), built
    once."""
    return insert(table), tuple(c.key for c in table.columns if c.key != "id")


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    append_pending(session)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # A rolled-back (or closed) transaction takes its events with it, as it would take rows.
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_PENDING, None)
