"""Moved to ``harness.bot_api_server``; kept so branches in flight still import it."""

from harness.bot_api_server import *  # noqa: F403
