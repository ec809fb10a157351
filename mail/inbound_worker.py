"""The inbound worker: fetch, hand each message to the service, file it; never lose one.

A message is filed (Processed / Rejected) only after the service has recorded
its outcome. If the connection drops in between, the message is fetched again
next time, the service recognises its Message-ID, and it is filed then — so
nothing is applied twice and nothing is left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging

from mail.gateway import GatewaySettings, read_reply
from mail.message import message_key, parse_message
from mail.sources import ImapSettings, ImapSource, MaildirSource
from service.context import Env
from service.inbound import Outcome, ReadReply, handle_reply

log = logging.getLogger("kvitt.inbound")


async def ingest(env: Env, raw: bytes, settings: GatewaySettings) -> Outcome:
    """One raw message through the gateway and the service."""
    try:
        reply = read_reply(raw, settings)
    except Exception as exc:  # an unreadable message is recorded, never lost
        log.info("unreadable inbound message: %s", type(exc).__name__)
        reply = ReadReply(_identity(raw), sender="", subject="(unreadable)")
    outcome = await handle_reply(env, reply)
    log.info("inbound %s: %s", outcome.kind, "processed" if outcome.processed else "rejected")
    return outcome


def _identity(raw: bytes) -> str:
    try:
        return message_key(parse_message(raw), raw)
    except Exception:  # not even headers: the bytes are the identity
        return "sha256:" + hashlib.sha256(raw).hexdigest()


async def imap_pass(env: Env, source: ImapSource, settings: GatewaySettings) -> int:
    """Handle every message now in the inbox; returns how many."""
    batch = await asyncio.to_thread(source.fetch)
    for uid, raw in batch:
        outcome = await ingest(env, raw, settings)
        await asyncio.to_thread(source.file, uid, outcome.processed)
    return len(batch)


async def imap_worker(env: Env, imap: ImapSettings, settings: GatewaySettings,
                      stop: asyncio.Event, *, interval: float = 30) -> None:
    """Run until ``stop``: connect (with backoff), pass, wait (IDLE or the interval)."""
    delay = 1.0
    while not stop.is_set():
        try:
            source = await asyncio.to_thread(ImapSource, imap)
        except Exception as exc:  # the server is away: wait, try again
            log.warning("IMAP connect failed (%s); retrying in %.0f s", type(exc).__name__, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, 300)
            continue
        delay = 1.0
        try:
            while not stop.is_set():
                if await imap_pass(env, source, settings) == 0:
                    await asyncio.to_thread(source.wait, min(interval, 5))
        except Exception as exc:  # a dropped connection: reconnect
            log.warning("IMAP connection lost (%s); reconnecting", type(exc).__name__)
        finally:
            await asyncio.to_thread(source.close)


async def maildir_pass(env: Env, source: MaildirSource, settings: GatewaySettings) -> int:
    """Handle every message in a Maildir inbox; returns how many."""
    count = 0
    for key, raw in list(source.messages()):
        outcome = await ingest(env, raw, settings)
        source.file(key, outcome.processed)
        count += 1
    return count
