"""audit chain and truncate guards

Hardening of what the database itself protects:

- On PostgreSQL, TRUNCATE is refused on every protected table (``answer``, ``assessment``,
  ``audit_person`` and the new ``audit_chain``; ``stored_report`` and ``audit_event`` refused it
  already). SQLite has no TRUNCATE.
- Audit events take the database's time: ``occurred_at`` defaults to ``now()``, and a trigger
  refuses an event dated more than 30 seconds before the database's clock or more than a second
  after it.
- Audit events form a hash chain (see ``assess/audit_chain.py``): ``prev_hash`` and
  ``event_hash`` on every event, and ``audit_chain``, one row naming the chain's last event.
  Triggers refuse an event whose ``prev_hash`` is not the chain's last hash, and any change to
  ``audit_chain`` that does not name the newest event. Existing events are chained here, in the
  order of their ids.

On SQLite the new NOT NULL columns come by a batch rebuild of ``audit_event``, which drops its
triggers: they are all created again after it.

Revision ID: a7c3e91f2d40
Revises: 2b94338a5be9
Create Date: 2026-11-30 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import assess.db
from assess import audit_chain

revision: str = "a7c3e91f2d40"
down_revision: str | None = "2b94338a5be9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_GENESIS = audit_chain.GENESIS
#: How far before the database's clock an event may be dated (the time between reading the clock
#: and writing the event), and after it (SQLite's clock has milliseconds, Python's microseconds).
_PAST_SECONDS = 30
_FUTURE_SECONDS = 1

_APPEND_ONLY = "audit_event is append-only: its rows cannot be changed or deleted"
_TIME = "an audit event takes the current time of the database: it cannot be dated in the past or future"
_CHAIN = "an audit event must follow the last event of the chain: its prev_hash must be that hash"
_HASH = "the hashes of an audit event are 64 lower-case hexadecimal digits"
_HEAD = "audit_chain can only name the newest audit event, and cannot be deleted"

#: Tables whose TRUNCATE this migration refuses (PostgreSQL); stored_report and audit_event have
#: refused it since their own migrations.
TRUNCATE_GUARDED = ("answer", "assessment", "audit_person", "audit_chain")

#: audit_event's append-only triggers on SQLite, as migration 322a2a6901c0 made them (the batch
#: rebuild below drops them).
_SQLITE_APPEND_ONLY = [
    f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
    BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END""",
]
_SQLITE_DROP_APPEND_ONLY = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]

_HEX = "^[0-9a-f]{64}$"
_SQLITE_NOT_HEX = " OR ".join(
    f"length({c}) <> 64 OR {c} GLOB '*[^0-9a-f]*'" for c in ("NEW.prev_hash", "NEW.event_hash")
)
_HEAD_IS_NEWEST_SQLITE = f"""NEW.id IS NOT OLD.id
    OR NEW.last_event_id IS NOT (SELECT max(id) FROM audit_event)
    OR NEW.last_hash IS NOT coalesce(
        (SELECT event_hash FROM audit_event WHERE id = NEW.last_event_id), '{_GENESIS}')"""  # noqa: S608 (constant text)

TRIGGERS = {
    "sqlite": [
        f"""CREATE TRIGGER audit_event_time BEFORE INSERT ON audit_event
        WHEN julianday(NEW.occurred_at) IS NULL
          OR julianday(NEW.occurred_at) < julianday('now') - {_PAST_SECONDS}.0 / 86400
          OR julianday(NEW.occurred_at) > julianday('now') + {_FUTURE_SECONDS}.0 / 86400
        BEGIN SELECT RAISE(ABORT, '{_TIME}'); END""",
        f"""CREATE TRIGGER audit_event_hashes BEFORE INSERT ON audit_event
        WHEN {_SQLITE_NOT_HEX}
        BEGIN SELECT RAISE(ABORT, '{_HASH}'); END""",
        # SQLite has one writer at a time: the last hash read here cannot change before the insert.
        f"""CREATE TRIGGER audit_event_chain BEFORE INSERT ON audit_event
        WHEN NEW.prev_hash IS NOT (SELECT last_hash FROM audit_chain WHERE id = 1)
        BEGIN SELECT RAISE(ABORT, '{_CHAIN}'); END""",  # noqa: S608 (constant text)
        """CREATE TRIGGER audit_event_advance_chain AFTER INSERT ON audit_event
        BEGIN
            UPDATE audit_chain SET last_event_id = NEW.id, last_hash = NEW.event_hash WHERE id = 1;
        END""",
        f"""CREATE TRIGGER audit_chain_newest BEFORE UPDATE ON audit_chain
        WHEN {_HEAD_IS_NEWEST_SQLITE}
        BEGIN SELECT RAISE(ABORT, '{_HEAD}'); END""",
        f"""CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain
        BEGIN SELECT RAISE(ABORT, '{_HEAD}'); END""",
    ],
    "postgresql": [
        """CREATE FUNCTION assess_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is protected: TRUNCATE is refused', TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END $$""",
        *(
            f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION assess_refuse_truncate()"""
            for table in TRUNCATE_GUARDED
        ),
        # The row lock on audit_chain serialises appends: after waiting, FOR UPDATE reads the
        # newest last hash, so two transactions can never both follow the same event.
        f"""CREATE FUNCTION audit_event_check_chain() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            head text;
        BEGIN
            SELECT last_hash INTO head FROM audit_chain WHERE id = 1 FOR UPDATE;
            IF NEW.occurred_at IS NULL
                OR NEW.occurred_at < clock_timestamp() - interval '{_PAST_SECONDS} seconds'
                OR NEW.occurred_at > clock_timestamp() + interval '{_FUTURE_SECONDS} seconds' THEN
                RAISE EXCEPTION '{_TIME}' USING ERRCODE = 'check_violation';
            END IF;
            IF NEW.prev_hash !~ '{_HEX}' OR NEW.event_hash !~ '{_HEX}' THEN
                RAISE EXCEPTION '{_HASH}' USING ERRCODE = 'check_violation';
            END IF;
            IF NEW.prev_hash IS DISTINCT FROM head THEN
                RAISE EXCEPTION '{_CHAIN}' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$""",  # noqa: S608 (constant text)
        """CREATE TRIGGER audit_event_chain BEFORE INSERT ON audit_event
        FOR EACH ROW EXECUTE FUNCTION audit_event_check_chain()""",
        """CREATE FUNCTION audit_event_advance_chain() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE audit_chain SET last_event_id = NEW.id, last_hash = NEW.event_hash WHERE id = 1;
            RETURN NULL;
        END $$""",
        """CREATE TRIGGER audit_event_advance_chain AFTER INSERT ON audit_event
        FOR EACH ROW EXECUTE FUNCTION audit_event_advance_chain()""",
        f"""CREATE FUNCTION audit_chain_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'UPDATE'
                OR NEW.id IS DISTINCT FROM OLD.id
                OR NEW.last_event_id IS DISTINCT FROM (SELECT max(id) FROM audit_event)
                OR NEW.last_hash IS DISTINCT FROM coalesce(
                    (SELECT event_hash FROM audit_event WHERE id = NEW.last_event_id),
                    '{_GENESIS}') THEN
                RAISE EXCEPTION '{_HEAD}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END $$""",  # noqa: S608 (constant text)
        """CREATE TRIGGER audit_chain_newest BEFORE UPDATE OR DELETE ON audit_chain
        FOR EACH ROW EXECUTE FUNCTION audit_chain_refuse_change()""",
    ],
}

DROP_TRIGGERS = {
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {name}"
        for name in (
            "audit_event_time",
            "audit_event_hashes",
            "audit_event_chain",
            "audit_event_advance_chain",
            "audit_chain_newest",
            "audit_chain_no_delete",
        )
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_chain_newest ON audit_chain",
        "DROP FUNCTION IF EXISTS audit_chain_refuse_change()",
        "DROP TRIGGER IF EXISTS audit_event_advance_chain ON audit_event",
        "DROP FUNCTION IF EXISTS audit_event_advance_chain()",
        "DROP TRIGGER IF EXISTS audit_event_chain ON audit_event",
        "DROP FUNCTION IF EXISTS audit_event_check_chain()",
        *(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}" for table in TRUNCATE_GUARDED),
        "DROP FUNCTION IF EXISTS assess_refuse_truncate()",
    ],
}

_EVENT = sa.table(
    "audit_event",
    sa.column("id", sa.Integer),
    sa.column("occurred_at", assess.db.UTCDateTime(timezone=True)),
    *(sa.column(name, sa.JSON) for name in audit_chain.JSON_FIELDS),
    *(
        sa.column(name, sa.String)
        for name in audit_chain.FIELDS
        if name not in audit_chain.JSON_FIELDS and name != "organisation_id"
    ),
    sa.column("organisation_id", sa.Integer),
    sa.column("prev_hash", sa.String),
    sa.column("event_hash", sa.String),
)


def _chain_existing_events() -> tuple[int | None, str]:
    """Give every existing event its place in the chain, in id order; returns the last one."""
    bind = op.get_bind()
    head, last_id = _GENESIS, None
    columns = [_EVENT.c[name] for name in ("id", "occurred_at", *audit_chain.FIELDS)]
    rows = bind.execute(sa.select(*columns).order_by(_EVENT.c.id)).mappings().all()
    for row in rows:
        content = dict(row)
        content["prev_hash"] = head
        event_hash = audit_chain.content_hash(content)
        bind.execute(
            _EVENT.update()
            .where(_EVENT.c.id == row["id"])
            .values(prev_hash=head, event_hash=event_hash)
        )
        head, last_id = event_hash, row["id"]
    return last_id, head


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    chain = op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=True),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_chain_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain")),
    )
    op.add_column("audit_event", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_event", sa.Column("event_hash", sa.String(length=64), nullable=True))

    if dialect == "postgresql":
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")
        last_id, last_hash = _chain_existing_events()
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change")
        op.alter_column("audit_event", "prev_hash", nullable=False)
        op.alter_column("audit_event", "event_hash", nullable=False)
        op.alter_column("audit_event", "occurred_at", server_default=sa.func.now())
    else:
        for statement in _SQLITE_DROP_APPEND_ONLY:
            op.execute(statement)
        last_id, last_hash = _chain_existing_events()
        with op.batch_alter_table("audit_event", schema=None, recreate="always") as batch_op:
            batch_op.alter_column("prev_hash", existing_type=sa.String(64), nullable=False)
            batch_op.alter_column("event_hash", existing_type=sa.String(64), nullable=False)
            batch_op.alter_column(
                "occurred_at",
                existing_type=assess.db.UTCDateTime(timezone=True),
                server_default=sa.func.now(),
            )
        for statement in _SQLITE_APPEND_ONLY:
            op.execute(statement)

    op.bulk_insert(chain, [{"id": 1, "last_event_id": last_id, "last_hash": last_hash}])
    for statement in TRIGGERS[dialect]:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in DROP_TRIGGERS[dialect]:
        op.execute(statement)
    if dialect == "postgresql":
        op.alter_column("audit_event", "occurred_at", server_default=None)
        op.drop_column("audit_event", "event_hash")
        op.drop_column("audit_event", "prev_hash")
    else:
        for statement in _SQLITE_DROP_APPEND_ONLY:
            op.execute(statement)
        with op.batch_alter_table("audit_event", schema=None, recreate="always") as batch_op:
            batch_op.alter_column(
                "occurred_at",
                existing_type=assess.db.UTCDateTime(timezone=True),
                server_default=None,
            )
            batch_op.drop_column("event_hash")
            batch_op.drop_column("prev_hash")
        for statement in _SQLITE_APPEND_ONLY:
            op.execute(statement)
    op.drop_table("audit_chain")
