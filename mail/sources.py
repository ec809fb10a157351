"""Where inbound mail comes from: an IMAP mailbox, a Maildir, or one message on stdin.

Each source hands out raw messages and, once the service has recorded what
became of one, files it: ``Processed`` or ``Rejected`` (created if missing).
Nothing is ever deleted. IMAP is blocking (imap-tools), so the worker runs it
in a thread; the Maildir is local files.
"""

from __future__ import annotations

import contextlib
import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage

FOLDERS = ("Processed", "Rejected")
Security = Literal["tls", "starttls", "plain"]


class RawMailMessage(MailMessage):
    """imap-tools' message, keeping the exact bytes (ids and bounce parsing need them)."""

    def __init__(self, fetch_data: list[Any]) -> None:
        super().__init__(fetch_data)
        self.raw: bytes = self._get_message_data_parts(fetch_data)[0]


def _with_raw(cls: type[Any]) -> type[Any]:
    return type(f"Raw{cls.__name__}", (cls,), {"email_message_class": RawMailMessage})


_BOXES: dict[str, type[Any]] = {"tls": _with_raw(MailBox), "starttls": _with_raw(MailBoxStartTls),
                                 "plain": _with_raw(MailBoxUnencrypted)}


@dataclass(frozen=True, slots=True)
class ImapSettings:
    """An IMAP account: TLS in production; ``plain`` only for a server on 127.0.0.1."""

    host: str
    port: int
    user: str
    password: str
    security: Security = "tls"
    folder: str = "INBOX"


class ImapSource:
    """One logged-in IMAP connection (blocking calls: run them in a thread)."""

    def __init__(self, settings: ImapSettings, timeout: float = 30) -> None:
        self.settings = settings
        box = _BOXES[settings.security](settings.host, settings.port, timeout=timeout)
        self.box: Any = box.login(settings.user, settings.password, settings.folder)
        for folder in FOLDERS:
            if not self.box.folder.exists(folder):
                self.box.folder.create(folder)

    def fetch(self, limit: int = 50) -> list[tuple[str, bytes]]:
        """Up to ``limit`` messages still in the inbox, oldest first, as (uid, bytes)."""
        self.box.client.noop()  # let the session learn of mail that arrived since the last look
        return [(m.uid, m.raw) for m in self.box.fetch("ALL", mark_seen=False, limit=limit,
                                                      bulk=True) if m.uid]

    def file(self, uid: str, processed: bool) -> None:
        """Move one message to ``Processed`` or ``Rejected``."""
        self.box.move(uid, FOLDERS[0] if processed else FOLDERS[1])

    def wait(self, seconds: float) -> None:
        """Wait for new mail: IDLE where the server has it, else just the interval."""
        if b"IDLE" in self.box.client.capabilities:
            self.box.idle.wait(timeout=seconds)

    def close(self) -> None:
        """Log out (best effort: the connection may already be gone)."""
        with contextlib.suppress(Exception):  # closing a dead connection
            self.box.logout()


class MaildirSource:
    """A Maildir (``new``/``cur``); handled mail goes to its ``.Processed``/``.Rejected``."""

    def __init__(self, path: Path) -> None:
        self.box = mailbox.Maildir(path, create=True)
        self.folders = {name: self.box.add_folder(name) if name not in self.box.list_folders()
                        else self.box.get_folder(name) for name in FOLDERS}

    def messages(self) -> Iterator[tuple[str, bytes]]:
        """Every message in the inbox, as (key, bytes)."""
        for key in list(self.box.keys()):
            yield key, self.box.get_bytes(key)

    def file(self, key: str, processed: bool) -> None:
        """Move one message to its folder (added there first, then removed here)."""
        target = self.folders[FOLDERS[0] if processed else FOLDERS[1]]
        target.add(self.box.get_message(key))
        self.box.remove(key)
