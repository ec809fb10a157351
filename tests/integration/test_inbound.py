"""Approvers' replies through a real IMAP server (Dovecot) into the real store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from sqlalchemy import select

from domain.claim import ClaimLine, Status
from domain.lines import ItemLine
from mail.gateway import GatewaySettings
from mail.inbound_worker import imap_pass
from service import admin, claims, members
from store import tables as t
from tests.integration.helpers import EXAMPLES, Clock, deliver, folders, sql, sql_env

APPROVER = "daglig.leder@eksempelforeningen.no"
GATEWAY = GatewaySettings(reply_pattern="krav+{key}@kvitt.example.no", domain="kvitt.example.no")
REQUEST_QUOTE = "> Svar GODKJENT eller RETUR og grunnen på første linje.\n> K-2026-000001"


async def _submitted(env, user_id: int = 1):
    await admin.apply_organisations(env, (EXAMPLES / "forening-kvann.toml").read_text())
    invite = await admin.create_invite(env, "eksempel-forening")
    claimant, _ = await members.join(env, user_id, "Kari", invite.code)
    claim = await claims.create_claim(env, claimant.id, ["eksempel-forening"], "Mars 2026",
                                      allocation={"prosjekt": "Styret"})
    await claims.add_line(env, claimant.id, claim.id, ClaimLine(
        "fee", ItemLine(date(2026, 3, 9), Decimal(2), Decimal("300.00"), True, "Møte")))
    return claimant, await claims.submit(env, claimant.id, claim.id)


async def _keys(env) -> list[str]:
    async with env.uow() as uow:
        return list((await sql(uow).connection.execute(
            select(t.reply_keys.c.key).order_by(t.reply_keys.c.created_at))).scalars())


def reply(key: str | None, body: str, *, sender: str = APPROVER, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"Daglig Leder <{sender}>"
    message["To"] = f"Kvitt <krav+{key}@kvitt.example.no>" if key else "krav@kvitt.example.no"
    message["Subject"] = "Re: [K-2026-000001] Til godkjenning: Mars 2026"
    message["Message-ID"] = make_msgid(domain="mail.example.no")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(f"{body}\n\nDen 10. mars 2026 kl. 09.00 skrev Kvitt "
                        f"<krav@kvitt.example.no>:\n{REQUEST_QUOTE}\n")
    return bytes(message)


async def _outbox(env, kind: str) -> list[dict[str, Any]]:
    async with env.uow() as uow:
        return [dict(r) for r in (await sql(uow).connection.execute(
            select(t.outbox).where(t.outbox.c.kind == kind))).mappings()]


async def _claim(env, claim_id):
    async with env.uow() as uow:
        return await uow.claims.get(claim_id)


async def test_an_approval_reply_in_the_inbox_approves_and_lands_in_processed(engine, imap):
    account, source = imap
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    _, claim = await _submitted(env)
    (key,) = await _keys(env)
    deliver(account, reply(key, "Godkjent, takk!"))
    assert await imap_pass(env, source, GATEWAY) == 1
    assert (await _claim(env, claim.id)).status is Status.APPROVED
    assert [r["recipient"] for r in await _outbox(env, "decision_confirmation")] == [APPROVER]
    assert folders(account) == {"INBOX": 0, "Processed": 1, "Rejected": 0}


async def test_a_return_keeps_the_whole_reason_and_a_second_delivery_changes_nothing(
        engine, imap):
    account, source = imap
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    _, claim = await _submitted(env)
    (key,) = await _keys(env)
    raw = reply(key, "RETUR mangler dette:\n- kvittering for taxi\n- hvem som var med\n\n"
                     "Med vennlig hilsen\nDaglig Leder")
    deliver(account, raw)
    deliver(account, raw)  # the same message delivered twice
    assert await imap_pass(env, source, GATEWAY) == 2
    stored = await _claim(env, claim.id)
    assert stored.status is Status.RETURNED
    reasons = [e.text for e in stored.events if e.kind == "returned"]
    assert reasons == ["mangler dette:\n- kvittering for taxi\n- hvem som var med"]
    assert folders(account) == {"INBOX": 0, "Processed": 2, "Rejected": 0}
    async with env.uow() as uow:
        outcomes = sorted((await sql(uow).connection.execute(
            select(t.inbound_messages.c.outcome))).scalars())
    assert outcomes == ["returned"]  # recorded once; the copy is recognised by Message-ID


async def test_a_comment_goes_to_the_claimant_and_a_quoted_approve_word_never_approves(
        engine, imap):
    account, source = imap
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    _, claim = await _submitted(env)
    (key,) = await _keys(env)
    deliver(account, reply(key, "Hvilket møte var dette?"))
    deliver(account, reply(key, ""))  # only the quoted request, whose text says GODKJENT
    await imap_pass(env, source, GATEWAY)
    stored = await _claim(env, claim.id)
    assert stored.status is Status.AWAITING
    assert [e.text for e in stored.events if e.kind == "commented"] == ["Hvilket møte var dette?"]
    assert len(await _outbox(env, "commented")) == 1  # the claimant's Telegram notice
    assert [r["payload"]["refusal"] for r in await _outbox(env, "refusal")] == ["no_answer"]


async def test_wrong_sender_unknown_key_and_a_replayed_key_change_nothing_and_are_refused_once(
        engine, imap):
    account, source = imap
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    claimant, claim = await _submitted(env)
    (old_key,) = await _keys(env)
    deliver(account, reply(old_key, "Godkjent", sender="someone@else.example"))
    deliver(account, reply("zzzz9999", "Godkjent"))
    deliver(account, reply("zzzz9998", "Godkjent"))  # a second unknown key the same day
    await imap_pass(env, source, GATEWAY)
    assert (await _claim(env, claim.id)).status is Status.AWAITING
    # the claimant withdraws and resubmits: the first round's key is dead
    await claims.withdraw(env, claimant.id, claim.id)
    await claims.submit(env, claimant.id, claim.id)
    deliver(account, reply(old_key, "Godkjent"))
    await imap_pass(env, source, GATEWAY)
    assert (await _claim(env, claim.id)).status is Status.AWAITING
    refusals = sorted((r["recipient"], r["payload"]["refusal"])
                      for r in await _outbox(env, "refusal"))
    # the stranger with a valid key gets nothing (no backscatter to a forged From)
    assert refusals == [(APPROVER, "stage_closed"), (APPROVER, "unknown_key")]
    assert folders(account)["Rejected"] == 4


async def test_a_forged_from_with_another_approvers_key_fails_when_authentication_is_required(
        engine, imap):
    account, source = imap
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    _, claim = await _submitted(env)
    (key,) = await _keys(env)
    strict = replace(GATEWAY, require_authentication=True, authserv_id="mx.kvitt.example.no")
    deliver(account, reply(key, "Godkjent", Authentication_Results=(
        "mx.kvitt.example.no; dkim=pass header.d=attacker.example; dmarc=fail "
        "header.from=eksempelforeningen.no")))
    await imap_pass(env, source, strict)
    assert (await _claim(env, claim.id)).status is Status.AWAITING
    deliver(account, reply(key, "Godkjent", Authentication_Results=(
        "mx.kvitt.example.no; dmarc=pass header.from=eksempelforeningen.no")))
    await imap_pass(env, source, strict)
    assert (await _claim(env, claim.id)).status is Status.APPROVED


async def test_auto_replies_and_bounces_are_filed_unanswered_and_the_bounce_is_remembered(
        engine, imap):
    account, source = imap
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    _, claim = await _submitted(env)
    (key,) = await _keys(env)
    deliver(account, reply(key, "Jeg er på ferie til 20. mars.", Auto_Submitted="auto-replied"))
    from service.inbound import issue_bounce_token

    token = await issue_bounce_token(env, APPROVER)  # as the outbox does for each mail
    bounce = EmailMessage()
    bounce["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.no>"
    bounce["To"] = f"krav+bounce-{token}@kvitt.example.no"
    bounce["Subject"] = "Undelivered Mail Returned to Sender"
    bounce["X-Failed-Recipients"] = APPROVER
    bounce["Message-ID"] = make_msgid()
    bounce.set_content("Delivery failed.")
    deliver(account, bytes(bounce))
    await imap_pass(env, source, GATEWAY)
    assert (await _claim(env, claim.id)).status is Status.AWAITING
    assert await _outbox(env, "refusal") == []
    async with env.uow() as uow:
        bouncing = (await sql(uow).connection.execute(
            select(t.bouncing_addresses.c.address))).scalars().all()
    assert bouncing == [APPROVER]
    assert folders(account) == {"INBOX": 0, "Processed": 0, "Rejected": 2}


async def test_a_connection_lost_before_filing_loses_nothing_and_applies_nothing_twice(
        engine, imap):
    account, source = imap
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    _, claim = await _submitted(env)
    (key,) = await _keys(env)
    deliver(account, reply(key, "Godkjent"))
    real_file = source.file

    def dropped(uids: Sequence[str], folder: str) -> None:
        raise ConnectionResetError("connection lost")

    source.file = dropped
    with pytest.raises(ConnectionResetError):
        await imap_pass(env, source, GATEWAY)
    assert folders(account)["INBOX"] == 1  # still there: not lost
    source.file = real_file
    await imap_pass(env, source, GATEWAY)
    stored = await _claim(env, claim.id)
    assert stored.status is Status.APPROVED
    assert [e.kind for e in stored.events].count("approved") == 1
    assert folders(account) == {"INBOX": 0, "Processed": 1, "Rejected": 0}


async def test_a_batch_is_filed_with_one_move_per_folder_after_each_outcome_is_recorded(
        engine, imap):
    account, source = imap
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    _, claim = await _submitted(env)
    keys = await _keys(env)
    for key in keys:
        deliver(account, reply(key, "Godkjent"))
    for n in range(3):
        deliver(account, reply("ukjent-nokkel", f"Godkjent {n}"))
    moves: list[tuple[list[str], str]] = []
    real_move = source.box.move

    def counted(uids: list[str], folder: str) -> object:
        moves.append((list(uids), folder))
        return real_move(uids, folder)

    source.box.move = counted
    assert await imap_pass(env, source, GATEWAY) == len(keys) + 3
    assert sorted(folder for _, folder in moves) == ["Processed", "Rejected"], moves
    assert folders(account) == {"INBOX": 0, "Processed": len(keys), "Rejected": 3}
    assert (await _claim(env, claim.id)).status is not Status.DRAFT


async def test_a_sender_cannot_forge_dmarc_below_the_receiving_servers_verdict(engine, imap):
    account, source = imap
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    _, claim = await _submitted(env)
    (key,) = await _keys(env)
    strict = replace(GATEWAY, require_authentication=True, authserv_id="mx.kvitt.example.no")
    raw = reply(key, "Godkjent")
    ours = b"Authentication-Results: mx.kvitt.example.no; dmarc=fail header.from=" \
           b"eksempelforeningen.no\r\n"
    forged = b"Authentication-Results: mx.kvitt.example.no; dmarc=pass header.from=" \
             b"eksempelforeningen.no\r\n"
    deliver(account, ours + forged + raw)  # the server prepends; the sender wrote the rest
    await imap_pass(env, source, strict)
    assert (await _claim(env, claim.id)).status is Status.AWAITING
    forged_only = b"Authentication-Results: evil.example; dmarc=pass header.from=" \
                  b"eksempelforeningen.no\r\n"
    deliver(account, forged_only + raw.replace(b"Message-ID: <", b"Message-ID: <b"))
    await imap_pass(env, source, strict)
    assert (await _claim(env, claim.id)).status is Status.AWAITING


async def test_an_unknown_key_from_a_stranger_gets_no_answer(engine, imap):
    account, source = imap
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    await _submitted(env)
    deliver(account, reply("zzzz1234", "Godkjent", sender="anyone@spam.example"))
    await imap_pass(env, source, GATEWAY)
    assert await _outbox(env, "refusal") == []  # no backscatter to a forged From
    assert folders(account)["Rejected"] == 1
