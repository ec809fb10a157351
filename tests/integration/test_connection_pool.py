"""The engine keeps the connections a busy bot needs instead of opening one per turn.

With SQLAlchemy's default pool of five, the three of the bot's eight concurrent updates
beyond it each opened a connection and closed it again at the end of the turn.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from store import tables
from store.engine import make_engine
from store.uow import SqlUnitOfWork

CONCURRENT = 8  # the bot's bound (bot.telegram_app.build_application)


async def test_eight_concurrent_units_of_work_reuse_their_connections(engine: AsyncEngine):
    opened = 0

    def connected(*_: object) -> None:
        nonlocal opened
        opened += 1

    event.listen(engine.sync_engine, "connect", connected)

    async def turn() -> None:
        async with SqlUnitOfWork(engine, read_only=True) as uow:
            await uow.connection.execute(select(tables.claims.c.id).limit(1))
            await asyncio.sleep(0.001)  # all eight hold their connection at once

    for _ in range(20):
        await asyncio.gather(*(turn() for _ in range(CONCURRENT)))
    assert opened <= CONCURRENT, f"{opened} connections opened for 20 rounds of 8"


async def test_an_in_memory_database_keeps_its_one_connection():
    for url in ("sqlite+aiosqlite://", "sqlite+aiosqlite:///:memory:"):
        memory = make_engine(url)  # no pool to size: SQLAlchemy's StaticPool
        async with memory.connect() as conn:
            assert (await conn.execute(select(1))).scalar() == 1
        await memory.dispose()
