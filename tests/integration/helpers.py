"""Helpers for the integration tests; the environment itself is ``harness.env``."""

from __future__ import annotations

from harness.dovecot import deliver
from harness.dovecot import folder_counts as folders
from harness.env import EXAMPLES, Clock, sql, sql_env

__all__ = ["EXAMPLES", "Clock", "deliver", "folders", "sql", "sql_env"]
