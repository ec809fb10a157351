"""Delivering the outbox: lease due rows, send each outside any transaction, record it.

A sender raises ``TryLater`` for a temporary fault of one row (a 4xx answer, a rate
limit), ``ServerAway`` when the server cannot be reached at all (the row waits without
using up its tries: an outage of any length loses no mail), and ``Undeliverable`` for a
permanent one (address unknown, bot blocked); anything else is treated as temporary and
logged as ours. Rows are leased, so two workers
never send the same row, and one that dies gives its rows back when the lease
ends. A row is marked sent right after its send, in its own short transaction.

Leases are short (``Env.lease``, a minute unless ``KVITT_OUTBOX_LEASE`` says otherwise:
a row whose worker was SIGKILLed mid-send goes out again within about a lease) and
renewed every third of a lease (``HEARTBEAT``) while the send is in progress, so a slow
send (a big PDF to a slow server) keeps its row. A row that was sent while the database
went away is recorded as soon as it is back (``_mark_sent``), so it does not go out again
when its lease ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from service.context import Env
from service.messages import Message, UnreadableMessage
from service.ports import OutboxMessage, OutboxRow

log = logging.getLogger("kvitt.delivery")


class TryLater(Exception):
    """A temporary failure: the row is tried again after a backoff."""


class ServerAway(TryLater):
    """The server could not be reached (or refuses us): nothing is wrong with the row.

    The row is tried again after its backoff without using up one of its tries, and the
    pass stops (the rows behind it would meet the same server). An SMTP server away for a
    weekend must not turn every approval mail queued meanwhile into a permanent failure.
    """


class Undeliverable(Exception):
    """A permanent failure: the row is given up and shown in the admin digest."""


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0


Sender = Callable[[OutboxRow], Awaitable[None]]
HEARTBEAT = 1 / 3  # of the lease: how often the lease of a row being sent is renewed
RECORD_FOR = 300.0  # seconds a sent row's record is retried while the database is away
M = TypeVar("M", bound=Message)
C = TypeVar("C")
R = TypeVar("R")


def handles(cls: type[M], handler: Callable[[C, M], R]
            ) -> tuple[type[Message], Callable[[C, Any], R]]:
    """One entry of a worker's table; mypy checks the handler takes this class."""
    return cls, handler


def dispatch(table: Mapping[type[Message], Callable[[C, Any], R]], context: C,
             message: OutboxMessage) -> R:
    """The worker's handler for ``message``, called; a message it has none for is permanent."""
    body = message.body
    if isinstance(body, UnreadableMessage):
        raise Undeliverable(f"unreadable outbox row {body.kind!r}: {body.error}")
    handler = table.get(type(body))
    if handler is None:
        raise Undeliverable(f"no {message.channel} handler for {body.kind!r}")
    return handler(context, body)


def _beat(env: Env) -> float:
    """Seconds between renewals of a lease, and the longest wait to record a sent row."""
    return env.lease.total_seconds() * HEARTBEAT


async def _lease_one(env: Env, channel: str) -> OutboxRow | None:
    async with env.uow() as uow:
        rows = await uow.outbox.claim_due(channel, env.clock(), 1, env.lease)
        await uow.commit()
    return rows[0] if rows else None


async def deliver_due(env: Env, channel: str, send: Sender, *, limit: int = 20) -> DeliveryReport:
    """One pass over up to ``limit`` due rows of ``channel``.

    Each row is leased just before it is sent, and the lease is renewed while the send
    runs: a slow batch never lets another worker take a row still waiting here.
    """
    sent = retried = failed = 0
    for _ in range(limit):
        row = await _lease_one(env, channel)
        if row is None:
            break
        try:
            await _with_heartbeat(env, row, send)
        except ServerAway as exc:
            await _record(env, row, str(exc), permanent=False, counted=False)
            retried += 1
            break
        except Undeliverable as exc:
            await _record(env, row, str(exc), permanent=True)
            failed += 1
        except TryLater as exc:
            await _record(env, row, str(exc), permanent=False)
            retried += 1
        except Exception as exc:  # ours, not the recipient's: logged, the row retried
            log.error("delivery of outbox row %s (%s) failed: %s", row.id, row.message.kind,
                      type(exc).__name__, exc_info=exc)
            await _record(env, row, f"{type(exc).__name__}: {exc}", permanent=False)
            retried += 1
        else:
            await _mark_sent(env, row)
            sent += 1
    return DeliveryReport(sent, retried, failed)


async def _mark_sent(env: Env, row: OutboxRow) -> None:
    """Record that ``row`` went out, trying again while the database is away.

    The mail has left: if this record is lost, the row goes out a second time once its
    lease ends. So a failure here does not give the row up: it is tried again (0.5, 1, 2
    … s apart, at most 30 s and at most a third of the lease) for up to ``RECORD_FOR``
    seconds, the worker's other work waiting (it needs the database too); only then is it
    left to the lease. The heartbeat has stopped by then, so a database away for longer
    than two thirds of the lease right after a send lets another worker take the row
    when the database is back, and send it a second time (about 40 s with the default
    minute; the fault table's 8-second cut sent nothing twice).
    """
    delay, waited = 0.5, 0.0
    while True:
        try:
            async with env.uow() as uow:
                await uow.outbox.mark_sent(row.id, env.clock())
                await uow.commit()
            return
        except Exception as exc:  # the database is away: the mail must not go out twice
            if waited >= RECORD_FOR:
                log.error("outbox row %s was sent but could not be recorded; it may go out "
                          "again", row.id, exc_info=exc)
                raise
            log.warning("outbox row %s was sent; recording it failed (%s), trying again in "
                        "%.1f s", row.id, type(exc).__name__, delay)
            await asyncio.sleep(delay)
            waited += delay
            delay = min(delay * 2, 30.0, _beat(env))


async def _with_heartbeat(env: Env, row: OutboxRow, send: Sender) -> None:
    """``send(row)``, renewing the row's lease while it runs."""
    async def beat() -> None:
        while True:
            await asyncio.sleep(_beat(env))
            with contextlib.suppress(Exception):  # a missed beat: the next one may pass
                async with env.uow() as uow:
                    await uow.outbox.extend_lease(row.id, env.clock() + env.lease)
                    await uow.commit()

    heart = asyncio.create_task(beat())
    try:
        await send(row)
    finally:
        heart.cancel()


async def _record(env: Env, row: OutboxRow, error: str, *, permanent: bool,
                  counted: bool = True) -> None:
    async with env.uow() as uow:
        await uow.outbox.mark_failed(row.id, env.clock(), error, permanent=permanent,
                                     counted=counted)
        await uow.commit()
