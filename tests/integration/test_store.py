"""The SQL store on SQLite and PostgreSQL: the same tests, both databases."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from bot.notices import notice
from domain.claim import Actor, ClaimLine, Status
from domain.errors import ChangedMeanwhile
from domain.lines import ItemLine, MileageLeg, Night, PerDiem
from service import admin, approvals, claims, members
from service.delivery import deliver_due
from service.dialog import dialog_turn
from service.inbound import ReadReply, handle_reply
from service.messages import UnreadableMessage
from service.ports import OutboxMessage
from store import tables as t
from store.blobs import FileBlobs
from store.uow import SqlUnitOfWork
from tests.integration.helpers import EXAMPLES, Clock, sql_env
from tests.support.samples import paid

REFEREE = Actor("claimant", "x", "telegram")


async def _referee_claim(env):
    await admin.apply_organisations(env, (EXAMPLES / "handball-region-nord.toml").read_text())
    tromso = await admin.create_invite(env, "tromso-hk")
    bodo = await admin.create_invite(env, "bodo-hk")
    claimant, _ = await members.join(env, 4242, "Kari Dommer", tromso.code)
    await members.join(env, 4242, "Kari Dommer", bodo.code)
    claim = await claims.create_claim(env, claimant.id, ["tromso-hk", "bodo-hk"], "Mars 2026")
    lines = [
        ClaimLine("l1", ItemLine(date(2026, 3, 7), Decimal(1), Decimal("565.00"), True,
                                 "Kamphonorar 3. div", "kamp-3div"), payer="tromso-hk"),
        ClaimLine("l2", ItemLine(date(2026, 3, 8), Decimal(1), Decimal("310.00"), True,
                                 "Kamphonorar 5. div", "kamp-5div"), payer="bodo-hk"),
        ClaimLine("l3", MileageLeg(date(2026, 3, 7), Decimal(120), passengers=("Ola",))),
        ClaimLine("l4", PerDiem(datetime(2026, 3, 7, 9), datetime(2026, 3, 8, 16),
                                Decimal(120), (Night(date(2026, 3, 7), "hotel"),))),
    ]
    for line in lines:
        claim = await claims.add_line(env, claimant.id, claim.id, line)
    return claimant, claim


async def test_a_claim_round_trips_with_lines_approvals_and_log(engine):
    env = sql_env(engine)
    claimant, claim = await _referee_claim(env)
    submitted = await claims.submit(env, claimant.id, claim.id)
    async with SqlUnitOfWork(engine) as uow:
        loaded = await uow.claims.get(claim.id)
    assert loaded is not None
    assert loaded.reference == "K-2026-000001"
    assert [line.body for line in loaded.lines] == [line.body for line in submitted.lines]
    assert [line.computed for line in loaded.lines] == [line.computed for line in submitted.lines]
    assert loaded.lines[3].computed is not None
    assert loaded.lines[3].computed.rates_used["paid.per_diem.overnight"] == "1012"
    assert [(a.payer, a.state) for a in loaded.approvals] == [
        ("bodo-hk", "open"), ("tromso-hk", "open")]
    assert [e.kind for e in loaded.events][-3:] == ["submitted", "stage_opened", "stage_opened"]
    assert loaded.status is Status.AWAITING
    assert loaded.version == submitted.version


async def test_the_region_file_applies_three_clubs_and_a_second_apply_changes_nothing(engine):
    env = sql_env(engine)
    for path in sorted(EXAMPLES.glob("*.toml")):
        first = await admin.apply_organisations(env, path.read_text())
        again = await admin.apply_organisations(env, path.read_text())
        assert all(changed for _, changed in first), path.name
        assert not any(changed for _, changed in again), path.name
    async with SqlUnitOfWork(engine) as uow:
        slugs = [stored.organisation.slug for stored in await uow.organisations.all()]
    assert slugs == ["bodo-hk", "eksempel-forening", "eksempel-kommune", "narvik-hk",
                     "tromso-hk"]


async def test_a_stale_version_is_refused_instead_of_overwriting(engine):
    env = sql_env(engine)
    _, claim = await _referee_claim(env)
    async with SqlUnitOfWork(engine) as uow:
        stale = await uow.claims.get(claim.id)  # someone reads …
    async with SqlUnitOfWork(engine) as uow:
        fresh = await uow.claims.get(claim.id)
        assert fresh is not None
        fresh.title = "first"
        await uow.claims.save(fresh)  # … someone else saves first …
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        assert stale is not None
        stale.title = "second"
        with pytest.raises(ChangedMeanwhile):
            await uow.claims.save(stale)  # … so the first reader's write is refused
    async with SqlUnitOfWork(engine) as uow:
        kept = await uow.claims.get(claim.id)
    assert kept is not None and kept.title == "first"


async def test_nothing_is_saved_without_commit(engine):
    env = sql_env(engine)
    _, claim = await _referee_claim(env)
    async with SqlUnitOfWork(engine) as uow:
        loaded = await uow.claims.get(claim.id)
        assert loaded is not None
        loaded.title = "never saved"
        await uow.claims.save(loaded)
    async with SqlUnitOfWork(engine) as uow:
        again = await uow.claims.get(claim.id)
    assert again is not None and again.title == "Mars 2026"


async def test_references_count_per_year(engine):
    async with SqlUnitOfWork(engine) as uow:
        refs = [await uow.claims.next_reference(2026) for _ in range(3)]
        refs.append(await uow.claims.next_reference(2027))
        await uow.commit()
    assert refs == ["K-2026-000001", "K-2026-000002", "K-2026-000003", "K-2027-000001"]


async def test_an_approval_by_reply_key_lands_and_notifies_the_claimant(engine):
    env = sql_env(engine)
    claimant, claim = await _referee_claim(env)
    await claims.submit(env, claimant.id, claim.id)
    async with SqlUnitOfWork(engine) as uow:
        rows = (await uow.connection.execute(select(t.outbox))).mappings().all()
    requests = {r["recipient"]: r["payload"]["reply_key"] for r in rows
                if r["kind"] == "approval_request"}
    assert set(requests) == {"dommer@tromso-hk.no", "dommer@bodo-hk.no"}
    for approver, key in requests.items():
        target = await approvals.target_of_key(env, key, approver.upper())
        await approvals.decide(env, target, approver, "approve", source_message_id=f"<{key}@x>")
    async with SqlUnitOfWork(engine) as uow:
        done = await uow.claims.get(claim.id)
        kinds = (await uow.connection.execute(
            select(t.outbox.c.kind).where(t.outbox.c.channel == "telegram"))).scalars().all()
    assert done is not None and done.status is Status.APPROVED
    assert sorted(kinds) == ["claim_approved", "payer_approved"]
    assert {e.source_message_id for e in done.events if e.kind == "approved"} == {
        f"<{key}@x>" for key in requests.values()}


async def test_a_stored_message_of_an_unknown_kind_fails_once_and_for_good(engine):
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    async with SqlUnitOfWork(engine) as uow:
        await uow.connection.execute(insert(t.outbox).values(
            kind="retruned", channel="telegram", recipient="1", payload={"claim_id": "c1"},
            dedupe_key="k9", status="pending", attempts=0, next_try_at=now, created_at=now))
        await uow.outbox.add(OutboxMessage(paid(), "telegram", "2", "k10"), now)
        await uow.commit()
    env = sql_env(engine, Clock(now))
    sent: list[str] = []

    async def send(row):
        sent.append(notice(row.message)[0])

    report = await deliver_due(env, "telegram", send)
    assert (report.sent, report.retried, report.failed) == (1, 0, 1)  # the next row still goes
    assert sent == ["💰 K-2026-000001 «Kamp 3. mars» er utbetalt 12.03.2026."]
    async with SqlUnitOfWork(engine) as uow:
        [failed] = await uow.outbox.queued(status="failed")
    assert isinstance(failed.message.body, UnreadableMessage)
    assert failed.last_error == "unreadable outbox row 'retruned': unknown stored kind 'retruned'"


async def test_dialog_state_and_attachment_tables_exist_with_their_keys(engine):
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    async with SqlUnitOfWork(engine) as uow:
        await uow.connection.execute(t.dialog_states.insert().values(
            chat_id=2**40, flow="claim", step="km", data={"draft": {"km": "12.5"}},
            updated_at=now))
        await uow.connection.execute(t.attachments.insert().values(
            hash="ab" * 32, mime="image/jpeg", size=1234, created_at=now))
        await uow.connection.execute(t.inbound_messages.insert().values(
            message_id="<m1@x>", received_at=now, outcome="approved", detail=""))
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        row = (await uow.connection.execute(select(t.dialog_states))).mappings().one()
    assert row["data"] == {"draft": {"km": "12.5"}}
    assert row["updated_at"] == now


async def test_line_ids_are_unique_per_claim_only(engine):
    env = sql_env(engine)
    claimant, first = await _referee_claim(env)
    second = await claims.create_claim(env, claimant.id, ["tromso-hk"], "April 2026")
    same_id = ClaimLine("l1", MileageLeg(date(2026, 3, 3), Decimal(30)))
    await claims.add_line(env, claimant.id, second.id, same_id)
    async with SqlUnitOfWork(engine) as uow:
        a, b = await uow.claims.get(first.id), await uow.claims.get(second.id)
    assert a is not None and b is not None
    assert a.line("l1").body != b.line("l1").body


async def test_a_receipt_lands_in_the_data_folder_by_hash_and_in_the_table(engine, tmp_path):
    env = replace(sql_env(engine), blobs=FileBlobs(tmp_path / "attachments"))
    claimant, claim = await _referee_claim(env)
    pdf = b"%PDF-1.4\n" + b"bom 44 kr\n" * 50
    await claims.attach_file(env, claimant.id, claim.id, "l3", pdf)
    async with SqlUnitOfWork(engine) as uow:
        stored = await uow.claims.get(claim.id)
        row = (await uow.connection.execute(select(t.attachments))).mappings().one()
    assert stored is not None
    (content_hash,) = stored.line("l3").attachments
    assert (tmp_path / "attachments" / content_hash[:2] / content_hash).read_bytes() == pdf
    assert (row["hash"], row["mime"], row["size"]) == (content_hash, "application/pdf", len(pdf))


async def test_two_first_turns_of_a_new_chat_run_one_after_the_other(engine):
    env = sql_env(engine)
    order: list[str] = []

    async def turn(name: str):
        async def handler(dialog) -> None:
            order.append(f"{name} saw {dialog.state.data.get('n', 0)}")
            dialog.state.data["n"] = dialog.state.data.get("n", 0) + 1
            await asyncio.sleep(0.05)  # the other turn would read now, if it could
        await dialog_turn(env, 555, 555, handler)

    await asyncio.gather(turn("a"), turn("b"))
    async with SqlUnitOfWork(engine) as uow:
        state = await uow.dialogs.get(555)
    assert state is not None and state.data["n"] == 2  # neither turn's save was lost
    assert sorted(order) in (["a saw 0", "b saw 1"], ["a saw 1", "b saw 0"])


async def test_a_claim_made_just_after_new_year_in_oslo_gets_the_new_years_reference(engine):
    env = sql_env(engine, Clock(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)))  # 00:30 in Oslo
    _, first = await _referee_claim(env)
    assert first.reference == "K-2027-000001"


async def test_an_approval_with_a_very_long_message_id_is_applied_and_confirmed(engine):
    env = sql_env(engine)
    claimant, claim = await _referee_claim(env)
    await claims.submit(env, claimant.id, claim.id)
    async with SqlUnitOfWork(engine) as uow:
        found = (await uow.connection.execute(select(
            t.reply_keys.c.key, t.reply_keys.c.approver))).first()
    assert found is not None
    key, approver = found
    long_id = "<" + "a" * 500 + "@mail.example.no>"
    outcome = await handle_reply(env, ReadReply(long_id, approver, key=key, intent="approve"))
    assert outcome.kind == "approved"
    again = await handle_reply(env, ReadReply(long_id, approver, key=key, intent="approve"))
    assert again.kind == "duplicate"
