"""A typed foreign amount through the real PTB path gets Norges Bank's rate, unasked.

The bot is Kvitt's PTB Application against the local Bot API endpoint; Norges Bank is
the local stand-in (harness/norges_bank.py), so no test reaches the internet.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.telegram_app import start_bot, stop_bot
from domain.lines import Expense
from exchange.norges_bank import NorgesBank
from harness.bot_api import BotApiServer
from harness.norges_bank import NorgesBankServer, published
from service import admin
from store.blobs import FileBlobs
from store.engine import make_engine, sqlite_url
from store.exchange_rates import SqlExchangeRates
from store.migrate import upgrade
from tests.e2e.test_telegram_claims import NOW, Bot, _app, _join
from tests.integration.helpers import EXAMPLES, Clock, sql_env


@asynccontextmanager
async def bot_with_rates(tmp_path: Path,
                         **more: Any) -> AsyncIterator[tuple[Bot, NorgesBankServer]]:
    """Kvitt's bot for the handball region, with Norges Bank's stand-in (and ``more``)."""
    server = BotApiServer().start()
    engine = make_engine(sqlite_url(tmp_path))
    await upgrade(engine)
    with NorgesBankServer().running() as bank:
        env = replace(sql_env(engine, Clock(NOW)), blobs=FileBlobs(tmp_path / "blobs"),
                      rates=NorgesBank(bank.url, timeout=2), rate_cache=SqlExchangeRates(engine),
                      **more)
        await admin.apply_organisations(env, (EXAMPLES / "handball-region-nord.toml")
                                        .read_text())
        errors: list[BaseException] = []
        running = Bot(server, env, _app(env, server, errors), errors)
        await start_bot(running.app, poll_timeout=1)
        try:
            yield running, bank
        finally:
            await stop_bot(running.app)
            await engine.dispose()
            server.stop()
    assert not errors, errors


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[tuple[Bot, NorgesBankServer]]:
    async with bot_with_rates(tmp_path) as running:
        yield running


async def test_a_typed_euro_amount_gets_norges_banks_rate_for_the_lines_day(bot):
    running, bank = bot
    kari = await _join(running, 7101, "tromso-hk")
    await kari.type("/ny")
    await kari.type("Kamp i Sverige 14. mars")
    await kari.press("Hopp over")
    await kari.press("Utlegg")
    await kari.press("Har ikke kvittering")
    await kari.type("14.3")  # a Saturday: Friday's rate
    await kari.press("Annet")
    answer = await kari.type("EUR 45")
    assert "kurs 11,513 (Norges Bank, 13.03.2026): EUR 45,00 = 518,09 kr" in answer
    assert "hvor mange kroner" not in answer and "Merknad" in answer
    await kari.press("Hopp over")  # remark
    await kari.type("Glemt i Sverige")  # why there is no receipt
    claim = (await admin.claims_of(running.env, "tromso-hk"))[0]
    (line,) = [line for line in claim.lines if isinstance(line.body, Expense)]
    assert isinstance(line.body, Expense)
    assert line.body.amount.nok_rate == published("EUR", date(2026, 3, 13))
    assert line.read is not None
    assert (line.read.rate_source, line.read.rate_date) == ("Norges Bank", date(2026, 3, 13))
    summary = await kari.type("/oppsummering")
    assert "Kurs 11,513 (Norges Bank, 13.03.2026)" in summary
    assert len(bank.requests) == 1
