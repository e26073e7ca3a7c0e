"""Checking the audit trail's hash chain from its first event to its last (``assess audit verify``).

Each event must follow the one before it (its ``prev_hash`` is that event's ``event_hash``; the
first event's is 64 zeros), its content must still have its ``event_hash``, and ``audit_chain``
must name the last event. The check stops at the first link that does not hold and says which
event it is and what is wrong; everything before that link is intact.

The chain proves that no event was changed, removed or slipped in after it was written, unless
whoever changed it also computed every later hash again. Against that, note the last event's id
and hash somewhere the database's owner cannot reach (the check prints them) and pass them back
later as an anchor: the chain must still pass through that event with that hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from assess import audit_chain, db
from assess.models import AuditChain, AuditEvent

#: What can be wrong with a link, in the words the check reports.
PROBLEMS = {
    "changed": "its content no longer matches its hash: it was changed after it was written",
    "not_first": (
        "it is the first event left but does not start the chain: events before it were removed"
    ),
    "gap": (
        "it does not follow the event before it (event {previous}): events between them were "
        "removed or changed, or it was inserted out of order"
    ),
    "head": (
        "the chain's end names event {head_id}, but the last event is {last_id}: events at the "
        "end were removed or added outside the chain"
    ),
    "anchor_missing": "the anchor's event {anchor_id} is no longer in the trail",
    "anchor_hash": (
        "event {anchor_id} no longer has the anchor's hash: the chain was computed again from "
        "that event or earlier"
    ),
}


@dataclass(frozen=True)
class Broken:
    """The first link that does not hold."""

    #: The event at which the chain breaks (None when the break is the chain's end).
    event_id: int | None
    occurred_at: datetime | None
    action: str | None
    #: A key of :data:`PROBLEMS`, and its sentence with the details filled in.
    problem: str
    explanation: str


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of :func:`verify`."""

    #: How many events were checked and found intact (all of them, if nothing is broken).
    intact: int
    first_at: datetime | None
    last_at: datetime | None
    #: The last intact event's id and hash (what to note as an anchor).
    last_event_id: int | None
    last_hash: str
    broken: Broken | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _broken(event: AuditEvent | None, problem: str, **details: object) -> Broken:
    return Broken(
        event_id=event.id if event else None,
        occurred_at=event.occurred_at if event else None,
        action=event.action if event else None,
        problem=problem,
        explanation=PROBLEMS[problem].format(**details),
    )


def verify(anchor: tuple[int, str] | None = None, batch: int = 1000) -> ChainCheck:
    """Check the whole chain, in id order; ``anchor`` is an (event id, hash) noted earlier."""
    session = db.session()
    expected, previous_id = audit_chain.GENESIS, None
    intact, first_at, last_at = 0, None, None
    broken: Broken | None = None
    anchor_seen = False
    query = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=batch)
    events = session.scalars(query)
    try:
        for event in events:
            if event.prev_hash != expected:
                if previous_id is None:
                    broken = _broken(event, "not_first")
                else:
                    broken = _broken(event, "gap", previous=previous_id)
                break
            if audit_chain.content_hash(audit_chain.content_of(event)) != event.event_hash:
                broken = _broken(event, "changed")
                break
            if anchor is not None and event.id == anchor[0]:
                anchor_seen = True
                if event.event_hash != anchor[1].lower():
                    broken = _broken(event, "anchor_hash", anchor_id=anchor[0])
                    break
            intact += 1
            first_at = first_at or event.occurred_at
            last_at = event.occurred_at
            expected, previous_id = event.event_hash, event.id
            session.expunge(event)
    finally:
        events.close()  # a server-side cursor on PostgreSQL, left open by a break

    if broken is None:
        head = session.get(AuditChain, 1)
        if head is None or head.last_event_id != previous_id or head.last_hash != expected:
            broken = _broken(
                None,
                "head",
                head_id=head.last_event_id if head else None,
                last_id=previous_id,
            )
        elif anchor is not None and not anchor_seen:
            broken = _broken(None, "anchor_missing", anchor_id=anchor[0])
    return ChainCheck(
        intact=intact,
        first_at=first_at,
        last_at=last_at,
        last_event_id=previous_id,
        last_hash=expected,
        broken=broken,
    )
