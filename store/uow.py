"""The SQL unit of work: one connection, one transaction, rolled back unless committed.

On SQLite one writer at a time holds the database. Writers of this process queue on an
``asyncio.Lock`` (first come, first served) before they begin, rather than each taking a
connection and spinning on the busy timeout, which at 100 concurrent chats ran out and
answered "Beklager, noe gikk galt". A read-only unit of work takes neither the lock nor
SQLite's write lock (``BEGIN``, see ``store.engine``).
"""

from __future__ import annotations

import asyncio
import weakref
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from store.claims import SqlClaims
from store.engine import READ_ONLY
from store.outbox import SqlOutbox
from store.people import (
    SqlAttachments,
    SqlClaimants,
    SqlDialogs,
    SqlInbound,
    SqlInvites,
    SqlOrganisations,
    SqlReplyKeys,
)
from store.reports import SqlReports

_WRITERS: weakref.WeakKeyDictionary[Engine, dict[asyncio.AbstractEventLoop, asyncio.Lock]] = (
    weakref.WeakKeyDictionary())


def _writer_lock(engine: AsyncEngine) -> asyncio.Lock:
    locks = _WRITERS.setdefault(engine.sync_engine, {})
    return locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())


class SqlUnitOfWork:
    """``UnitOfWork`` on an async engine. Use once: ``async with uow: … await uow.commit()``."""

    claims: SqlClaims
    claimants: SqlClaimants
    organisations: SqlOrganisations
    invites: SqlInvites
    outbox: SqlOutbox
    reply_keys: SqlReplyKeys
    attachments: SqlAttachments
    dialogs: SqlDialogs
    inbound: SqlInbound
    reports: SqlReports

    def __init__(self, engine: AsyncEngine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None
        self._read_only = read_only
        self._lock: asyncio.Lock | None = None

    @property
    def connection(self) -> AsyncConnection:
        """The open connection (for store-level helpers that share the transaction)."""
        if self._conn is None:
            raise RuntimeError("unit of work is not open")
        return self._conn

    async def __aenter__(self) -> Self:
        if self._engine.dialect.name == "sqlite" and not self._read_only:
            self._lock = _writer_lock(self._engine)
            await self._lock.acquire()
        try:
            self._conn = await self._engine.connect()
            if self._read_only:
                await self._conn.execution_options(**{READ_ONLY: True})
            await self._conn.begin()
        except BaseException:
            await self._release()
            raise
        conn = self._conn
        self.organisations = SqlOrganisations(conn)
        self.claims = SqlClaims(conn, self.organisations)
        self.claimants = SqlClaimants(conn)
        self.invites = SqlInvites(conn)
        self.outbox = SqlOutbox(conn)
        self.reply_keys = SqlReplyKeys(conn, self.claims)
        self.attachments = SqlAttachments(conn)
        self.dialogs = SqlDialogs(conn, self.claimants, self.organisations, self.claims)
        self.inbound = SqlInbound(conn, self.outbox)
        self.reports = SqlReports(conn)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        conn, self._conn = self._conn, None
        try:
            if conn is not None:
                try:
                    await conn.rollback()
                finally:
                    await conn.close()
        finally:
            await self._release()

    async def _release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()

    async def commit(self) -> None:
        """Make everything done in this unit of work permanent."""
        await self.outbox.flush()
        await self.connection.commit()
