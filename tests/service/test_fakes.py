"""The fakes behave like the SQL store where the use cases can tell the difference."""

from datetime import UTC, datetime

import pytest

from domain.claim import Claim
from domain.errors import ChangedMeanwhile
from service.messages import Refusal
from service.ports import OutboxMessage
from tests.service.fakes import FakeDatabase, FakeUnitOfWork
from tests.support.samples import SAMPLES

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def a_claim(claim_id: str = "c1") -> Claim:
    return Claim(id=claim_id, reference="K-2026-000001", claimant_id="p1", payers=("ik-fjell",),
                 title="Reise")


async def stored(db: FakeDatabase, claim: Claim) -> None:
    async with FakeUnitOfWork(db) as uow:
        await uow.claims.add(claim)
        await uow.commit()


async def test_work_that_is_not_committed_is_not_seen_by_a_later_unit_of_work():
    db = FakeDatabase()
    async with FakeUnitOfWork(db) as uow:
        await uow.claims.add(a_claim())
        await uow.outbox.add(OutboxMessage(SAMPLES[Refusal], "email", "a@b.no", "k1"), AT)
    assert not uow.committed
    async with FakeUnitOfWork(db) as later:
        assert await later.claims.get("c1") is None
    assert db.outbox == {}


async def test_committed_work_is_seen_by_a_later_unit_of_work():
    db = FakeDatabase()
    await stored(db, a_claim())
    async with FakeUnitOfWork(db) as uow:
        claim = await uow.claims.get("c1")
    assert claim is not None and claim.title == "Reise"


async def test_a_loaded_claim_is_a_copy_until_saved_and_committed():
    db = FakeDatabase()
    await stored(db, a_claim())
    async with FakeUnitOfWork(db) as uow:
        claim = await uow.claims.get("c1")
        assert claim is not None
        claim.title = "Endret"
        await uow.claims.save(claim)
    assert db.claims["c1"].title == "Reise"


async def test_saving_bumps_the_version():
    db = FakeDatabase()
    await stored(db, a_claim())
    async with FakeUnitOfWork(db) as uow:
        claim = await uow.claims.get("c1")
        assert claim is not None
        await uow.claims.save(claim)
        await uow.commit()
    assert claim.version == 1
    assert db.claims["c1"].version == 1


async def test_saving_a_claim_someone_else_saved_first_raises_changed_meanwhile():
    db = FakeDatabase()
    await stored(db, a_claim())
    async with FakeUnitOfWork(db) as first, FakeUnitOfWork(db) as second:
        mine, theirs = await first.claims.get("c1"), await second.claims.get("c1")
        assert mine is not None and theirs is not None
        await second.claims.save(theirs)
        await second.commit()
        with pytest.raises(ChangedMeanwhile):
            await first.claims.save(mine)


async def test_commit_fails_when_someone_else_committed_between_save_and_commit():
    db = FakeDatabase()
    await stored(db, a_claim())
    async with FakeUnitOfWork(db) as first, FakeUnitOfWork(db) as second:
        mine, theirs = await first.claims.get("c1"), await second.claims.get("c1")
        assert mine is not None and theirs is not None
        await first.claims.save(mine)
        await second.claims.save(theirs)
        await second.commit()
        with pytest.raises(ChangedMeanwhile):
            await first.commit()
    assert db.claims["c1"].version == 1


async def test_the_outbox_ignores_a_repeated_dedupe_key():
    db = FakeDatabase()
    for text in ("first", "second"):
        async with FakeUnitOfWork(db) as uow:
            await uow.outbox.add(OutboxMessage(Refusal(refusal=text), "email", "a@b.no", "k1"), AT)
            await uow.commit()
    assert [m.payload["refusal"] for m in db.messages()] == ["first"]


async def test_references_count_up_per_year_and_only_when_committed():
    db = FakeDatabase()
    async with FakeUnitOfWork(db) as uow:
        assert await uow.claims.next_reference(2026) == "K-2026-000001"
    async with FakeUnitOfWork(db) as uow:
        assert await uow.claims.next_reference(2026) == "K-2026-000001"
        assert await uow.claims.next_reference(2026) == "K-2026-000002"
        assert await uow.claims.next_reference(2027) == "K-2027-000001"
        await uow.commit()
    async with FakeUnitOfWork(db) as uow:
        assert await uow.claims.next_reference(2026) == "K-2026-000003"
