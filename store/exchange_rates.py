"""The exchange-rate cache (``service.exchange.RateCache``) in the ``exchange_rates`` table.

Each look-up and each write is its own short unit of work, outside any dialog turn:
the rate is fetched off the dialog's path, and a write queues behind the process's
other SQLite writers like any unit of work.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from service.exchange import ExchangeRate
from store.engine import insert_for
from store.tables import exchange_rates
from store.uow import SqlUnitOfWork


class SqlExchangeRates:
    """Rates by currency and day, on the store's engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, currency: str, day: date) -> ExchangeRate | None:
        async with SqlUnitOfWork(self._engine, read_only=True) as uow:
            row = (await uow.connection.execute(select(exchange_rates).where(
                exchange_rates.c.currency == currency, exchange_rates.c.day == day))).first()
        if row is None:
            return None
        return ExchangeRate(row.currency, row.day, row.quoted_on, Decimal(row.nok_per_unit),
                            row.source)

    async def put(self, rate: ExchangeRate) -> None:
        # another worker may have cached the same day first: Norges Bank publishes one
        # rate a day, so the row already there is the same rate and is kept
        async with SqlUnitOfWork(self._engine) as uow:
            await uow.connection.execute(insert_for(uow.connection, exchange_rates).values(
                currency=rate.currency, day=rate.day, quoted_on=rate.quoted_on,
                nok_per_unit=str(rate.nok_per_unit), source=rate.source,
            ).on_conflict_do_nothing())
            await uow.commit()
