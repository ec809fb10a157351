"""The inbound role's status tells the truth: "retrying" with the error while its mailbox
is away, "leading" once it answers (``kvitt check`` reads it; issue 9)."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime

from mail.inbound_worker import imap_worker
from mail.sources import ImapSettings
from tests.integration.helpers import Clock, sql_env
from tests.integration.test_inbound import GATEWAY


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _heard(engine, settings: ImapSettings, until: str) -> list[tuple[str, str]]:
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    stop, heard = asyncio.Event(), []

    def health(detail: str = "", state: str = "running") -> None:
        heard.append((state, detail))
        if state == until:
            stop.set()

    await asyncio.wait_for(imap_worker(env, settings, GATEWAY, stop, interval=0.1,
                                       health=health), 10)
    return heard


async def test_a_mailbox_that_is_away_is_retrying_with_the_error(engine):
    settings = ImapSettings("127.0.0.1", _closed_port(), "kvitt", "x", security="plain")
    heard = await _heard(engine, settings, until="retrying")
    state, detail = heard[-1]
    assert state == "retrying" and "ConnectionRefused" in detail, heard
    assert ("running", "leading") not in heard


async def test_a_mailbox_that_answers_is_leading(engine, imap_account):
    settings = ImapSettings(imap_account.host, imap_account.port, imap_account.user,
                            imap_account.password, security="plain")
    heard = await _heard(engine, settings, until="running")
    assert heard == [("running", "leading")]
