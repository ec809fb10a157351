"""Fixtures for tests that drive the product through real servers on 127.0.0.1.

Loaded by ``tests/conftest.py``. Servers that start slowly live for the session and are
reset or given a fresh account per test; cheap ones are per test. A server that is not
installed skips its tests on a laptop but fails them in CI (``CI=true``): a skipped test
there would hide a failure. When a test fails, the logs of the servers it used are added
to its report.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator

import pytest

from harness.bot_api import BotApiServer
from harness.dovecot import DovecotServer, ImapAccount, dovecot_binary
from tests.support.smtp import SmtpServer
from tests.support.unavailable import unavailable

_SERVER_FIXTURES = ("bot_api", "imap_server", "smtp_server")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
        item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport,
                                                                      pytest.TestReport]:
    """Attach the logs of the servers a failed test used to its report."""
    report = yield
    if report.failed:
        funcargs = getattr(item, "funcargs", {})
        for name in _SERVER_FIXTURES:
            server = funcargs.get(name)
            log = server.log() if server is not None else ""
            if log.strip():
                report.sections.append((f"{name} log", log))
    return report


@pytest.fixture(scope="session")
def bot_api_server() -> Iterator[BotApiServer]:
    """The local Bot API endpoint process, started once per session."""
    with BotApiServer() as server:
        yield server


@pytest.fixture
def bot_api(bot_api_server: BotApiServer) -> Iterator[BotApiServer]:
    """The endpoint, emptied for this test; fails the test if the endpoint itself broke."""
    bot_api_server.reset()
    yield bot_api_server
    errors = bot_api_server.server_errors()
    assert not errors, "the Bot API endpoint failed:\n" + "".join(errors)


@pytest.fixture(scope="session")
def imap_server() -> Iterator[DovecotServer]:
    """A private Dovecot for the session (``host``, ``port``, ``user``, ``password``)."""
    binary = dovecot_binary()
    if binary is None:
        unavailable("dovecot is not installed (apt-get install -y dovecot-imapd)")
        raise AssertionError("unreachable")
    server = DovecotServer(binary)
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture
def imap_account(imap_server: DovecotServer) -> ImapAccount:
    """A fresh account with an empty INBOX, Processed and Rejected, for one test."""
    return imap_server.add_account()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """An SMTP server on a free port of 127.0.0.1 that records what it accepts."""
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()
