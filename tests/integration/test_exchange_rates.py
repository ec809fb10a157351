"""Norges Bank's rates through the real HTTP client, against a local stand-in, cached in the store.

No test reaches the internet: the base URL is the stand-in's (harness/norges_bank.py).
"""

import time
from datetime import date
from decimal import Decimal

import pytest

from domain.money import ForeignAmount
from exchange.norges_bank import NorgesBank
from harness.norges_bank import NorgesBankServer, published
from service.exchange import UnknownCurrency, rate_for
from store.exchange_rates import SqlExchangeRates

WEDNESDAY, SATURDAY, FRIDAY = date(2026, 11, 4), date(2026, 11, 7), date(2026, 11, 6)


@pytest.fixture
def bank():
    with NorgesBankServer().running() as server:
        yield server


@pytest.fixture
def source(bank):
    return NorgesBank(bank.url, timeout=2.0)


async def test_a_rate_quoted_per_unit_is_used_as_published(source):
    rate = await source.rate("EUR", WEDNESDAY)
    assert rate.nok_per_unit == published("EUR", WEDNESDAY) == Decimal("11.504")
    assert (rate.quoted_on, rate.source) == (WEDNESDAY, "Norges Bank")


async def test_a_rate_quoted_per_100_units_is_divided_by_100(source):
    rate = await source.rate("SEK", WEDNESDAY)
    assert rate.nok_per_unit == Decimal("1.05004")
    # RATES.md: foreign amounts keep the rate used; 250 SEK at 1.05004 is 262.51 NOK
    assert ForeignAmount("SEK", Decimal("250"), rate.nok_per_unit).nok == Decimal("262.51")


async def test_a_saturday_receipt_gets_fridays_rate_and_says_so(source):
    rate = await source.rate("USD", SATURDAY)
    assert (rate.day, rate.quoted_on) == (SATURDAY, FRIDAY)
    assert rate.nok_per_unit == published("USD", FRIDAY)
    assert rate.describe().nb == "kurs 10,106 (Norges Bank, 06.11.2026)"


async def test_easter_monday_gets_the_rate_of_the_wednesday_before(source):
    rate = await source.rate("EUR", date(2026, 4, 6))
    assert rate.quoted_on == date(2026, 4, 1)


async def test_a_currency_norges_bank_does_not_quote_is_the_claimants_to_correct(source):
    with pytest.raises(UnknownCurrency) as refused:
        await source.rate("MRU", WEDNESDAY)
    assert "Norges Bank" in refused.value.text.nb and "kursen selv" in refused.value.text.nb


async def test_a_code_that_is_not_iso_4217_is_refused_before_asking(bank, source, engine):
    with pytest.raises(UnknownCurrency) as refused:
        await rate_for(source, SqlExchangeRates(engine), "euo", WEDNESDAY)
    assert refused.value.text.nb.startswith("EUO er ikke en valutakode")
    assert bank.requests == []


async def test_a_server_error_means_the_claimant_is_asked_and_nothing_is_cached(
        bank, source, engine):
    bank.fail_with = 500
    cache = SqlExchangeRates(engine)
    assert await rate_for(source, cache, "EUR", WEDNESDAY) is None
    assert await cache.get("EUR", WEDNESDAY) is None


async def test_a_slow_server_is_given_up_after_the_timeout(bank, engine):
    bank.delay = 3.0
    started = time.monotonic()
    assert await rate_for(NorgesBank(bank.url, timeout=0.3), SqlExchangeRates(engine), "EUR",
                          WEDNESDAY) is None
    assert time.monotonic() - started < 2.0


async def test_a_rate_is_fetched_once_per_currency_and_day_then_read_from_the_store(
        bank, source, engine):
    cache = SqlExchangeRates(engine)
    first = await rate_for(source, cache, "SEK", SATURDAY)
    again = await rate_for(source, SqlExchangeRates(engine), "sek", SATURDAY)
    assert first == again and again is not None and again.quoted_on == FRIDAY
    assert again.nok_per_unit == Decimal("1.05006")
    assert len(bank.requests) == 1
    assert first is not None
    await cache.put(first)  # a second worker caching the same day changes nothing
    assert await cache.get("SEK", SATURDAY) == first


async def test_nok_needs_no_rate(bank, source, engine):
    rate = await rate_for(source, SqlExchangeRates(engine), "NOK", WEDNESDAY)
    assert rate is not None and rate.nok_per_unit == 1 and bank.requests == []
