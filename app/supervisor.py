"""A supervisor per role: a role that fails is restarted after a capped backoff, alone.

``kvitt run`` used to gather its roles, so one role's exception (Telegram unreachable at
start, a database restart under the inbound worker) cancelled the others and ended the
process, and ``Restart=on-failure`` turned that into a loop in which no mail flowed. Now
each unit runs under ``supervise``: when it raises, the error is logged with its
traceback, its status says "retrying" (for ``kvitt check``), and it starts again after
1, 2, 4 … ``MAX_WAIT`` seconds, while every other unit goes on.

The status is honest about what the unit has done, not what the supervisor has asked of
it: a unit is "starting" until it says it has started (the ``ready`` callback it is
given, called e.g. once the bot has reached the Bot API), and a unit tried again after a
failure stays "retrying", with the error that made it fail, until then. So ``kvitt
check`` never shows a bot that cannot reach Telegram as "running" between two tries. A
unit that ran for a while after it was ready before failing starts again from the
shortest wait. SIGTERM (``stop``) is passed to the unit, which finishes the work in hand;
a supervisor never restarts after it.

Status: one small JSON file per unit and process in ``<data dir>/status``, read by
``kvitt check``; written on every change of state, so it shows what the process last
knew even when the database is the thing that is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger("kvitt.run")
FIRST_WAIT = 1.0
MAX_WAIT = 60.0
STEADY = 60.0  # seconds a unit must run before a failure counts as a fresh one


@dataclass(frozen=True, slots=True)
class UnitStatus:
    """What one process last knew about one of its units."""

    unit: str
    state: str  # starting | running | waiting | retrying | stopped
    detail: str
    since: str
    pid: int


class StatusBoard:
    """The status files of this process's units."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def set(self, unit: str, state: str, detail: str = "") -> None:
        """Record ``unit``'s state now (best effort: a full disk must not stop a role)."""
        status = UnitStatus(unit, state, detail[:300], datetime.now(UTC).isoformat(),
                            os.getpid())
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{unit}.{os.getpid()}.json"
            path.write_text(json.dumps(asdict(status)), "utf-8")

    def clear(self) -> None:
        """Remove this process's files (on a clean stop)."""
        for path in self.folder.glob(f"*.{os.getpid()}.json"):
            path.unlink(missing_ok=True)


def read_statuses(folder: Path) -> list[UnitStatus]:
    """Every unit's status in ``folder``, of processes still alive, by unit."""
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            status = UnitStatus(**json.loads(path.read_text("utf-8")))
            os.kill(status.pid, 0)
        except (OSError, ValueError, TypeError):  # a dead process's leftovers, or garbage
            continue
        found.append(status)
    return sorted(found, key=lambda s: (s.unit, s.pid))


# ready(detail="") : the unit has started; ready(detail, state="retrying"): a unit that
# keeps running but whose dependency is away (the inbound role's mailbox) says so
Ready = Callable[..., None]


async def supervise(unit: str, start: Callable[[Ready], Awaitable[None]], stop: asyncio.Event,
                    board: StatusBoard) -> None:
    """Run ``start(ready)`` until ``stop``; restart it after a capped backoff when it fails.

    ``start`` calls ``ready()`` once the unit really works (the status becomes
    "running"); until then it is "starting", or still "retrying" after a failure.
    """
    loop = asyncio.get_running_loop()
    delay = FIRST_WAIT
    started: list[float] = []  # when the current try said it was ready
    board.set(unit, "starting")

    def ready(detail: str = "", state: str = "running") -> None:
        if state == "running" and not started:
            started.append(loop.time())
        board.set(unit, state, detail)

    while not stop.is_set():
        started.clear()
        try:
            await start(ready)
        except Exception as exc:  # any failure of one unit: restart it, leave the rest alone
            if started and loop.time() - started[0] > STEADY:
                delay = FIRST_WAIT
            log.error("role %s failed (%s: %s); retrying in %.0f s", unit,
                      type(exc).__name__, exc, delay, exc_info=exc)
            board.set(unit, "retrying", f"{type(exc).__name__}: {exc}")
        else:
            if stop.is_set():
                break
            log.error("role %s ended by itself; restarting in %.0f s", unit, delay)
            board.set(unit, "retrying", "ended by itself")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, MAX_WAIT)
    board.set(unit, "stopped")
