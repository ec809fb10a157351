"""SIGTERM while a mail is being handed to SMTP: finished, recorded, never sent twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller

from tests.support import free_port

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KVITT = str(Path(sys.executable).parent / "kvitt")


class SlowSmtp:
    """Accepts mail, but holds each DATA answer for a while: a delivery in flight."""

    def __init__(self, hold: float) -> None:
        self.hold = hold
        self.in_data = threading.Event()
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # the name is aiosmtpd's hook
        self.in_data.set()
        await asyncio.sleep(self.hold)
        self.received.append(envelope.content)
        return "250 OK"


def test_sigterm_mid_delivery_finishes_it_and_a_restart_sends_nothing_twice(tmp_path):
    handler = SlowSmtp(hold=2.0)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KVITT_")}
    env.update({"KVITT_DATA_DIR": str(tmp_path), "KVITT_SMTP_HOST": "127.0.0.1",
                "KVITT_SMTP_PORT": str(port), "KVITT_SMTP_SECURITY": "plain",
                "KVITT_WORKER_INTERVAL": "0.2"})
    try:
        subprocess.run([KVITT, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([KVITT, "org", "apply", str(EXAMPLES / "forening-kvann.toml")], env=env,
                       check=True, capture_output=True)
        script = "\n".join([
            "/start " + subprocess.run(
                [KVITT, "invite", "create", "eksempel-forening"], env=env, check=True,
                capture_output=True, text=True).stdout.split("Kode: ")[1].split()[0],
            "Kari", "#1", "1234 56 78903", "/ny", "#1", "#1", "Styret",
            "#1",  # 🚗 Kjøring
            "i går", "#1", "Oslo", "Hamar", "126", "#1", "#1", "Møte uten togforbindelse",
            "/send"]) + "\n"
        chat = subprocess.run([KVITT, "chat", "--user", "7"], env=env, input=script,
                              capture_output=True, text=True, check=True)
        assert "sendt til godkjenning" in chat.stdout, chat.stdout[-2000:]

        run = subprocess.Popen([KVITT, "run", "--only", "outbox"], env=env,
                               stderr=subprocess.PIPE, text=True)
        assert handler.in_data.wait(20), "the delivery never started"
        run.send_signal(signal.SIGTERM)  # while the SMTP server holds the DATA answer
        stderr = run.communicate(timeout=30)[1]
        assert run.returncode == 0, stderr
        assert len(handler.received) == 1  # the delivery in hand was finished

        # A new mail queued behind it: once the restarted worker has delivered that, it
        # has made a full pass over the outbox, so the first one would have gone again.
        subprocess.run([KVITT, "digest", "eksempel-forening", "--send"], env=env, check=True,
                       capture_output=True)
        handler.hold = 0
        again = subprocess.Popen([KVITT, "run", "--only", "outbox"], env=env,
                                 stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while len(handler.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        again.send_signal(signal.SIGTERM)
        again.communicate(timeout=30)
        assert len(handler.received) == 2, "the restarted worker never delivered the digest"
        assert b"Subject: Kvitt: Eksempelforeningen" in handler.received[1]  # the digest
        # the approval request was recorded as sent: never sent again
        assert [b"kvitt.approval_request." in mail for mail in handler.received] == [True, False]
    finally:
        controller.stop()
