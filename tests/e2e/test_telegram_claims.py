"""Whole conversations through the real PTB Application and the local Bot API endpoint.

Each ends submitted, with the totals checked against figures worked out by hand from
RATES.md (2026: per diem a=1012, b=397; handball-nord car 3.50/km, passenger 1.00/km).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.telegram_app import build_application, start_bot, stop_bot
from domain.claim import Status
from harness.bot_api import BotApiServer
from harness.telegram_user import TelegramUser
from service import admin
from service.context import Env
from store.blobs import FileBlobs
from store.engine import make_engine, sqlite_url
from store.migrate import upgrade
from tests.integration.helpers import EXAMPLES, Clock, sql_env

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)  # Monday 16 March 2026
JPEG = b"\xff\xd8\xff\xe0" + b"bompenger 44 kr " * 30


@dataclass
class Bot:
    server: BotApiServer
    env: Env
    app: Application  # type: ignore[type-arg]
    errors: list[BaseException]

    async def restart(self) -> None:
        """Stop the application and start a new one on the same database."""
        await stop_bot(self.app)
        self.app = _app(self.env, self.server, self.errors)
        await start_bot(self.app, poll_timeout=1)


def _app(env, server, errors):
    app = build_application(env, "123:ABC", api_url=server.base_url)

    async def record(update, context) -> None:
        errors.append(context.error)

    app.add_error_handler(record)
    return app


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    server = BotApiServer().start()
    engine = make_engine(sqlite_url(tmp_path))
    await upgrade(engine)
    env = replace(sql_env(engine, Clock(NOW)), blobs=FileBlobs(tmp_path / "blobs"))
    for name in ("handball-region-nord.toml", "kommune-avlastning.toml"):
        await admin.apply_organisations(env, (EXAMPLES / name).read_text())
    errors: list[BaseException] = []
    running = Bot(server, env, _app(env, server, errors), errors)
    await start_bot(running.app, poll_timeout=1)
    try:
        yield running
    finally:
        await stop_bot(running.app)
        await engine.dispose()
        server.stop()


async def _join(bot: Bot, user_id: int, *slugs: str) -> TelegramUser:
    user = TelegramUser(bot.server, user_id)
    for n, slug in enumerate(slugs):
        code = (await admin.create_invite(bot.env, slug)).code
        await user.type(f"/start {code}")
        if n == 0:
            await user.type("Kari Dommer")
            await user.press("Hopp over")
            await user.type("1234 56 78903")
    return user


async def _claims(bot: Bot, slug: str):
    return await admin.claims_of(bot.env, slug)


async def test_a_referee_claim_across_two_clubs_with_a_receipt_photo(bot):
    kari = await _join(bot, 6001, "tromso-hk", "bodo-hk")
    await kari.type("/ny")
    await kari.press("Tromsø")
    await kari.press("Bodø")
    await kari.press("Ferdig")
    await kari.type("Kamper 14.–15. mars")
    await kari.press("Hopp over")
    await kari.press("Kjøring")
    await kari.type("lørdag")
    await kari.press("Bil")
    await kari.type("Tromsø")
    await kari.type("Bodø")
    await kari.type("184 km")
    await kari.type("Ola, Per")
    await kari.press("Nei")
    assert "1\u00a0012,00" in await kari.press("honorarbrøk")  # 644 + 2 × 184
    await kari.press("Diett")
    await kari.type("14.3 kl 08.00")
    await kari.type("15.3 kl 19.30")
    await kari.type("180")
    await kari.press("Hotell")
    await kari.press("Ferdig")
    await kari.press("honorarbrøk")
    assert "1\u00a0409,00" in await kari.press("Lagre")  # 1012 + 397
    await kari.press("Utlegg")
    await kari.send_photo(JPEG)
    await kari.type("14.3")
    await kari.press("Bompenger")
    await kari.type("44")
    await kari.press("Hopp over")
    await kari.press("Tromsø")
    for fee, day in (("3. divisjon · 565,00 kr/kamp · Tromsø", "14.3"),
                     ("5. divisjon · 310,00 kr/kamp · Bodø", "15.3")):
        await kari.press("Timer/honorar")
        await kari.press(fee)
        await kari.press("Annen dato")
        await kari.type(day)
    summary = await kari.type("/oppsummering")
    # 1012 + 1409 + 44 + 565 + 310 = 3340. Shared lines split 565:310, largest remainder:
    # driving 653.46 / 358.54, per diem 909.81 / 499.19; the toll is Tromsø's own.
    assert "Sum: 3\u00a0340,00 kr" in summary
    assert "Tromsø Håndballklubb: 2\u00a0172,27 kr" in summary  # 565 + 44 + 653.46 + 909.81
    assert "Bodø Håndballklubb: 1\u00a0167,73 kr" in summary  # 310 + 358.54 + 499.19
    assert "sendt til godkjenning" in await kari.type("/send")
    (claim,) = await _claims(bot, "tromso-hk")
    assert claim.status is Status.AWAITING
    assert bot.errors == []


async def test_a_month_of_respite_hours_with_cost_allocation(bot):
    aina = await _join(bot, 6002, "eksempel-kommune")
    await aina.type("/ny")
    await aina.press("Mars 2026")
    await aina.press("Hopp over")
    await aina.type("Avlaster")          # stilling (free text)
    await aina.press("3010 Avlastning")  # organisasjonsenhet
    await aina.press("30100")            # ansvar
    await aina.press("254")              # funksjon
    await aina.type("-")                 # prosjekt
    await aina.type("-")                 # objekt
    await aina.press("Timer/honorar")
    await aina.press("Avlaster lav sats")
    await aina.press("Godtgjøring over 10 år")
    asked = await aina.press("Ferdig")
    assert "Antall for Avlaster lav sats (time), Godtgjøring over 10 år (døgn)?" in asked
    assert "Lagret" in await aina.type("48 2")  # dated the title's month, up to today
    summary = await aina.type("/oppsummering")
    assert "Sum: 5\u00a0140,00 kr" in summary  # 48 × 95 + 2 × 290
    assert "trekkpliktig: 5\u00a0140,00 kr" in summary
    assert "sendt til godkjenning" in await aina.type("/send")
    assert bot.errors == []


async def test_a_restart_mid_claim_continues_at_the_same_step_and_others_claims_stay_hidden(bot):
    kari = await _join(bot, 6003, "tromso-hk")
    await kari.type("/ny")
    await kari.type("Cup")
    await kari.press("Hopp over")
    await kari.press("Kjøring")
    assert "Kjøretøy?" in await kari.type("i går")
    await bot.restart()
    assert "Kjørte fra" in await kari.press("Bil")  # the button of the old process still works
    (claim,) = await _claims(bot, "tromso-hk")

    ola = await _join(bot, 6004, "tromso-hk")
    peek = await ola.press_data(f"o:{claim.id}", message_id=1)
    assert "Fant ikke kravet blant dine krav" in peek
    assert "Cup" not in peek
    assert bot.errors == []
