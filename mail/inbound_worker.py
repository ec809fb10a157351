"""The inbound worker: one message at a time, each its own unit; never lose one, never stall.

A message is filed (Processed / Rejected) only after the service has recorded its outcome.
If the connection drops in between, the message is fetched again next time, the service
recognises its Message-ID, and it is filed then: nothing is applied twice, nothing is
left behind.

Reading, applying and filing one message is one unit (Zulip's per-message try in its
mirror worker). What the SENDER got wrong (broken MIME, a wrong key, a forged From) is
never an exception here: the gateway reads it as far as it can and the service refuses
it. An exception is therefore OUR error: it is logged with its traceback, counted against
that message, and the message waits out a backoff while the ones behind it go on; after
``RetryPolicy.attempts`` tries it is filed to ``Failed`` (never deleted) and the admin
digest shows it. If even counting the failure fails, the database is down: the pass
stops and the worker backs off (capped) before it reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import traceback
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from domain.errors import ChangedMeanwhile
from mail.gateway import GatewaySettings, read_reply
from mail.message import message_key, parse_message
from mail.sources import Folder, ImapSettings, ImapSource
from service.context import Env
from service.inbound import (
    Outcome,
    ReadReply,
    RetryPolicy,
    handle_reply,
    record_failure,
    waiting,
    waiting_until,
)

log = logging.getLogger("kvitt.inbound")
MAX_RECONNECT_WAIT = 60.0

__all__ = ["RetryPolicy", "imap_pass", "imap_worker", "inbox_pass", "ingest", "maildir_pass"]


class Source(Protocol):
    """A mailbox (``mail.sources``): list, read and file messages; blocking calls."""

    deferred: dict[str, datetime]

    def pending(self) -> list[str]:
        """Ids in the inbox, oldest first."""

    def read(self, uid: str) -> bytes | None:
        """One message's bytes."""

    def file(self, uids: Sequence[str], folder: Folder) -> None:
        """Move these messages to ``folder``."""


async def ingest(env: Env, raw: bytes, settings: GatewaySettings,
                 message: EmailMessage | None = None) -> Outcome:
    """One raw message through the gateway and the service (``message``: already parsed)."""
    try:
        reply = read_reply(raw, settings, message)
    except Exception as exc:  # an unreadable message is the sender's: recorded, refused
        log.info("unreadable inbound message: %s", type(exc).__name__)
        reply = ReadReply(identity(raw), sender="", subject="(unreadable)")
    outcome = await handle_reply(env, reply)
    log.info("inbound %s: %s", outcome.kind, "processed" if outcome.processed else "rejected")
    return outcome


def error_text(exc: BaseException) -> str:
    """What is recorded against a message that failed: the error, then its traceback."""
    trace = "".join(traceback.format_exception(exc))
    return f"{type(exc).__name__}: {exc}\n{trace[-3000:]}"


def identity(raw: bytes, message: EmailMessage | None = None) -> str:
    """The message's key for the records (Message-ID, else a hash of the bytes)."""
    try:
        return message_key(parse_message(raw) if message is None else message, raw)
    except Exception:  # not even headers: the bytes are the identity
        return "sha256:" + hashlib.sha256(raw).hexdigest()


def _parsed(raw: bytes) -> EmailMessage | None:
    """The message parsed once for all the steps (None: not even that; each step says so)."""
    try:
        return parse_message(raw)
    except Exception:  # the sender's: identity falls back to the bytes, ingest refuses it
        return None


async def handle_one(env: Env, raw: bytes, settings: GatewaySettings, policy: RetryPolicy,
                     waits: Mapping[str, datetime] | None = None) -> Folder | datetime:
    """Where one message goes, or the time until which it waits to be tried again.

    ``waits``: the messages waiting out a backoff, read once for a whole pass (``waiting``);
    without it this message's wait is read on its own.
    """
    message = _parsed(raw)
    key = identity(raw, message)
    until = waits.get(key) if waits is not None else await waiting_until(env, key)
    if until is not None:
        return until
    try:
        outcome = await ingest(env, raw, settings, message)
    except ChangedMeanwhile as exc:  # lost every race for the claim: later, on fresh data
        log.warning("inbound message: the claim changed on every try; trying again later")
        failure = await record_failure(env, key, error_text(exc), policy)
        return "Failed" if policy.gives_up(failure.attempts) else failure.retry_at
    except Exception as exc:  # ours (see the module docstring): counted, retried, set aside
        log.error("inbound message failed: %s", type(exc).__name__, exc_info=exc)
        failure = await record_failure(env, key, error_text(exc), policy)
        return "Failed" if policy.gives_up(failure.attempts) else failure.retry_at
    return "Processed" if outcome.processed else "Rejected"


async def inbox_pass(env: Env, source: Source, settings: GatewaySettings,
                     policy: RetryPolicy | None = None, *, limit: int = 50) -> int:
    """Handle up to ``limit`` messages now in the inbox, one at a time; returns how many.

    A message waiting out its backoff is skipped without being read again until its time
    has come, so it never hides the messages behind it. Each message's outcome is
    committed before the next is read; the handled messages are then filed with one move
    per folder (one IMAP round trip, not one per message), also when the pass stops
    early. A message whose move is lost (the connection drops) is read again next time
    and recognised by its Message-ID, so filing late never applies anything twice.
    """
    policy = policy or RetryPolicy()
    now = env.clock()
    due = [uid for uid in await asyncio.to_thread(source.pending)
           if source.deferred.get(uid, now) <= now][:limit]
    handled: dict[Folder, list[str]] = {}
    waits = await waiting(env) if due else {}
    try:
        for uid in due:
            raw = await asyncio.to_thread(source.read, uid)
            if raw is None:
                continue
            where = await handle_one(env, raw, settings, policy, waits)
            if isinstance(where, datetime):
                source.deferred[uid] = where
                continue
            handled.setdefault(where, []).append(uid)
    finally:
        for folder, uids in handled.items():
            await asyncio.to_thread(source.file, uids, folder)
            for uid in uids:
                source.deferred.pop(uid, None)
    return sum(len(uids) for uids in handled.values())


imap_pass = maildir_pass = inbox_pass


async def imap_worker(env: Env, imap: ImapSettings, settings: GatewaySettings,
                      stop: asyncio.Event, *, interval: float = 30,
                      policy: RetryPolicy | None = None,
                      health: Callable[..., None] | None = None) -> None:
    """Run until ``stop``: connect, pass, wait (IDLE or the interval).

    Any failure of the connection or the database waits 1, 2, 4 … up to 60 s before the
    next try, reset only once a whole pass has gone through. ``health`` (the
    supervisor's ``ready``) hears "leading" once the mailbox answers and "retrying",
    with the error, while it or the database is away, so ``kvitt check`` tells the truth.
    """
    delay = 1.0
    while not stop.is_set():
        source: ImapSource | None = None
        try:
            source = await asyncio.to_thread(ImapSource, imap)
            if health is not None:
                health("leading")
            while not stop.is_set():
                if await imap_pass(env, source, settings, policy) == 0:
                    await asyncio.to_thread(source.wait, min(interval, 5))
                delay = 1.0
        except Exception as exc:  # the server or the database is away: wait, try again
            log.error("inbound pass failed (%s); retrying in %.0f s", type(exc).__name__,
                      delay, exc_info=exc)
            if health is not None:
                health(f"{type(exc).__name__}: {exc}", state="retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, MAX_RECONNECT_WAIT)
        finally:
            if source is not None:
                await asyncio.to_thread(source.close)
