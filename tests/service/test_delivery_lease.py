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


async def test_a_long_send_keeps_its_row_by_renewing_the_environments_lease(
        clubs, referee, db):
    await clubs.submitted(referee, ("ik-fjell",), clubs.fee("ik-fjell", "565"))
    env = dataclasses.replace(clubs.env, lease=timedelta(seconds=0.3))  # beats every 0.1 s
    sending, done, sent = asyncio.Event(), asyncio.Event(), []

    async def slow(row):
        sending.set()
        await done.wait()
        sent.append(row.message.recipient)

    async def records(row):
        sent.append(row.message.recipient)

    first = asyncio.create_task(deliver_due(env, "email", slow))
    await sending.wait()
    clubs.clock.advance(seconds=5)  # long past the lease the row was taken with
    await asyncio.sleep(0.35)  # real time: the heartbeat renews it at least once
    row, = (r for r in db.outbox.values() if r.status == "sending")
    assert row.locked_until == clubs.clock.now + env.lease  # renewed by this lease
    assert (await deliver_due(env, "email", records)).sent == 0  # still the first's
    done.set()
    assert (await first).sent == 1
    assert sent == ["kasserer@ikfjell.no"]
