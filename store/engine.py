"""Opening the database: the URL, SQLite's pragmas, and the schema check at start.

SQLite gets WAL (readers do not block the writer), foreign keys on, and a busy
timeout so two workers wait for each other instead of failing at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def sqlite_url(data_dir: Path) -> str:
    """The embedded default: ``kvitt.sqlite3`` in the data folder."""
    return f"sqlite+aiosqlite:///{(data_dir / 'kvitt.sqlite3').resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy's documented recipe: the driver stops issuing BEGIN, we issue it
    # (so SAVEPOINTs work, and BEGIN IMMEDIATE takes the write lock up front, which
    # avoids the read-then-write upgrade failure between two workers).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url`` (``sqlite+aiosqlite://…`` or ``postgresql+asyncpg://…``)."""
    if url.startswith("postgresql://"):
        url = "postgresql+asyncpg://" + url.removeprefix("postgresql://")
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine
