"""The SQL unit of work: one connection, one transaction, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from store.claims import SqlClaims
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

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None

    @property
    def connection(self) -> AsyncConnection:
        """The open connection (for store-level helpers that share the transaction)."""
        if self._conn is None:
            raise RuntimeError("unit of work is not open")
        return self._conn

    async def __aenter__(self) -> Self:
        self._conn = await self._engine.connect()
        await self._conn.begin()
        conn = self._conn
        self.claims = SqlClaims(conn)
        self.claimants = SqlClaimants(conn)
        self.organisations = SqlOrganisations(conn)
        self.invites = SqlInvites(conn)
        self.outbox = SqlOutbox(conn)
        self.reply_keys = SqlReplyKeys(conn)
        self.attachments = SqlAttachments(conn)
        self.dialogs = SqlDialogs(conn)
        self.inbound = SqlInbound(conn)
        self.reports = SqlReports(conn)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            await conn.rollback()
        finally:
            await conn.close()

    async def commit(self) -> None:
        """Make everything done in this unit of work permanent."""
        await self.connection.commit()
