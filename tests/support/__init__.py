"""Real servers on 127.0.0.1 for tests: a Telegram Bot API endpoint, Dovecot IMAP, SMTP.

Fixtures are in ``conftest_plugin`` (loaded from ``tests/conftest.py``); the helpers in
``bot_api``, ``dovecot`` and ``smtp`` can also be used on their own (benchmarks, e2e).
"""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on now; the caller binds it soon and retries on a clash.

    For servers that cannot be told ``port=0`` (aiosmtpd checks the port it was given,
    Dovecot needs it in its config file).
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
