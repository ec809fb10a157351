"""Reminders with a controlled clock: once a day at most, nothing for fresh or sent claims."""

from __future__ import annotations

from service import approvals, claims
from service.reminders import ReminderReport, remind
from tests.service.conftest import BERGVIK_ALLOCATION

KASSERER = "kasserer@ikfjell.no"


async def test_an_idle_draft_nudges_its_claimant_once_and_again_only_days_later(
        clubs, referee, db):
    draft = await clubs.draft(referee, ("ik-fjell",), clubs.fee("ik-fjell", "565"))
    clubs.clock.advance(days=2, hours=23)
    assert await remind(clubs.env) == ReminderReport()  # fresh: nothing
    clubs.clock.advance(hours=1)
    assert (await remind(clubs.env)).claimant_nudges == 1
    clubs.clock.advance(hours=5)
    assert (await remind(clubs.env)).claimant_nudges == 0  # once a day
    [nudge] = db.messages("reminder_claimant")
    assert (nudge.channel, nudge.recipient) == ("telegram", clubs.telegram_of(referee))
    assert [c["reference"] for c in nudge.payload["claims"]] == [draft.reference]
    assert nudge.payload["claims"][0]["idle_days"] == 3
    assert "urørt i 3 dager" in nudge.payload["message"]
    clubs.clock.advance(days=1)
    assert (await remind(clubs.env)).claimant_nudges == 0  # not daily: after 3 more days
    clubs.clock.advance(days=2)
    assert (await remind(clubs.env)).claimant_nudges == 1
    assert len(db.messages("reminder_claimant")) == 2


async def test_touching_the_claim_starts_the_idle_days_again(clubs, referee, db):
    draft = await clubs.draft(referee, ("ik-fjell",), clubs.fee("ik-fjell", "565"))
    clubs.clock.advance(days=2)
    await claims.add_line(clubs.env, referee, draft.id, clubs.drive("40"))
    clubs.clock.advance(days=2)
    await remind(clubs.env)
    assert db.messages("reminder_claimant") == []
    clubs.clock.advance(days=1)
    await remind(clubs.env)
    assert len(db.messages("reminder_claimant")) == 1


async def test_the_day_turns_at_midnight_in_oslo_not_in_utc(clubs, referee, db):
    await clubs.draft(referee, ("ik-fjell",), clubs.fee("ik-fjell", "565"))
    await remind(clubs.env, clubs.clock.now.replace(day=5, hour=22, minute=30))  # 23:30 Oslo
    await remind(clubs.env, clubs.clock.now.replace(day=5, hour=23, minute=30))  # 00:30
    keys = [m.dedupe_key for m in db.messages("reminder_claimant")]
    assert [k.rsplit(":", 1)[1] for k in keys] == ["2026-03-05"]


async def test_a_returned_claim_nudges_but_a_submitted_one_never_does(clubs, referee, db):
    sent = await clubs.submitted(referee, ("ik-fjell",), clubs.fee("ik-fjell", "565"))
    back = await clubs.submitted(referee, ("ik-fjell",), clubs.fee("ik-fjell", "310"))
    await clubs.decide(back.id, KASSERER, "return", "Feil sats")
    clubs.clock.advance(days=4)
    await remind(clubs.env)
    [nudge] = db.messages("reminder_claimant")
    assert [c["reference"] for c in nudge.payload["claims"]] == [back.reference]
    assert nudge.payload["claims"][0]["status"] == "returned"
    assert sent.reference not in nudge.payload["message"]


async def test_a_claimant_is_warned_once_before_the_submit_deadline_passes(clubs, referee, db):
    # the trip was on 14 February: the deadline is 14 March (one month)
    draft = await clubs.draft(referee, ("ik-fjell",), clubs.drive("40", on="2026-02-14"))
    clubs.clock.set("2026-03-10T08:00")
    assert (await remind(clubs.env)).deadline_warnings == 0
    clubs.clock.set("2026-03-11T08:00")
    assert (await remind(clubs.env)).deadline_warnings == 1
    clubs.clock.set("2026-03-13T08:00")
    assert (await remind(clubs.env)).deadline_warnings == 0
    [warning] = db.messages("deadline_warning")
    assert warning.payload["claim_id"] == draft.id
    assert warning.payload["deadline"] == "2026-03-14"
    assert "14.03.2026" in warning.payload["message"]


async def test_no_deadline_warning_after_submit_or_once_the_deadline_has_passed(
        clubs, referee, db):
    await clubs.submitted(referee, ("ik-fjell",), clubs.drive("40", on="2026-02-14"))
    await clubs.draft(referee, ("ik-fjell",), clubs.drive("40", on="2026-02-10"))
    clubs.clock.set("2026-03-12T08:00")  # the draft's deadline was 10 March
    assert (await remind(clubs.env)).deadline_warnings == 0
    assert db.messages("deadline_warning") == []


async def test_an_approver_with_a_stage_open_over_five_days_gets_one_mail_a_day(
        clubs, referee, db):
    claim = await clubs.submitted(referee, ("ik-fjell",), clubs.fee("ik-fjell", "565"))
    clubs.clock.advance(days=5)
    assert (await remind(clubs.env)).approver_reminders == 0
    clubs.clock.advance(hours=1)
    assert (await remind(clubs.env)).approver_reminders == 1
    assert (await remind(clubs.env)).approver_reminders == 0
    [mail] = db.messages("reminder_approver")
    assert (mail.channel, mail.recipient) == ("email", KASSERER)
    assert mail.payload["claim_id"] == claim.id
    assert mail.payload["reply_key"] == clubs.key(claim.id, KASSERER)
    assert mail.payload["days_open"] == 5 and mail.payload["also"] == []
    # the key in the reminder answers the claim
    target = await approvals.target_of_key(clubs.env, mail.payload["reply_key"], KASSERER)
    assert target.claim_id == claim.id
    clubs.clock.advance(days=1)
    assert (await remind(clubs.env)).approver_reminders == 1
    await clubs.approve(claim.id, KASSERER)
    clubs.clock.advance(days=1)
    assert (await remind(clubs.env)).approver_reminders == 0
    assert len(db.messages("reminder_approver")) == 2


async def test_an_approver_gets_one_mail_for_all_overdue_claims_oldest_first(
        clubs, referee, db):
    old = await clubs.submitted(referee, ("ik-fjell",), clubs.fee("ik-fjell", "565"))
    clubs.clock.advance(days=1)
    new = await clubs.submitted(referee, ("ik-fjell",), clubs.fee("ik-fjell", "310"))
    clubs.clock.advance(days=6)
    await remind(clubs.env)
    [mail] = db.messages("reminder_approver")
    assert mail.payload["reference"] == old.reference
    assert [(c["reference"], c["reply_key"]) for c in mail.payload["also"]] == [
        (new.reference, clubs.key(new.id, KASSERER))]


async def test_a_second_stage_counts_from_when_it_opened(bergvik, respite_worker, db):
    claim = await bergvik.submitted(respite_worker, ("bergvik",),
                                    bergvik.fee("bergvik", "95", quantity="48",
                                                code="avlaster-lav"),
                                    allocation=BERGVIK_ALLOCATION)
    bergvik.clock.advance(days=3)
    await bergvik.approve(claim.id, "attestant@bergvik.kommune.no")
    bergvik.clock.advance(days=4)
    await remind(bergvik.env)
    assert db.messages("reminder_approver") == []
    bergvik.clock.advance(days=2)
    await remind(bergvik.env)
    [mail] = db.messages("reminder_approver")
    assert (mail.recipient, mail.payload["stage_name"]) == ("leder@bergvik.kommune.no",
                                                            "anvisning")
