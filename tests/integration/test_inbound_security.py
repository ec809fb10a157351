"""Forgeries through a real Dovecot into the real store: 0 accepted, 0 backscatter (issue 9).

Backscatter (seen 4): replies with a forged From and a valid key are refused to nobody.
Negations (seen 5): an approval retracted in its paragraph never approves; the text
becomes a comment to the claimant and the approver is told the answer was unclear.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.claim import Status
from mail.inbound_worker import imap_pass
from tests.integration.helpers import Clock, deliver, folders, sql, sql_env
from tests.integration.test_inbound import (
    APPROVER,
    GATEWAY,
    _claim,
    _keys,
    _outbox,
    _submitted,
    reply,
)


async def test_twenty_forged_froms_with_a_valid_key_get_no_answer_and_change_nothing(
        engine, imap):
    account, source = imap
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    _, claim = await _submitted(env)
    (key,) = await _keys(env)
    for n in range(20):
        deliver(account, reply(key, "Godkjent", sender=f"victim{n}@elsewhere.example"))
    await imap_pass(env, source, GATEWAY)
    assert (await _claim(env, claim.id)).status is Status.AWAITING
    assert await _outbox(env, "refusal") == []
    assert folders(account)["Rejected"] == 20


@pytest.mark.parametrize("text", [
    "Godkjent, men ikke før dere har rettet kjøringen", "Godkjent - men nei, ikke likevel",
    "Godkjent... eller nei", "GODKJENT!!! (ikke)", "Approved, but not yet",
    "Godkjent\nmen vent litt"])
async def test_a_retracted_approval_is_a_comment_and_the_approver_is_asked_again(
        engine, imap, text):
    account, source = imap
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    _, claim = await _submitted(env)
    (key,) = await _keys(env)
    deliver(account, reply(key, text))
    await imap_pass(env, source, GATEWAY)
    stored = await _claim(env, claim.id)
    assert stored.status is Status.AWAITING
    assert [e.text for e in stored.events if e.kind == "commented"] == [text]
    assert [(r["recipient"], r["payload"]["refusal"]) for r in await _outbox(env, "refusal")] \
        == [(APPROVER, "unclear_decision")]
    assert folders(account)["Processed"] == 1


async def test_a_forged_delivery_failure_marks_nobody_and_a_real_one_only_its_own_recipient(
        engine, imap):
    from email.message import EmailMessage
    from email.utils import make_msgid

    from sqlalchemy import select

    from service.inbound import issue_bounce_token
    from store import tables as t

    account, source = imap
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    await _submitted(env)

    def dsn(to: str, failed: str) -> bytes:
        message = EmailMessage()
        message["From"] = "MAILER-DAEMON@mx.example.no"
        message["To"] = to
        message["Subject"] = "Undelivered Mail Returned to Sender"
        message["Message-ID"] = make_msgid()
        message.set_content(f"Final-Recipient: rfc822; {failed}\nAction: failed\n")
        return bytes(message)

    deliver(account, dsn("krav@kvitt.example.no", APPROVER))  # no token: forged
    deliver(account, dsn("krav+bounce-zzz999@kvitt.example.no", APPROVER))  # never issued
    token = await issue_bounce_token(env, "old.address@example.no")
    # a real bounce to our token, whose report names someone else: only the token counts
    deliver(account, dsn(f"krav+bounce-{token}@kvitt.example.no", APPROVER))
    await imap_pass(env, source, GATEWAY)
    async with env.uow() as uow:
        marked = (await sql(uow).connection.execute(
            select(t.bouncing_addresses.c.address))).scalars().all()
    assert marked == ["old.address@example.no"]
    assert folders(account)["Rejected"] == 3


async def test_each_mail_goes_out_with_its_own_verp_envelope_sender(engine, smtp_server):
    from mail.outbound import SmtpSettings, sender
    from service.delivery import deliver_due

    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    await _submitted(env)

    smtp = SmtpSettings("127.0.0.1", smtp_server.port, "plain",
                        reply_pattern="krav+{key}@kvitt.example.no", domain="kvitt.example.no")
    await deliver_due(env, "email", sender(env, smtp))
    (received,) = await smtp_server.wait_for_messages(1)
    token = received.mail_from.removeprefix("krav+bounce-").removesuffix("@kvitt.example.no")
    async with env.uow() as uow:
        assert await uow.inbound.bounce_recipient(token) == APPROVER
