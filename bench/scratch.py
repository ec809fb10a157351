"""A PostgreSQL database made for one bench run and dropped after it, whatever happens.

The bench's table and ``bench.pg_overhead`` each measure on a database of their own on
the given server, so a run never touches another's data and leaves nothing behind.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from store.engine import make_engine

PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"  # the bench's default server


@asynccontextmanager
async def scratch_database(server_url: str, prefix: str) -> AsyncIterator[str]:
    """The URL of a new, empty database on ``server_url``'s server; dropped on leaving."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = make_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield f"{server_url.rsplit('/', 1)[0]}/{name}"
        finally:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()
