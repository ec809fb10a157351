"""Approvers' replies through a real Dovecot: Kvitt's inbound pass against a bare reader.

Each round puts ``n`` replies in the inbox: for each of ``n / 4`` submitted claims, both
clubs' approvers first write a comment ("Ser greit ut, jeg ser på kjøringen i kveld"),
then approve ("Godkjent"). Kvitt reads them with ``imap_pass`` (the inbound role's pass:
fetch one message, read it, apply it in one transaction, file the batch) until the inbox
is empty. The baseline reads the same number of messages from the same server the
barest way that still records them: the same FETCH, the standard library's parser, one
row per message with its Message-ID, one commit each, and one move of the batch. Both
are timed on wall clock per message (the IMAP server is another process on this
machine, as in production); the figure is the median of three rounds.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import statistics
import time
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import sqlalchemy as sa
from imap_tools import MailBoxUnencrypted
from sqlalchemy.ext.asyncio import AsyncEngine

from bench import seed
from domain.claim import Status
from harness.dovecot import (
    DovecotServer,
    ImapAccount,
    deliver,
    dovecot_binary,
    folder_counts,
)
from harness.region import APPROVER, CLUBS
from mail.gateway import GatewaySettings
from mail.inbound_worker import imap_pass
from mail.sources import ImapSettings, ImapSource
from service.context import Env

GATEWAY = GatewaySettings(reply_pattern="krav+{key}@kvitt.example.no",
                          domain="kvitt.example.no")
COMMENT = "Ser greit ut, jeg ser på kjøringen i kveld."
SCRATCH = sa.Table("bench_inbound_baseline", sa.MetaData(),
                   sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                   sa.Column("message_id", sa.String(998)), sa.Column("sender", sa.String(320)))


def _reply(key: str, sender: str, body: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"Godkjenner <{sender}>"
    message["To"] = f"Kvitt <krav+{key}@kvitt.example.no>"
    message["Subject"] = "Re: [K-2026-000001] Til godkjenning: Kamper"
    message["Message-ID"] = make_msgid(domain="mail.example.no")
    message.set_content(f"{body}\n\n> Svar GODKJENT eller RETUR og grunnen.\n")
    return bytes(message)


async def _keys(env: Env, claim_ids: list[str]) -> list[tuple[str, str]]:
    """Each open approval's reply key and its approver, in claim order."""
    found = []
    async with env.uow() as uow:
        for claim_id in claim_ids:
            claim = await uow.claims.get(claim_id)
            assert claim is not None
            for slug in CLUBS:
                key = await uow.reply_keys.for_approval(claim_id, slug, 0, claim.round,
                                                        APPROVER[slug])
                assert key is not None
                found.append((key.key, APPROVER[slug]))
    return found


async def _approved(env: Env, claim_ids: list[str]) -> int:
    async with env.uow() as uow:
        found = [await uow.claims.get(claim_id) for claim_id in claim_ids]
    return sum(1 for claim in found if claim is not None and claim.status is Status.APPROVED)


async def _kvitt_round(env: Env, account: ImapAccount) -> float:
    settings = ImapSettings(account.host, account.port, account.user, account.password,
                            security="plain")
    source = await asyncio.to_thread(ImapSource, settings)
    try:
        start = time.perf_counter()
        while await imap_pass(env, source, GATEWAY, limit=200):
            pass
        return time.perf_counter() - start
    finally:
        await asyncio.to_thread(source.close)


def _fetch(box: Any, uid: str) -> bytes:
    _, data = box.client.uid("FETCH", uid, "(BODY.PEEK[])")
    return bytes(next(item[1] for item in data if isinstance(item, tuple)))


async def _baseline_round(account: ImapAccount, engine: AsyncEngine) -> float:
    """Run as Kvitt's pass runs: IMAP in a thread, the database on the same driver."""
    start = time.perf_counter()
    box = await asyncio.to_thread(MailBoxUnencrypted(account.host, account.port).login,
                                  account.user, account.password)
    try:
        done = []
        for uid in await asyncio.to_thread(box.uids, "ALL"):
            raw = await asyncio.to_thread(_fetch, box, uid)
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            async with engine.begin() as conn:
                await conn.execute(SCRATCH.insert().values(
                    message_id=str(parsed["Message-ID"]), sender=str(parsed["From"])))
            done.append(uid)
        await asyncio.to_thread(box.move, done, "Processed")
    finally:
        await asyncio.to_thread(box.logout)
    return time.perf_counter() - start


async def measure(engine: AsyncEngine, env: Env, referee: str, n: int = 1000,
                  rounds: int = 3) -> dict[str, float] | None:
    """Seconds per message, Kvitt's and the baseline's (median of ``rounds``); or None
    when Dovecot is not installed."""
    binary = dovecot_binary()
    if binary is None:
        return None
    server = DovecotServer(binary).start()
    async with engine.begin() as conn:
        await conn.run_sync(SCRATCH.create, checkfirst=True)
    ours, base = [], []
    try:
        for _ in range(rounds):
            claim_ids = [await seed.one_claim(env, referee, approve=False)
                         for _ in range(n // 4)]
            keys = await _keys(env, claim_ids)
            mail = [_reply(k, a, COMMENT) for k, a in keys]
            mail += [_reply(k, a, "Godkjent") for k, a in keys]
            kvitt_box, base_box = server.add_account(), server.add_account()
            await asyncio.to_thread(deliver, kvitt_box, *mail)
            await asyncio.to_thread(deliver, base_box, *mail)
            ours.append(await _kvitt_round(env, kvitt_box) / len(mail))
            base.append(await _baseline_round(base_box, engine) / len(mail))
            left = (await asyncio.to_thread(folder_counts, kvitt_box, ("INBOX",)))["INBOX"]
            approved = await _approved(env, claim_ids)
            if left or approved < len(claim_ids):  # a bench of refusals measures nothing
                raise AssertionError(f"{left} replies left in the inbox, "
                                     f"{approved} of {len(claim_ids)} claims approved")
    finally:
        async with engine.begin() as conn:
            await conn.run_sync(SCRATCH.drop, checkfirst=True)
        server.stop()
        server.remove()
    return {"inbound": statistics.median(ours), "inbound_raw": statistics.median(base)}
