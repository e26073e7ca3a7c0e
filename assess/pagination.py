"""Keyset pagination: a list read a page at a time by where the last page ended, not by OFFSET.

A page is the rows after (or before) a *cursor*: the sort key of the row a page ended on, in an
opaque text for the URL. The database finds the next rows through an index on the sort key, so a
page costs the same on the first page and the thousandth, and no row is lost or shown twice when
rows are added while someone pages. The sort key must end with a unique column (the id).

    window = pagination.page(
        select(Assessment).where(Assessment.organisation_id == org_id),
        keys=[(Assessment.created_at, DESC), (Assessment.id, DESC)],
        after=request.args.get("after"), before=request.args.get("before"), size=50,
    )
    window.items, window.next_cursor, window.previous_cursor

A cursor that cannot be read raises :class:`BadCursor`, whose message is for people.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from flask_babel import lazy_gettext as _
from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.types import TypeDecorator

from assess import db

T = TypeVar("T")

ASC = False
DESC = True
#: The most rows one page shows.
MAX_SIZE = 200

Key = tuple[InstrumentedAttribute[Any] | ColumnElement[Any], bool]


class BadCursor(ValueError):
    """The page asked for cannot be found from the link (changed by hand, or from an old page)."""

    message = _(
        "This page link is not valid: it may have been changed or copied incompletely. "
        "Go back to the first page."
    )


@dataclass(frozen=True)
class Window(Generic[T]):
    """One page of rows, and the cursors of the pages either side (None at either end)."""

    items: list[T]
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def is_paged(self) -> bool:
        """There is more than this one page."""
        return bool(self.next_cursor or self.previous_cursor)


def encode(values: Sequence[Any]) -> str:
    """A sort key as a cursor for a URL."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, keys: Sequence[Key]) -> list[Any]:
    """The sort key in ``cursor``, each value of its column's type; :class:`BadCursor` if not."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadCursor(cursor) from None
    if not isinstance(values, list) or len(values) != len(keys):
        raise BadCursor(cursor)
    typed = []
    for value, (column, _descending) in zip(values, keys, strict=True):
        kind = _kind(column)
        if kind is datetime and isinstance(value, str):
            try:
                parsed: Any = datetime.fromisoformat(value)
            except ValueError:
                raise BadCursor(cursor) from None
            if parsed.tzinfo is None:
                raise BadCursor(cursor)
        elif _plain(kind, value):
            parsed = value
        else:
            raise BadCursor(cursor)
        typed.append(parsed)
    return typed


def _kind(column: Any) -> type:
    """The Python type of ``column``'s values (through a decorated type such as UTCDateTime)."""
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    try:
        return column_type.python_type  # type: ignore[no-any-return]
    except NotImplementedError:
        return object


def _plain(kind: type, value: Any) -> bool:
    """Whether ``value`` read from JSON is a value of a column of ``kind`` (int, str or bool)."""
    if kind is int:
        # Within a 64-bit integer: a larger one would make the database driver fail (a 500).
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63
    if kind is str:
        return isinstance(value, str) and len(value) <= 1000
    return kind is bool and isinstance(value, bool)


def _beyond(keys: Sequence[Key], values: Sequence[Any], forward: bool) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the order of ``keys`` (before it when not ``forward``):
    (a > x) OR (a = x AND b > y) OR ..., each column in its own direction."""
    terms = []
    for n, (column, descending) in enumerate(keys):
        later = column < values[n] if descending == forward else column > values[n]
        equal = [keys[i][0] == values[i] for i in range(n)]
        terms.append(and_(*equal, later))
    return or_(*terms)


def page(
    query: Select[Any] | Sequence[Select[Any]],
    keys: Sequence[Key],
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
    key_of: Any = None,
) -> Window[Any]:
    """The page of ``query`` after the cursor ``after`` (or before ``before``; else the first).

    ``keys`` are the sort columns with their direction (:data:`ASC` / :data:`DESC`), ending with a
    unique one. ``key_of(item)`` gives an item's sort key (default: the keys' attribute names read
    from the item). One query; reads one row more than it shows to know whether there is more.
    """
    size = max(1, min(size, MAX_SIZE))
    forward = before is None
    cursor = after if forward else before
    queries = [query] if isinstance(query, Select) else list(query)
    values = decode(cursor, keys) if cursor else None
    order = [
        (column.desc() if descending == forward else column.asc()) for column, descending in keys
    ]
    items = []
    for part in queries:
        narrowed = part.where(_beyond(keys, values, forward)) if values is not None else part
        rows = db.session().execute(narrowed.order_by(None).order_by(*order).limit(size + 1))
        items.extend(row[0] if len(row) == 1 else row for row in rows)

    def key(item: Any) -> list[Any]:
        if key_of is not None:
            return list(key_of(item))
        return [getattr(item, column.key) for column, _d in keys]

    if len(queries) > 1:
        # Several queries, each using its own index (an OR of them would not): merge them.
        # Their keys all run one way (checked below), so a sort of the keys merges them.
        directions = {descending for _c, descending in keys}
        if len(directions) != 1:
            raise ValueError("a union of queries pages only on keys that all run one way")
        items.sort(key=key, reverse=directions.pop() == forward)
    more = len(items) > size
    items = items[:size]
    if not forward:
        items.reverse()

    if not items:
        if cursor:
            # Nothing left beyond a cursor (the rows it pointed past were deleted): the first page.
            return page(query, keys, size=size, key_of=key_of)
        return Window([], None, None)
    has_next = more if forward else True
    has_previous = bool(cursor) if forward else more
    return Window(
        items,
        encode(key(items[-1])) if has_next else None,
        encode(key(items[0])) if has_previous else None,
    )
