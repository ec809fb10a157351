"""The scheduler's mail on the real store and SMTP: digests with the payroll CSV, reminders
an approver can answer, and a tick that sends nothing twice in a day."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from app.schedule import Schedule, digest_due, tick
from domain.claim import Status
from mail.addresses import key_from_address
from mail.outbound import sender
from service.delivery import deliver_due
from service.inbound import ReadReply, handle_reply
from store import tables as t
from store.blobs import FileBlobs
from tests.integration.helpers import Clock, sql, sql_env
from tests.integration.test_inbound import APPROVER, _claim, _submitted
from tests.integration.test_mail_loop import PATTERN, smtp_settings

ADMIN = "regnskap@eksempelforeningen.no"


def test_digests_are_due_at_their_time_on_their_day():
    daily, monday = Schedule(time(7, 0)), Schedule(time(7, 0), "mon")
    before = datetime(2026, 3, 16, 5, 59, tzinfo=UTC)  # Monday 06:59 in Oslo
    after = datetime(2026, 3, 16, 6, 0, tzinfo=UTC)  # 07:00 in Oslo
    assert not digest_due(daily, before) and digest_due(daily, after)
    assert digest_due(monday, after) and not digest_due(monday, after + timedelta(days=1))


async def test_a_tick_queues_each_admins_digest_once_a_day_with_the_payroll_csv(
        engine, smtp_server, tmp_path):
    clock = Clock(datetime(2026, 3, 10, 12, tzinfo=UTC))
    env = replace(sql_env(engine, clock), blobs=FileBlobs(tmp_path / "b"))
    await _submitted(env)
    await tick(env, Schedule(time(7, 0)), clock())
    await tick(env, Schedule(time(7, 0)), clock() + timedelta(hours=1))
    async with env.uow() as uow:
        queued = (await sql(uow).connection.execute(select(t.outbox.c.recipient).where(
            t.outbox.c.kind == "admin_digest"))).scalars().all()
    assert queued == [ADMIN]
    assert (await deliver_due(env, "email", sender(env, smtp_settings(smtp_server)))).sent >= 2
    mails = [r.message for r in await smtp_server.wait_for_messages(2)]
    (digest,) = [m for m in mails if m["To"] == ADMIN]
    names = [part.get_filename() for part in digest.iter_attachments()]
    assert any(name and name.endswith(".csv") for name in names)
    assert "K-2026-000001" in digest.get_body(("plain",)).get_content()


async def test_an_approver_reminder_can_be_answered_to_decide_the_claim(
        engine, smtp_server, tmp_path):
    clock = Clock(datetime(2026, 3, 10, 12, tzinfo=UTC))
    env = replace(sql_env(engine, clock), blobs=FileBlobs(tmp_path / "b"))
    _, claim = await _submitted(env)
    smtp = smtp_settings(smtp_server)
    await deliver_due(env, "email", sender(env, smtp))  # the request itself
    clock.advance(days=6)
    await tick(env, Schedule(time(23, 59)), clock())
    await tick(env, Schedule(time(23, 59)), clock() + timedelta(hours=2))  # not twice a day
    await deliver_due(env, "email", sender(env, smtp))
    mails = [r.message for r in await smtp_server.wait_for_messages(2)]
    reminders = [m for m in mails if "Påminnelse" in m["Subject"]]
    assert len(reminders) == 1 and reminders[0]["To"] == APPROVER
    key = key_from_address(reminders[0]["Reply-To"], PATTERN)
    outcome = await handle_reply(env, ReadReply("<r1@x>", APPROVER, "Re: påminnelse", key,
                                                "approve", "Godkjent"))
    assert outcome.kind == "approved"
    assert (await _claim(env, claim.id)).status is Status.APPROVED
