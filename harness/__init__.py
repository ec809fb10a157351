"""Real servers and a real-database environment, shared by the tests and the benchmarks.

A Telegram Bot API endpoint (``bot_api``), a private Dovecot (``dovecot``), a service
environment on SQLite or PostgreSQL (``env``). They lived in ``tests/``; the benchmarks
need them too, and ``bench/`` must not import ``tests/`` (issue 12), so both import
them from here. Production code never does (the layers contract in ``pyproject.toml``).
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
