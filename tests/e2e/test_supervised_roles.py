"""Each role under its own supervisor: Telegram down never stops mail (issue 9, seen 2).

``kvitt run`` as a subprocess with the Bot API on a closed port: the approval request is
sent, the approver's IMAP reply is applied and confirmed, the process stays up and says
the bot role is retrying; when the Bot API comes back the bot answers. SIGTERM still ends
it cleanly.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from store.engine import make_engine, sqlite_url
from store.migrate import upgrade
from tests.e2e.telegram_user import TelegramUser
from tests.integration.helpers import deliver, folders, sql_env
from tests.integration.test_inbound import _submitted
from tests.support import free_port
from tests.support.bot_api import BotApiServer

KVITT = str(Path(sys.executable).parent / "kvitt")
APPROVER = "daglig.leder@eksempelforeningen.no"


@pytest.fixture
async def offline(tmp_path, imap_account, smtp_server):
    """A submitted claim on a SQLite file, and the settings of a Telegram that is away."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KVITT_")}
    env.update({
        "KVITT_DATA_DIR": str(tmp_path / "data"), "KVITT_TELEGRAM_TOKEN": "123:ABC",
        "KVITT_TELEGRAM_API_URL": f"http://127.0.0.1:{port}/bot",
        "KVITT_SMTP_HOST": "127.0.0.1", "KVITT_SMTP_PORT": str(smtp_server.port),
        "KVITT_SMTP_SECURITY": "plain", "KVITT_REPLY_ADDRESS": "krav+{key}@kvitt.example.no",
        "KVITT_IMAP_HOST": imap_account.host, "KVITT_IMAP_PORT": str(imap_account.port),
        "KVITT_IMAP_SECURITY": "plain", "KVITT_IMAP_USER": imap_account.user,
        "KVITT_IMAP_PASSWORD": imap_account.password, "KVITT_WORKER_INTERVAL": "0.3"})
    (tmp_path / "data").mkdir()
    engine = make_engine(sqlite_url(tmp_path / "data"))
    await upgrade(engine)
    await _submitted(sql_env(engine))
    await engine.dispose()
    return env, port


def _reply(request, body: str) -> bytes:
    from email.message import EmailMessage
    from email.utils import make_msgid

    message = EmailMessage()
    message["From"] = APPROVER
    message["To"] = request["Reply-To"]
    message["Subject"] = "Re: " + request["Subject"]
    message["Message-ID"] = make_msgid(domain="eksempelforeningen.no")
    message.set_content(f"{body}\n\n> Svar GODKJENT eller RETUR\n")
    return bytes(message)


async def _until(check, timeout: float = 30) -> None:
    for _ in range(int(timeout * 10)):
        if check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("timed out")


@pytest.mark.parametrize("roles", [["run"], ["run", "--only", "outbox,inbound"]])
async def test_mail_flows_while_telegram_is_unreachable_and_the_bot_recovers(
        offline, roles, tmp_path, imap_account, smtp_server):
    env, port = offline
    process = subprocess.Popen([KVITT, *roles], env=env, cwd=tmp_path, stderr=subprocess.PIPE,
                               text=True)
    server = None
    try:
        (request,) = [r.message for r in await smtp_server.wait_for_messages(1, timeout=30)]
        deliver(imap_account, _reply(request, "Godkjent"))
        confirmation = await smtp_server.wait_for_messages(2, timeout=30)
        assert confirmation[1].message["To"] == APPROVER
        await _until(lambda: folders(imap_account)["Processed"] == 1)
        assert process.poll() is None  # still running: Telegram's absence is no crash
        if len(roles) == 1:  # the bot role: back when the Bot API is
            server = BotApiServer(port=port).start()
            answer = await TelegramUser(server, 777).type("/start")
            assert answer
    finally:
        process.send_signal(signal.SIGTERM)
        stderr = process.communicate(timeout=30)[1]
        if server is not None:
            server.stop()
    assert process.returncode == 0, stderr
    assert "stopped cleanly" in stderr
    if len(roles) == 1:
        assert "role bot failed" in stderr and "retrying in" in stderr


async def test_kvitt_check_shows_the_bot_role_retrying_while_telegram_is_away(offline, tmp_path):
    env, _ = offline
    process = subprocess.Popen([KVITT, "run"], env=env, cwd=tmp_path, stderr=subprocess.PIPE,
                               text=True)
    try:
        for _ in range(100):
            check = subprocess.run([KVITT, "check"], env=env, cwd=tmp_path,
                                   capture_output=True, text=True, timeout=60)
            lines = {line.split()[1]: line for line in check.stdout.splitlines()
                     if line.startswith("role ")}
            if all(unit in lines and "starting" not in lines[unit] and
                   "waiting" not in lines[unit] for unit in ("bot", "outbox-email", "inbound")):
                break
            await asyncio.sleep(0.3)
        # once it has failed, the bot is "retrying" until it reaches the Bot API: never
        # "running" between two tries, whenever ``kvitt check`` looks
        assert "retrying" in lines["bot"] and "NetworkError" in lines["bot"]
        assert "running" in lines["outbox-email"] and "running" in lines["inbound"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    assert process.returncode == 0
