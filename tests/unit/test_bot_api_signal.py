"""The local Bot API endpoint's change signal: a change between a check and the wait wakes it.

A long-polling ``getUpdates`` checks for updates, then waits on the signal in a task of
its own; an update added before that task first runs must still end the wait at once,
not after the whole poll timeout (the lost wake-up that made one chat's bench dialog run
at one update a second).
"""

from __future__ import annotations

import asyncio
import time

from harness.bot_api_server import _Signal


async def test_a_change_before_the_waiting_task_first_runs_still_wakes_it():
    signal = _Signal()
    waiter = asyncio.ensure_future(signal.wait(5))  # as get_updates waits
    signal.fire()  # the change lands before the task has taken its first step
    started = time.monotonic()
    await asyncio.wait_for(waiter, 5)
    assert time.monotonic() - started < 1


async def test_without_a_change_the_wait_ends_at_its_timeout():
    started = time.monotonic()
    await _Signal().wait(0.05)
    assert time.monotonic() - started >= 0.04
