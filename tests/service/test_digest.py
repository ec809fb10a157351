"""The admin digest's content with a controlled clock, and its queueing to the admins."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from decimal import Decimal as D

from domain.calc import Totals
from domain.money import ZERO
from mail.compose import Rendered, render_digest
from service import claims
from service.delivery import Undeliverable, deliver_due
from service.digest import Digest, digest, digest_mail, queue_digest
from service.payroll import payroll_export, render_csv
from service.reminders import remind
from tests.service.conftest import BERGVIK_ALLOCATION

KASSERER, LEDER = "kasserer@ikfjell.no", "leder@skdal.no"


def words(d: Digest, lang: str = "nb") -> Rendered:
    """The digest as the admin reads it: the queued message composed by ``mail``."""
    return render_digest(digest_mail(d, lang, b"csv"))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def submitted(world, who, payers, *lines, title="Reise"):
    draft = await world.draft(who, payers, *lines, title=title)
    return await claims.submit(world.env, who, draft.id)


async def scene(world, referee):
    """A fortnight in IK Fjell, ending on Tuesday 10 March 2026."""
    world.clock.set("2026-03-02T09:00")
    old = await submitted(world, referee, ("ik-fjell",), world.fee("ik-fjell", "565"),
                          title="Kamp <A>")
    paid_before = await submitted(world, referee, ("ik-fjell",), world.drive("100"))
    world.clock.set("2026-03-03T09:00")
    await world.approve(paid_before.id, KASSERER)
    world.clock.set("2026-03-05T08:00")
    assert await queue_digest(world.env, await digest(world.env, "ik-fjell")) == 1
    world.clock.set("2026-03-06T09:00")
    shared = await submitted(world, referee, ("ik-fjell", "sk-dal"),
                             world.fee("ik-fjell", "565"), world.fee("sk-dal", "310"),
                             world.drive("120"))
    back = await submitted(world, referee, ("ik-fjell",), world.drive("30"))
    await world.decide(back.id, KASSERER, "return", "Feil dato")
    fresh = await submitted(world, referee, ("ik-fjell",), world.fee("ik-fjell", "565"))
    world.clock.set("2026-03-08T10:00")
    await world.approve(fresh.id, KASSERER)
    await remind(world.env)  # `old` has waited six days: its approver is reminded
    world.clock.set("2026-03-10T09:00")
    return old, paid_before, shared, back, fresh


async def test_the_digest_shows_waiting_returned_approved_and_the_next_payroll_run(
        clubs, referee):
    old, paid_before, shared, back, fresh = await scene(clubs, referee)
    d = await digest(clubs.env, "ik-fjell")
    assert d.since == at("2026-03-05T08:00")
    assert [(w.reference, w.payer, w.stage_name, w.approvers, w.days, w.flagged, w.reminders)
            for w in d.waiting] == [
        (old.reference, "IK Fjell", "godkjenning", (KASSERER,), 8, True, 1),
        (shared.reference, "IK Fjell", "godkjenning", (KASSERER,), 4, False, 0),
        (shared.reference, "SK Dal", "godkjenning", (LEDER,), 4, False, 0)]
    assert [(r.reference, r.returned_by, r.reason, r.days) for r in d.returned] == [
        (back.reference, "IK Fjell", "Feil dato", 4)]
    assert [(a.reference, a.share.amount) for a in d.approved] == [
        (fresh.reference, D("565.00"))]
    assert d.per_payer == {"IK Fjell": Totals(D("565.00"), ZERO)}
    # both approvals fall in March's run (12 March); the earlier one is in it too
    assert d.payroll.period == "2026-03"
    assert list(d.payroll.claims) == sorted([paid_before.reference, fresh.reference])
    assert d.payroll.totals.amount == D("565.00") + paid_before.lines[0].computed.amount
    assert d.payroll.unpaid_earlier == ()


async def test_the_digest_counts_approvals_per_cost_allocation_value(bergvik, respite_worker):
    for ansvar, hours in (("1100", "10"), ("1200", "4"), ("1100", "2")):
        claim = await bergvik.submitted(
            respite_worker, ("bergvik",),
            bergvik.fee("bergvik", "95", quantity=hours, code="avlaster-lav"),
            allocation={**BERGVIK_ALLOCATION, "ansvar": ansvar})
        await bergvik.approve(claim.id, "attestant@bergvik.kommune.no")
        await bergvik.approve(claim.id, "leder@bergvik.kommune.no")
    bergvik.clock.advance(hours=1)
    d = await digest(bergvik.env, "bergvik")
    assert {v: t.amount for v, t in d.per_dimension["ansvar"].items()} == {
        "1100": D("1140.00"), "1200": D("380.00")}
    assert {v: t.amount for v, t in d.per_dimension["funksjon"].items()} == {"254": D("1520.00")}
    _, text, _ = words(d, "nb")
    assert "Per ansvar:\n    1100: 1\u00a0140,00 kr" in text


async def test_failed_messages_and_bouncing_addresses_of_the_organisation_are_listed(
        clubs, referee, db):
    shared = await submitted(clubs, referee, ("ik-fjell", "sk-dal"),
                             clubs.fee("ik-fjell", "565"), clubs.fee("sk-dal", "310"))
    await submitted(clubs, referee, ("sk-dal",), clubs.fee("sk-dal", "310"))

    async def send(row):
        if row.message.recipient == LEDER:
            raise Undeliverable("SMTP 550 user unknown")

    await deliver_due(clubs.env, "email", send)
    async with clubs.env.uow() as uow:
        await uow.inbound.mark_bouncing(KASSERER, clubs.clock.now, "550 mailbox full")
        await uow.inbound.mark_bouncing("someone@elsewhere.no", clubs.clock.now, "550")
    d = await digest(clubs.env, "ik-fjell")
    # the SK Dal approver's mail about a claim IK Fjell shares, not the one about SK Dal's own
    assert [(f.kind, f.recipient, f.reference, f.error) for f in d.failures] == [
        ("approval_request", LEDER, shared.reference, "SMTP 550 user unknown")]
    assert [b.address for b in d.bouncing] == [KASSERER]
    _, text, html = words(d, "en")
    assert "Messages given up (1)" in text and "Addresses that bounce (1)" in text
    assert "<strong>kasserer@ikfjell.no since" in html


async def test_the_digest_reads_in_norwegian_and_english_with_the_html_escaped(
        clubs, referee):
    old, *_ = await scene(clubs, referee)
    d = await digest(clubs.env, "ik-fjell")
    subject, text, html = words(d, "nb")
    assert subject == "Kvitt: IK Fjell 10.03.2026: 3 til godkjenning, 1 i retur, 1 godkjent"
    assert f"⚠ {old.reference} «Kamp <A>» fra Kari Dommer: godkjenning hos IK Fjell" in text
    assert "påminnet 1 gang" in text
    assert "Neste lønnskjøring 12.03.2026" in text
    assert "Godkjent 12.02.2026–11.03.2026: 2 krav til 1 mottaker, 1\u00a0095,00 kr" in text
    assert "⚠ Mangler kontonummer: Kari Dommer" in text
    assert "Kamp &lt;A&gt;" in html and "Kamp <A>" not in html
    subject, text, _ = words(d, "en")
    assert subject.startswith("Kvitt: IK Fjell 10.03.2026: 3 awaiting approval")
    assert "Returned, waiting for the claimant (1)" in text
    assert "returned by IK Fjell 4 days ago: «Feil dato»" in text


async def test_the_digest_is_queued_once_a_day_to_each_admin_with_the_payroll_csv(
        clubs, referee, db):
    await scene(clubs, referee)
    d = await digest(clubs.env, "ik-fjell")
    assert await queue_digest(clubs.env, d) == 1
    assert await queue_digest(clubs.env, await digest(clubs.env, "ik-fjell")) == 0
    sent = db.messages("admin_digest")
    assert [m.recipient for m in sent] == ["okonomi@ikfjell.no"] * 2  # 5 March and today
    today = sent[-1]
    assert today.dedupe_key == "admin_digest:ik-fjell:2026-03-10:okonomi@ikfjell.no"
    csv = render_csv(await payroll_export(clubs.env, "ik-fjell", "2026-03"))
    assert today.body == digest_mail(d, "nb", csv)
    assert base64.b64decode(today.payload["payroll_csv"]) == csv
    assert "Lønnsfilen er vedlagt (CSV)." in render_digest(today.body).text
    assert today.payload["payroll_csv_name"] == "lonn-ik-fjell-2026-03.csv"
    # a later digest looks back to today's, not further
    clubs.clock.set("2026-03-11T09:00")
    assert (await digest(clubs.env, "ik-fjell")).since == at("2026-03-10T09:00")


async def test_the_first_digest_looks_back_a_week_and_an_empty_one_says_so(clubs):
    d = await digest(clubs.env, "ik-fjell")
    assert d.since == at("2026-02-23T09:00")
    _, text, html = words(d, "nb")
    assert text.count("Ingen.") == 7
    assert "<p>Ingen.</p>" in html




async def test_replies_given_up_are_listed_and_strangers_are_counted(clubs, referee):
    from service.inbound import ReadReply, RetryPolicy, handle_reply, record_failure

    ours = await submitted(clubs, referee, ("ik-fjell",), clubs.fee("ik-fjell", "565"))
    theirs = await submitted(clubs, referee, ("sk-dal",), clubs.fee("sk-dal", "310"))
    forged = [("<f1@x.no>", clubs.key(ours.id, KASSERER)),
              ("<f2@x.no>", clubs.key(ours.id, KASSERER)),
              ("<f3@x.no>", clubs.key(theirs.id, LEDER)),  # a claim IK Fjell does not pay
              ("<f4@x.no>", "no-such-key")]
    for message_id, key in forged:
        await handle_reply(clubs.env, ReadReply(message_id, "mallory@evil.example",
                                                key=key, intent="approve", text="Godkjent"))
    policy = RetryPolicy(attempts=2)
    for _ in range(2):
        await record_failure(clubs.env, "<broken@ikfjell.no>",
                             "RuntimeError: a bug of ours\nTraceback …", policy)
    d = await digest(clubs.env, "ik-fjell")
    assert [(f.message_id, f.attempts, f.error) for f in d.failed_inbound] == [
        ("<broken@ikfjell.no>", 2, "RuntimeError: a bug of ours")]
    assert (d.strangers.wrong_sender, d.strangers.unknown_key) == (2, 1)
    _, text, html = words(d, "nb")
    assert "lagt i mappen Failed (1;" in text
    assert "<broken@ikfjell.no>" in text and "2 forsøk: RuntimeError: a bug of ours" in text
    assert "ikke kan godkjenne, siden" in text and "(3)" in text
    assert "<strong>2 med riktig svarnøkkel til et krav IK Fjell betaler" in html
    _, english, _ = words(d, "en")
    assert "2 tries: RuntimeError" in english
    assert "1 to a reply address with no valid key" in english
