"""Moved to ``harness.telegram_user``; kept so branches in flight still import it."""

from harness.telegram_user import *  # noqa: F403
