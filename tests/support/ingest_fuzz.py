"""Many malformed messages through ``kvitt mail ingest``'s own entry function, in one process.

``python -m tests.support.ingest_fuzz COUNT KEY`` (the ``KVITT_*`` settings in the
environment, as for ``kvitt``): ``COUNT`` messages of ``hostile_mail.fuzz_corpus`` to the
reply address of ``KEY``, then a valid approval with that key, each handled exactly as
``kvitt mail ingest`` handles its stdin (``app.ingest_cli.ingest_message``, the real
store), but without starting a process per message: a process each costs seconds under
load, and 1,000 of them would take the test run's whole budget. The CLI itself is tested
with a sample, a process each. Prints one JSON object: exit statuses and outcomes counted,
the messages that raised (a crash: the MTA would see a traceback), seconds, and this
process's peak RSS. Logs go to ``ingest_fuzz.log`` in the data folder.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

from app.ingest_cli import ingest_message
from app.settings import Settings
from app.wiring import service_env
from tests.integration.test_inbound import reply
from tests.support import hostile_mail


async def fuzz(count: int, key: str) -> dict[str, Any]:
    settings = Settings.load()
    to = settings.mail.reply_pattern.format(key=key)
    statuses: Counter[int] = Counter()
    outcomes: Counter[str] = Counter()
    crashes: list[str] = []
    async with service_env(settings) as env:
        gateway, failed = settings.mail.gateway(), Path(settings.data_dir) / "failed"
        started = time.perf_counter()
        for kind, raw in hostile_mail.fuzz_corpus(count, to):
            try:
                status, result = await ingest_message(env, raw, gateway, failed)
            except Exception:  # what would be a traceback on the MTA's side
                crashes.append(f"{kind}: {traceback.format_exc()[-600:]}")
                continue
            statuses[status] += 1
            outcomes[result["outcome"]] += 1
        seconds = time.perf_counter() - started
        _, approval = await ingest_message(env, reply(key, "Godkjent"), gateway, failed)
    return {"messages": count, "statuses": dict(statuses), "outcomes": dict(outcomes),
            "crashes": crashes, "seconds": round(seconds, 2),
            "ms_per_message": round(1000 * seconds / count, 1),
            "peak_rss_mb": peak_rss_mb(),
            "approval": approval}


def peak_rss_mb() -> int:
    """This process's peak RSS: VmHWM, which starts afresh at exec (``ru_maxrss`` is
    carried over from the parent, here the whole pytest run)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> None:
    count, key = int(sys.argv[1]), sys.argv[2]
    settings = Settings.load()
    logging.basicConfig(filename=Path(settings.data_dir) / "ingest_fuzz.log",
                        level=logging.WARNING)
    print(json.dumps(asyncio.run(fuzz(count, key))))


if __name__ == "__main__":
    main()
