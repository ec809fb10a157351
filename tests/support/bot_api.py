"""Moved to ``harness.bot_api``; kept so branches in flight still import it."""

from harness.bot_api import *  # noqa: F403
