"""Payroll, digest and reminders on SQLite and PostgreSQL: the store queries they rely on."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

from domain.claim import Actor, ClaimLine, Status
from domain.lines import ItemLine, MileageLeg
from harness.region import APPROVER, CLUBS, world
from service import approvals, claims
from service.delivery import Undeliverable, deliver_due
from service.digest import digest, queue_digest
from service.messages import ApprovalRequest, PaidNotice
from service.payroll import mark_exported_paid, payroll_export, render_csv
from service.ports import ReplyKey
from service.reminders import remind
from store.uow import SqlUnitOfWork

ADMIN = Actor("admin", "kasserer@tromso-hk.no", "cli")



async def _claim(env, referee, *, km="120", submit=True):
    claim = await claims.create_claim(env, referee, list(CLUBS), "Kamper")
    lines = [ClaimLine("l1", ItemLine(date(2026, 3, 7), Decimal(1), Decimal("565.00"), True,
                                      "Kamp", "kamp-3div"), "tromso-hk"),
             ClaimLine("l2", ItemLine(date(2026, 3, 8), Decimal(1), Decimal("310.00"), True,
                                      "Kamp", "kamp-5div"), "bodo-hk"),
             ClaimLine("l3", MileageLeg(date(2026, 3, 7), Decimal(km), passengers=("Ola",)))]
    for line in lines:
        claim = await claims.add_line(env, referee, claim.id, line)
    return await claims.submit(env, referee, claim.id) if submit else claim


async def _approve(env, claim, *slugs):
    for slug in slugs:
        async with env.uow() as uow:
            key = await uow.reply_keys.for_approval(claim.id, slug, 0, claim.round,
                                                    APPROVER[slug])
        target = await approvals.target_of_key(env, key.key, APPROVER[slug])
        claim = await approvals.decide(env, target, APPROVER[slug], "approve")
    return claim


async def test_claims_are_found_by_status_and_by_when_they_were_approved(engine):
    env, clock, referee = await world(engine)
    draft = await _claim(env, referee, submit=False)
    waiting = await _claim(env, referee)
    clock.advance(hours=1)
    done = await _approve(env, await _claim(env, referee), *CLUBS)
    async with SqlUnitOfWork(engine) as uow:
        assert [c.id for c in await uow.claims.in_status([Status.DRAFT, Status.AWAITING])] == [
            waiting.id, draft.id]
        assert [c.id for c in await uow.claims.in_status([Status.APPROVED], "bodo-hk")] == [
            done.id]
        assert await uow.claims.in_status([Status.APPROVED], "narvik-hk") == []
        approved_at = clock.now
        found = await uow.reports.approved("tromso-hk", approved_at,
                                           approved_at + timedelta(seconds=1))
        assert [c.claim_id for c in found] == [done.id]
        assert await uow.reports.approved("tromso-hk", approved_at - timedelta(days=1),
                                          approved_at) == []  # the end is not in it
        assert await uow.reports.approved("narvik-hk", approved_at,
                                          approved_at + timedelta(days=1)) == []


async def test_outbox_rows_reply_keys_and_bounces_are_read_back(engine):
    env, clock, referee = await world(engine)
    claim = await _claim(env, referee)

    async def refuse(row):
        raise Undeliverable("550 no such user")

    await deliver_due(env, "email", refuse)
    async with SqlUnitOfWork(engine) as uow:
        failed = await uow.outbox.queued(status="failed")
        assert sorted(q.message.recipient for q in failed) == sorted(APPROVER.values())
        assert {q.last_error for q in failed} == {"550 no such user"}
        assert await uow.outbox.queued(ApprovalRequest, since=clock.now + timedelta(1)) == []
        first = await uow.reply_keys.for_approval(claim.id, "bodo-hk", 0, 1, APPROVER["bodo-hk"])
        newer = ReplyKey("newer", claim.id, "bodo-hk", 0, 1, APPROVER["bodo-hk"],
                         clock.now + timedelta(hours=1))
        await uow.reply_keys.add(newer)
        assert await uow.reply_keys.for_approval(claim.id, "bodo-hk", 0, 1,
                                                 APPROVER["bodo-hk"]) == newer
        assert first is not None and first.key != "newer"
        assert await uow.reply_keys.for_approval(claim.id, "bodo-hk", 0, 2,
                                                 APPROVER["bodo-hk"]) is None
        await uow.inbound.mark_bouncing("dommer@bodo-hk.no", clock.now, "550")
        assert [(b.address, b.since) for b in await uow.inbound.bouncing()] == [
            ("dommer@bodo-hk.no", clock.now)]


async def test_a_payroll_run_adds_up_repeats_byte_for_byte_and_pays_once(engine):
    env, clock, referee = await world(engine)
    claim = await _approve(env, await _claim(env, referee), *CLUBS)
    clock.advance(days=4)  # after the run's cut-off (12 March, 00:00 in Oslo)
    first = await payroll_export(env, "tromso-hk", "2026-03")
    rows = list(csv.DictReader(io.StringIO(render_csv(first).decode())))
    assert [r["code"] for r in rows] == ["honorar", "kilometergodtgjoerelseBil",
                                         "kilometergodtgjoerelsePassasjertillegg"]
    assert first.totals.amount == sum(Decimal(r["taxfree"]) + Decimal(r["taxable"])
                                      for r in rows)
    assert await mark_exported_paid(env, first, ADMIN) == [claim.reference]
    again = await payroll_export(env, "tromso-hk", "2026-03")
    assert render_csv(again) == render_csv(first)
    assert await mark_exported_paid(env, again, ADMIN) == []
    async with SqlUnitOfWork(engine) as uow:
        stored = await uow.claims.get(claim.id)
        paid = await uow.outbox.queued(PaidNotice)
    assert stored is not None
    assert stored.status is Status.PAID and [e.kind for e in stored.events].count("paid") == 1
    assert len(paid) == 1


async def test_reminders_and_the_digest_run_on_the_database_once_a_day(engine):
    env, clock, referee = await world(engine)
    await _claim(env, referee)
    clock.advance(days=5, hours=1)
    first = await remind(env)
    assert first.approver_reminders == 2
    assert (await remind(env)).approver_reminders == 0
    d = await digest(env, "tromso-hk")
    assert [w.reminders for w in d.waiting] == [1, 1]
    assert await queue_digest(env, d) == 1
    assert await queue_digest(env, await digest(env, "tromso-hk")) == 0
    clock.advance(days=1)
    assert (await digest(env, "tromso-hk")).since == d.at
    assert (await remind(env)).approver_reminders == 2
