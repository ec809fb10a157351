"""``kvitt mail ingest < message.eml``: one message from an MTA pipe, through the gateway.

Prints the outcome as JSON and exits 0 once the message is recorded (so the MTA
does not bounce it back); a database that cannot be reached exits 75
(EX_TEMPFAIL), which tells the MTA to try again later.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

EX_TEMPFAIL = 75


def run(args: argparse.Namespace) -> int:
    """Read stdin, handle it, print ``{"outcome": …, "processed": …}``."""
    from app.settings import Settings
    from app.wiring import service_env
    from mail.gateway import GatewaySettings
    from mail.inbound_worker import ingest

    raw = sys.stdin.buffer.read()
    settings = Settings.load()
    gateway = GatewaySettings(settings.mail.reply_pattern, settings.mail.domain,
                              settings.mail.require_authentication)

    async def main() -> int:
        async with service_env(settings) as env:
            outcome = await ingest(env, raw, gateway)
        print(json.dumps({"outcome": outcome.kind, "processed": outcome.processed}))
        return 0

    try:
        return asyncio.run(main())
    except OSError as exc:
        print(json.dumps({"error": f"database unreachable: {type(exc).__name__}"}))
        return EX_TEMPFAIL
