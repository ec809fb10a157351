"""``kvitt run`` as a subprocess against the local Bot API endpoint, aiosmtpd and Dovecot.

A claim submitted in Telegram is approved by a reply through IMAP, and the claimant
gets the Telegram notice; SIGTERM stops it cleanly, and a restart sends nothing twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

from harness.bot_api import BotApiServer
from harness.telegram_user import TelegramUser
from tests.integration.helpers import deliver, folders

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KVITT = str(Path(sys.executable).parent / "kvitt")
APPROVER = "daglig.leder@eksempelforeningen.no"


@pytest.fixture
def world(tmp_path, imap_account, smtp_server):
    server = BotApiServer().start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KVITT_")}
    env.update({
        "KVITT_DATA_DIR": str(tmp_path / "data"), "KVITT_TELEGRAM_TOKEN": "123:ABC",
        "KVITT_TELEGRAM_API_URL": server.base_url, "KVITT_TELEGRAM_BOT_USERNAME": "kvitt_bot",
        "KVITT_SMTP_HOST": "127.0.0.1", "KVITT_SMTP_PORT": str(smtp_server.port),
        "KVITT_SMTP_SECURITY": "plain", "KVITT_REPLY_ADDRESS": "krav+{key}@kvitt.example.no",
        "KVITT_IMAP_HOST": imap_account.host, "KVITT_IMAP_PORT": str(imap_account.port),
        "KVITT_IMAP_SECURITY": "plain", "KVITT_IMAP_USER": imap_account.user,
        "KVITT_IMAP_PASSWORD": imap_account.password, "KVITT_WORKER_INTERVAL": "0.3"})

    def kvitt(*args: str) -> str:
        done = subprocess.run([KVITT, *args], env=env, cwd=tmp_path, capture_output=True,
                              text=True, timeout=60, check=True)
        return done.stdout

    kvitt("db", "upgrade")
    kvitt("org", "apply", str(EXAMPLES / "forening-kvann.toml"))
    code = kvitt("invite", "create", "eksempel-forening").split("Kode: ")[1].split()[0]

    def start() -> subprocess.Popen[str]:
        return subprocess.Popen([KVITT, "run", "--only", "bot,outbox,inbound"], env=env,
                                cwd=tmp_path, stderr=subprocess.PIPE, text=True)

    yield server, kvitt, code, start
    server.stop()


def _reply_to(request: EmailMessage, body: str) -> bytes:
    message = EmailMessage()
    message["From"] = APPROVER
    message["To"] = request["Reply-To"]
    message["Subject"] = "Re: " + request["Subject"]
    message["In-Reply-To"] = request["Message-ID"]
    message["Message-ID"] = make_msgid(domain="eksempelforeningen.no")
    message.set_content(f"{body}\n\n> Svar GODKJENT eller RETUR\n")
    return bytes(message)


async def test_a_telegram_claim_is_approved_by_an_imap_reply_and_the_claimant_is_told(
        world, imap_account, smtp_server):
    server, _, code, start = world
    process = start()
    try:
        kari = TelegramUser(server, 5151)
        await kari.type(f"/start {code}")
        await kari.type("Kari Nordmann")
        await kari.press("Hopp over")
        await kari.type("1234 56 78903")
        await kari.type("/ny")
        await kari.press("2026")  # this month's suggested title
        await kari.press("Hopp over")
        await kari.type("Styret")
        await kari.press("Kjøring")
        await kari.type("i går")
        await kari.press("Bil")
        await kari.type("Oslo")
        await kari.type("Hamar")
        await kari.type("126")
        await kari.press("Ingen")
        await kari.press("Nei")
        await kari.type("Ingen tog passet med møtet")  # justify_own_car
        assert "sendt til godkjenning" in await kari.type("/send")

        (request,) = [r.message for r in await smtp_server.wait_for_messages(1, timeout=20)]
        assert "Til godkjenning" in request["Subject"]
        deliver(imap_account, _reply_to(request, "Godkjent"))
        notice = await server.wait_for(lambda: [t for t in server.replies(5151)
                                                if "godkjent av alle" in t], timeout=30)
        assert notice
        confirmation = await smtp_server.wait_for_messages(2, timeout=20)
        assert confirmation[1].message["To"] == APPROVER
        await server.wait_for(lambda: folders(imap_account)["Processed"] == 1, timeout=20)
    finally:
        process.send_signal(signal.SIGTERM)
        stderr = process.communicate(timeout=30)[1]
    assert process.returncode == 0, stderr
    assert "stopped cleanly" in stderr
    assert "Traceback" not in stderr
    assert "@" not in "".join(line for line in stderr.splitlines() if "msg=" in line)

    # a restart on the same database sends nothing again
    again = start()
    try:
        await server.wait_for(lambda: "role outbox-email started" in (again.stderr.readline() if
                                                                 again.stderr else ""), 20)
    finally:
        again.send_signal(signal.SIGTERM)
        again.communicate(timeout=30)
    assert len(smtp_server.messages) == 2
    assert len([t for t in server.replies(5151) if "godkjent av alle" in t]) == 1
