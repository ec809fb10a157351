"""Helpers for the integration tests; the environment itself is ``harness.env``."""

from __future__ import annotations

from imap_tools import MailBoxUnencrypted

from harness.env import EXAMPLES, Clock, sql, sql_env

__all__ = ["EXAMPLES", "Clock", "deliver", "folders", "sql", "sql_env"]


def deliver(account, raw: bytes) -> None:
    with MailBoxUnencrypted(account.host, account.port).login(account.user,
                                                               account.password) as box:
        box.append(raw, "INBOX")


def folders(account) -> dict[str, int]:
    with MailBoxUnencrypted(account.host, account.port).login(account.user,
                                                               account.password) as box:
        counts = {}
        for name in ("INBOX", "Processed", "Rejected"):
            box.folder.set(name)
            counts[name] = len(box.uids())
        return counts
