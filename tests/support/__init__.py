"""Real servers on 127.0.0.1 for tests: a Telegram Bot API endpoint, Dovecot IMAP, SMTP.

Fixtures are in ``conftest_plugin`` (loaded from ``tests/conftest.py``); the Bot API
endpoint and Dovecot live in ``harness`` (the benchmarks use them too), ``smtp`` here.
"""

from __future__ import annotations

from harness import free_port

__all__ = ["free_port"]
