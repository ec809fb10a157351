"""The approval workflow: rounds, stages, returns, withdraw, resubmit, locking, payment, log.

Referee case: IK Fjell and SK Dal pay one claim, one stage each. Municipal case:
Bergvik kommune, *attestasjon* then *anvisning*.
"""

from datetime import UTC, datetime

import pytest

from domain.claim import Actor, Status
from domain.errors import (
    ClaimLocked,
    ClaimNotEditable,
    NotSubmitted,
    ReturnNeedsReason,
    StageNotOpen,
    WithdrawRefused,
)
from service import admin, approvals, claims
from tests.service.conftest import BERGVIK_ALLOCATION, World
from tests.service.fakes import FakeDatabase

CLUBS = ("ik-fjell", "sk-dal")
KASSERER = "kasserer@ikfjell.no"
LEDER = "leder@skdal.no"
ATTESTANT = "attestant@bergvik.kommune.no"
ANVISER = "leder@bergvik.kommune.no"
PAYROLL = Actor("admin", "lonn@bergvik.kommune.no", "cli")


async def referee_claim(world: World, referee: str):
    return await world.submitted(referee, CLUBS, world.fee("ik-fjell", "565"),
                                 world.fee("sk-dal", "310"), world.drive("120"))


async def respite_claim(world: World, worker: str):
    hours = world.fee("bergvik", "95", quantity="48", code="avlaster-lav")
    return await world.submitted(worker, ("bergvik",), hours, allocation=BERGVIK_ALLOCATION)


def states(world: World, claim_id: str, round_: int | None = None) -> dict[tuple[str, int], str]:
    claim = world.stored(claim_id)
    wanted = claim.round if round_ is None else round_
    return {(a.payer, a.stage): a.state for a in claim.approvals if a.round == wanted}


async def status_nb(world: World, claimant: str, claim_id: str) -> str:
    return (await claims.summary(world.env, claimant, claim_id)).status.nb


# A round opens the first stage of every payer at once -------------------------------------


async def test_a_round_opens_the_first_stage_of_every_payer_at_once(
        clubs: World, referee: str, db: FakeDatabase):
    claim = await referee_claim(clubs, referee)
    assert states(clubs, claim.id) == {("ik-fjell", 0): "open", ("sk-dal", 0): "open"}
    requests = db.messages("approval_request")
    assert sorted(m.recipient for m in requests) == [KASSERER, LEDER]
    for message in requests:
        key = db.reply_keys[message.payload["reply_key"]]
        assert (key.claim_id, key.approver, key.stage, key.round) == (
            claim.id, message.recipient, 0, 1)
        assert key.payer == message.payload["payer"]
        assert message.channel == "email"
        assert message.payload["reference"] == claim.reference == "K-2026-000001"


async def test_a_round_opens_only_the_first_of_two_stages(
        bergvik: World, respite_worker: str, db: FakeDatabase):
    claim = await respite_claim(bergvik, respite_worker)
    assert states(bergvik, claim.id) == {("bergvik", 0): "open", ("bergvik", 1): "pending"}
    assert [m.recipient for m in db.messages("approval_request")] == [ATTESTANT]


async def test_anvisning_gets_its_request_only_after_attestasjon_approves(
        bergvik: World, respite_worker: str, db: FakeDatabase):
    claim = await respite_claim(bergvik, respite_worker)
    assert db.messages("approval_request", recipient=ANVISER) == []
    claim = await bergvik.approve(claim.id, ATTESTANT)
    assert claim.status is Status.AWAITING
    assert states(bergvik, claim.id) == {("bergvik", 0): "approved", ("bergvik", 1): "open"}
    [request] = db.messages("approval_request", recipient=ANVISER)
    key = db.reply_keys[request.payload["reply_key"]]
    assert (key.payer, key.stage, key.round, key.approver) == ("bergvik", 1, 1, ANVISER)


async def test_the_approver_sees_the_claim_awaiting_only_while_their_stage_is_open(
        bergvik: World, respite_worker: str):
    claim = await respite_claim(bergvik, respite_worker)
    assert [c.id for c in await approvals.awaiting(bergvik.env, ATTESTANT)] == [claim.id]
    assert await approvals.awaiting(bergvik.env, ANVISER) == []
    await bergvik.approve(claim.id, ATTESTANT)
    assert await approvals.awaiting(bergvik.env, ATTESTANT) == []
    assert [c.id for c in await approvals.awaiting(bergvik.env, ANVISER)] == [claim.id]


# Approved only when every payer's last stage is approved -----------------------------------


async def test_the_claim_is_approved_only_when_every_payer_has_approved(
        clubs: World, referee: str, db: FakeDatabase):
    claim = await referee_claim(clubs, referee)
    claim = await clubs.approve(claim.id, KASSERER)
    assert claim.status is Status.AWAITING
    assert db.messages("claim_approved") == []
    [notice] = db.messages("payer_approved")
    assert notice.payload["payer"] == "ik-fjell"
    claim = await clubs.approve(claim.id, LEDER)
    assert claim.status is Status.APPROVED
    assert [m.recipient for m in db.messages("claim_approved")] == [clubs.telegram_of(referee)]


async def test_the_claim_is_approved_only_after_the_last_stage(
        bergvik: World, respite_worker: str):
    claim = await respite_claim(bergvik, respite_worker)
    claim = await bergvik.approve(claim.id, ATTESTANT)
    assert claim.status is Status.AWAITING
    claim = await bergvik.approve(claim.id, ANVISER)
    assert claim.status is Status.APPROVED
    assert bergvik.stored(claim.id).status is Status.APPROVED


async def test_status_reads_awaiting_x_approved_by_y_after_one_of_two_payers_approved(
        clubs: World, referee: str):
    claim = await referee_claim(clubs, referee)
    assert await status_nb(clubs, referee, claim.id) == "Til godkjenning"
    await clubs.approve(claim.id, KASSERER)
    assert await status_nb(clubs, referee, claim.id) == \
        "Til godkjenning hos SK Dal. Godkjent av IK Fjell"
    summary = await claims.summary(clubs.env, referee, claim.id)
    assert summary.status.en == "Awaiting SK Dal (approved by IK Fjell)"


async def test_status_names_a_payer_as_approved_only_after_its_last_stage(
        bergvik: World, respite_worker: str):
    claim = await respite_claim(bergvik, respite_worker)
    await bergvik.approve(claim.id, ATTESTANT)
    text = await status_nb(bergvik, respite_worker, claim.id)
    assert "Godkjent av Bergvik kommune" not in text
    assert text.startswith("Til godkjenning")


async def test_status_reads_approved_when_all_have_approved(clubs: World, referee: str):
    claim = await referee_claim(clubs, referee)
    await clubs.approve(claim.id, KASSERER)
    await clubs.approve(claim.id, LEDER)
    assert await status_nb(clubs, referee, claim.id) == "Godkjent"


# Any return sends the whole claim back --------------------------------------------------


async def test_a_return_sends_the_whole_claim_back_with_the_reason(
        clubs: World, referee: str, db: FakeDatabase):
    claim = await referee_claim(clubs, referee)
    claim = await clubs.decide(claim.id, LEDER, "return", "Kamp 2 var ikke vår kamp")
    assert claim.status is Status.RETURNED
    assert claim.returned_by == "sk-dal"
    assert states(clubs, claim.id) == {("ik-fjell", 0): "closed", ("sk-dal", 0): "returned"}
    [notice] = db.messages("returned", channel="telegram")
    assert notice.recipient == clubs.telegram_of(referee)
    assert notice.payload["text"] == "Kamp 2 var ikke vår kamp"
    assert await status_nb(clubs, referee, claim.id) == "Sendt i retur av SK Dal"
    assert await approvals.awaiting(clubs.env, KASSERER) == []


async def test_a_return_after_one_payer_approved_still_returns_the_whole_claim(
        clubs: World, referee: str):
    claim = await referee_claim(clubs, referee)
    await clubs.approve(claim.id, KASSERER)
    claim = await clubs.decide(claim.id, LEDER, "return", "Feil dato")
    assert claim.status is Status.RETURNED
    assert states(clubs, claim.id) == {("ik-fjell", 0): "approved", ("sk-dal", 0): "returned"}


async def test_a_return_at_attestasjon_closes_the_pending_anvisning(
        bergvik: World, respite_worker: str, db: FakeDatabase):
    claim = await respite_claim(bergvik, respite_worker)
    claim = await bergvik.decide(claim.id, ATTESTANT, "return", "Timene for 12.1. mangler")
    assert claim.status is Status.RETURNED
    assert states(bergvik, claim.id) == {("bergvik", 0): "returned", ("bergvik", 1): "closed"}
    assert db.messages("approval_request", recipient=ANVISER) == []
    assert await status_nb(bergvik, respite_worker, claim.id) == \
        "Sendt i retur av Bergvik kommune"


async def test_a_return_at_anvisning_returns_the_claim(bergvik: World, respite_worker: str):
    claim = await respite_claim(bergvik, respite_worker)
    await bergvik.approve(claim.id, ATTESTANT)
    claim = await bergvik.decide(claim.id, ANVISER, "return", "Feil ansvar")
    assert claim.status is Status.RETURNED
    assert states(bergvik, claim.id) == {("bergvik", 0): "approved", ("bergvik", 1): "returned"}


@pytest.mark.parametrize("reason", ["", "   "])
async def test_a_return_without_a_reason_is_refused(
        clubs: World, referee: str, db: FakeDatabase, reason: str):
    claim = await referee_claim(clubs, referee)
    with pytest.raises(ReturnNeedsReason):
        await clubs.decide(claim.id, LEDER, "return", reason)
    assert clubs.stored(claim.id).status is Status.AWAITING
    assert db.messages("returned") == []


# Withdraw -------------------------------------------------------------------------------


async def test_withdraw_is_allowed_while_nothing_in_the_round_is_approved(
        clubs: World, referee: str):
    claim = await referee_claim(clubs, referee)
    claim = await claims.withdraw(clubs.env, referee, claim.id)
    assert claim.status is Status.DRAFT
    assert states(clubs, claim.id) == {("ik-fjell", 0): "closed", ("sk-dal", 0): "closed"}
    with pytest.raises(StageNotOpen):
        await clubs.approve(claim.id, KASSERER)


async def test_withdraw_is_refused_after_first_approval(clubs: World, referee: str):
    claim = await referee_claim(clubs, referee)
    await clubs.approve(claim.id, KASSERER)
    with pytest.raises(WithdrawRefused):
        await claims.withdraw(clubs.env, referee, claim.id)
    assert clubs.stored(claim.id).status is Status.AWAITING


async def test_withdraw_is_refused_after_attestasjon(bergvik: World, respite_worker: str):
    claim = await respite_claim(bergvik, respite_worker)
    await bergvik.approve(claim.id, ATTESTANT)
    with pytest.raises(WithdrawRefused):
        await claims.withdraw(bergvik.env, respite_worker, claim.id)


async def test_withdraw_of_a_draft_or_returned_claim_is_refused(clubs: World, referee: str):
    draft = await clubs.draft(referee, CLUBS, clubs.fee("ik-fjell", "565"))
    with pytest.raises(NotSubmitted):
        await claims.withdraw(clubs.env, referee, draft.id)
    claim = await referee_claim(clubs, referee)
    await clubs.decide(claim.id, LEDER, "return", "Feil")
    with pytest.raises(NotSubmitted):
        await claims.withdraw(clubs.env, referee, claim.id)


async def test_a_withdrawn_claim_can_be_changed_and_submitted_again(
        clubs: World, referee: str, db: FakeDatabase):
    claim = await referee_claim(clubs, referee)
    await claims.withdraw(clubs.env, referee, claim.id)
    await claims.add_line(clubs.env, referee, claim.id, clubs.drive("30"))
    claim = await claims.submit(clubs.env, referee, claim.id)
    assert (claim.status, claim.round) == (Status.AWAITING, 2)
    assert len(db.messages("approval_request", recipient=KASSERER)) == 2


# Resubmit -------------------------------------------------------------------------------


async def test_resubmit_asks_every_payer_again(clubs: World, referee: str, db: FakeDatabase):
    claim = await referee_claim(clubs, referee)
    old_keys = {who: clubs.key(claim.id, who) for who in (KASSERER, LEDER)}
    await clubs.approve(claim.id, KASSERER)
    await clubs.decide(claim.id, LEDER, "return", "Legg ved parkeringskvittering")

    claim = await claims.submit(clubs.env, referee, claim.id)
    assert (claim.status, claim.round) == (Status.AWAITING, 2)
    assert states(clubs, claim.id) == {("ik-fjell", 0): "open", ("sk-dal", 0): "open"}
    assert len(db.messages("approval_request", recipient=KASSERER)) == 2
    new_keys = {who: clubs.key(claim.id, who) for who in (KASSERER, LEDER)}
    assert set(new_keys.values()).isdisjoint(old_keys.values())

    claim = await clubs.approve(claim.id, LEDER)
    assert claim.status is Status.AWAITING  # IK Fjell's approval in round 1 does not count
    for who, key in old_keys.items():
        with pytest.raises(StageNotOpen):
            await clubs.decide(claim.id, who, "approve", key=key)
    claim = await clubs.approve(claim.id, KASSERER)
    assert claim.status is Status.APPROVED


async def test_an_old_rounds_key_cannot_return_the_new_round(clubs: World, referee: str):
    claim = await referee_claim(clubs, referee)
    old = clubs.key(claim.id, KASSERER)
    await clubs.decide(claim.id, LEDER, "return", "Feil")
    await claims.submit(clubs.env, referee, claim.id)
    with pytest.raises(StageNotOpen):
        await clubs.decide(claim.id, KASSERER, "return", "Gammel nøkkel", key=old)
    assert clubs.stored(claim.id).status is Status.AWAITING


async def test_a_decided_stage_cannot_be_decided_again(clubs: World, referee: str):
    claim = await referee_claim(clubs, referee)
    await clubs.approve(claim.id, KASSERER)
    with pytest.raises(StageNotOpen):
        await clubs.approve(claim.id, KASSERER)
    with pytest.raises(StageNotOpen):
        await clubs.decide(claim.id, KASSERER, "return", "Angrer")


# Edits only in Draft and Returned; Approved and Paid are final ------------------------------


async def test_lines_cannot_change_while_the_claim_awaits_approval(clubs: World, referee: str):
    claim = await referee_claim(clubs, referee)
    line = claim.lines[0]
    env = clubs.env
    with pytest.raises(ClaimNotEditable):
        await claims.add_line(env, referee, claim.id, clubs.drive("10"))
    with pytest.raises(ClaimNotEditable):
        await claims.change_line(env, referee, claim.id, line)
    with pytest.raises(ClaimNotEditable):
        await claims.remove_line(env, referee, claim.id, line.id)
    with pytest.raises(ClaimNotEditable):
        await claims.attach(env, referee, claim.id, line.id, "sha256-x")
    with pytest.raises(ClaimNotEditable):
        await claims.submit(env, referee, claim.id)
    assert len(clubs.stored(claim.id).lines) == 3


async def test_lines_can_change_after_a_return(clubs: World, referee: str):
    claim = await referee_claim(clubs, referee)
    await clubs.decide(claim.id, LEDER, "return", "Fjern kjøringen")
    claim = await claims.remove_line(clubs.env, referee, claim.id, claim.lines[2].id)
    assert claim.status is Status.RETURNED
    assert len(clubs.stored(claim.id).lines) == 2


async def test_an_approved_claim_is_locked(clubs: World, referee: str):
    claim = await referee_claim(clubs, referee)
    old = clubs.key(claim.id, LEDER)
    await clubs.approve(claim.id, KASSERER)
    await clubs.approve(claim.id, LEDER)
    env = clubs.env
    with pytest.raises(ClaimLocked):
        await claims.add_line(env, referee, claim.id, clubs.drive("10"))
    with pytest.raises(ClaimLocked):
        await claims.remove_line(env, referee, claim.id, claim.lines[0].id)
    with pytest.raises(ClaimLocked):
        await claims.submit(env, referee, claim.id)
    with pytest.raises(ClaimLocked):
        await claims.withdraw(env, referee, claim.id)
    with pytest.raises(ClaimLocked):
        await clubs.decide(claim.id, LEDER, "return", "For sent", key=old)
    assert clubs.stored(claim.id).status is Status.APPROVED


async def test_mark_paid_moves_an_approved_claim_to_paid_and_tells_the_claimant(
        bergvik: World, respite_worker: str, db: FakeDatabase):
    claim = await respite_claim(bergvik, respite_worker)
    await bergvik.approve(claim.id, ATTESTANT)
    await bergvik.approve(claim.id, ANVISER)
    claim = await admin.mark_paid(bergvik.env, claim.id, "2026-03-12", PAYROLL)
    assert claim.status is Status.PAID
    [notice] = db.messages("paid")
    assert notice.recipient == bergvik.telegram_of(respite_worker)
    assert notice.payload["text"] == "2026-03-12"
    with pytest.raises(ClaimLocked):
        await claims.add_line(bergvik.env, respite_worker, claim.id, bergvik.drive("10"))
    with pytest.raises(ClaimLocked):
        await claims.withdraw(bergvik.env, respite_worker, claim.id)
    assert await status_nb(bergvik, respite_worker, claim.id) == "Utbetalt"


async def test_mark_paid_twice_pays_once(bergvik: World, respite_worker: str,
                                         db: FakeDatabase):
    claim = await respite_claim(bergvik, respite_worker)
    await bergvik.approve(claim.id, ATTESTANT)
    await bergvik.approve(claim.id, ANVISER)
    await admin.mark_paid(bergvik.env, claim.id, "2026-03-12", PAYROLL)
    claim = await admin.mark_paid(bergvik.env, claim.id, "2026-04-12", PAYROLL)
    assert [e.kind for e in claim.events].count("paid") == 1
    assert len(db.messages("paid")) == 1


async def test_mark_paid_is_refused_unless_the_claim_is_approved(
        bergvik: World, respite_worker: str):
    draft = await bergvik.draft(respite_worker, ("bergvik",), allocation=BERGVIK_ALLOCATION)
    with pytest.raises(NotSubmitted):
        await admin.mark_paid(bergvik.env, draft.id, "2026-03-12", PAYROLL)
    claim = await respite_claim(bergvik, respite_worker)
    await bergvik.approve(claim.id, ATTESTANT)
    with pytest.raises(NotSubmitted):
        await admin.mark_paid(bergvik.env, claim.id, "2026-03-12", PAYROLL)
    await bergvik.decide(claim.id, ANVISER, "return", "Feil")
    with pytest.raises(NotSubmitted):
        await admin.mark_paid(bergvik.env, claim.id, "2026-03-12", PAYROLL)


# Comments -------------------------------------------------------------------------------


async def test_a_claimant_comment_goes_to_the_approvers_of_the_open_stages(
        bergvik: World, respite_worker: str, db: FakeDatabase):
    claim = await respite_claim(bergvik, respite_worker)
    claim = await claims.comment(bergvik.env, respite_worker, claim.id, "Timelista er vedlagt")
    assert [m.recipient for m in db.messages("claimant_comment")] == [ATTESTANT]
    assert claim.status is Status.AWAITING


async def test_an_approver_comment_reaches_the_claimant_and_changes_no_state(
        clubs: World, referee: str, db: FakeDatabase):
    claim = await referee_claim(clubs, referee)
    claim = await clubs.decide(claim.id, KASSERER, "comment", "Hvilken kamp var dette?")
    assert claim.status is Status.AWAITING
    assert states(clubs, claim.id)[("ik-fjell", 0)] == "open"
    [notice] = db.messages("commented", channel="telegram")
    assert notice.payload["text"] == "Hvilken kamp var dette?"


# The log --------------------------------------------------------------------------------


async def test_every_transition_is_logged_with_actor_channel_time_and_source_message(
        bergvik: World, respite_worker: str):
    world, env = bergvik, bergvik.env
    hours = world.fee("bergvik", "95", quantity="48", code="avlaster-lav")
    claim = await world.draft(respite_worker, ("bergvik",), hours,
                              allocation=BERGVIK_ALLOCATION)
    world.clock.set("2026-03-02T10:00")
    await claims.submit(env, respite_worker, claim.id)
    world.clock.set("2026-03-02T11:00")
    await claims.withdraw(env, respite_worker, claim.id, channel="cli")
    world.clock.set("2026-03-02T12:00")
    await claims.submit(env, respite_worker, claim.id)
    world.clock.set("2026-03-03T08:00")
    await world.decide(claim.id, ATTESTANT, "return", "Mangler dato", message_id="<r1@mx>")
    world.clock.set("2026-03-03T09:00")
    await claims.submit(env, respite_worker, claim.id)
    world.clock.set("2026-03-04T08:00")
    await world.approve(claim.id, ATTESTANT, message_id="<a1@mx>")
    world.clock.set("2026-03-04T09:00")
    await world.approve(claim.id, ANVISER, message_id="<a2@mx>")
    world.clock.set("2026-03-12T06:00")
    await admin.mark_paid(env, claim.id, "2026-03-12", PAYROLL)

    def at(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)

    transitions = [(e.kind, e.actor, e.at, e.round, e.source_message_id)
                   for e in world.stored(claim.id).events
                   if e.kind not in ("created", "line_added", "stage_opened")]
    worker = ("claimant", respite_worker)
    assert [(k, (a.kind, a.id), a.channel, t, r, s) for k, a, t, r, s in transitions] == [
        ("submitted", worker, "telegram", at("2026-03-02T10:00"), 1, None),
        ("withdrawn", worker, "cli", at("2026-03-02T11:00"), 1, None),
        ("submitted", worker, "telegram", at("2026-03-02T12:00"), 2, None),
        ("returned", ("approver", ATTESTANT), "email", at("2026-03-03T08:00"), 2, "<r1@mx>"),
        ("submitted", worker, "telegram", at("2026-03-03T09:00"), 3, None),
        ("approved", ("approver", ATTESTANT), "email", at("2026-03-04T08:00"), 3, "<a1@mx>"),
        ("approved", ("approver", ANVISER), "email", at("2026-03-04T09:00"), 3, "<a2@mx>"),
        ("claim_approved", ("approver", ANVISER), "email", at("2026-03-04T09:00"), 3, None),
        ("paid", ("admin", PAYROLL.id), "cli", at("2026-03-12T06:00"), 3, None),
    ]
    returned = next(e for e in world.stored(claim.id).events if e.kind == "returned")
    assert (returned.text, returned.payer, returned.stage) == ("Mangler dato", "bergvik", 0)


async def test_stage_openings_are_logged_per_payer_and_stage(clubs: World, referee: str):
    claim = await referee_claim(clubs, referee)
    opened = [(e.payer, e.stage, e.round) for e in clubs.stored(claim.id).events
              if e.kind == "stage_opened"]
    assert opened == [("ik-fjell", 0, 1), ("sk-dal", 0, 1)]
