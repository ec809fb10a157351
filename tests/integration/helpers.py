"""A service environment on a real database, and the example organisations."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

from imap_tools import MailBoxUnencrypted
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.rates import default_book
from service.context import Env
from store.uow import SqlUnitOfWork

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def sql_env(engine: AsyncEngine, clock: Clock | None = None) -> Env:
    counter = itertools.count(1)
    keys = itertools.count(1)
    return Env(uow=lambda: SqlUnitOfWork(engine),
               read=lambda: SqlUnitOfWork(engine, read_only=True), book=default_book(),
               clock=clock or Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)),
               new_id=lambda: f"id{next(counter):06d}", new_key=lambda: f"key{next(keys):06d}")


def deliver(account, raw: bytes) -> None:
    with MailBoxUnencrypted(account.host, account.port).login(account.user,
                                                               account.password) as box:
        box.append(raw, "INBOX")


def folders(account) -> dict[str, int]:
    with MailBoxUnencrypted(account.host, account.port).login(account.user,
                                                               account.password) as box:
        counts = {}
        for name in ("INBOX", "Processed", "Rejected"):
            box.folder.set(name)
            counts[name] = len(box.uids())
        return counts
