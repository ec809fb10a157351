"""SQLite on the event loop's own thread: the driver SQLAlchemy's aiosqlite dialect drives.

Why (issue 13, measured): aiosqlite runs every call on a thread of its own and hands
each result back through the event loop. A statement through SQLAlchemy costs four such
hand-offs (cursor, execute, fetch, close): 540 µs of CPU on this machine against 68 µs
for the same statement through SQLAlchemy's synchronous pysqlite, about half of a
dialog turn and of an approval reply. SQLite is a library, not a server: a statement on
a small indexed database takes microseconds, so this module runs it where it is asked,
with aiosqlite's interface (coroutines), and nothing crosses a thread.

What that asks of the rest:

- **Never wait inside SQLite.** Another process (``kvitt run --only …``, an admin
  command) may hold the write lock. SQLite's own busy handler would then block the whole
  event loop, so it is off (``busy_timeout`` 0, set in ``store.engine``), and a statement
  refused with "database is locked" is tried again after an ``asyncio.sleep``, up to
  ``BUSY_TIMEOUT`` seconds. A refused statement has done nothing, so trying it again is
  safe; within one process, writers already queue on a lock in ``store.uow``.
- **Long statements hold the loop.** A report over 100,000 claims (a few hundred ms)
  runs inline too, once a day; a dialog turn's statements take tens of microseconds.
  PostgreSQL (asyncpg) is unaffected.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Generator, Iterable
from functools import partial

# aiosqlite's module attributes that SQLAlchemy's dialect copies
from sqlite3 import (  # noqa: F401
    DatabaseError,
    Error,
    IntegrityError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    sqlite_version,
    sqlite_version_info,
)
from typing import Any

BUSY_TIMEOUT = 10.0  # seconds a statement waits for another process's write lock
_FIRST_WAIT, _LONGEST_WAIT = 0.002, 0.1


def _locked(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "database is locked" in text or "database is busy" in text


async def _patiently(call: Callable[[], Any]) -> Any:
    """``call()``; while another process holds the lock, sleep (not block) and retry."""
    deadline, wait = time.monotonic() + BUSY_TIMEOUT, _FIRST_WAIT
    while True:
        try:
            return call()
        except sqlite3.OperationalError as error:
            if not _locked(error) or time.monotonic() + wait > deadline:
                raise
        await asyncio.sleep(wait)
        wait = min(wait * 2, _LONGEST_WAIT)


class Cursor:
    """aiosqlite's ``Cursor``: the same coroutines, run at once."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Any = ()) -> Cursor:
        await _patiently(partial(self._cursor.execute, sql, parameters))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> Cursor:
        rows = list(parameters)  # a generator could not be read a second time
        await _patiently(partial(self._cursor.executemany, sql, rows))
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _Opened:
    """``cursor()``'s result: awaitable, and an ``async with`` as aiosqlite's is."""

    def __init__(self, cursor: Cursor) -> None:
        self._cursor = cursor

    def __await__(self) -> Generator[Any, None, Cursor]:
        return self.__aenter__().__await__()

    async def __aenter__(self) -> Cursor:
        return self._cursor

    async def __aexit__(self, *_: object) -> None:
        await self._cursor.close()


class _Now:
    """Stands in for aiosqlite's queue to its thread, done at once.

    SQLAlchemy's dialect puts a ``(future, function)`` here to set the isolation level.
    """

    @staticmethod
    def put_nowait(item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:  # handed to the caller, as aiosqlite's thread does
            if future is not None:
                future.set_exception(error)
            return
        if future is not None:
            future.set_result(result)


class _NoThread:
    """SQLAlchemy marks aiosqlite's thread a daemon; there is none here."""

    daemon = True


class Connection:
    """aiosqlite's ``Connection`` over a ``sqlite3.Connection`` used on this thread."""

    _tx = _Now()
    _thread = _NoThread()

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._connection: sqlite3.Connection | None = None

    def __await__(self) -> Generator[Any, None, Connection]:
        return self._open().__await__()

    async def _open(self) -> Connection:
        self._connection = self._connect()
        return self

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    def cursor(self) -> _Opened:
        return _Opened(Cursor(self._conn.cursor()))

    async def commit(self) -> None:
        await _patiently(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def stop(self) -> None:
        """Close at once (SQLAlchemy's terminate): nothing runs elsewhere to wait for."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction


def connect(database: str, **kwargs: Any) -> Connection:
    """Like ``aiosqlite.connect``: an awaitable connection (opened when awaited)."""
    kwargs.setdefault("check_same_thread", False)  # the pool may close it from elsewhere
    return Connection(partial(sqlite3.connect, database, **kwargs))
