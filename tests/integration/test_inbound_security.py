"""Forgeries through a real Dovecot into the real store: 0 accepted, 0 backscatter (issue 9).

Backscatter (seen 4): replies with a forged From and a valid key are refused to nobody.
Negations (seen 5): an approval retracted in its paragraph never approves; the text
becomes a comment to the claimant and the approver is told the answer was unclear.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.claim import Status
from mail.inbound_worker import imap_pass
from tests.integration.helpers import Clock, deliver, folders, sql_env
from tests.integration.test_inbound import (
    APPROVER,
    GATEWAY,
    _claim,
    _keys,
    _outbox,
    _submitted,
    reply,
)


async def test_twenty_forged_froms_with_a_valid_key_get_no_answer_and_change_nothing(
        engine, imap):
    account, source = imap
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    _, claim = await _submitted(env)
    (key,) = await _keys(env)
    for n in range(20):
        deliver(account, reply(key, "Godkjent", sender=f"victim{n}@elsewhere.example"))
    await imap_pass(env, source, GATEWAY)
    assert (await _claim(env, claim.id)).status is Status.AWAITING
    assert await _outbox(env, "refusal") == []
    assert folders(account)["Rejected"] == 20


@pytest.mark.parametrize("text", [
    "Godkjent, men ikke før dere har rettet kjøringen", "Godkjent - men nei, ikke likevel",
    "Godkjent... eller nei", "GODKJENT!!! (ikke)", "Approved, but not yet",
    "Godkjent\nmen vent litt"])
async def test_a_retracted_approval_is_a_comment_and_the_approver_is_asked_again(
        engine, imap, text):
    account, source = imap
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    _, claim = await _submitted(env)
    (key,) = await _keys(env)
    deliver(account, reply(key, text))
    await imap_pass(env, source, GATEWAY)
    stored = await _claim(env, claim.id)
    assert stored.status is Status.AWAITING
    assert [e.text for e in stored.events if e.kind == "commented"] == [text]
    assert [(r["recipient"], r["payload"]["refusal"]) for r in await _outbox(env, "refusal")] \
        == [(APPROVER, "unclear_decision")]
    assert folders(account)["Processed"] == 1
