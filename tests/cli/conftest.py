"""Run the installed ``kvitt`` console script, as support staff would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


def _script() -> str:
    beside = Path(sys.executable).parent / "kvitt"
    found = str(beside) if beside.exists() else shutil.which("kvitt")
    if found is None:
        pytest.fail("the kvitt console script is not installed: pip install -e '.[test]'")
    return found


@dataclass(frozen=True)
class Ran:
    status: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Kvitt:
    def __init__(self, script: str, cwd: Path) -> None:
        self.script, self.cwd = script, cwd

    def __call__(self, *args: str | Path, stdin: str | bytes = b"",
                 env: dict[str, str] | None = None) -> Ran:
        data = stdin.encode() if isinstance(stdin, str) else stdin
        environ = {k: v for k, v in os.environ.items() if not k.startswith("KVITT_")}
        environ.update(env or {})
        done = subprocess.run([self.script, *map(str, args)], input=data, capture_output=True,
                              cwd=self.cwd, timeout=30, check=False, env=environ)
        return Ran(done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"))


@pytest.fixture
def kvitt(tmp_path: Path) -> Kvitt:
    return Kvitt(_script(), tmp_path)
