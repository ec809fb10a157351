"""The wizard on the real store: a whole referee claim by chat, mistakes, restarts."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select

from domain.claim import Status
from service import admin
from store import tables as t
from store.blobs import FileBlobs
from store.uow import SqlUnitOfWork
from tests.integration.chat import Chat
from tests.integration.helpers import EXAMPLES, Clock, sql_env

JPEG = b"\xff\xd8\xff\xe0" + b"bom 44 kr" * 20
NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)  # Monday 16 March 2026, 10:00 in Oslo


async def _env(engine, tmp_path):
    env = replace(sql_env(engine, Clock(NOW)), blobs=FileBlobs(tmp_path / "blobs"))
    await admin.apply_organisations(env, (EXAMPLES / "handball-region-nord.toml").read_text())
    return env


async def _joined(env, user_id=501):
    codes = [(await admin.create_invite(env, slug)).code for slug in ("tromso-hk", "bodo-hk")]
    chat = Chat(env, user_id)
    await chat.type(f"/start {codes[0]}")
    assert "Tromsø Håndballklubb" in chat.text
    await chat.type("Kari Dommer")
    await chat.type("kari@example.no")
    await chat.type("1234 56 78904")  # a typo: the check digit is wrong
    assert "kontrollsifferet" in chat.text
    await chat.type("1234 56 78903")
    assert "**** ** *8903" in chat.text
    await chat.type(f"/start {codes[1]}")
    assert "Bodø Håndballklubb" in chat.text
    return chat


async def association_claim(env, user_id: int, missing_receipt: str = "refuse",
                            exchange_rate: str = "norges_bank") -> Chat:
    """A member of the association (with its ``missing_receipt`` and ``exchange_rate``
    policy), at a new claim."""
    text = (EXAMPLES / "forening-kvann.toml").read_text()
    await admin.apply_organisations(env, text.replace(
        'missing_receipt = "refuse"', f'missing_receipt = "{missing_receipt}"').replace(
        'exchange_rate = "norges_bank"', f'exchange_rate = "{exchange_rate}"'))
    chat = Chat(env, user_id)
    await chat.type(f"/start {(await admin.create_invite(env, 'eksempel-forening')).code}")
    await chat.type("Per Reise")
    await chat.press("Hopp over")
    await chat.type("1234 56 78903")
    await chat.type("/ny")
    await chat.type("Styremøte")
    await chat.press("Hopp over")
    await chat.type("Styret")
    return chat


async def test_a_referee_files_a_two_club_claim_by_chat_and_submits_it(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env)
    await chat.type("/ny")
    await chat.press("Tromsø")
    await chat.press("Bodø")
    await chat.press("Ferdig")
    await chat.press("Mars 2026")
    await chat.press("Hopp over")
    assert "Hva vil du legge til?" in chat.text

    await chat.press("Kjøring")
    await chat.type("forrige lørdag")
    assert "Lørdag 14. mars 2026" in chat.text
    await chat.press("Bil")
    await chat.type("Tromsø")
    await chat.type("Bodø via Narvik")
    await chat.type("mange")  # nonsense: answered, and still at the km step
    assert "km" in chat.text.lower()
    await chat.type("184")
    await chat.type("Ola Nordmann, Per")
    await chat.press("Nei")
    await chat.press("honorarbrøk")
    assert "1\u00a0012,00" in chat.text  # 184 km × 3.50 (handball-nord) + 2 × 184 × 1.00

    await chat.press("Diett")
    await chat.type("14.3 kl 08.00")
    await chat.type("15.3 kl 19.30")
    await chat.type("180")
    await chat.press("Hotell")
    await chat.press("15.03 frokost")
    assert chat.replies[0].edit is not None  # the toggle redraws the same message
    await chat.press("Ferdig")
    await chat.press("honorarbrøk")
    assert "1\u00a0206,60" in chat.text  # the breakdown is shown before saving
    assert "💾 Lagre" in chat.labels
    await chat.press("Lagre")
    # 1 døgn (1012) + 11 h 30 (397); breakfast on day 2 falls in døgn 1: 20 % of 1012
    assert "1\u00a0206,60" in chat.text

    await chat.press("Utlegg")
    await chat.send_file(JPEG)
    await chat.type("14.3")
    await chat.press("Bompenger")
    await chat.type("kr 44,-")
    await chat.press("Hopp over")
    await chat.press("Tromsø")

    await chat.press("Timer/honorar")
    assert "Dato: Lørdag 14. mars 2026 (samme dag som forrige linje)" in chat.text
    await chat.press("3. divisjon")
    await chat.press("Ferdig")
    assert "Lagret = 565,00" in chat.text
    await chat.press("Timer/honorar")
    await chat.press("5. divisjon")
    await chat.press("Annen dato")
    await chat.type("15.3")
    assert "Lagret = 310,00" in chat.text

    await chat.type("/oppsummering")
    assert "Trekkfritt" in chat.text
    await chat.type("/send")
    assert "sendt til godkjenning" in chat.text
    async with SqlUnitOfWork(engine) as uow:
        claims = (await uow.connection.execute(select(t.claims))).mappings().all()
    assert [c["status"] for c in claims] == [Status.AWAITING.value]


async def test_a_restart_in_the_middle_continues_at_the_same_step(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=777)
    await chat.type("/ny")
    await chat.press("Tromsø")
    await chat.press("Ferdig")
    await chat.type("Cup april")
    await chat.press("Hopp over")
    await chat.press("Kjøring")
    await chat.type("i går")
    assert "Kjøretøy?" in chat.text
    # a new process: a fresh environment on the same database
    restarted = Chat(await _env_again(engine, tmp_path), 777)
    await restarted.type("Narnia")  # not a vehicle: answered at the same step, nothing lost
    assert "Kjøretøy?" in restarted.text
    await restarted.type("Bil")  # a button's label typed works too
    assert "Kjørte fra" in restarted.text


async def _env_again(engine, tmp_path):
    return replace(sql_env(engine, Clock(NOW)), blobs=FileBlobs(tmp_path / "blobs"))


async def test_a_stale_or_forged_button_gets_the_current_question_again(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=888)
    await chat.type("/ny")
    before = chat.replies[-1]
    await chat.press("Tromsø")
    await chat.press_data("1:tromso-hk")  # an old seq
    assert "gammel" in chat.text
    await chat.press_data("999:narvik-hk")  # forged
    assert "gammel" in chat.text
    assert before.text in chat.text or "betale" in chat.text


async def test_without_an_invite_there_is_only_a_clear_message(engine, tmp_path):
    env = await _env(engine, tmp_path)
    stranger = Chat(env, 999)
    await stranger.type("/start")
    assert "invitasjonslenke" in stranger.text
    await stranger.type("/start feilkode")
    assert "ukjent eller utløpt" in stranger.text
    await stranger.type("/ny")
    assert "invitasjonslenke" in stranger.text
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.claimants.by_telegram(999) is None


async def test_my_data_is_exported_and_erasure_waits_until_nothing_is_in_approval(
        engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=321)
    await chat.type("/mine_data")
    (name, body), = [r.document for r in chat.replies if r.document]
    data = json.loads(body)
    assert name == "kvitt-mine-data.json"
    assert (data["name"], data["bank_account"]) == ("Kari Dommer", "12345678903")
    await chat.type("/ny")
    await chat.press("Tromsø")
    await chat.press("Ferdig")
    await chat.type("Cup")
    await chat.press("Hopp over")
    await chat.press("Timer/honorar")
    await chat.press("3. divisjon")
    await chat.press("Ferdig")
    await chat.type("14.3")
    await chat.type("/send")
    await chat.type("/slettmeg")
    await chat.press("Ja, slett meg")
    assert "kan ikke slettes mens et krav er til godkjenning" in chat.text
    await chat.type("/angre")
    await chat.type("/slettmeg")
    await chat.press("Ja, slett meg")
    assert "Dataene dine er slettet" in chat.text
    async with env.uow() as uow:
        assert await uow.claimants.by_telegram(321) is None
        claims = await uow.claims.for_payer("tromso-hk")
    assert len(claims) == 1  # the claim is kept for the accounts, without the person
    await chat.type("/ny")
    assert "invitasjonslenke" in chat.text


async def test_a_drive_step_by_step_offers_last_claims_places_and_passengers(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=601)
    await chat.type("/ny")
    await chat.press("Tromsø")
    await chat.press("Ferdig")
    await chat.type("Cup")
    await chat.press("Hopp over")
    await chat.type("184 km bil Tromsø–Bodø med Ola og Per 14.3")
    await chat.press("Lagre")
    await chat.type("/send")
    await chat.type("/ny")
    await chat.press("Som sist")
    await chat.press("Kjøring")
    await chat.type("15.3")
    await chat.press("Bil")
    assert chat.labels[:2] == ["Tromsø", "Bodø"]
    await chat.press("Bodø")
    assert chat.labels[0] == "Tromsø"
    await chat.press("Tromsø")
    await chat.type("184")
    await chat.press("Som sist: Ola og Per")
    await chat.press("Nei")
    assert "Passasjerer: Ola, Per" in chat.text and "Lagret" in chat.text


async def test_a_line_in_one_message_asks_the_payer_once_and_can_change_or_drop_it(
        engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=602)
    await chat.type("/ny")
    await chat.press("Tromsø")
    await chat.press("Bodø")
    await chat.press("Ferdig")
    await chat.press("Mars 2026")
    await chat.press("Hopp over")
    await chat.type("taxi 44 14.3")  # the claim's first shared line: who pays is asked
    assert "📎" not in chat.text and "Send et bilde" in chat.text
    await chat.press("Har ikke kvittering")
    await chat.type("Sjåføren hadde ikke skriver")
    assert "Hvem skal betale denne linjen?" in chat.text
    await chat.press("Tromsø")
    assert "Betaler: Tromsø Håndballklubb" in chat.text
    await chat.press("Annen betaler")
    await chat.press("Bodø")
    assert "Betaler: Bodø Håndballklubb" in chat.text
    await chat.press("Lagre")
    await chat.type("bom 120")  # the next shared line: the same day and payer, said
    await chat.press("Har ikke kvittering")
    assert "krever kvittering for bompenger" in chat.text  # and so no reason is asked
    assert "Lørdag 14. mars 2026" in chat.text and "Betaler: Bodø Håndballklubb" in chat.text
    await chat.press("Forkast")
    await chat.type("hei")
    assert "Skriv hele linjen" in chat.text
    (claim,) = await admin.claims_of(env, "bodo-hk")
    assert [(line.kind, line.payer, line.no_receipt_reason) for line in claim.lines] == [
        ("expense", "bodo-hk", "Sjåføren hadde ikke skriver")]


async def test_a_line_in_one_message_in_english(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = Chat(env, 603, "en")
    await chat.type(f"/start {(await admin.create_invite(env, 'tromso-hk')).code}")
    await chat.type("Kari Referee")
    await chat.press("Skip")
    await chat.type("1234 56 78903")
    await chat.type("/new")
    await chat.type("Cup")
    await chat.press("Skip")
    await chat.type("42 km car Tromsø to Bodø with Ola yesterday")
    assert "Sunday 15 March 2026: Tromsø – Bodø, 42 km, car, with Ola" in chat.text
    await chat.press("Save")
    await chat.type("per diem 8-17 lunch")
    assert "less than 15 km" not in chat.text  # 21 km: half the day's drive
    assert "Saved" not in chat.text and "💾 Save" in chat.labels
