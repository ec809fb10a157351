"""The whole email loop on real servers: aiosmtpd out, Dovecot in, the real store between."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from email.message import EmailMessage
from email.utils import getaddresses, make_msgid

from domain.claim import ClaimLine, Status
from domain.lines import ItemLine
from mail.gateway import GatewaySettings
from mail.inbound_worker import imap_pass
from mail.outbound import SmtpSettings, sender
from service import admin, claims, members
from service.delivery import deliver_due
from service.ports import MAX_ATTEMPTS
from store.blobs import FileBlobs
from tests.integration.helpers import EXAMPLES, Clock, deliver, folders, sql_env
from tests.integration.test_inbound import APPROVER, _claim, _submitted

PATTERN = "krav+{key}@kvitt.example.no"
GATEWAY = GatewaySettings(reply_pattern=PATTERN, domain="kvitt.example.no")


def smtp_settings(server) -> SmtpSettings:
    return SmtpSettings("127.0.0.1", server.port, security="plain",
                        sender="Kvitt <krav@kvitt.example.no>", reply_pattern=PATTERN,
                        domain="kvitt.example.no")


def answer(request: EmailMessage, body: str) -> bytes:
    """The approver presses Reply: To = the request's Reply-To, the request quoted below."""
    message = EmailMessage()
    message["From"] = APPROVER
    message["To"] = request["Reply-To"]
    message["Subject"] = "Re: " + request["Subject"]
    message["In-Reply-To"] = request["Message-ID"]
    message["References"] = f"{request['References']} {request['Message-ID']}"
    message["Message-ID"] = make_msgid(domain="eksempelforeningen.no")
    plain = request.get_body(("plain",))
    assert plain is not None
    quoted = "\n".join("> " + line for line in plain.get_content().splitlines())
    message.set_content(f"{body}\n\nDen 10.03.2026 kl. 12.00 skrev Kvitt:\n{quoted}\n")
    return bytes(message)


async def _env(engine, tmp_path):
    return replace(sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC))),
                   blobs=FileBlobs(tmp_path / "blobs"))


async def test_submit_mail_reply_approve_confirm_and_file(engine, imap, smtp_server, tmp_path):
    account, source = imap
    env = await _env(engine, tmp_path)
    claimant, claim = await _submitted(env)
    await members.update_profile(env, claimant.id, bank_account="12345678903")
    smtp = smtp_settings(smtp_server)
    assert (await deliver_due(env, "email", sender(env, smtp))).sent == 1
    (request,) = [r.message for r in await smtp_server.wait_for_messages(1)]
    assert request["Subject"].startswith("[K-2026-000001] Til godkjenning")
    assert request["Auto-Submitted"] == "auto-generated"
    assert getaddresses([request["To"]])[0][1] == APPROVER
    body = request.get_body(("plain",)).get_content()
    # the only stage is the one that pays: the account in full, formatted once
    assert "1234 56 78903" in body
    assert any(part.get_filename() == "K-2026-000001.pdf"
               or (part.get_filename() or "").endswith(".pdf")
               for part in request.iter_attachments())

    deliver(account, answer(request, "Godkjent"))
    await imap_pass(env, source, GATEWAY)
    assert (await _claim(env, claim.id)).status is Status.APPROVED
    assert (await deliver_due(env, "email", sender(env, smtp))).sent == 1
    confirmation = (await smtp_server.wait_for_messages(2))[1].message
    assert confirmation["To"] == APPROVER
    assert confirmation["In-Reply-To"] is not None
    assert folders(account) == {"INBOX": 0, "Processed": 1, "Rejected": 0}


async def test_a_return_reaches_the_claimant_and_a_comment_goes_both_ways(
        engine, imap, smtp_server, tmp_path):
    account, source = imap
    env = await _env(engine, tmp_path)
    claimant, claim = await _submitted(env)
    await members.update_profile(env, claimant.id, email="kari@example.no")
    smtp = smtp_settings(smtp_server)
    await deliver_due(env, "email", sender(env, smtp))
    (request,) = [r.message for r in await smtp_server.wait_for_messages(1)]
    deliver(account, answer(request, "Hvilket møte var dette?"))
    await imap_pass(env, source, GATEWAY)
    await claims.comment(env, claimant.id, claim.id, "Styremøtet 9. mars.")
    await deliver_due(env, "email", sender(env, smtp))
    mails = [r.message for r in await smtp_server.wait_for_messages(4)]
    to_claimant = [m for m in mails if m["To"] == "kari@example.no"]
    to_approver = [m for m in mails[1:] if APPROVER in m["To"] and "Styremøtet" in str(
        m.get_body(("plain",)).get_content())]
    assert len(to_claimant) == 1 and "Hvilket møte" in to_claimant[0].get_body(
        ("plain",)).get_content()
    assert len(to_approver) == 1 and "+" in to_approver[0]["Reply-To"]  # can answer it

    deliver(account, answer(request, "RETUR Legg ved saksliste.\n- punkt 1\n- punkt 2"))
    await imap_pass(env, source, GATEWAY)
    assert (await _claim(env, claim.id)).status is Status.RETURNED
    await deliver_due(env, "email", sender(env, smtp))
    mails = [r.message for r in await smtp_server.wait_for_messages(6)]
    notice = [m for m in mails
              if m["To"] == "kari@example.no" and "retur" in m["Subject"].lower()]
    assert notice and "- punkt 2" in notice[0].get_body(("plain",)).get_content()
    confirmed = [m for m in mails if m["To"] == APPROVER and m["In-Reply-To"]
                 and "Legg ved saksliste" in m.get_body(("plain",)).get_content()]
    assert confirmed  # the approver's confirmation repeats the reason they gave


async def test_smtp_down_then_back_delivers_every_mail_exactly_once(
        engine, smtp_server, tmp_path):
    env = await _env(engine, tmp_path)
    clock = env.clock
    await _submitted(env)
    smtp = smtp_settings(smtp_server)
    smtp_server.stop()
    down = await deliver_due(env, "email", sender(env, smtp))
    assert (down.sent, down.retried) == (0, 1)
    smtp_server.start()
    smtp_server.refuse("451 4.3.0 Try again later", times=1)
    clock.advance(seconds=31)  # past the first backoff
    deferred = await deliver_due(env, "email", sender(env, smtp))
    assert (deferred.sent, deferred.retried) == (0, 1)
    clock.advance(minutes=2)
    assert (await deliver_due(env, "email", sender(env, smtp))).sent == 1
    clock.advance(days=1)
    assert (await deliver_due(env, "email", sender(env, smtp))).sent == 0
    assert len(smtp_server.messages) == 1


async def test_an_smtp_server_away_for_a_day_gives_no_mail_up_and_each_goes_once(
        engine, smtp_server, tmp_path):
    env = await _env(engine, tmp_path)
    clock = env.clock
    await _submitted(env)
    await _submitted(env, user_id=2)  # two approval requests queued
    smtp = smtp_settings(smtp_server)
    smtp_server.stop()
    for _ in range(MAX_ATTEMPTS + 2):  # more tries than a row has, the server away throughout
        report = await deliver_due(env, "email", sender(env, smtp))
        assert (report.sent, report.failed, report.retried) == (0, 0, 1)  # one try a pass
        clock.advance(hours=3)
    assert [s.status for s in await _email_rows(env)] == ["pending", "pending"]
    assert {s.attempts for s in await _email_rows(env)} == {0}  # no try used up
    smtp_server.start()
    assert (await deliver_due(env, "email", sender(env, smtp))).sent == 2
    clock.advance(days=1)
    assert (await deliver_due(env, "email", sender(env, smtp))).sent == 0
    assert len(smtp_server.messages) == 2


async def _email_rows(env):
    from sqlalchemy import select

    from store import tables as t
    from tests.integration.helpers import sql

    async with env.uow() as uow:
        return (await sql(uow).connection.execute(select(t.outbox).where(
            t.outbox.c.channel == "email").order_by(t.outbox.c.id))).all()


async def test_a_permanent_refusal_is_recorded_not_retried(engine, smtp_server, tmp_path):
    env = await _env(engine, tmp_path)
    await _submitted(env)
    smtp_server.refuse("550 5.1.1 No such user", at="RCPT", times=None)
    report = await deliver_due(env, "email", sender(env, smtp_settings(smtp_server)))
    assert (report.sent, report.failed) == (0, 1)
    env.clock.advance(hours=2)
    assert (await deliver_due(env, "email", sender(env, smtp_settings(smtp_server)))).failed == 0
    assert smtp_server.messages == []



async def test_a_refused_return_without_reason_can_be_answered_again_with_one(
        engine, imap, smtp_server, tmp_path):
    account, source = imap
    env = await _env(engine, tmp_path)
    _, claim = await _submitted(env)
    smtp = smtp_settings(smtp_server)
    await deliver_due(env, "email", sender(env, smtp))
    (request,) = [r.message for r in await smtp_server.wait_for_messages(1)]
    deliver(account, answer(request, "RETUR"))
    await imap_pass(env, source, GATEWAY)
    await deliver_due(env, "email", sender(env, smtp))
    refusal = (await smtp_server.wait_for_messages(2))[1].message
    assert refusal["Reply-To"] and "K-2026-000001" in refusal["Subject"] + str(
        refusal.get_body(("plain",)).get_content())
    deliver(account, answer(refusal, "RETUR Kvittering for parkering mangler."))
    await imap_pass(env, source, GATEWAY)
    assert (await _claim(env, claim.id)).status is Status.RETURNED


async def test_an_organisation_in_english_gets_its_approvers_mail_in_english(
        engine, imap, smtp_server, tmp_path):
    account, source = imap
    env = await _env(engine, tmp_path)
    english = (EXAMPLES / "forening-kvann.toml").read_text().replace(
        'slug = "eksempel-forening"', 'slug = "eksempel-forening"\nlanguage = "en"')
    await admin.apply_organisations(env, english)
    invite = await admin.create_invite(env, "eksempel-forening")
    claimant, _ = await members.join(env, 3, "Kari", invite.code)
    claim = await claims.create_claim(env, claimant.id, ["eksempel-forening"], "March",
                                      allocation={"prosjekt": "Board"})
    await claims.add_line(env, claimant.id, claim.id, ClaimLine("f", ItemLine(
        date(2026, 3, 9), Decimal(1), Decimal(300), True, "Meeting")))
    await claims.submit(env, claimant.id, claim.id)
    smtp = smtp_settings(smtp_server)
    await deliver_due(env, "email", sender(env, smtp))
    (request,) = [r.message for r in await smtp_server.wait_for_messages(1)]
    assert "For approval" in request["Subject"]
    deliver(account, answer(request, "RETURN"))  # no reason: refused, in English
    await imap_pass(env, source, GATEWAY)
    await deliver_due(env, "email", sender(env, smtp))
    refusal = (await smtp_server.wait_for_messages(2))[1].message
    assert refusal["Content-Language"] == "en"
