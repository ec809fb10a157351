"""Exactly one active worker of a role across processes: a PostgreSQL advisory lock.

The lock lives as long as the connection that took it, so when a worker dies its
lock is released by the server and a waiting one takes over (within ``retry``
seconds: that is how often a waiting worker asks). The leader checks its own
connection as often (``hold``): when the server restarted, the lock is gone, so the
role stops and the supervisor starts it again, waiting for the lock anew. With
SQLite there is one process by design, and it is always the leader.
"""

from __future__ import annotations

import asyncio
import contextlib
import zlib

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class LeadershipLost(RuntimeError):
    """The connection that held the lock is gone: another worker may lead now."""


class Leadership:
    """Hold the lock for ``role`` while the process runs that role."""

    def __init__(self, engine: AsyncEngine, role: str, *, retry: float = 5.0) -> None:
        self.engine = engine
        self.key = zlib.crc32(f"kvitt:{role}".encode())  # a stable 32-bit number per role
        self.retry = retry
        self._conn: AsyncConnection | None = None

    async def acquire(self, stop: asyncio.Event) -> bool:
        """Wait until this process leads (True), or until ``stop`` (False)."""
        if self.engine.dialect.name != "postgresql":
            return True
        while not stop.is_set():
            conn = await self.engine.connect()
            got = (await conn.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                      {"key": self.key})).scalar()
            await conn.commit()
            if got:
                self._conn = conn
                return True
            await conn.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.retry)
        return False

    async def hold(self, stop: asyncio.Event) -> None:
        """Return when ``stop`` is set; raise ``LeadershipLost`` when the lock is lost."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.retry)
            if self._conn is None or stop.is_set():
                continue
            try:
                await self._conn.execute(text("SELECT 1"))
                await self._conn.commit()
            except Exception as exc:  # the server restarted or the network dropped
                raise LeadershipLost(f"the advisory lock's connection failed: {exc}") from exc

    async def release(self) -> None:
        """Give the role up (closing the connection frees the lock)."""
        if self._conn is not None:
            with contextlib.suppress(Exception):  # a dead connection: the lock is gone anyway
                await self._conn.close()
            self._conn = None
