"""Lint and types are part of the test command: ruff on everything, mypy strict on domain/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False, timeout=300)


def test_ruff_finds_nothing():
    done = _run("ruff", "check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_passes_strict_on_domain_and_typed_everywhere_else():
    done = _run("mypy", "domain", "app", "bot", "mail")
    assert done.returncode == 0, done.stdout + done.stderr
