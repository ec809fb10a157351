"""Two ``kvitt run --only inbound`` and two ``--only scheduler`` on one PostgreSQL.

Exactly one of each leads (the advisory lock); when the leader is SIGKILLed the other
takes over within the waiting process's retry interval (5 s) plus start-up: the test
allows 15 s and prints the time measured.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

KVITT = str(Path(sys.executable).parent / "kvitt")


def _started(log: Path, role: str) -> bool:
    return f"role {role} started" in log.read_text(errors="replace")


def _wait(check, timeout: float) -> float:
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if check():
            return time.monotonic() - began
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.mark.parametrize("role", ["inbound", "scheduler"])
def test_one_leader_at_a_time_and_the_other_takes_over_when_it_is_killed(
        pg_database, tmp_path, role):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KVITT_")}
    environ.update({"KVITT_DATABASE_URL": pg_database, "KVITT_DATA_DIR": str(tmp_path / "d"),
                    "KVITT_MAILDIR": str(tmp_path / "maildir"), "KVITT_WORKER_INTERVAL": "0.5"})
    logs = [tmp_path / f"{n}.log" for n in (1, 2)]
    processes = []
    try:
        for log in logs:
            processes.append(subprocess.Popen(
                [KVITT, "run", "--only", role], env=environ, cwd=tmp_path,
                stdout=subprocess.DEVNULL, stderr=log.open("w")))
        _wait(lambda: any(_started(log, role) for log in logs), 60)
        time.sleep(3)  # long enough for a second leader to show up, were the lock broken
        leaders = [n for n, log in enumerate(logs) if _started(log, role)]
        assert len(leaders) == 1
        leader, other = leaders[0], 1 - leaders[0]
        processes[leader].send_signal(signal.SIGKILL)
        processes[leader].wait(10)
        took = _wait(lambda: _started(logs[other], role), 15)
        print(f"\n{role}: the second process took over {took:.1f} s after SIGKILL")
        assert processes[other].poll() is None
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(30)
