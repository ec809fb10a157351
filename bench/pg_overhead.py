"""Where a dialog turn's CPU goes on PostgreSQL: the driver, SQLAlchemy, the pool, BEGIN.

    .venv/bin/python -m bench.pg_overhead [--pg URL] [-n 2000]

Why: on PostgreSQL Kvitt's bot costs more CPU per update than on SQLite, and more than
a bare echo bot at one chat (bench/README.md, 7 December, late evening). This splits a
plain dialog step's store work (the chat's state read and locked, then saved: two statements in one
unit of work) into what each layer adds, every figure the bench process's CPU per call,
median of three batches, in one process run:

- ``select 1`` on asyncpg alone (the floor: the driver and one round trip);
- ``select 1`` through SQLAlchemy on a connection held open (SQLAlchemy's own cost a
  statement: the compiled cache, the greenlet bridge, the result);
- ``select 1`` with a connection checked out of the pool and back (the pool's cost);
- the dialog's two statements in autocommit, and in a ``SqlUnitOfWork`` (BEGIN and
  COMMIT added);
- and the Python function calls that unit of work makes (cProfile's count): the same on
  every machine and every run, where the CPU seconds move by a third on these VMs.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import text

from bench.scratch import PG, scratch_database
from service.ports import DialogState
from store.engine import make_engine
from store.migrate import upgrade
from store.people import _dialog_open, _dialog_put
from store.uow import SqlUnitOfWork


async def _cpu(call: Callable[[], Awaitable[object]], n: int) -> float:
    """Median over three batches of ``n`` calls of the CPU seconds one call takes."""
    for _ in range(n // 10):
        await call()
    batches = []
    for _ in range(3):
        started = time.process_time()
        for _ in range(n):
            await call()
        batches.append((time.process_time() - started) / n)
    return statistics.median(batches)


async def measure(url: str, n: int) -> dict[str, float]:
    """Each layer's CPU seconds a call, on a database of its own made for the run."""
    async with scratch_database(url, "kvitt_overhead") as database:
        return await _layers(database, n)


async def _layers(database: str, n: int) -> dict[str, float]:
    engine = make_engine(database)
    auto = engine.execution_options(isolation_level="AUTOCOMMIT")
    raw = None
    out: dict[str, float] = {}
    try:
        raw = await asyncpg.connect(database.replace("postgresql+asyncpg://", "postgresql://"))
        await upgrade(engine)
        opened = {"b_chat": 1, "b_user": 1, "b_data": {}, "b_at": datetime.now(UTC)}
        saved = {"b_chat": 1, "b_flow": "ny", "b_step": "tittel", "b_data": {"x": 1},
                 "b_at": datetime.now(UTC)}

        async def checked_out() -> None:
            async with auto.connect() as conn:
                await conn.execute(text("select 1"))

        async def two_statements() -> None:
            async with auto.connect() as conn:
                await conn.execute(_dialog_open("postgresql"), opened)
                await conn.execute(_dialog_put("postgresql"), saved)

        async def unit_of_work() -> None:
            async with SqlUnitOfWork(engine) as uow:
                state, _ = await uow.dialogs.open(1, 1)
                state = state or DialogState(1)
                state.updated_at = datetime.now(UTC)
                await uow.dialogs.put(state)
                await uow.commit()

        async with auto.connect() as held:
            out["select 1, asyncpg alone"] = await _cpu(lambda: raw.fetchval("select 1"), n)
            out["select 1, SQLAlchemy, connection held"] = await _cpu(
                lambda: held.execute(text("select 1")), n)
        out["select 1, SQLAlchemy, checked out of the pool"] = await _cpu(checked_out, n)
        out["the dialog's two statements, autocommit"] = await _cpu(two_statements, n)
        out["the same in a unit of work (BEGIN, COMMIT)"] = await _cpu(unit_of_work, n)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(n):
            await unit_of_work()
        profile.disable()
        out["calls"] = pstats.Stats(profile).total_calls / n  # type: ignore[attr-defined]
    finally:
        if raw is not None:
            await raw.close()
        await engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pg_overhead", description=__doc__)
    parser.add_argument("--pg", default=PG, help="a PostgreSQL server's URL (any database)")
    parser.add_argument("-n", type=int, default=2000, help="calls a batch")
    args = parser.parse_args()
    figures = asyncio.run(measure(args.pg, args.n))
    calls = figures.pop("calls")
    floor = figures["select 1, asyncpg alone"]
    print("| what | CPU a call | × asyncpg alone |")
    print("|---|---|---|")
    for what, seconds in figures.items():
        print(f"| {what} | {seconds * 1e6:.0f} µs | {seconds / floor:.1f}× |")
    print(f"\nPython function calls a unit of work (the dialog's two statements): {calls:.0f}")


if __name__ == "__main__":
    main()
