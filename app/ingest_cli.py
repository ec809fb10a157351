"""``kvitt mail ingest < message.eml``: one message from an MTA pipe, through the gateway.

The MTA reads only the exit status, so it says exactly one thing (sysexits.h):

* 0: the message is recorded (applied, refused, or set aside): the MTA must not bounce
  it back to the approver. The outcome is printed as JSON.
* 75 (EX_TEMPFAIL): try again later: the database cannot be reached, the settings are
  wrong, or handling failed as our error and may succeed on a later try. The MTA's own
  queue is then the retry with backoff; after ``RetryPolicy.attempts`` tries the message
  is kept in ``<data dir>/failed`` (a Maildir) and recorded as failed, and 0 is returned.

Never a traceback on stderr (the MTA may mail it back to the approver): one line says what
went wrong; the traceback of an error of ours is recorded against the message instead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import mailbox
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mail.gateway import GatewaySettings
    from service.context import Env

EX_TEMPFAIL = 75
log = logging.getLogger("kvitt.ingest")


def run(args: argparse.Namespace) -> int:
    """Read stdin, handle it, print ``{"outcome": …, "processed": …}``."""
    raw = sys.stdin.buffer.read()
    try:
        return asyncio.run(_ingest(raw))
    except Exception as exc:  # the database or the settings: the MTA keeps it for later
        print(json.dumps({"error": f"try again later: {type(exc).__name__}"}))
        print(f"kvitt: the message was not recorded ({type(exc).__name__}: {exc}); "
              "exit 75 asks the mail server to deliver it again later", file=sys.stderr)
        return EX_TEMPFAIL


async def _ingest(raw: bytes) -> int:
    from app.settings import Settings
    from app.wiring import service_env

    settings = Settings.load()
    async with service_env(settings) as env:
        status, result = await ingest_message(env, raw, settings.mail.gateway(),
                                              Path(settings.data_dir) / "failed")
    print(json.dumps(result))
    return status


async def ingest_message(env: Env, raw: bytes, gateway: GatewaySettings, failed: Path
                         ) -> tuple[int, dict[str, Any]]:
    """One message as ``kvitt mail ingest`` handles it: the exit status and what it prints.

    Raises what the store raises when the database is away (the caller's exit 75).
    ``failed`` is the Maildir a message is kept in once its tries are used up.
    """
    from mail.inbound_worker import error_text, identity, ingest
    from service.inbound import RetryPolicy, record_failure

    try:
        outcome = await ingest(env, raw, gateway)
    except Exception as exc:  # ours: counted against the message (raises if the DB is down)
        log.error("inbound message failed: %s: %s", type(exc).__name__, exc)
        policy = RetryPolicy()
        failure = await record_failure(env, identity(raw), error_text(exc), policy)
        if not policy.gives_up(failure.attempts):
            return EX_TEMPFAIL, {"outcome": "retry", "attempts": failure.attempts}
        mailbox.Maildir(failed, create=True).add(raw)
        return 0, {"outcome": "failed", "processed": False}
    return 0, {"outcome": outcome.kind, "processed": outcome.processed}
