"""One bad message never stops the approvals behind it (issue 9, "what was seen" 1 and 7).

Through a real Dovecot and the real store (SQLite and PostgreSQL): the known triggers each
end in Processed or Rejected, a message that fails as OUR error is retried a bounded number
of times and then filed to ``Failed`` (never deleted), and the valid approval after them
all is applied.
"""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime

from imap_tools import MailBoxUnencrypted
from sqlalchemy import select

from domain.claim import Status
from mail import inbound_worker
from mail.inbound_worker import RetryPolicy, imap_pass, maildir_pass
from mail.sources import MaildirSource
from service.inbound import handle_reply
from store import tables as t
from tests.integration.helpers import Clock, deliver, sql, sql_env
from tests.integration.test_inbound import GATEWAY, _claim, _keys, _submitted, reply
from tests.support import hostile_mail as hostile


def boxes(account) -> dict[str, int]:
    with MailBoxUnencrypted(account.host, account.port).login(account.user,
                                                               account.password) as box:
        counts = {}
        for name in ("INBOX", "Processed", "Rejected", "Failed"):
            if box.folder.exists(name):
                box.folder.set(name)
                counts[name] = len(box.uids())
        return counts


def triggers(key: str) -> list[bytes]:
    to = f"krav+{key}@kvitt.example.no"
    return [hostile.nested(1000, 1, to), hostile.nul_subject(2, to), hostile.long_from(3, to),
            hostile.many_addresses(5000, 4, to)]


async def test_the_known_poison_messages_are_filed_and_the_approval_behind_them_applies(
        engine, imap):
    account, source = imap
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    _, claim = await _submitted(env)
    (key,) = await _keys(env)
    for raw in triggers(key):
        deliver(account, raw)
    deliver(account, reply(key, "Godkjent"))
    await imap_pass(env, source, GATEWAY)
    assert (await _claim(env, claim.id)).status is Status.APPROVED
    assert boxes(account) == {"INBOX": 0, "Processed": 1, "Rejected": 4, "Failed": 0}


async def _awaiting(engine):
    """A submitted claim on ``engine``: the clock, the environment, the claim and its key."""
    clock = Clock(datetime(2026, 3, 10, 12, tzinfo=UTC))
    env = sql_env(engine, clock)
    _, claim = await _submitted(env)
    (key,) = await _keys(env)
    return clock, env, claim, key


async def test_our_own_error_is_retried_with_backoff_then_filed_to_failed_never_deleted(
        engine, imap, monkeypatch):
    account, source = imap
    clock, env, claim, key = await _awaiting(engine)
    real = handle_reply  # the use case the worker calls

    async def broken_for_one(env, read):
        if "boom" in read.text:
            raise RuntimeError("a bug of ours")
        return await real(env, read)

    monkeypatch.setattr(inbound_worker, "handle_reply", broken_for_one)
    deliver(account, reply(key, "boom"))
    deliver(account, reply(key, "Godkjent"))
    policy = RetryPolicy(attempts=3, first_wait=60)
    await imap_pass(env, source, GATEWAY, policy)
    assert (await _claim(env, claim.id)).status is Status.APPROVED  # not blocked
    assert boxes(account) == {"INBOX": 1, "Processed": 1, "Rejected": 0, "Failed": 0}
    await imap_pass(env, source, GATEWAY, policy)  # too soon: not tried again
    async with env.uow() as uow:
        (row,) = (await sql(uow).connection.execute(select(t.inbound_failures))).mappings()
    assert row["attempts"] == 1 and "RuntimeError: a bug of ours" in row["last_error"]
    for _ in range(2):
        clock.advance(minutes=10)
        await imap_pass(env, source, GATEWAY, policy)
    assert boxes(account) == {"INBOX": 0, "Processed": 1, "Rejected": 0, "Failed": 1}
    async with env.uow() as uow:
        failed = (await sql(uow).connection.execute(
            select(t.inbound_failures.c.message_id))).scalar_one()
        assert await uow.inbound.outcome(failed) == "failed"


async def test_a_maildir_poison_message_is_filed_and_the_worker_goes_on(engine, tmp_path):
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    _, claim = await _submitted(env)
    (key,) = await _keys(env)
    box = mailbox.Maildir(tmp_path / "mail", create=True)
    for raw in [*triggers(key), reply(key, "Godkjent")]:
        box.add(raw)
    source = MaildirSource(tmp_path / "mail")
    assert await maildir_pass(env, source, GATEWAY) == 5
    assert (await _claim(env, claim.id)).status is Status.APPROVED
    assert len(source.box) == 0
    assert {name: len(folder) for name, folder in source.folders.items()} == {
        "Processed": 1, "Rejected": 4, "Failed": 0}


async def test_an_approval_that_loses_every_race_for_its_claim_is_not_refused_but_applied_later(
        engine, imap, monkeypatch):
    """``changed_meanwhile`` is no refusal (service.inbound's docstring): tried again later."""
    from domain.errors import ChangedMeanwhile
    from service import approvals, inbound

    account, source = imap
    clock, env, claim, key = await _awaiting(engine)
    real = approvals.decide_in  # what service.inbound calls
    races: list[int] = []

    async def saved_first_by_someone_else(*args, **kwargs):
        claim = await real(*args, **kwargs)
        if len(races) < env.attempts:  # the store's save lost: every try of the first pass
            races.append(1)
            raise ChangedMeanwhile()
        return claim

    monkeypatch.setattr(inbound, "decide_in", saved_first_by_someone_else)
    deliver(account, reply(key, "Godkjent"))
    await imap_pass(env, source, GATEWAY)
    assert len(races) == env.attempts
    assert (await _claim(env, claim.id)).status is Status.AWAITING
    assert boxes(account) == {"INBOX": 1, "Processed": 0, "Rejected": 0, "Failed": 0}
    async with env.uow() as uow:
        outbox = (await sql(uow).connection.execute(select(t.outbox.c.kind))).scalars().all()
    assert "refusal" not in outbox  # nothing asked of the approver
    clock.advance(minutes=2)  # past the first backoff
    await imap_pass(env, source, GATEWAY)
    assert (await _claim(env, claim.id)).status is Status.APPROVED
    assert boxes(account) == {"INBOX": 0, "Processed": 1, "Rejected": 0, "Failed": 0}
