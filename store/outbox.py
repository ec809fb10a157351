"""The outbox: notices written with the change that caused them, delivered by workers.

Rows added in a unit of work are written together, in one statement built once per
dialect, when it commits (or before anything reads the outbox in it): an approval reply
queues two or three notices, and each INSERT built and run on its own was a sixth of
the reply's CPU. Nothing is written if the unit of work does not commit, as before.
On PostgreSQL the queued rows can also ride on the unit of work's last statement
(``take`` and ``carrying``, a data-modifying ``WITH``): an approver's reply writes its
notices in the statement that records the message, one round trip fewer.

Workers claim due rows in batches. On PostgreSQL ``FOR UPDATE SKIP LOCKED``
lets several workers claim at once without taking the same row; on SQLite the
single writer lock serialises them. A claimed row is leased (``locked_until``)
so a worker that dies mid-delivery gives it back when the lease runs out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.wire import UnknownRecord
from service.messages import MESSAGES, Message, UnreadableMessage
from service.ports import (
    LEASE,
    MAX_ATTEMPTS,
    OutboxMessage,
    OutboxRow,
    QueuedAsk,
    QueuedMessage,
    retry_wait,
)
from store import tables as t
from store.engine import CARRIED_AT_ONCE, carried_by, carried_values, dialect_insert

_ADD: dict[str, Any] = {}  # by dialect
_COLUMNS = ("kind", "channel", "recipient", "payload", "dedupe_key", "status", "attempts",
            "next_try_at", "created_at")  # what ``add`` queues


def _add_statement(dialect: str) -> Any:
    """INSERT … ON CONFLICT (dedupe_key) DO NOTHING, built once per dialect."""
    built = _ADD.get(dialect)
    if built is None:
        # a notice queued before, by this writer or a concurrent one, is left as it is
        # (once is enough), without a savepoint to recover from the clash
        built = _ADD[dialect] = dialect_insert(dialect, t.outbox).on_conflict_do_nothing(
            index_elements=[t.outbox.c.dedupe_key])
    return built


def carrying(statement: Any) -> dict[int, Any]:
    """PostgreSQL's ``statement`` writing the rows ``take`` took too, by their number."""
    return carried_by(statement, t.outbox, _COLUMNS, "o")


class SqlOutbox:
    """``Outbox`` on SQL, plus what the delivery workers need."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._queued: list[dict[str, Any]] = []

    async def add(self, message: OutboxMessage, at: datetime) -> None:
        key = message.dedupe_key
        if len(key) > 400:  # built from outside input (a Message-ID): keep it to the column
            key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
            message = replace(message, dedupe_key=key)
        self._queued.append({
            "kind": message.kind, "channel": message.channel, "recipient": message.recipient,
            "payload": message.payload, "dedupe_key": message.dedupe_key, "status": "pending",
            "attempts": 0, "next_try_at": at, "created_at": at})

    def take(self) -> tuple[int, dict[str, Any]]:
        """The queued rows taken off the queue for a statement that writes them (``carrying``).

        ``(0, {})`` when none or more than ``CARRIED_AT_ONCE`` are queued, or on SQLite (no
        round trip to save): the rows then wait for ``flush``.
        """
        n = len(self._queued)
        if not 0 < n <= CARRIED_AT_ONCE or self._conn.dialect.name != "postgresql":
            return 0, {}
        rows, self._queued = self._queued, []
        return n, carried_values("o", rows)

    async def flush(self) -> None:
        """Write the rows added so far (the unit of work does, before it commits)."""
        if self._queued:
            rows, self._queued = self._queued, []
            await self._conn.execute(_add_statement(self._conn.dialect.name), rows)

    async def claim_due(self, channel: str, now: datetime, limit: int = 20,
                        lease: timedelta = LEASE) -> Sequence[OutboxRow]:
        """Lease up to ``limit`` due rows of ``channel`` to this worker."""
        await self.flush()
        due = or_(and_(t.outbox.c.status == "pending", t.outbox.c.next_try_at <= now),
                  and_(t.outbox.c.status == "sending", t.outbox.c.locked_until <= now))
        query = (select(t.outbox).where(t.outbox.c.channel == channel, due)
                 .order_by(t.outbox.c.id).limit(limit).with_for_update(skip_locked=True))
        rows = (await self._conn.execute(query)).mappings().all()
        if not rows:
            return []
        await self._conn.execute(update(t.outbox).where(
            t.outbox.c.id.in_([r["id"] for r in rows])).values(
            status="sending", locked_until=now + lease))
        return [_row(r) for r in rows]

    async def extend_lease(self, row_id: int, until: datetime) -> None:
        await self._conn.execute(update(t.outbox).where(
            t.outbox.c.id == row_id, t.outbox.c.status == "sending").values(
            locked_until=until))

    async def mark_sent(self, row_id: int, now: datetime) -> None:
        """The row was delivered: never send it again."""
        await self._conn.execute(update(t.outbox).where(t.outbox.c.id == row_id).values(
            status="sent", sent_at=now, locked_until=None, attempts=t.outbox.c.attempts + 1))

    async def mark_failed(self, row_id: int, now: datetime, error: str, *,
                          permanent: bool = False, counted: bool = True) -> None:
        """A try failed: back off, or give up after ``MAX_ATTEMPTS`` or a permanent error."""
        attempts = (await self._conn.execute(select(t.outbox.c.attempts).where(
            t.outbox.c.id == row_id))).scalar_one() + (1 if counted else 0)
        failed = permanent or attempts >= MAX_ATTEMPTS
        await self._conn.execute(update(t.outbox).where(t.outbox.c.id == row_id).values(
            status="failed" if failed else "pending", attempts=attempts,
            next_try_at=now + retry_wait(attempts, counted=counted), locked_until=None,
            last_error=error[:2000]))

    async def queued(self, kind: type[Message] | None = None, *, status: str | None = None,
                     since: datetime | None = None) -> Sequence[QueuedMessage]:
        await self.flush()
        query = select(t.outbox).order_by(t.outbox.c.id)
        if kind is not None:
            query = query.where(t.outbox.c.kind == kind.kind)
        if status is not None:
            query = query.where(t.outbox.c.status == status)
        if since is not None:
            query = query.where(t.outbox.c.created_at >= since)
        rows = (await self._conn.execute(query)).mappings().all()
        return [QueuedMessage(_row(r).message, r["created_at"], r["status"], r["last_error"])
                for r in rows]

    async def queued_each(self, asks: Sequence[QueuedAsk]) -> list[list[QueuedMessage]]:
        await self.flush()
        o = t.outbox.c

        def where(kind: type[Message] | None, status: str | None,
                  since: datetime | None) -> Any:
            return and_(true(), *([] if kind is None else [o.kind == kind.kind]),
                        *([] if status is None else [o.status == status]),
                        *([] if since is None else [o.created_at >= since]))

        rows = (await self._conn.execute(select(t.outbox).where(
            or_(*(where(*ask) for ask in asks))).order_by(o.id))).mappings().all()
        found: list[list[QueuedMessage]] = [[] for _ in asks]
        for r in rows:
            queued = None
            for wanted, (kind, status, since) in zip(found, asks, strict=True):
                if ((kind is None or r["kind"] == kind.kind)
                        and (status is None or r["status"] == status)
                        and (since is None or r["created_at"] >= since)):
                    queued = queued or QueuedMessage(_row(r).message, r["created_at"],
                                                     r["status"], r["last_error"])
                    wanted.append(queued)
        return found


def _row(r: Any) -> OutboxRow:
    return OutboxRow(r["id"], OutboxMessage(_body(r["kind"], dict(r["payload"])), r["channel"],
                                            r["recipient"], r["dedupe_key"]), r["attempts"])


def _body(kind: str, payload: dict[str, Any]) -> Message | UnreadableMessage:
    """The typed message of a row; a row no class reads is kept as it is, to fail for good."""
    try:
        return MESSAGES.decode(kind, payload)
    except (UnknownRecord, TypeError) as exc:
        return UnreadableMessage(kind, payload, str(exc))
