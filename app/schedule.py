"""The scheduler role: reminders every hour, each organisation's digest at its time.

A plain asyncio loop rather than PTB's JobQueue: the JobQueue lives inside a bot
Application, and the scheduler must also run as its own process (``--only
scheduler``) with no bot at all. Exactly one scheduler is active (the role's
advisory lock in ``app/run.py``); every job goes through the outbox with a dedupe
key per day, so a restart or a second pass in the same hour sends nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, time

from domain.calendar import OSLO
from service import admin
from service.context import Env
from service.digest import digest, queue_digest
from service.reminders import remind

log = logging.getLogger("kvitt.scheduler")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class Schedule:
    """When digests go out (Oslo time); ``weekday`` empty means every day."""

    digest_at: time = time(7, 0)
    weekday: str = ""


def digest_due(schedule: Schedule, now: datetime) -> bool:
    """Whether ``now`` is at or past today's digest time (on the digest's weekday)."""
    local = now.astimezone(OSLO)
    if schedule.weekday not in ("", "daily") and WEEKDAYS[local.weekday()] != schedule.weekday:
        return False
    return local.time() >= schedule.digest_at


async def tick(env: Env, schedule: Schedule, now: datetime) -> None:
    """One look: reminders, and the digests once their time has come today."""
    report = await remind(env, now)
    if report.claimant_nudges or report.deadline_warnings or report.approver_reminders:
        log.info("reminders queued: %s nudges, %s deadline warnings, %s approver reminders",
                 report.claimant_nudges, report.deadline_warnings, report.approver_reminders)
    if digest_due(schedule, now):
        for org in await admin.all_organisations(env):
            queued = await queue_digest(env, await digest(env, org.slug, now))
            if queued:
                log.info("digest for %s queued to %s admins", org.slug, queued)


async def scheduler(env: Env, schedule: Schedule, stop: asyncio.Event, *,
                    every: float = 3600) -> None:
    """Tick until ``stop``: at start, then every ``every`` seconds."""
    while not stop.is_set():
        await tick(env, schedule, env.clock())
        with contextlib.suppress(TimeoutError):  # the interval passed: tick again
            await asyncio.wait_for(stop.wait(), every)
