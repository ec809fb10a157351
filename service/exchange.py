"""Exchange rates for foreign outlays: the port to the rate source, its cache, the use case.

The rate is Norges Bank's for the receipt's date, or for the last business day
before it (no rates are published on weekends and holidays); ``ExchangeRate``
keeps both days and the source, so the summary, the mail and the PDF can show
them. Rates are cached in the store, one row per currency and asked-for day, so
every claimant asking for that day gets the same rate and Norges Bank is asked
once. When the source cannot be reached the answer is None and the claimant is
asked for the rate, as before: a rate source being down never blocks a claim.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from domain.currencies import is_currency
from domain.errors import UserError
from domain.money import NOK
from domain.text import Text

log = logging.getLogger(__name__)
NORGES_BANK = "Norges Bank"


@dataclass(frozen=True, slots=True)
class ExchangeRate:
    """NOK per one unit of ``currency`` on ``day``, as quoted on ``quoted_on`` by ``source``."""

    currency: str
    day: date
    quoted_on: date
    nok_per_unit: Decimal
    source: str = NORGES_BANK

    def describe(self) -> Text:
        """How the rate is shown to claimants and approvers."""
        rate = f"{self.nok_per_unit:f}".rstrip("0").rstrip(".").replace(".", ",")
        when = self.quoted_on.strftime("%d.%m.%Y")
        return Text(f"kurs {rate} ({self.source}, {when})", f"rate {rate} ({self.source}, {when})")


class UnknownCurrency(UserError):
    """Not an ISO 4217 code, or one the source does not quote."""

    def __init__(self, code: str, quoted: bool = False) -> None:
        super().__init__(Text(
            f"{code} er ikke en valutakode Norges Bank oppgir kurs for. Skriv koden på tre "
            "bokstaver (som EUR, USD, SEK), eller skriv inn kursen selv." if quoted else
            f"{code} er ikke en valutakode. Skriv koden på tre bokstaver, som EUR, USD eller SEK.",
            f"Norges Bank gives no rate for {code}. Type the three-letter code (like EUR, USD, "
            "SEK), or type the rate yourself." if quoted else
            f"{code} is not a currency code. Type the three-letter code, like EUR, USD or SEK."))
        self.code = code


class RateUnavailable(Exception):
    """The source could not be reached or answered with an error (ours, not the claimant's)."""


class RateSource(Protocol):
    """Where rates come from (Norges Bank's API in production, a local server in tests)."""

    async def rate(self, currency: str, day: date) -> ExchangeRate:
        """The rate for ``day`` or the business day before it.

        Raises ``UnknownCurrency`` (the claimant's to correct) or ``RateUnavailable``.
        """


class RateCache(Protocol):
    """Rates fetched before, one per currency and asked-for day (the store)."""

    async def get(self, currency: str, day: date) -> ExchangeRate | None:
        """The cached rate, or None."""

    async def put(self, rate: ExchangeRate) -> None:
        """Keep ``rate`` (a second put for the same currency and day changes nothing)."""


def checked_currency(code: str) -> str:
    """``code`` upper-cased if it is an ISO 4217 currency; raises ``UnknownCurrency``."""
    upper = code.strip().upper()
    if not is_currency(upper):
        raise UnknownCurrency(upper)
    return upper


async def rate_for(source: RateSource, cache: RateCache, currency: str,
                   day: date) -> ExchangeRate | None:
    """The rate for an outlay in ``currency`` on ``day``; None if it cannot be had now.

    NOK is 1 by definition. A cached rate is used as is; otherwise the source is asked
    (with its own timeout) and the answer cached. ``UnknownCurrency`` is raised for the
    claimant to correct; an unreachable source is logged and gives None.
    """
    code = checked_currency(currency)
    if code == NOK:
        return ExchangeRate(NOK, day, day, Decimal(1), "NOK")
    cached = await cache.get(code, day)
    if cached is not None:
        return cached
    try:
        fetched = await source.rate(code, day)
    except RateUnavailable as exc:
        log.warning("exchange rate %s %s unavailable: %s", code, day, exc)
        return None
    await cache.put(fetched)
    return fetched
