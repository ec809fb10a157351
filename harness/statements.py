"""Counting the SQL statements an engine runs, for the tests and the bench alike.

The tests guard the counts (issue 13: a plain dialog step, a saved line, an export) and
the bench prints the same figure per update, so both count the same way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@contextlib.contextmanager
def counted(engine: AsyncEngine, *, control: bool = False) -> Iterator[list[str]]:
    """The SQL statements run meanwhile.

    ``control``: SQLite's ``BEGIN IMMEDIATE`` and the other transaction statements too
    (each is a round trip to the database).
    """
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if control or not statement.lstrip().upper().startswith(("BEGIN", "COMMIT",
                                                                    "ROLLBACK")):
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
