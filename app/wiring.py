"""The composition root: settings → engine → the service environment.

The only place where the store, the rates and the clock are chosen; commands,
the bot and the mail workers all get their ``Env`` from here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

from app.settings import Settings
from domain.rates import default_book
from exchange.norges_bank import NorgesBank
from receipts.pool import PooledReader
from service.context import Env
from store.blobs import FileBlobs
from store.engine import make_engine
from store.exchange_rates import SqlExchangeRates
from store.migrate import SchemaNotCurrent, check_current, head
from store.uow import SqlUnitOfWork


@asynccontextmanager
async def service_env(settings: Settings, *, check_schema: bool = True) -> AsyncIterator[Env]:
    """An ``Env`` on the configured database; refuses an unmigrated one.

    A missing SQLite file is refused before anything is opened: SQLite would create an
    empty one, and a command that only reads (``claims list``) would leave it behind.
    """
    if settings.database_url.startswith("sqlite"):
        if check_schema and not Path(make_url(settings.database_url).database or "").exists():
            raise SchemaNotCurrent(None, head())
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    options = settings.receipts
    reader = PooledReader(options.ocr_engine, options.ocr_workers, options.receipt_time_limit)
    try:
        if check_schema:
            await check_current(engine)
        yield Env(uow=lambda: SqlUnitOfWork(engine),
                  read=lambda: SqlUnitOfWork(engine, read_only=True), book=default_book(),
                  blobs=FileBlobs(settings.data_dir / "attachments"), receipts=reader,
                  rates=NorgesBank(options.rates_url, options.rates_timeout),
                  rate_cache=SqlExchangeRates(engine),
                  lease=timedelta(seconds=settings.outbox_lease))
    finally:
        reader.close()
        await engine.dispose()
