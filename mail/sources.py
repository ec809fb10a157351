"""Where inbound mail comes from: an IMAP mailbox, a Maildir, or one message on stdin.

Each source hands out raw messages one at a time (a 20 MB message never shares memory
with 49 others) and, once the service has recorded what became of one, files it:
``Processed``, ``Rejected``, or ``Failed`` for a message we could not handle after
several tries (created if missing). Nothing is ever deleted. A source remembers which
messages wait out a retry backoff (``deferred``), so they never hide newer ones. IMAP is
blocking (imap-tools), so the worker runs it in a thread; the Maildir is local files.
"""

from __future__ import annotations

import contextlib
import mailbox
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted

Folder = Literal["Processed", "Rejected", "Failed"]
FOLDERS: tuple[Folder, ...] = ("Processed", "Rejected", "Failed")
Security = Literal["tls", "starttls", "plain"]


_BOXES: dict[str, type[Any]] = {"tls": MailBox, "starttls": MailBoxStartTls,
                                 "plain": MailBoxUnencrypted}


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
        self.deferred: dict[str, datetime] = {}
        box = _BOXES[settings.security](settings.host, settings.port, timeout=timeout)
        self.box: Any = box.login(settings.user, settings.password, settings.folder)
        for folder in FOLDERS:
            if not self.box.folder.exists(folder):
                self.box.folder.create(folder)

    def pending(self) -> list[str]:
        """The uids still in the inbox, oldest first."""
        self.box.client.noop()  # let the session learn of mail that arrived since the last look
        return list(self.box.uids("ALL"))

    def read(self, uid: str) -> bytes | None:
        """One message's exact bytes (None if it went away meanwhile).

        Fetched with plain IMAP, not imap-tools' ``fetch``: that parses every message,
        and a hostile one (nested 1,000 levels) would raise before it could be filed.
        """
        status, data = self.box.client.uid("FETCH", uid, "(BODY.PEEK[])")
        if status != "OK":
            raise ConnectionError(f"IMAP FETCH answered {status}")
        return next((item[1] for item in data if isinstance(item, tuple)), None)

    def file(self, uids: Sequence[str], folder: Folder) -> None:
        """Move these messages to ``folder``: one command (UID MOVE, or COPY + EXPUNGE)."""
        if uids:
            self.box.move(list(uids), folder)

    def wait(self, seconds: float) -> None:
        """Wait for new mail: IDLE where the server has it, else just the interval."""
        if b"IDLE" in self.box.client.capabilities:
            self.box.idle.wait(timeout=seconds)

    def close(self) -> None:
        """Log out (best effort: the connection may already be gone)."""
        with contextlib.suppress(Exception):  # closing a dead connection
            self.box.logout()


class MaildirSource:
    """A Maildir (``new``/``cur``); handled mail goes to its folders (``.Processed`` …)."""

    def __init__(self, path: Path) -> None:
        self.deferred: dict[str, datetime] = {}
        self.box = mailbox.Maildir(path, create=True)
        self.folders = {name: self.box.add_folder(name) if name not in self.box.list_folders()
                        else self.box.get_folder(name) for name in FOLDERS}

    def pending(self) -> list[str]:
        """The keys in the inbox."""
        return list(self.box.keys())

    def read(self, key: str) -> bytes | None:
        """One message's bytes (None if it went away meanwhile)."""
        try:
            return self.box.get_bytes(key)
        except KeyError:
            return None

    def file(self, keys: Sequence[str], folder: Folder) -> None:
        """Move these messages to ``folder`` (each added there first, then removed here)."""
        for key in keys:
            self.folders[folder].add(self.box.get_bytes(key))
            self.box.remove(key)
