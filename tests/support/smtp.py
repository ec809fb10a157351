"""A real SMTP server on 127.0.0.1 (aiosmtpd in a thread) that records what it is sent.

The mail gateway's sending is tested against this instead of a mock, so envelope, headers
and encoding are whatever ``aiosmtplib`` really put on the wire. Fault tests tell it to
refuse (``451`` is "try again later", ``550`` is "never"), or stop it and start it again on
the same port to play "server down, then back".

aiosmtpd's ``Controller`` checks at start-up that it can connect to the port it was given,
so ``port=0`` does not work: a free port is found by binding a socket first. A stopped
``Controller`` has closed its event loop, so each ``start()`` makes a new one.
"""

from __future__ import annotations

import asyncio
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support import free_port

Stage = Literal["MAIL", "RCPT", "DATA"]


@dataclass(frozen=True)
class Received:
    """One message the server accepted: its envelope, its bytes, and those bytes parsed."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    message: EmailMessage


@dataclass
class _Refusal:
    reply: str
    stage: Stage
    times: int | None


class _Handler:
    """aiosmtpd hooks: refuse when told to, otherwise accept and record."""

    def __init__(self, owner: SmtpServer) -> None:
        self.owner = owner

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          mail_options: list[str]) -> str:
        refusal = self.owner._take_refusal("MAIL")
        if refusal is not None:
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        refusal = self.owner._take_refusal("RCPT")
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        refusal = self.owner._take_refusal("DATA")
        if refusal is not None:
            return refusal
        data = bytes(envelope.original_content or envelope.content)
        message = message_from_bytes(data, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.owner._record(Received(envelope.mail_from, tuple(envelope.rcpt_tos), data,
                                    message))
        return "250 Message accepted for delivery"


class SmtpServer:
    """An SMTP server the test controls; requires AUTH when given ``user`` and ``password``."""

    host = "127.0.0.1"

    def __init__(self, *, user: str | None = None, password: str | None = None) -> None:
        self.port = 0
        self.user = user
        self.password = password
        self._controller: Controller | None = None
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._received: list[Received] = []
        self._refusals: list[_Refusal] = []
        # called (in the server's thread) as each message is accepted, before the 250
        self.on_accept: Callable[[Received], None] | None = None

    def start(self) -> SmtpServer:
        """Listen (again, on the same port after ``stop()``)."""
        if self._controller is not None:
            return self
        for attempt in range(3):
            port = self.port or free_port()
            kwargs: dict[str, Any] = {}
            if self.user is not None:
                kwargs = {"authenticator": self._authenticate, "auth_required": True,
                          "auth_require_tls": False}
                # Deliberate: production sends over TLS, this test server has none.
                warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
            controller = Controller(_Handler(self), hostname=self.host, port=port, **kwargs)
            try:
                controller.start()
            except (OSError, RuntimeError):
                if self.port or attempt == 2:
                    raise
                continue
            self._controller, self.port = controller, port
            return self
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """Stop listening; connections are refused until ``start()``."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        """True while it accepts connections."""
        return self._controller is not None

    def refuse(self, reply: str, *, at: Stage = "DATA", times: int | None = 1) -> None:
        """Answer ``reply`` (e.g. ``"451 4.3.0 Try again later"``) at a stage.

        ``times=None`` refuses until ``accept()``.
        """
        with self._lock:
            self._refusals.append(_Refusal(reply, at, times))

    def accept(self) -> None:
        """Drop every pending refusal."""
        with self._lock:
            self._refusals.clear()

    def clear(self) -> None:
        """Forget the messages received so far and any refusals."""
        with self._lock:
            self._received.clear()
            self._refusals.clear()

    @property
    def messages(self) -> list[Received]:
        """The messages accepted so far, in order."""
        with self._lock:
            return list(self._received)

    async def wait_for_messages(self, count: int, timeout: float = 10) -> list[Received]:
        """Wait (without blocking the event loop) until ``count`` messages were accepted."""
        return await asyncio.to_thread(self._wait, count, timeout)

    def _wait(self, count: int, timeout: float) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{len(self._received)} of {count} messages "
                                       f"after {timeout} s")
                self._changed.wait(remaining)
            return list(self._received)

    def _record(self, received: Received) -> None:
        if self.on_accept is not None:
            self.on_accept(received)
        with self._changed:
            self._received.append(received)
            self._changed.notify_all()

    def _take_refusal(self, stage: Stage) -> str | None:
        with self._lock:
            for refusal in self._refusals:
                if refusal.stage == stage:
                    if refusal.times is not None:
                        refusal.times -= 1
                        if refusal.times <= 0:
                            self._refusals.remove(refusal)
                    return refusal.reply
        return None

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:
        good = (isinstance(auth_data, LoginPassword)
                and auth_data.login.decode() == self.user
                and auth_data.password.decode() == self.password)
        return AuthResult(success=good, handled=False)

    def log(self) -> str:
        """A summary of what arrived, for a failing test's report."""
        lines = [f"SMTP 127.0.0.1:{self.port} running={self.running}"]
        lines += [f"  {r.mail_from} -> {', '.join(r.rcpt_tos)}: {r.message['Subject']}"
                  for r in self.messages]
        return "\n".join(lines)
