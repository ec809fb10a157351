"""Races on PostgreSQL, where workers really run at once: nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from domain.claim import Status
from domain.errors import ClaimLocked, InviteInvalid, StageNotOpen, WithdrawRefused
from service import admin, approvals, claims, members
from service.ports import OutboxMessage
from store import tables as t
from store.engine import make_engine
from store.uow import SqlUnitOfWork
from tests.integration.conftest import truncate
from tests.integration.helpers import EXAMPLES, sql_env
from tests.integration.test_store import _referee_claim
from tests.support.samples import paid


@pytest.fixture
async def pg_engine(pg_database):
    engine = make_engine(pg_database)
    await truncate(engine)
    yield engine
    await engine.dispose()


async def _keys(engine) -> dict[str, str]:
    async with SqlUnitOfWork(engine) as uow:
        rows = (await uow.connection.execute(select(t.outbox).where(
            t.outbox.c.kind == "approval_request"))).mappings().all()
    return {r["recipient"]: r["payload"]["reply_key"] for r in rows}


async def _decide(env, approver, key):
    target = await approvals.target_of_key(env, key, approver)
    return await approvals.decide(env, target, approver, "approve")


@pytest.mark.parametrize("attempt", range(5))
async def test_two_approvals_and_a_withdraw_racing_end_consistent(pg_engine, attempt):
    env = sql_env(pg_engine)
    claimant, claim = await _referee_claim(env)
    await claims.submit(env, claimant.id, claim.id)
    keys = await _keys(pg_engine)
    racers = [_decide(env, approver, key) for approver, key in keys.items()]
    racers.append(claims.withdraw(env, claimant.id, claim.id))
    outcomes = await asyncio.gather(*racers, return_exceptions=True)

    async with SqlUnitOfWork(pg_engine) as uow:
        final = await uow.claims.get(claim.id)
    assert final is not None
    approved = [a for a in final.round_approvals() if a.state == "approved"]
    withdrew = isinstance(outcomes[2], type(final))
    if withdrew:
        # the withdraw came first: nobody approved, the approvals got "stage not open"
        assert final.status is Status.DRAFT
        assert approved == []
        assert all(isinstance(o, StageNotOpen) for o in outcomes[:2] if not
                   isinstance(o, type(final)))
    else:
        # after the first approval: refused; after both: the claim is locked
        assert isinstance(outcomes[2], WithdrawRefused | StageNotOpen | ClaimLocked), outcomes[2]
        assert len(approved) >= 1
    # no lost update: every approval that reported success is in the stored claim
    succeeded = [o for o in outcomes[:2] if isinstance(o, type(final))]
    assert len(approved) == len(succeeded)
    if len(approved) == 2:
        assert final.status is Status.APPROVED
    kinds = [e.kind for e in final.events]
    assert kinds.count("approved") == len(approved)
    assert kinds.count("withdrawn") == (1 if withdrew else 0)


async def test_two_outbox_workers_never_take_the_same_row(pg_engine):
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    async with SqlUnitOfWork(pg_engine) as uow:
        for i in range(40):
            await uow.outbox.add(OutboxMessage(paid(), "telegram", str(i), f"k{i}"), now)
        await uow.commit()

    async def worker() -> list[int]:
        taken: list[int] = []
        while True:
            async with SqlUnitOfWork(pg_engine) as uow:
                rows = await uow.outbox.claim_due("telegram", now, limit=3)
                await asyncio.sleep(0.01)  # hold the row locks while the other worker runs
                for row in rows:
                    await uow.outbox.mark_sent(row.id, now)
                await uow.commit()
            if not rows:
                return taken
            taken += [row.id for row in rows]

    first, second = await asyncio.gather(worker(), worker())
    assert not set(first) & set(second)
    assert sorted(first + second) == list(range(1, 41))
    assert first and second  # both did work: SKIP LOCKED let them run side by side


async def test_a_single_use_invite_joins_exactly_one_of_two_racing_people(pg_engine):
    env = sql_env(pg_engine)
    await admin.apply_organisations(env, (EXAMPLES / "forening-kvann.toml").read_text())
    code = (await admin.create_invite(env, "eksempel-forening")).code
    outcomes = await asyncio.gather(members.join(env, 1, "A", code),
                                    members.join(env, 2, "B", code), return_exceptions=True)
    assert sum(isinstance(o, InviteInvalid) for o in outcomes) == 1
    assert sum(isinstance(o, tuple) for o in outcomes) == 1


async def test_first_claims_of_a_year_created_at_once_get_distinct_references(pg_engine):
    async def one() -> str:
        async with SqlUnitOfWork(pg_engine) as uow:
            reference = await uow.claims.next_reference(2031)
            await uow.commit()
            return reference

    references = await asyncio.gather(*(one() for _ in range(6)))
    assert sorted(references) == [f"K-2031-{n:06d}" for n in range(1, 7)]
