"""Moved to ``harness.dovecot``; kept so branches in flight still import it."""

from harness.dovecot import *  # noqa: F403
