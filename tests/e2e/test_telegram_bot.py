"""The real PTB Application against a local Bot API endpoint, on a real SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.telegram_app import build_application, start_bot, stop_bot
from domain.service import admin
from domain.store import tables as t
from domain.store.blobs import FileBlobs
from domain.store.engine import make_engine, sqlite_url
from domain.store.migrate import upgrade
from tests.e2e.telegram_user import TelegramUser
from tests.integration.helpers import EXAMPLES, Clock, sql_env
from tests.support.bot_api import BotApiServer

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
JPEG = b"\xff\xd8\xff\xe0" + b"parkering 60 kr " * 40


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[tuple[BotApiServer, object, list]]:
    server = BotApiServer().start()
    engine = make_engine(sqlite_url(tmp_path))
    await upgrade(engine)
    env = replace(sql_env(engine, Clock(NOW)), blobs=FileBlobs(tmp_path / "blobs"))
    await admin.apply_organisations(env, (EXAMPLES / "forening-kvann.toml").read_text())
    app = build_application(env, "123:ABC", api_url=server.base_url)
    errors: list[BaseException] = []

    async def record(update: object, context) -> None:
        errors.append(context.error)

    app.add_error_handler(record)
    await start_bot(app, poll_timeout=1)
    try:
        yield server, env, errors
    finally:
        await stop_bot(app)
        await engine.dispose()
    server.stop()


async def test_a_traveller_joins_and_submits_a_claim_with_a_receipt_photo(running):
    server, env, errors = running
    invite = await admin.create_invite(env, "eksempel-forening")
    kari = TelegramUser(server, 4711)
    assert "Eksempelforeningen" in await kari.type(f"/start {invite.code}")
    await kari.type("Kari Nordmann")
    await kari.press("Hopp over")
    assert "**** ** *8903" in await kari.type("1234.56.78903")
    registered = [c.params for c in server.calls("setMyCommands")]
    assert {p.get("language_code") for p in registered} == {None, "en"}
    assert any("ny" in str(p["commands"]) for p in registered)

    await kari.type("/ny")
    await kari.press("Mars 2026")
    await kari.type("Styremøte i Bergen")
    await kari.type("Styret 2026")  # the association's free-text prosjekt dimension
    await kari.press("Utlegg")
    assert "lagret" in await kari.send_photo(JPEG)
    await kari.type("i går")
    await kari.press("Tog")
    await kari.type("kr 1 234,50")
    await kari.type("Bergensbanen t/r")
    summary = await kari.type("/oppsummering")
    assert "1\u00a0234,50 kr 📎" in summary
    assert "sendt til godkjenning" in await kari.type("/send")
    assert errors == []
    async with env.uow() as uow:
        rows = (await uow.connection.execute(select(t.attachments))).mappings().all()
    assert [r["mime"] for r in rows] == ["image/jpeg"]


async def test_stale_buttons_files_that_are_not_receipts_and_nonsense_get_clear_answers(running):
    server, env, errors = running
    invite = await admin.create_invite(env, "eksempel-forening")
    ola = TelegramUser(server, 4712)
    await ola.type(f"/start {invite.code}")
    await ola.type("Ola")
    await ola.press("Hopp over")
    await ola.type("1234 56 78903")
    await ola.type("/ny")
    await ola.press("Mars 2026")
    await ola.press("Hopp over")
    await ola.type("-")
    await ola.press("Utlegg")
    answer = await ola.send_document(b"MZ\x90\x00 this is a program", "kvittering.exe",
                                     "application/octet-stream")
    assert "JPG, PNG, HEIC" in answer and "kvitteringen" in answer
    assert "stale" not in answer
    old = await ola.press_data("1:tog", message_id=1)
    assert "gammel" in old
    forged = await ola.press_data("DROP TABLE claims;--", message_id=1)
    assert "gammel" in forged
    assert errors == []
