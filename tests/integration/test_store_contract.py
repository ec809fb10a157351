"""The store's contract (``service/ports.py``), run against the fakes, SQLite and PostgreSQL.

The service tests trust the fakes in ``tests/service/fakes.py`` to behave like the
SQL store; these tests hold both to the same promises, each test once per store,
the outbox's leases and retry backoff included. What the fakes leave out on purpose
(locking between concurrent workers) is tested on the SQL store alone, elsewhere.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest

from domain.claim import ClaimLine, Status
from domain.errors import ChangedMeanwhile
from domain.lines import MileageLeg
from service import admin, claims, members
from service.context import Env
from service.messages import ApprovalRequest, Message, ReturnedNotice
from service.ports import (
    AWAY_WAIT,
    LEASE,
    MAX_ATTEMPTS,
    DialogState,
    OutboxMessage,
    ReplyKey,
    StoredOrganisation,
    backoff,
)
from store.engine import make_engine
from tests.integration.conftest import empty_database
from tests.integration.helpers import EXAMPLES, Clock, sql_env
from tests.service.fakes import FakeDatabase, FakeUnitOfWork
from tests.support.samples import SAMPLES, paid

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


@pytest.fixture(params=["fakes", "sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Env]:
    """The use cases' environment on one store; the same clock and ids for each."""
    clock = Clock(NOW)
    if request.param == "fakes":
        db = FakeDatabase()
        sql = sql_env(make_engine("sqlite+aiosqlite://"), clock)  # its ids and keys only
        yield replace(sql, uow=lambda: FakeUnitOfWork(db), read=None)
        return
    engine = await empty_database(request.param, request, tmp_path)
    yield sql_env(engine, clock)
    await engine.dispose()


async def _claim(env: Env, telegram_id: int = 4242, title: str = "Mars") -> tuple[str, str]:
    """A referee's draft claim with one driving line: (claimant id, claim id)."""
    async with env.uow() as uow:
        applied = await uow.organisations.get("tromso-hk") is not None
    if not applied:
        await admin.apply_organisations(env, (EXAMPLES / "handball-region-nord.toml")
                                        .read_text("utf-8"))
    invite = await admin.create_invite(env, "tromso-hk")
    claimant, _ = await members.join(env, telegram_id, "Kari Dommer", invite.code)
    claim = await claims.create_claim(env, claimant.id, ["tromso-hk"], title)
    await claims.add_line(env, claimant.id, claim.id,
                          ClaimLine("l1", MileageLeg(date(2026, 3, 2), Decimal(120))))
    return claimant.id, claim.id


async def test_nothing_is_kept_without_commit(store: Env):
    organisation = (await admin.apply_organisations(
        store, (EXAMPLES / "forening-kvann.toml").read_text("utf-8")))[0][0]
    changed = replace(organisation, slug="ny-forening")
    async with store.uow() as uow:
        await uow.organisations.put(StoredOrganisation(changed, "{}", "x"))
        await uow.dialogs.put(DialogState(7, "new_claim", "title", {"a": 1}, NOW))
    async with store.uow() as uow:
        assert await uow.organisations.get("ny-forening") is None
        assert await uow.dialogs.get(7) is None
        assert [s.organisation.slug for s in await uow.organisations.all()] == [
            "eksempel-forening"]


async def test_a_claim_comes_back_as_saved_by_id_and_by_reference(store: Env):
    claimant_id, claim_id = await _claim(store)
    async with store.uow() as uow:
        claim = await uow.claims.get(claim_id)
        assert claim is not None
        same = await uow.claims.by_reference(claim.reference)
        assert await uow.claims.get("no-such-id") is None
        assert await uow.claims.by_reference("K-2026-999999") is None
    assert same is not None and same.id == claim_id
    assert (claim.claimant_id, claim.title, tuple(claim.payers)) == (claimant_id, "Mars",
                                                                     ("tromso-hk",))
    assert [line.body for line in claim.lines] == [MileageLeg(date(2026, 3, 2), Decimal(120))]
    assert claim.reference == "K-2026-000001"


async def test_references_count_up_per_year_and_are_never_reused(store: Env):
    async with store.uow() as uow:
        first = [await uow.claims.next_reference(2026), await uow.claims.next_reference(2026)]
        other_year = await uow.claims.next_reference(2027)
        await uow.commit()
    async with store.uow() as uow:
        then = await uow.claims.next_reference(2026)
        await uow.commit()
    assert first == ["K-2026-000001", "K-2026-000002"]
    assert other_year == "K-2027-000001" and then == "K-2026-000003"


async def test_a_save_over_a_newer_version_is_refused(store: Env):
    _, claim_id = await _claim(store)
    async with store.uow() as uow:
        stale = await uow.claims.get(claim_id)
    async with store.uow() as uow:
        fresh = await uow.claims.get(claim_id)
        assert fresh is not None
        fresh.title = "Mars, rettet"
        await uow.claims.save(fresh)
        await uow.commit()
    assert stale is not None
    stale.title = "Mars, utdatert"
    with pytest.raises(ChangedMeanwhile):
        async with store.uow() as uow:
            await uow.claims.save(stale)
            await uow.commit()
    async with store.uow() as uow:
        kept = await uow.claims.get(claim_id)
    assert kept is not None and kept.title == "Mars, rettet"


async def test_claims_of_a_claimant_and_of_a_payer_come_newest_first(store: Env):
    kari, first = await _claim(store, 4242, "Mars")
    _, second = await _claim(store, 4242, "April")
    nils, third = await _claim(store, 4343, "Mai")
    async with store.uow() as uow:
        mine = [c.id for c in await uow.claims.for_claimant(kari)]
        assert [c.id for c in await uow.claims.for_claimant(kari, newest=1)] == mine[:1]
        theirs = [c.id for c in await uow.claims.for_claimant(nils)]
        paid_by = [c.id for c in await uow.claims.for_payer("tromso-hk")]
        nobody = await uow.claims.for_payer("bodo-hk")
    assert mine == [second, first] and theirs == [third]
    assert paid_by == [third, second, first] and list(nobody) == []


async def test_claims_of_a_claimant_in_a_status_and_the_newest_with_their_lines_only(
        store: Env):
    kari, first = await _claim(store, 4242, "Mars")
    _, second = await _claim(store, 4242, "April")
    async with store.uow() as uow:
        claim = await uow.claims.get(first)
        assert claim is not None and claim.lines and claim.events
        claim.status = Status.RETURNED
        await uow.claims.save(claim)
        await uow.commit()
    async with store.uow() as uow:
        drafts = [c.id for c in await uow.claims.for_claimant(kari, statuses=[Status.DRAFT])]
        either = [c.id for c in await uow.claims.for_claimant(
            kari, statuses=[Status.DRAFT, Status.RETURNED])]
        none = await uow.claims.for_claimant(kari, statuses=[Status.PAID])
        newest = await uow.claims.newest_lines(kari, 6)
        whole = await uow.claims.for_claimant(kari)
    assert drafts == [second] and either == [second, first] and list(none) == []
    assert [c.id for c in newest] == [c.id for c in whole]
    for light, full in zip(newest, whole, strict=True):
        assert light.lines == full.lines and light.payers == full.payers
        assert light.title == full.title and light.status == full.status
        assert light.approvals == [] and light.events == []
    async with store.uow() as uow:
        assert [c.id for c in await uow.claims.newest_lines(kari, 1)] == [second]
        assert list(await uow.claims.newest_lines("nobody", 6)) == []


async def test_a_claimant_is_found_by_telegram_id_and_changes_are_kept(store: Env):
    claimant_id, _ = await _claim(store)
    async with store.uow() as uow:
        found = await uow.claimants.by_telegram(4242)
        assert found is not None and found.id == claimant_id
        assert await uow.claimants.by_telegram(1) is None
        found.set_bank_account("1234.56.78903")
        await uow.claimants.save(found)
        await uow.commit()
    async with store.uow() as uow:
        again = await uow.claimants.get(claimant_id)
    assert again is not None and again.bank_account == "12345678903"
    assert again.memberships == {"tromso-hk"}


async def test_organisations_are_replaced_by_slug_and_listed_by_slug(store: Env):
    text = (EXAMPLES / "handball-region-nord.toml").read_text("utf-8")
    await admin.apply_organisations(store, text)
    async with store.uow() as uow:
        slugs = [s.organisation.slug for s in await uow.organisations.all()]
        stored = await uow.organisations.get("bodo-hk")
        assert stored is not None
        # the canonical source is what the SQL store keeps and reads back
        await uow.organisations.put(StoredOrganisation(
            replace(stored.organisation, name="Bodø HK (ny)"),
            stored.source.replace("Bodø Håndballklubb", "Bodø HK (ny)"), "changed"))
        await uow.commit()
    async with store.uow() as uow:
        after = await uow.organisations.get("bodo-hk")
        count = len(await uow.organisations.all())
    assert slugs == sorted(slugs) and len(slugs) == count == 3
    assert after is not None and after.organisation.name == "Bodø HK (ny)"
    assert after.source_hash == "changed"


async def test_an_invites_uses_are_kept(store: Env):
    await _claim(store)
    invite = await admin.create_invite(store, "tromso-hk", max_uses=3)
    await members.join(store, 5151, "Nils", invite.code)
    async with store.uow() as uow:
        found = await uow.invites.get(invite.code)
        assert await uow.invites.get("nope") is None
    assert found is not None and found.uses == 1 and found.max_uses == 3


def _message(key: str, channel: str = "email",
             kind: type[Message] = ApprovalRequest) -> OutboxMessage:
    body = replace(cast(Any, SAMPLES[kind]), claim_id=key)
    return OutboxMessage(body, channel, "dommer@tromso-hk.no", key)


async def test_the_outbox_keeps_one_row_per_dedupe_key_and_delivers_each_once(store: Env):
    async with store.uow() as uow:
        for key in ("a", "b", "a"):
            await uow.outbox.add(_message(key), NOW)
        await uow.outbox.add(_message("t", channel="telegram", kind=ReturnedNotice), NOW)
        await uow.commit()
    async with store.uow() as uow:
        due = await uow.outbox.claim_due("email", NOW)
        await uow.commit()
    assert [row.message.dedupe_key for row in due] == ["a", "b"]
    assert due[0].message == _message("a")
    async with store.uow() as uow:
        await uow.outbox.mark_sent(due[0].id, NOW)
        await uow.outbox.mark_failed(due[1].id, NOW, "550 no such user", permanent=True)
        await uow.commit()
    later = NOW + timedelta(days=1)
    async with store.uow() as uow:
        assert list(await uow.outbox.claim_due("email", later)) == []
        telegram = await uow.outbox.claim_due("telegram", later)
        queued = await uow.outbox.queued(ApprovalRequest)
        await uow.commit()
    assert [row.message.kind for row in telegram] == ["returned"]
    assert [(q.message.dedupe_key, q.status) for q in queued] == [("a", "sent"),
                                                                  ("b", "failed")]
    assert queued[1].last_error is not None and "550" in queued[1].last_error


async def test_several_questions_to_the_outbox_in_one_read_answer_as_each_alone(store: Env):
    async with store.uow() as uow:
        await uow.outbox.add(_message("old"), NOW - timedelta(days=3))
        for key in ("a", "b"):
            await uow.outbox.add(_message(key), NOW)
        await uow.outbox.add(_message("t", channel="telegram", kind=ReturnedNotice), NOW)
        await uow.commit()
    async with store.uow() as uow:
        (row, *_) = await uow.outbox.claim_due("email", NOW)
        await uow.outbox.mark_failed(row.id, NOW, "550", permanent=True)
        await uow.commit()
    asks = [(ApprovalRequest, None, NOW - timedelta(days=1)), (ReturnedNotice, None, None),
            (None, "failed", None), (None, "failed", NOW), (ApprovalRequest, "failed", None),
            (ReturnedNotice, None, NOW + timedelta(days=1))]
    async with store.uow() as uow:
        each = await uow.outbox.queued_each(asks)
        alone = [await uow.outbox.queued(kind, status=status, since=since)
                 for kind, status, since in asks]
    assert each == alone
    assert [[q.message.dedupe_key for q in found] for found in each] == [
        ["a", "b"], ["t"], ["old"], [], ["old"], []]


async def test_a_failed_send_backs_off_and_a_leased_row_is_not_taken_twice(store: Env):
    message = OutboxMessage(paid(), "telegram", "4242", "k1")
    async with store.uow() as uow:
        await uow.outbox.add(message, NOW)
        await uow.outbox.add(message, NOW)
        await uow.commit()
    async with store.uow() as uow:
        first = await uow.outbox.claim_due("telegram", NOW)
        assert [row.message for row in first] == [message]
        assert list(await uow.outbox.claim_due("telegram", NOW)) == []  # leased
        await uow.outbox.mark_failed(first[0].id, NOW, "timeout")
        await uow.commit()
    async with store.uow() as uow:
        assert list(await uow.outbox.claim_due("telegram", NOW + timedelta(seconds=29))) == []
        retry = await uow.outbox.claim_due("telegram", NOW + timedelta(seconds=30))
        assert [row.attempts for row in retry] == [1]
        await uow.outbox.mark_sent(retry[0].id, NOW)
        await uow.commit()
    async with store.uow() as uow:
        assert list(await uow.outbox.claim_due("telegram", NOW + timedelta(days=1))) == []
        assert [(q.status, q.last_error) for q in await uow.outbox.queued()] == [
            ("sent", "timeout")]


async def _one_row(store: Env, key: str) -> None:
    """One Telegram notice in the outbox, committed."""
    async with store.uow() as uow:
        await uow.outbox.add(OutboxMessage(paid(), "telegram", "1", key), NOW)
        await uow.commit()


async def test_a_row_is_given_up_after_the_last_attempt(store: Env):
    await _one_row(store, "k4")
    at = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        async with store.uow() as uow:
            (row,) = await uow.outbox.claim_due("telegram", at)
            assert row.attempts == attempt - 1
            await uow.outbox.mark_failed(row.id, at, f"try {attempt}")
            await uow.commit()
        at += backoff(attempt)
    async with store.uow() as uow:
        assert list(await uow.outbox.claim_due("telegram", at + timedelta(days=1))) == []
        (failed,) = await uow.outbox.queued(status="failed")
    assert failed.last_error == f"try {MAX_ATTEMPTS}"


async def test_a_try_while_the_server_was_away_uses_up_none_of_the_rows_tries(store: Env):
    await _one_row(store, "k5")
    at = NOW
    for _ in range(MAX_ATTEMPTS + 2):
        async with store.uow() as uow:
            (row,) = await uow.outbox.claim_due("telegram", at)
            assert row.attempts == 0
            await uow.outbox.mark_failed(row.id, at, "Bot API unreachable", counted=False)
            await uow.commit()
        assert list(await _due(store, at + AWAY_WAIT - timedelta(seconds=1))) == []
        at += AWAY_WAIT
    async with store.uow() as uow:
        assert [q.status for q in await uow.outbox.queued()] == ["pending"]


async def _due(store: Env, at):
    async with store.uow() as uow:
        return await uow.outbox.claim_due("telegram", at)  # not committed: leases nothing


async def test_a_lease_that_runs_out_gives_the_row_back(store: Env):
    await _one_row(store, "k2")
    async with store.uow() as uow:
        assert len(await uow.outbox.claim_due("telegram", NOW)) == 1
        await uow.commit()  # the worker dies here without marking anything
    async with store.uow() as uow:
        assert list(await uow.outbox.claim_due("telegram", NOW + LEASE - timedelta(seconds=1))
                    ) == []
        assert len(await uow.outbox.claim_due("telegram", NOW + LEASE)) == 1


async def test_a_heartbeat_keeps_the_lease_of_a_row_still_being_sent(store: Env):
    await _one_row(store, "k3")
    async with store.uow() as uow:
        (row,) = await uow.outbox.claim_due("telegram", NOW)
        await uow.outbox.extend_lease(row.id, NOW + timedelta(minutes=2))
        await uow.commit()
    async with store.uow() as uow:
        assert list(await uow.outbox.claim_due("telegram", NOW + timedelta(seconds=90))) == []
        assert len(await uow.outbox.claim_due("telegram", NOW + timedelta(minutes=2))) == 1


async def test_a_lease_taken_in_a_unit_of_work_that_does_not_commit_is_not_kept(store: Env):
    await _one_row(store, "k5")
    async with store.uow() as uow:
        assert len(await uow.outbox.claim_due("telegram", NOW)) == 1
    async with store.uow() as uow:
        assert len(await uow.outbox.claim_due("telegram", NOW)) == 1


async def test_reply_keys_are_found_by_key_and_the_newest_by_approval(store: Env):
    _, claim_id = await _claim(store)
    old = ReplyKey("k1", claim_id, "tromso-hk", 0, 1, "dommer@tromso-hk.no", NOW)
    new = replace(old, key="k2", created_at=NOW + timedelta(hours=1))
    other = replace(old, key="k3", round=2, created_at=NOW + timedelta(hours=2))
    async with store.uow() as uow:
        for key in (old, new, other):
            await uow.reply_keys.add(key)
        await uow.commit()
    async with store.uow() as uow:
        assert await uow.reply_keys.get("k1") == old
        assert await uow.reply_keys.get("nope") is None
        newest = await uow.reply_keys.for_approval(claim_id, "tromso-hk", 0, 1,
                                                   "dommer@tromso-hk.no")
        assert await uow.reply_keys.for_approval(claim_id, "tromso-hk", 0, 1, "x@y.no") is None
    assert newest == new


async def test_an_attachment_is_recorded_once_with_its_type(store: Env):
    async with store.uow() as uow:
        await uow.attachments.add("sha256:ab", "image/jpeg", 10, NOW)
        await uow.attachments.add("sha256:ab", "image/png", 99, NOW)  # the same file again
        await uow.commit()
    async with store.uow() as uow:
        assert await uow.attachments.mime("sha256:ab") == "image/jpeg"
        assert await uow.attachments.mime("sha256:cd") is None


async def test_a_chats_dialog_state_is_replaced_whole(store: Env):
    async with store.uow() as uow:
        assert await uow.dialogs.get(7) is None
        await uow.dialogs.put(DialogState(7, "new_claim", "title", {"payers": ["a"]}, NOW))
        await uow.commit()
    async with store.uow() as uow:
        await uow.dialogs.put(DialogState(7, "new_claim", "lines", {"title": "Mars"}, NOW))
        await uow.commit()
    async with store.uow() as uow:
        state = await uow.dialogs.get(7)
    assert state is not None
    assert (state.flow, state.step, state.data) == ("new_claim", "lines", {"title": "Mars"})


async def test_the_inbound_log_keeps_outcomes_failures_and_bouncing_addresses(store: Env):
    later = NOW + timedelta(hours=1)
    async with store.uow() as uow:
        assert await uow.inbound.outcome("<m1@x>") is None
        assert await uow.inbound.record("<m1@x>", NOW, "approved", "", None)
        # once: a second record of the message changes nothing
        assert not await uow.inbound.record("<m1@x>", later, "wrong_sender", "", None)
        assert await uow.inbound.record_failure("<m2@x>", NOW, "boom", later) == 1
        assert await uow.inbound.record_failure("<m2@x>", later, "boom again", later) == 2
        await uow.inbound.mark_bouncing("b@x.no", NOW, "550 first")
        await uow.inbound.mark_bouncing("b@x.no", later, "550 second")
        await uow.inbound.mark_bouncing("a@x.no", later, "mailbox full")
        await uow.commit()
    async with store.uow() as uow:
        assert await uow.inbound.outcome("<m1@x>") == "approved"
        failure = await uow.inbound.failure("<m2@x>")
        assert await uow.inbound.failure("<m1@x>") is None
        bouncing = await uow.inbound.bouncing()
        # a whole pass reads every wait at once: only those still ahead of the time asked
        assert await uow.inbound.waiting(NOW) == {"<m2@x>": later}
        assert await uow.inbound.waiting(later) == {}
    assert failure is not None and (failure.attempts, failure.last_error) == (2, "boom again")
    assert [(b.address, b.since, b.detail) for b in bouncing] == [
        ("a@x.no", later, "mailbox full"), ("b@x.no", NOW, "550 second")]


async def test_the_inbound_log_lists_the_messages_of_some_outcomes_since_a_time(store: Env):
    later = NOW + timedelta(hours=1)
    async with store.uow() as uow:
        await uow.inbound.record("<old@x>", NOW - timedelta(days=1), "wrong_sender", "", "c1")
        await uow.inbound.record("<a@x>", NOW, "wrong_sender", "Re: krav", "c1")
        await uow.inbound.record("<b@x>", NOW, "approved", "Re: krav", "c1")
        await uow.inbound.record_failure("<c@x>", NOW, "boom", later)
        await uow.inbound.record_failure("<c@x>", later, "boom again", later)
        await uow.inbound.record("<c@x>", later, "failed", "boom again", None)
        await uow.inbound.record("<d@x>", later, "unknown_key", "", None)
        await uow.commit()
    async with store.uow() as uow:
        found = await uow.inbound.recorded(NOW, ("wrong_sender", "unknown_key", "failed"))
    assert [(r.message_id, r.at, r.outcome, r.detail, r.claim_id, r.attempts)
            for r in found] == [("<a@x>", NOW, "wrong_sender", "Re: krav", "c1", 0),
                                ("<c@x>", later, "failed", "boom again", None, 2),
                                ("<d@x>", later, "unknown_key", "", None, 0)]


async def test_the_reminders_queries_return_only_the_claims_they_may_concern(store: Env):
    clock = cast(Clock, store.clock)
    kari, early = await _claim(store, 4242, "Tidlig")  # touched now, trip ended 2 March
    clock.advance(days=5)
    _, late = await _claim(store, 4242, "Sent")
    await claims.add_line(store, kari, late, ClaimLine(
        "l2", MileageLeg(date(2026, 3, 8), Decimal(40))))  # touched now, trip ended 8 March
    _, sent = await _claim(store, 4242, "Sendt")
    await members.update_profile(store, kari, bank_account="12345678903")
    await claims.submit(store, kari, sent)  # its stage opens now (15 March)
    draft = [Status.DRAFT]
    async with store.uow() as uow:
        untouched = [c.id for c in await uow.claims.untouched(draft, NOW + timedelta(days=1))]
        all_drafts = {c.id for c in await uow.claims.untouched(draft, clock.now)}
        ended = [c.id for c in await uow.claims.trip_ended_in(
            draft, [(date(2026, 3, 1), date(2026, 3, 3))])]
        both = {c.id for c in await uow.claims.trip_ended_in(
            draft, [(date(2026, 3, 1), date(2026, 3, 2)), (date(2026, 3, 8), date(2026, 3, 9))])}
        none = await uow.claims.trip_ended_in(draft, [])
        waiting = [c.id for c in await uow.claims.waiting_since(clock.now + timedelta(hours=1))]
        not_yet = await uow.claims.waiting_since(clock.now)
    assert untouched == [early] and all_drafts == {early, late}
    assert ended == [early] and both == {early, late} and list(none) == []
    assert waiting == [sent] and list(not_yet) == []
