"""Lint, types and layers in the test command: ruff, mypy (strict on domain/), import-linter."""

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
    packages = [p for p in ("domain", "service", "store", "app", "bot", "mail", "receipts",
                            "exchange", "harness", "tests", "bench") if (ROOT / p).is_dir()]
    done = _run("mypy", *packages)
    assert done.returncode == 0, done.stdout + done.stderr


def test_import_linter_contracts_hold_the_layers_of_design_md():
    done = subprocess.run([str(Path(sys.executable).with_name("lint-imports"))], cwd=ROOT,
                          capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
