"""Opening the database: the URL, SQLite's pragmas, and the schema check at start.

SQLite gets WAL (readers do not block the writer), foreign keys on, and a busy
timeout so two processes wait for each other instead of failing at once. Within one
process, writers queue on a lock in ``store.uow`` and never meet the busy timeout.

Durability (a decision, issue 13): ``synchronous=NORMAL`` in WAL mode. A commit is then
not synced to disk until the next checkpoint, so a power cut or an OS crash can lose
the last commits (never corrupt the database); a crash of Kvitt itself loses nothing,
since the commit is in the WAL file the OS holds. ``FULL`` synced every commit, which
was most of a dialog turn's wall time; a claimant whose last answer is lost to a power
cut sees the question again and answers it again. PostgreSQL keeps its own settings.

A unit of work opened read-only (``read_only`` execution option) starts with a plain
``BEGIN``: it takes no write lock, so reports never hold up the bot.

The pool keeps ``POOL_SIZE`` connections. SQLAlchemy's default of five kept fewer than
the bot's eight concurrent updates: the other three each opened a connection (on
PostgreSQL a TCP connection, TLS offered, a login, the driver's setup queries, and every
statement prepared again) and closed it when the turn ended. The bench's 100 chats
opened 69–95 connections for 5,100 updates; with the larger pool, 8. What that saves is
the database server's logins and the statements' preparing; in the bot process's CPU it
did not show beyond this machine's noise (A/B, bench/README.md, 7 December, evening).

SQLite runs on the event loop's thread (``store.sqlite_inline``), not on aiosqlite's
worker thread: handing each call to a thread and back was half of a dialog turn's CPU.
SQLite's own busy handler is then off (it would block the loop); the driver waits for
another process's lock with ``asyncio.sleep`` instead, for as long as ``busy_timeout``
said before. ``make_engine(…, inline_sqlite=False)`` keeps aiosqlite (the bench
compares both).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Table, bindparam, event, make_url, select, union_all
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_dbapi
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from store import sqlite_inline


def sqlite_url(data_dir: Path) -> str:
    """The embedded default: ``kvitt.sqlite3`` in the data folder."""
    return f"sqlite+aiosqlite:///{(data_dir / 'kvitt.sqlite3').resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy's documented recipe: the driver stops issuing BEGIN, we issue it
    # (so SAVEPOINTs work, and BEGIN IMMEDIATE takes the write lock up front, which
    # avoids the read-then-write upgrade failure between two workers).
    dbapi_connection.isolation_level = None
    inline = isinstance(getattr(dbapi_connection, "_connection", None),
                        sqlite_inline.Connection)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # inline: never wait inside SQLite (the loop would stop); the driver sleeps instead
    cursor.execute(f"PRAGMA busy_timeout={0 if inline else 10000}")
    cursor.close()


READ_ONLY = "kvitt_read_only"


def _sqlite_begin(conn: Any) -> None:
    read_only = conn.get_execution_options().get(READ_ONLY, False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _in_memory(url: str) -> bool:
    """An in-memory SQLite database: SQLAlchemy gives it one shared connection, no pool."""
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and (
        parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory")


# connections kept open: the bot's eight concurrent updates (``build_application``'s
# bound) and a role's own jobs beside them; up to 10 more are opened for a burst
POOL_SIZE = 10


def make_engine(url: str, *, inline_sqlite: bool = True, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url`` (``sqlite+aiosqlite://…`` or ``postgresql+asyncpg://…``)."""
    if url.startswith("postgresql://"):
        url = "postgresql+asyncpg://" + url.removeprefix("postgresql://")
    if "poolclass" not in kwargs and "pool" not in kwargs and not _in_memory(url):
        kwargs.setdefault("pool_size", POOL_SIZE)
    if inline_sqlite and url.startswith("sqlite+aiosqlite:"):
        kwargs.setdefault("module", AsyncAdapt_aiosqlite_dbapi(sqlite_inline, sqlite3))
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


def insert_for(connection: AsyncConnection, table: Table) -> PgInsert | SqliteInsert:
    """An INSERT of the connection's dialect, which can say what to do ON CONFLICT.

    Both databases spell upserts the same way in SQLAlchemy, but through their own
    dialect's ``insert``; this is the one place that picks it.
    """
    return dialect_insert(connection.dialect.name, table)


def dialect_insert(dialect: str, table: Table) -> PgInsert | SqliteInsert:
    """``insert_for`` by the dialect's name, for a statement built once per dialect."""
    if dialect == "postgresql":
        return pg_insert(table)
    return sqlite_insert(table)


def carried_rows(table: Table, columns: tuple[str, ...], prefix: str, n: int) -> Any:
    """PostgreSQL's WITH that inserts ``n`` rows of ``table`` (values ``{prefix}{i}_{column}``).

    For a statement that writes rows queued for another table too (a data-modifying WITH
    runs once and to the end whether or not the statement reads it): one round trip
    fewer. The rows come from one ``UNION ALL`` of selects, so they are inserted, and get
    their ids, in their order, and the statement has a cache key (a multi-row
    ``VALUES`` has none: SQLAlchemy would compile it at every execution). ``ON CONFLICT
    DO NOTHING``: a row a concurrent writer wrote first is left to it. Build it once per
    ``n`` (``carried_by``): built per call it cost more CPU than the round trip saves.
    """
    rows = [select(*(bindparam(f"{prefix}{i}_{name}", type_=table.c[name].type).label(name)
                     for name in columns)) for i in range(n)]
    return (pg_insert(table).from_select(list(columns), rows[0] if n == 1 else union_all(*rows))
            .on_conflict_do_nothing().cte(f"carried_{table.name}"))


# rows one statement carries: a reply logs one or two events and queues one to three
# notices; more are written on their own
CARRIED_AT_ONCE = 4


def carried_by(statement: Any, table: Table, columns: tuple[str, ...],
               prefix: str) -> dict[int, Any]:
    """``statement`` carrying 1 … ``CARRIED_AT_ONCE`` rows of ``table``, by their number."""
    return {n: statement.add_cte(carried_rows(table, columns, prefix, n))
            for n in range(1, CARRIED_AT_ONCE + 1)}


def carried_values(prefix: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """``rows`` as the values of ``carried_rows``."""
    return {f"{prefix}{i}_{k}": v for i, row in enumerate(rows) for k, v in row.items()}
