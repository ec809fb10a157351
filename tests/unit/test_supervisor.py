"""The supervisor's status says what a unit has done, not what was asked of it (issue 9)."""

from __future__ import annotations

import asyncio

from app import supervisor
from app.supervisor import StatusBoard, read_statuses, supervise


class Recording(StatusBoard):
    def __init__(self, folder) -> None:
        super().__init__(folder)
        self.states: list[str] = []

    def set(self, unit: str, state: str, detail: str = "") -> None:
        self.states.append(state)
        super().set(unit, state, detail)


async def test_a_unit_that_cannot_start_is_retrying_until_it_says_it_is_ready(
        tmp_path, monkeypatch):
    monkeypatch.setattr(supervisor, "FIRST_WAIT", 0.01)
    board, stop, tries = Recording(tmp_path), asyncio.Event(), []
    running = asyncio.Event()

    async def unit(ready) -> None:
        tries.append(1)
        assert board.states[-1] in ("starting", "retrying")  # never "running" before ready
        if len(tries) < 4:
            raise ConnectionError("Bot API unreachable")
        ready()
        running.set()
        await stop.wait()

    task = asyncio.create_task(supervise("bot", unit, stop, board))
    await asyncio.wait_for(running.wait(), 5)
    (status,) = read_statuses(tmp_path)
    assert (status.unit, status.state) == ("bot", "running")
    stop.set()
    await task
    assert board.states == ["starting", "retrying", "retrying", "retrying", "running", "stopped"]


async def test_while_it_fails_the_status_keeps_the_error(tmp_path, monkeypatch):
    monkeypatch.setattr(supervisor, "FIRST_WAIT", 0.01)
    board, stop = StatusBoard(tmp_path), asyncio.Event()
    seen: list[str] = []

    async def unit(ready) -> None:
        (status,) = read_statuses(tmp_path)
        seen.append(f"{status.state}: {status.detail}")
        if len(seen) == 3:
            stop.set()
        raise ConnectionError("Bot API unreachable")

    await asyncio.wait_for(supervise("bot", unit, stop, board), 5)
    assert seen == ["starting: ", "retrying: ConnectionError: Bot API unreachable",
                    "retrying: ConnectionError: Bot API unreachable"]
