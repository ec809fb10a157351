"""The fault table (issue 9, must show): ``kvitt run`` as its own process on real servers.

Each test breaks one thing under a running ``kvitt run`` and shows that no mail is lost
or applied twice and how long the process took to recover. The figures are printed
(``-n0 -s``) as ``fault <scenario>: …`` lines and kept in the README's table:

* SIGKILL mid-delivery (an SMTP server holding the DATA answer), then a new process,
  while the SMTP server is away for a while: each mail is delivered once, the killed one
  when its lease runs out (``KVITT_OUTBOX_LEASE``, 30 s here, a minute by default), the
  other soon after the server is back (a mail whose server was away is tried again every
  10 s, using up none of its tries).
* Dovecot SIGKILLed mid-batch and started again on its port: every message filed once,
  each applied once.
* PostgreSQL connections cut (a TCP proxy in front of the machine's shared server, which
  is never restarted: other runs use it) and restored: the reply that came meanwhile is
  applied once, the roles come back by themselves.
* The Telegram Bot API going away while a claim is being approved by mail: the mail
  flows, and the bot and the claimant's notice come back with the endpoint, once.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from imap_tools import MailBoxUnencrypted
from sqlalchemy import text

from harness.bot_api import BotApiServer
from harness.dovecot import DovecotServer, ImapAccount, dovecot_binary
from harness.telegram_user import TelegramUser
from store.engine import make_engine, sqlite_url
from store.migrate import upgrade
from tests.integration.helpers import deliver, sql_env
from tests.integration.test_inbound import _keys, _submitted, reply
from tests.support import free_port
from tests.support.tcp_proxy import TcpProxy
from tests.support.unavailable import unavailable

KVITT = str(Path(sys.executable).parent / "kvitt")
PG_ADMIN_URL = os.environ.get(
    "KVITT_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


class Run:
    """One ``kvitt run`` process, its log in a file (a pipe nobody reads would fill up)."""

    def __init__(self, env: dict[str, str], cwd: Path, *args: str, name: str = "run") -> None:
        self.log_path = cwd / f"{name}.log"
        self.process = subprocess.Popen([KVITT, "run", *args], env=env, cwd=cwd,
                                        stdout=subprocess.DEVNULL,
                                        stderr=self.log_path.open("w"))

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> int:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(30)
        return self.process.returncode


async def until(check: Callable[[], Any], timeout: float, what: str) -> float:
    """Wait until ``check()`` is true; the seconds it took."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if await asyncio.to_thread(check):
            return time.monotonic() - began
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s: {what}")


def environment(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KVITT_")}
    env.update({"KVITT_DATA_DIR": str(tmp_path / "data"), "KVITT_WORKER_INTERVAL": "0.3",
                "KVITT_REPLY_ADDRESS": "krav+{key}@kvitt.example.no"})
    env.update({f"KVITT_{name.upper()}": value for name, value in settings.items()})
    return env


def smtp_settings(port: int) -> dict[str, str]:
    return {"smtp_host": "127.0.0.1", "smtp_port": str(port), "smtp_security": "plain"}


def imap_settings(account: ImapAccount) -> dict[str, str]:
    return {"imap_host": account.host, "imap_port": str(account.port),
            "imap_security": "plain", "imap_user": account.user,
            "imap_password": account.password}


async def submitted(url: str, claimants: int = 1) -> tuple[list[str], list[str]]:
    """Submitted claims (one per claimant, Telegram ids 1, 2 …) on a migrated database."""
    engine = make_engine(url)
    try:
        await upgrade(engine)
        env = sql_env(engine)
        claims = [(await _submitted(env, user_id=n))[1].id for n in range(1, claimants + 1)]
        return claims, await _keys(env)
    finally:
        await engine.dispose()


async def events(url: str, claim_id: str) -> list[tuple[str, str | None]]:
    """The claim's log: (kind, source Message-ID) per entry."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text(
                "SELECT kind, source_message_id FROM claim_events WHERE claim_id = :id "
                "ORDER BY seq"), {"id": claim_id})
            return [(row[0], row[1]) for row in rows]
    finally:
        await engine.dispose()


async def outbox_statuses(url: str) -> list[str]:
    """The status of each email row of the outbox, oldest first."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(text(
                "SELECT status FROM outbox WHERE channel = 'email' ORDER BY id"))).scalars())
    finally:
        await engine.dispose()


def folder_ids(account: ImapAccount) -> dict[str, list[str]]:
    """The Message-IDs in each folder (a message filed twice shows up twice)."""
    with MailBoxUnencrypted(account.host, account.port).login(account.user,
                                                               account.password) as box:
        found = {}
        for name in ("INBOX", "Processed", "Rejected", "Failed"):
            if not box.folder.exists(name):
                continue
            box.folder.set(name)
            found[name] = [message.headers.get("message-id", ("",))[0]
                           for message in box.fetch(headers_only=True, mark_seen=False)]
        return found


def report(scenario: str, **figures: Any) -> None:
    print(f"\nfault {scenario}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


# -- SIGKILL mid-delivery, and SMTP away -----------------------------------------------


class StallingSmtp:
    """Accepts mail; while ``stall`` is set it holds the DATA answer (a delivery in flight).

    A client that dies meanwhile cancels the handler, so nothing is recorded: the server
    never said 250, and an MTA does not deliver a message it did not accept.
    """

    def __init__(self) -> None:
        self.stall = True
        self.in_data = threading.Event()
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook
        self.in_data.set()
        if self.stall:
            await asyncio.sleep(3600)
        self.received.append(envelope.content)
        return "250 OK"


def _outbox(data: Path) -> list[tuple[str, str, int]]:
    with sqlite3.connect(data / "kvitt.sqlite3") as db:
        return db.execute("SELECT recipient, status, attempts FROM outbox "
                          "WHERE channel = 'email' ORDER BY id").fetchall()


LEASE = 30  # seconds: longer than the SMTP server is away plus a retry, so the mail not in
# flight goes first; shorter than the default minute, to keep the test short


async def test_sigkill_mid_delivery_and_smtp_away_every_mail_goes_out_once(tmp_path):
    (tmp_path / "data").mkdir()
    await submitted(sqlite_url(tmp_path / "data"), claimants=2)  # two approval requests
    handler, port = StallingSmtp(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    env = environment(tmp_path, outbox_lease=str(LEASE), **smtp_settings(port))
    first = Run(env, tmp_path, "--only", "outbox", name="first")
    second = None
    try:
        assert await asyncio.to_thread(handler.in_data.wait, 30), first.log()
        first.kill()  # mid-delivery: the SMTP server holds the answer to DATA
        killed = time.monotonic()
        controller.stop()  # and the SMTP server goes away for a while
        second = Run(env, tmp_path, "--only", "outbox", name="second")
        await asyncio.sleep(10)
        assert handler.received == [] and second.alive()
        handler.stall = False
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        back = time.monotonic()
        await until(lambda: len(handler.received) == 1, 60, "the mail that was not in flight")
        other = time.monotonic() - back
        await until(lambda: len(handler.received) == 2, 90, "the mail of the killed process")
        lease = time.monotonic() - killed
        await asyncio.sleep(2)  # a few more passes: nothing goes out again
        assert len(handler.received) == 2
        recipients = [message_from_bytes(raw)["Message-ID"] for raw in handler.received]
        assert len(set(recipients)) == 2
        assert [status for _, status, _ in _outbox(tmp_path / "data")] == ["sent", "sent"]
        assert second.stop() == 0
        log = second.log()
        assert "Traceback" not in log
        report("sigkill mid-delivery", lost=0, duplicated=0,
               delivered_after_kill=f"{lease:.1f}s")
        report("smtp down 10 s then back", lost=0, duplicated=0,
               delivered_after_smtp_back=f"{other:.1f}s")
        # not before the killed process's lease ran out (at most a heartbeat, a third of it,
        # renewed it before the kill), and soon after
        assert LEASE * 2 / 3 < lease < LEASE + 15
    finally:
        for run in (first, second):
            if run is not None:
                run.stop()
        controller.stop()


# -- Dovecot killed mid-batch ----------------------------------------------------------


@pytest.fixture
def own_dovecot():
    """A Dovecot of this test's own: killing the session's would break other tests."""
    binary = dovecot_binary()
    if binary is None:
        unavailable("dovecot is not installed (apt-get install -y dovecot-imapd)")
    server = DovecotServer(str(binary)).start()
    try:
        yield server
    finally:
        server.remove()


async def test_dovecot_killed_mid_batch_loses_nothing_and_applies_nothing_twice(
        tmp_path, own_dovecot):
    (tmp_path / "data").mkdir()
    url = sqlite_url(tmp_path / "data")
    (claim,), (key,) = await submitted(url)
    account = own_dovecot.account
    # Ten passes of up to 50 (each pass files its messages at its end). With three, the
    # inbound role, at ~2.5 ms a reply since 5 December, filed them all between two looks
    # of the check below, and nothing was left in hand to kill it with.
    comments = 499
    replies = [reply(key, f"Kommentar nummer {n}: kilometer stemmer.") for n in range(comments)]
    replies.append(reply(key, "Godkjent"))
    deliver(account, *replies)
    run = Run(environment(tmp_path, **imap_settings(account)), tmp_path, "--only", "inbound")
    try:
        await until(lambda: len(folder_ids(account)["Processed"]) > 0, 60,
                    "the first pass filed")
        own_dovecot.kill()  # mid-batch: no LOGOUT, connections reset
        await asyncio.sleep(2)
        own_dovecot.start(same_port=True)
        back = time.monotonic()
        filed = len(folder_ids(account)["Processed"])
        assert filed < len(replies)  # it was killed with work in hand
        await until(lambda: len(folder_ids(account)["Processed"]) > filed, 60,
                    "a message filed after the restart")
        recovered = time.monotonic() - back
        await until(lambda: not folder_ids(account)["INBOX"], 60, "an empty inbox")
        assert run.alive()
    finally:
        assert run.stop() == 0, run.log()
    ids = folder_ids(account)
    sent = [str(message_from_bytes(raw)["Message-ID"]) for raw in replies]
    assert sorted(set(ids["Processed"])) == sorted(sent)  # every one filed (none lost)
    duplicated = len(ids["Processed"]) - len(set(ids["Processed"]))
    log = await events(url, claim)
    applied = [source or "" for kind, source in log if kind in ("commented", "approved")]
    assert sorted(applied) == sorted(sent)  # each applied exactly once
    assert [kind for kind, _ in log].count("approved") == 1
    report("dovecot killed mid-batch", messages=len(replies), lost=0, applied_twice=0,
           filed_twice=duplicated, recovered_after=f"{recovered:.1f}s")
    assert "inbound pass failed" in run.log()


# -- PostgreSQL connections cut --------------------------------------------------------


@pytest.fixture
async def pg_url():
    """A database of this test's own on the shared server (dropped afterwards)."""
    name = f"kvitt_fault_{secrets.token_hex(4)}"
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server here
        await admin.dispose()
        unavailable(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
    yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


async def test_database_connections_cut_and_restored_the_roles_recover_and_apply_once(
        tmp_path, pg_url, imap_account, smtp_server):
    (claim,), _ = await submitted(pg_url)
    proxy = TcpProxy("127.0.0.1", 5432).start()
    through_proxy = pg_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    env = environment(tmp_path, database_url=through_proxy, **smtp_settings(smtp_server.port),
                      **imap_settings(imap_account))
    # the worst moment: the SMTP server has the mail, the database has not recorded it
    smtp_server.on_accept = lambda _: proxy.cut()  # every connection reset, new ones refused
    run = Run(env, tmp_path, "--only", "outbox,inbound")
    try:
        (request,) = [r.message for r in await smtp_server.wait_for_messages(1, timeout=30)]
        smtp_server.on_accept = None
        deliver(imap_account, _answer(request, "Godkjent"))
        await asyncio.sleep(8)
        assert run.alive()
        assert len(folder_ids(imap_account)["INBOX"]) == 1  # waiting, not lost
        assert len(smtp_server.messages) == 1
        proxy.restore()
        back = time.monotonic()
        await until(lambda: len(folder_ids(imap_account)["Processed"]) == 1, 90,
                    "the reply applied after the database came back")
        applied = time.monotonic() - back
        await smtp_server.wait_for_messages(2, timeout=60)  # the confirmation
        confirmed = time.monotonic() - back
        await asyncio.sleep(2)
        assert len(smtp_server.messages) == 2
    finally:
        assert run.stop() == 0, run.log()
        proxy.cut()
    log = await events(pg_url, claim)
    assert [kind for kind, _ in log].count("approved") == 1
    assert "recording it failed" in run.log() and "role inbound failed" in run.log()
    assert await outbox_statuses(pg_url) == ["sent", "sent"]  # nothing left to go again
    report("postgresql connections cut 8 s", lost=0, applied_twice=0, sent_twice=0,
           reply_applied_after=f"{applied:.1f}s", confirmation_sent_after=f"{confirmed:.1f}s")


def _answer(request, body: str) -> bytes:
    raw = reply(None, body)
    message = message_from_bytes(raw)
    message.replace_header("To", request["Reply-To"])
    return message.as_bytes()


# -- Telegram away during work ---------------------------------------------------------


async def test_telegram_away_during_work_mail_flows_and_the_bot_comes_back_once(
        tmp_path, imap_account, smtp_server):
    (tmp_path / "data").mkdir()
    await submitted(sqlite_url(tmp_path / "data"))
    server = BotApiServer().start()
    env = environment(tmp_path, telegram_token="123:ABC", telegram_api_url=server.base_url,
                      **smtp_settings(smtp_server.port), **imap_settings(imap_account))
    run = Run(env, tmp_path, "--only", "bot,outbox,inbound")  # no reminders or digests
    try:
        assert await TelegramUser(server, 777).type("/start")  # the bot works
        (request,) = [r.message for r in await smtp_server.wait_for_messages(1, timeout=30)]
        server.stop()  # Telegram goes away
        deliver(imap_account, _answer(request, "Godkjent"))
        confirmation = (await smtp_server.wait_for_messages(2, timeout=30))[1].message
        assert confirmation["Subject"].startswith("Godkjent")  # mail flows meanwhile
        await until(lambda: len(folder_ids(imap_account)["Processed"]) == 1, 30, "filed")
        await asyncio.sleep(3)
        assert run.alive()
        server.start()  # back, on the same port (a new process: it remembers nothing)
        back = time.monotonic()
        assert await TelegramUser(server, 778).type("/start")
        bot_back = time.monotonic() - back
        await server.wait_for(lambda: [t for t in server.replies(1) if "godkjent av alle" in t],
                              timeout=60)
        notice_back = time.monotonic() - back
        await asyncio.sleep(2)
        notices = [t for t in server.replies(1) if "godkjent av alle" in t]
    finally:
        assert run.stop() == 0, run.log()
        server.stop()
    assert len(notices) == 1
    assert len(smtp_server.messages) == 2
    report("telegram away during work", lost=0, duplicated=0,
           bot_answers_after=f"{bot_back:.1f}s", notice_delivered_after=f"{notice_back:.1f}s")
