"""What a test does when something it needs is not on this machine.

On a laptop it skips with the reason; in CI (``CI=true``) it fails, because there a
skipped service test would hide a failure (DEVELOPERS.md, definition of done).
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    """Whether this run is CI, where every service must be present."""
    return os.environ.get("CI", "").lower() == "true"


def unavailable(message: str) -> NoReturn:
    """Skip with ``message`` on a laptop; fail with it in CI."""
    if in_ci():
        pytest.fail(f"{message} (CI=true: service tests must run)")
    pytest.skip(message)
