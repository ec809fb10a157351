"""A service environment on a real database, a clock moved by hand, the example files."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.rates import default_book
from service.context import Env
from service.ports import UnitOfWork
from store.uow import SqlUnitOfWork

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        """Move the clock forward (``timedelta``'s arguments)."""
        self.now += timedelta(**kwargs)


def sql(uow: UnitOfWork) -> SqlUnitOfWork:
    """``uow`` as the SQL store's, for a test that reads a table directly."""
    assert isinstance(uow, SqlUnitOfWork)
    return uow


def sql_env(engine: AsyncEngine, clock: Clock | None = None) -> Env:
    """The use cases on ``engine``, with predictable ids and reply keys."""
    counter = itertools.count(1)
    keys = itertools.count(1)
    return Env(uow=lambda: SqlUnitOfWork(engine),
               read=lambda: SqlUnitOfWork(engine, read_only=True), book=default_book(),
               clock=clock or Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)),
               new_id=lambda: f"id{next(counter):06d}", new_key=lambda: f"key{next(keys):06d}")
