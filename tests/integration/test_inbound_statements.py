"""An approver's reply costs a fixed handful of statements and writes what a whole save would.

A reply reads the claim for its decision only (``ClaimRepository.for_decision``: its row
and approvals, not its lines and log) and writes the claim's row, the decided approval,
one event and its notices, so its cost does not grow with the claim (issue 13). Counted
on the real databases, so a regression fails in CI rather than in the bench.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from domain.claim import ClaimLine
from domain.lines import ItemLine
from harness.region import APPROVER, world
from harness.statements import counted
from service import admin, approvals, claims, members
from service.approvals import Decision, Target
from service.context import Env
from service.inbound import ReadReply, handle_reply
from store import tables as t
from store.claims import _FOR_DECISION, _KEY_FOR_DECISION
from store.reports import explain
from store.uow import SqlUnitOfWork
from tests.integration.helpers import EXAMPLES, Clock, sql, sql_env
from tests.integration.test_approver_changes import ALLOCATION
from tests.integration.test_payroll_store import _claim

# BEGIN and COMMIT aside: the key with its claim, the log's length, its approvals, its
# claimant and its payers' versions (parsed before, so not read again); the claim's row,
# the approval, the event, the notices (one statement for all of them), the inbound
# record (a second delivery is told by it)
APPROVAL_STATEMENTS = 6
# on PostgreSQL the events ride on the claim's row and the notices on the record (a
# data-modifying WITH each): two round trips fewer
APPROVAL_STATEMENTS_PG = 4


async def _key(env: Env, claim_id: str, slug: str, round_: int) -> str:
    async with env.uow() as uow:
        key = await uow.reply_keys.for_approval(claim_id, slug, 0, round_, APPROVER[slug])
    assert key is not None
    return key.key


async def test_an_approval_reply_costs_the_same_statements_on_a_long_claim(engine):
    env, _, referee = await world(engine)
    short = await _claim(env, referee)
    long = await _claim(env, referee, submit=False)
    for n in range(20):  # a long claim: many lines, a long log
        long = await claims.add_line(env, referee, long.id, ClaimLine(f"x{n}", ItemLine(
            date(2026, 3, 7), Decimal(1), Decimal("565.00"), True, "Kamp", "kamp-3div"),
            "tromso-hk"))
    long = await claims.submit(env, referee, long.id)
    spent = []
    for n, claim in enumerate((short, long)):
        key = await _key(env, claim.id, "tromso-hk", claim.round)
        with counted(engine) as seen:
            outcome = await handle_reply(env, ReadReply(
                f"<{n}@x>", APPROVER["tromso-hk"], key=key, intent="approve"))
        assert outcome.kind == "approved"
        spent.append(seen)
    most = APPROVAL_STATEMENTS_PG if engine.dialect.name == "postgresql" else APPROVAL_STATEMENTS
    assert len(spent[0]) == len(spent[1]) <= most, spent
    # neither the lines nor the log are read or written
    assert not [s for s in spent[1] if "claim_lines" in s], spent[1]
    assert not [s for s in spent[1] if s.lstrip().upper().startswith("SELECT claim_events")]


async def test_a_comment_reply_writes_its_event_and_confirmation_with_its_other_rows(engine):
    # one event and one notice: on PostgreSQL each rides on a statement the reply makes
    # anyway (the claim's row, the inbound record): three statements, not five
    env, _, referee = await world(engine)
    claim = await _claim(env, referee)
    key = await _key(env, claim.id, "tromso-hk", claim.round)
    with counted(engine) as seen:
        outcome = await handle_reply(env, ReadReply(
            "<c@x>", APPROVER["tromso-hk"], key=key, intent="comment", text="Hvilken kamp?"))
    assert outcome.kind == "commented"
    assert len(seen) == (3 if engine.dialect.name == "postgresql" else 5), seen
    async with env.uow() as uow:
        conn = sql(uow).connection
        event = (await conn.execute(select(t.claim_events.c.kind, t.claim_events.c.text).where(
            t.claim_events.c.source_message_id == "<c@x>"))).all()
        notice = (await conn.execute(select(t.outbox.c.kind, t.outbox.c.recipient).where(
            t.outbox.c.dedupe_key == "confirm:<c@x>"))).all()
    assert [tuple(r) for r in event] == [("commented", "Hvilken kamp?")]
    assert [tuple(r) for r in notice] == [("decision_confirmation", APPROVER["tromso-hk"])]


KOMMUNE = (EXAMPLES / "kommune-avlastning.toml").read_text()
COORDINATOR, MANAGER = "koordinator@eksempel-kommune.no", "enhetsleder@eksempel-kommune.no"


async def _rows(env, table: Any, claim_id: str, *skip: str) -> list[dict[str, Any]]:
    """The claim's rows of ``table``, without the columns that differ between two claims."""
    column = table.c.id if table is t.claims else table.c.claim_id
    async with env.uow() as uow:
        found = (await sql(uow).connection.execute(select(table).where(
            column == claim_id).order_by(*table.primary_key.columns))).mappings().all()
    return [{k: v for k, v in row.items() if k not in ("id", "claim_id", *skip)}
            for row in found]


async def _notices(env, claim_id: str) -> list[tuple[str, str, str]]:
    async with env.uow() as uow:
        found = (await sql(uow).connection.execute(select(t.outbox).order_by(
            t.outbox.c.id))).mappings().all()
    return [(r["kind"], r["recipient"], r["dedupe_key"].replace(claim_id, "C"))
            for r in found if r["payload"].get("claim_id") == claim_id
            and r["kind"] != "decision_confirmation"]  # the reply's own answer


async def test_a_claim_decided_by_replies_is_stored_as_the_whole_claim_decided_would_be(engine):
    """Two stages, a comment, an approval and the last approval; and a return."""
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    await admin.apply_organisations(env, KOMMUNE)
    invite = await admin.create_invite(env, "eksempel-kommune")
    claimant, _ = await members.join(env, 11, "Aina", invite.code)
    await members.update_profile(env, claimant.id, email="aina@example.no")

    async def submitted() -> Any:
        claim = await claims.create_claim(env, claimant.id, ["eksempel-kommune"], "Mars",
                                          allocation=ALLOCATION)
        await claims.add_line(env, claimant.id, claim.id, ClaimLine("h", ItemLine(
            date(2026, 3, 9), Decimal(10), Decimal("95.00"), True, "Avlaster", "avlaster-lav")))
        return await claims.submit(env, claimant.id, claim.id)

    async def keys(claim_id: str) -> dict[tuple[str, int], str]:
        async with env.uow() as uow:
            found = (await sql(uow).connection.execute(select(t.reply_keys).where(
                t.reply_keys.c.claim_id == claim_id))).mappings().all()
        return {(r["approver"], r["stage"]): r["key"] for r in found}

    runs: list[list[tuple[str, int, Decision, str]]] = [
        [(COORDINATOR, 0, "comment", "Ser på det i kveld"),
         (COORDINATOR, 0, "approve", ""), (MANAGER, 1, "approve", "")],
        [(COORDINATOR, 0, "comment", "Hvilken dag?"), (COORDINATOR, 0, "return", "Feil dato")]]
    for steps in runs:
        whole, replied = await submitted(), await submitted()
        for n, (who, stage, decision, text) in enumerate(steps):
            await approvals.decide(env, Target(whole.id, "eksempel-kommune", stage, 1), who,
                                   decision, text)
            key = (await keys(replied.id))[(who, stage)]
            outcome = await handle_reply(env, ReadReply(f"<{replied.id}.{n}@x>", who, key=key,
                                                        intent=decision, text=text))
            assert outcome.processed, outcome
        for table, skip in ((t.claims, ("reference",)), (t.approvals, ()),
                            (t.claim_events, ("source_message_id",)),
                            (t.claim_payers, ()), (t.claim_lines, ())):
            assert await _rows(env, table, replied.id, *skip) == await _rows(
                env, table, whole.id, *skip), table.name
        assert await _notices(env, replied.id) == await _notices(env, whole.id)


def test_the_saved_approval_statement_writes_every_column_the_approval_row_has():
    # built once from the table's columns; a row with a column the table lacks (or the
    # other way round) would fail or never be saved
    from domain.claim import Approval
    from store.claims import _approval_row

    row = _approval_row("c", Approval(1, "tromso-hk", 0, "Attestasjon", ("a@x.no",)), None)
    assert set(row) == {c.name for c in t.approvals.c} - {"id"}


async def test_a_second_delivery_changes_nothing_even_when_both_arrive_at_once(engine):
    # the record, written last, tells a second delivery: everything it did is rolled back
    env, _, referee = await world(engine)
    claim = await _claim(env, referee)
    key = await _key(env, claim.id, "tromso-hk", claim.round)
    comment = ReadReply("<c@x>", APPROVER["tromso-hk"], key=key, intent="comment",
                        text="Hvilken kamp?")

    async def written() -> tuple[int, int, int]:
        async with env.uow() as uow:
            conn = sql(uow).connection
            counts = [len((await conn.execute(select(table))).all())
                      for table in (t.claim_events, t.outbox, t.inbound_messages)]
        return counts[0], counts[1], counts[2]

    first = await handle_reply(env, comment)
    after = await written()
    again = await handle_reply(env, comment)
    assert (first.kind, again.kind, again.processed) == ("commented", "duplicate", True)
    assert await written() == after
    approval = ReadReply("<a@x>", APPROVER["tromso-hk"], key=key, intent="approve")
    both = sorted(o.kind for o in await asyncio.gather(handle_reply(env, approval),
                                                      handle_reply(env, approval)))
    assert both == ["approved", "duplicate"]
    events, _, records = await written()
    assert (events, records) == (after[0] + 2, after[2] + 1)  # stage and payer approved


async def test_a_reply_reads_its_own_claim_only_and_by_index(engine):
    # a scalar subquery nested two deep stopped correlating once and read every claim's
    # payers: the cost grew with the database, and the count above did not see it
    env, _, referee = await world(engine)
    claims_ = [await _claim(env, referee) for _ in range(2)]
    one = await claims.create_claim(env, referee, ["tromso-hk"], "Én betaler")
    key = await _key(env, claims_[0].id, "tromso-hk", claims_[0].round)
    async with SqlUnitOfWork(engine) as uow:
        conn = uow.connection
        row = (await conn.execute(_FOR_DECISION, {"b_id": one.id})).mappings().first()
        assert row is not None and row["payer_versions"].split("=")[0] == "tromso-hk"
        assert row["payer_versions"].count("=") == 1, row["payer_versions"]
        if conn.dialect.name == "postgresql":  # a small table is scanned; may it use one?
            await conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = await explain(conn, _KEY_FOR_DECISION.params(b_key=key))
    assert "SCAN claims" not in plan and "Seq Scan on claims" not in plan, plan
    assert "SCAN claim_payers" not in plan and "Seq Scan on claim_payers" not in plan, plan


async def test_the_key_sent_for_an_approval_is_found_by_index(engine):
    # the hourly reminders look one up per awaiting approval: without the index each read
    # every key ever issued (1.5 million rows in the benchmark's database)
    from store.people import KEY_FOR_APPROVAL

    env, _, referee = await world(engine)
    claim = await _claim(env, referee)
    async with SqlUnitOfWork(engine) as uow:
        found = await uow.reply_keys.for_approval(claim.id, "tromso-hk", 0, claim.round,
                                                  APPROVER["tromso-hk"])
        conn = uow.connection
        if conn.dialect.name == "postgresql":  # a small table is scanned; may it use one?
            await conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = await explain(conn, KEY_FOR_APPROVAL.params(
            b_claim=claim.id, b_payer="tromso-hk", b_stage=0, b_round=claim.round,
            b_approver=APPROVER["tromso-hk"]))
    assert found is not None and found.claim_id == claim.id
    assert "ix_reply_keys_approval" in plan, plan


async def test_a_claims_log_is_read_by_the_index_that_keeps_it_in_order(engine):
    # migration 0010 dropped claim_events' own claim_id index: (claim_id, seq) serves
    from store.claims import _CHILDREN_OF

    env, _, referee = await world(engine)
    claim = await _claim(env, referee)
    async with SqlUnitOfWork(engine) as uow:
        conn = uow.connection
        if conn.dialect.name == "postgresql":  # a small table is scanned; may it use one?
            await conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = await explain(conn, _CHILDREN_OF[2].params(b_id=claim.id))
        indexes = await conn.run_sync(
            lambda sync: sa_inspect(sync).get_indexes("claim_events"))
    assert "uq_claim_events_seq" in plan or "sqlite_autoindex_claim_events" in plan, plan
    assert "ix_claim_events_claim_id" not in {index["name"] for index in indexes}


def test_the_statements_that_carry_a_replys_rows_are_compiled_once():
    # a statement without a cache key is compiled at every execution: a multi-row VALUES
    # has none, and cost a reply more than the round trip the statement saves
    from store.claims import _SAVE_DECIDED_LOGGING
    from store.people import _RECORD_CARRYING

    for statement in (*_SAVE_DECIDED_LOGGING.values(), *_RECORD_CARRYING.values()):
        assert statement._generate_cache_key() is not None, statement


@pytest.mark.parametrize("dialect", [postgresql.dialect(), sqlite.dialect()],
                         ids=["postgresql", "sqlite"])
def test_the_hot_statements_are_not_rewritten_at_each_execution(dialect):
    # a ``literal_execute`` parameter (``func.aggregate_strings``' separator) is written
    # into the SQL text at every execution; the dialog's first statement runs at every
    # update of the bot, an approval's at every reply (``store.joined``)
    from store.people import _CLAIMANT_BY_TELEGRAM, _dialog_open

    for statement in (_dialog_open(dialect.name), _FOR_DECISION, _KEY_FOR_DECISION,
                      _CLAIMANT_BY_TELEGRAM):
        compiled = statement.compile(dialect=dialect)
        assert not compiled.literal_execute_params and not compiled.post_compile_params
        assert ("string_agg(" if dialect.name == "postgresql" else "group_concat(") in str(
            compiled)
