"""Two people acting on one claim at once: no decision is lost, and nothing lands half.

``FakeDatabase.meanwhile`` runs a competing use case right after the first one has
loaded the claim, so the first saves a stale version and must retry.
"""

import pytest

from domain.claim import Status
from domain.errors import ChangedMeanwhile, StageNotOpen, WithdrawRefused
from service import approvals, claims
from service.context import Env
from tests.service.conftest import World
from tests.service.fakes import FakeDatabase, FakeUnitOfWork

CLUBS = ("ik-fjell", "sk-dal")
KASSERER = "kasserer@ikfjell.no"
LEDER = "leder@skdal.no"


async def referee_claim(world: World, referee: str):
    return await world.submitted(referee, CLUBS, world.fee("ik-fjell", "565"),
                                 world.fee("sk-dal", "310"))


async def targets(world: World, claim_id: str):
    return [await approvals.target_of_key(world.env, world.key(claim_id, who), who)
            for who in (KASSERER, LEDER)]


async def test_two_units_of_work_that_load_the_same_claim_cannot_both_save_it(
        clubs: World, referee: str, db: FakeDatabase):
    claim = await referee_claim(clubs, referee)
    async with FakeUnitOfWork(db) as first, FakeUnitOfWork(db) as second:
        mine, theirs = await first.claims.get(claim.id), await second.claims.get(claim.id)
        assert mine is not None and theirs is not None
        theirs.title = "Endret av en annen"
        await second.claims.save(theirs)
        await second.commit()
        mine.title = "Endret av meg"
        with pytest.raises(ChangedMeanwhile):
            await first.claims.save(mine)
    assert clubs.stored(claim.id).title == "Endret av en annen"


async def test_two_approvals_racing_both_land(clubs: World, referee: str, db: FakeDatabase):
    claim = await referee_claim(clubs, referee)
    fjell, dal = await targets(clubs, claim.id)
    db.meanwhile(lambda: approvals.decide(clubs.env, dal, LEDER, "approve"))
    claim = await approvals.decide(clubs.env, fjell, KASSERER, "approve")
    assert claim.status is Status.APPROVED
    stored = clubs.stored(claim.id)
    assert stored.status is Status.APPROVED
    assert {(a.payer, a.state, a.decided_by) for a in stored.approvals} == {
        ("ik-fjell", "approved", KASSERER), ("sk-dal", "approved", LEDER)}
    assert [e.kind for e in stored.events].count("approved") == 2
    assert len(db.messages("payer_approved")) == 1
    assert len(db.messages("claim_approved")) == 1


async def test_a_comment_racing_an_approval_keeps_both(
        clubs: World, referee: str, db: FakeDatabase):
    claim = await referee_claim(clubs, referee)
    fjell, dal = await targets(clubs, claim.id)
    db.meanwhile(lambda: approvals.decide(clubs.env, fjell, KASSERER, "comment", "Ok for oss"))
    claim = await approvals.decide(clubs.env, dal, LEDER, "approve")
    stored = clubs.stored(claim.id)
    kinds = [e.kind for e in stored.events]
    assert "commented" in kinds and "approved" in kinds
    assert len(db.messages("commented")) == 1


async def test_approve_then_withdraw_racing_lets_the_approval_win(
        clubs: World, referee: str, db: FakeDatabase):
    claim = await referee_claim(clubs, referee)
    fjell, _ = await targets(clubs, claim.id)
    db.meanwhile(lambda: approvals.decide(clubs.env, fjell, KASSERER, "approve"))
    with pytest.raises(WithdrawRefused):
        await claims.withdraw(clubs.env, referee, claim.id)
    stored = clubs.stored(claim.id)
    assert stored.status is Status.AWAITING
    assert [a.state for a in stored.approvals] == ["approved", "open"]
    assert "withdrawn" not in [e.kind for e in stored.events]


async def test_withdraw_then_approve_racing_lets_the_withdraw_win(
        clubs: World, referee: str, db: FakeDatabase):
    claim = await referee_claim(clubs, referee)
    fjell, _ = await targets(clubs, claim.id)
    db.meanwhile(lambda: claims.withdraw(clubs.env, referee, claim.id))
    with pytest.raises(StageNotOpen):
        await approvals.decide(clubs.env, fjell, KASSERER, "approve")
    stored = clubs.stored(claim.id)
    assert stored.status is Status.DRAFT
    assert [a.state for a in stored.approvals] == ["closed", "closed"]
    assert db.messages("payer_approved") == []


async def test_a_decision_that_keeps_losing_the_race_says_changed_meanwhile(
        clubs: World, referee: str, db: FakeDatabase):
    claim = await referee_claim(clubs, referee)
    fjell, _ = await targets(clubs, claim.id)
    env: Env = clubs.env
    for _ in range(env.attempts):
        db.meanwhile(lambda: claims.comment(env, referee, claim.id, "Kommer du i morgen?"))
    with pytest.raises(ChangedMeanwhile):
        await approvals.decide(env, fjell, KASSERER, "approve")
    stored = clubs.stored(claim.id)
    assert [a.state for a in stored.approvals] == ["open", "open"]
    assert db.messages("payer_approved") == []


async def test_a_losing_attempt_leaves_nothing_in_the_outbox(
        clubs: World, referee: str, db: FakeDatabase):
    claim = await referee_claim(clubs, referee)
    fjell, dal = await targets(clubs, claim.id)
    db.meanwhile(lambda: approvals.decide(clubs.env, dal, LEDER, "return", "Feil kamp"))
    with pytest.raises(StageNotOpen):
        await approvals.decide(clubs.env, fjell, KASSERER, "approve")
    assert db.messages("payer_approved") == []
    assert len(db.messages("returned", channel="telegram")) == 1
    assert clubs.stored(claim.id).status is Status.RETURNED
