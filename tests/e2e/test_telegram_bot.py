"""The real PTB Application against a local Bot API endpoint, on a real SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.notices import sender
from bot.telegram_app import build_application, start_bot, stop_bot
from harness.bot_api import BotApiServer, Call
from harness.telegram_user import TelegramUser
from service import admin, approvals
from service.context import Env
from service.delivery import deliver_due
from store import tables as t
from store.blobs import FileBlobs
from store.engine import make_engine, sqlite_url
from store.migrate import upgrade
from tests.integration.helpers import EXAMPLES, Clock, sql_env

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
JPEG = b"\xff\xd8\xff\xe0" + b"parkering 60 kr " * 40


@dataclass
class Running:
    """The bot as a test sees it: the endpoint, the service environment, errors, the app."""

    server: BotApiServer
    env: Env
    errors: list[BaseException]
    app: Application  # type: ignore[type-arg]


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
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
        yield Running(server, env, errors, app)
    finally:
        await stop_bot(app)
        await engine.dispose()
    server.stop()


async def test_a_traveller_joins_and_submits_a_claim_with_a_receipt_photo(running):
    server, env, errors = running.server, running.env, running.errors
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
    server, env, errors = running.server, running.env, running.errors
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


async def _submitted_travel_claim(server, env, user_id: int) -> TelegramUser:
    invite = await admin.create_invite(env, "eksempel-forening")
    per = TelegramUser(server, user_id)
    await per.type(f"/start {invite.code}")
    await per.type("Per Reisende")
    await per.press("Hopp over")
    await per.type("1234 56 78903")
    await per.type("/ny")
    await per.press("Mars 2026")
    await per.type("Messe i Göteborg")
    await per.type("Messe")
    await per.press("Utlegg")
    await per.send_photo(JPEG)
    await per.type("12.3")
    await per.press("Hotell")
    answer = await per.type("SEK 1 450")
    assert "SEK 1\u00a0450,00" in answer  # echoed the Norwegian way
    await per.type("1,02")  # NOK per SEK
    await per.type("Hotel Gothia, 1 natt")
    summary = await per.type("/oppsummering")
    assert "Hotell: SEK 1\u00a0450,00 × kurs 1,02 = 1\u00a0479,00" in summary  # 1450 × 1.02
    assert "sendt til godkjenning" in await per.type("/send")
    return per


async def _return_by_email(env, reason: str) -> None:
    async with env.uow() as uow:
        key = (await uow.connection.execute(select(t.reply_keys.c.key))).scalar_one()
    target = await approvals.target_of_key(env, key, "daglig.leder@eksempelforeningen.no")
    await approvals.decide(env, target, "daglig.leder@eksempelforeningen.no", "return", reason)


async def test_a_foreign_receipt_claim_is_returned_and_the_notice_opens_it_again(running):
    server, env, errors = running.server, running.env, running.errors
    per = await _submitted_travel_claim(server, env, 4801)
    await _return_by_email(env, "Legg ved kvittering for frokost også.")
    before = len(per._ours())
    report = await deliver_due(env, "telegram", sender(running.app.bot))
    assert (report.sent, report.failed) == (1, 0)
    await per._settle(before)
    assert "sendt i retur av Eksempelforeningen" in per.text
    assert "«Legg ved kvittering for frokost også.»" in per.text
    opened = await per.press("Åpne kravet")
    assert "Status: Sendt i retur av Eksempelforeningen" in opened
    assert "sendt i retur: Legg ved kvittering for frokost også." in opened  # the log
    again = await deliver_due(env, "telegram", sender(running.app.bot))
    assert again.sent == 0  # nothing is sent twice
    assert errors == []


async def test_a_user_who_blocked_the_bot_is_a_permanent_failure_not_a_retry_loop(running):
    server, env = running.server, running.env
    await _submitted_travel_claim(server, env, 4802)
    await _return_by_email(env, "Feil dato.")
    server.fail("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=4802)
    report = await deliver_due(env, "telegram", sender(running.app.bot))
    assert (report.sent, report.failed) == (0, 1)
    async with env.uow() as uow:
        row = (await uow.connection.execute(select(t.outbox).where(
            t.outbox.c.channel == "telegram"))).mappings().one()
    assert row["status"] == "failed" and "blocked" in row["last_error"]


# PTB itself reads RetryAfter.retry_after as seconds while building the exception.
@pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
async def test_an_answer_refused_with_429_is_sent_again_after_the_wait_telegram_names(running):
    server, env, errors = running.server, running.env, running.errors
    invite = await admin.create_invite(env, "eksempel-forening")
    ida = TelegramUser(server, 4804)
    server.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1,
                chat_id=4804)
    await ida.type(f"/start {invite.code}")

    def sent() -> list[Call]:
        return [c for c in server.calls("sendMessage") if c.params.get("chat_id") == 4804]
    await server.wait_for(lambda: any(c.ok for c in sent()))
    await ida._settle(0)
    sent_ = sent()
    assert [c.ok for c in sent_] == [False, True]  # refused once, then the same answer again
    assert sent_[0].params["text"] == sent_[1].params["text"]
    assert "Beklager" not in sent_[1].params["text"]
    assert errors == []


async def test_an_oversized_photo_is_refused_before_it_is_downloaded(running):
    server, env, errors = running.server, running.env, running.errors
    invite = await admin.create_invite(env, "eksempel-forening")
    eva = TelegramUser(server, 4803)
    await eva.type(f"/start {invite.code}")
    file_id = server.register_file(b"\xff\xd8\xff" + b"x" * 100)
    before = len(eva._ours())
    server.send_update({"message": {
        "message_id": 77, "date": 1773650000, "chat": {"id": 4803, "type": "private"},
        "from": {"id": 4803, "is_bot": False, "first_name": "Eva", "language_code": "nb"},
        "photo": [{"file_id": file_id, "file_unique_id": "u1", "width": 4000, "height": 3000,
                   "file_size": 25 * 1024 * 1024}]}})
    await eva._settle(before)
    assert "over 20 MB" in eva.text
    assert server.calls("getFile") == []
    assert errors == []


async def test_an_edited_message_and_a_group_chat_change_nothing(running):
    server, env = running.server, running.env
    invite = await admin.create_invite(env, "eksempel-forening")
    ida = TelegramUser(server, 4804)
    await ida.type(f"/start {invite.code}")
    before = len(ida._ours())
    server.send_update({"edited_message": {
        "message_id": 5, "date": 1773650000, "edit_date": 1773650100, "text": "Ida Ny",
        "chat": {"id": 4804, "type": "private"},
        "from": {"id": 4804, "is_bot": False, "first_name": "Ida", "language_code": "nb"}}})
    await ida._settle(before)
    assert "Endringer i sendte meldinger teller ikke" in ida.text
    # the name question is still open: the edit was not taken as the name
    answer = await ida.type("Ida Nordmann")
    assert "E-postadresse" in answer and "Skriv en e-postadresse" not in answer
    group = TelegramUser(server, -100123)
    before = len(group._ours())
    server.send_update({"message": {
        "message_id": 9, "date": 1773650000, "text": "/mine_data",
        "entities": [{"type": "bot_command", "offset": 0, "length": 10}],
        "chat": {"id": -100123, "type": "supergroup", "title": "Klubben"},
        "from": {"id": 4804, "is_bot": False, "first_name": "Ida", "language_code": "nb"}}})
    await group._settle(before)
    assert "bare i private meldinger" in group.text and "bank_account" not in group.text
    assert running.errors == []


@pytest.mark.parametrize(("payload", "named"), [
    ({"sticker": {"file_id": "s1", "file_unique_id": "u1", "width": 512, "height": 512,
                  "is_animated": False, "is_video": False, "type": "regular"}},
     "et klistremerke"),
    ({"voice": {"file_id": "v1", "file_unique_id": "u2", "duration": 3}}, "en talemelding"),
    ({"location": {"latitude": 69.65, "longitude": 18.96}}, "en posisjon"),
    ({"contact": {"phone_number": "+4799999999", "first_name": "Ola"}}, "en kontakt"),
    ({"poll": {"id": "p1", "question": "Kamp?", "options": [
        {"text": "Ja", "voter_count": 0, "persistent_id": "a"},
        {"text": "Nei", "voter_count": 0, "persistent_id": "b"}],
        "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "regular",
        "allows_multiple_answers": False, "allows_revoting": False,
        "members_only": False}}, "en avstemning"),
])
async def test_stickers_voice_locations_contacts_and_polls_get_an_answer(running, payload,
                                                                         named):
    server, env = running.server, running.env
    invite = await admin.create_invite(env, "eksempel-forening")
    ola = TelegramUser(server, 4900)
    await ola.type(f"/start {invite.code}")  # now at "Hva heter du?"
    before = len(ola._ours())
    server.send_update({"message": {
        "message_id": 7, "date": 1773650000, **payload,
        "chat": {"id": 4900, "type": "private"},
        "from": {"id": 4900, "is_bot": False, "first_name": "Ola", "language_code": "nb"}}})
    await ola._settle(before)
    assert f"Det kan jeg ikke bruke ({named})" in ola.text
    assert "Hva heter du" in ola.text  # and the open question again
    assert running.errors == []
