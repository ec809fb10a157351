"""The outbox lease is the environment's (``Env.lease``, ``KVITT_OUTBOX_LEASE``).

A worker that stops mid-send (here: its delivery cancelled while the send hangs, as a
killed process leaves it) keeps the row until its lease runs out, and not a moment
longer; then another worker sends it, once.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

from service.delivery import deliver_due
from service.ports import LEASE


async def test_a_row_left_mid_send_goes_out_again_when_the_environments_lease_ends(
        clubs, referee):
    await clubs.submitted(referee, ("ik-fjell",), clubs.fee("ik-fjell", "565"))
    env = dataclasses.replace(clubs.env, lease=timedelta(seconds=10))
    assert env.lease != LEASE
    hung, sent = asyncio.Event(), []

    async def hangs(row):
        hung.set()
        await asyncio.Event().wait()

    async def records(row):
        sent.append(row.message.recipient)

    stopped = asyncio.create_task(deliver_due(env, "email", hangs))
    await hung.wait()
    stopped.cancel()  # the worker is gone mid-send, its row still "sending"
    clubs.clock.advance(seconds=9.9)
    assert (await deliver_due(env, "email", records)).sent == 0
    assert sent == []
    clubs.clock.advance(seconds=0.1)
    assert (await deliver_due(env, "email", records)).sent == 1
    assert sent == ["kasserer@ikfjell.no"]
    clubs.clock.advance(seconds=60)
    assert (await deliver_due(env, "email", records)).sent == 0
