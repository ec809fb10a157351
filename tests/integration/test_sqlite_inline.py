"""SQLite on the event loop's thread (``store.sqlite_inline``): another process's lock is
waited for without stopping the loop, and a lock held too long is an error, not a hang."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from store import sqlite_inline
from store.engine import make_engine, sqlite_url


def _hold_write_lock(path: Path, seconds: float, taken: threading.Event) -> None:
    """Another process, as SQLite sees it: its own connection holding the write lock."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t VALUES (1)")
    taken.set()
    time.sleep(seconds)
    other.execute("COMMIT")
    other.close()


async def _table(tmp_path: Path):
    engine = make_engine(sqlite_url(tmp_path))
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (a INTEGER)"))
    return engine, tmp_path / "kvitt.sqlite3"


async def test_a_write_waits_for_another_process_and_the_loop_goes_on_meanwhile(tmp_path):
    engine, path = await _table(tmp_path)
    taken = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, 0.4, taken))
    holder.start()
    await asyncio.to_thread(taken.wait)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticking = asyncio.create_task(ticker())
    started = time.monotonic()
    async with engine.begin() as conn:  # BEGIN IMMEDIATE: refused until the holder commits
        await conn.execute(text("INSERT INTO t VALUES (2)"))
    waited = time.monotonic() - started
    ticking.cancel()
    holder.join()
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT a FROM t ORDER BY a"))).scalars().all()
    await engine.dispose()
    assert rows == [1, 2]
    assert waited >= 0.2  # it did wait for the lock …
    assert ticks >= 10  # … and the loop ran other work meanwhile (blocked, it would be ~0)


async def test_a_lock_held_longer_than_the_timeout_is_an_error_not_a_hang(tmp_path,
                                                                          monkeypatch):
    monkeypatch.setattr(sqlite_inline, "BUSY_TIMEOUT", 0.2)
    engine, path = await _table(tmp_path)
    taken = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, 1.0, taken))
    holder.start()
    await asyncio.to_thread(taken.wait)
    started = time.monotonic()
    with pytest.raises(Exception, match="locked"):
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO t VALUES (2)"))
    assert time.monotonic() - started < 0.9
    holder.join()
    await engine.dispose()


async def test_the_threaded_driver_is_still_there_and_gives_the_same_rows(tmp_path):
    engine, _ = await _table(tmp_path)
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO t VALUES (1), (2)"))
    await engine.dispose()
    threaded = make_engine(sqlite_url(tmp_path), inline_sqlite=False)
    async with threaded.connect() as conn:
        rows = (await conn.execute(text("SELECT a FROM t ORDER BY a"))).scalars().all()
    await threaded.dispose()
    assert rows == [1, 2]
