"""The demo's mail system: an SMTP server on 127.0.0.1 delivering into Maildirs, and mail clients.

``smtp_to_maildir`` runs aiosmtpd on the demo's own event loop and delivers every
message it accepts into ``<root>/<address>/`` (a Maildir per recipient), with
plus-addressing as Postfix does it: ``krav+<key>@example.no`` lands in
``krav@example.no`` with a ``Delivered-To`` header naming the full address. The
approvers' mail client (``reply``, ``send``) answers as a real one would, and
``shorten`` prints a message the way the demo shows it.
"""

from __future__ import annotations

import asyncio
import mailbox
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid, parsedate_to_datetime
from pathlib import Path
from typing import Any

import aiosmtplib
from aiosmtpd.smtp import SMTP

from domain.calendar import OSLO

HOST = "127.0.0.1"
MONTHS = ("jan.", "feb.", "mar.", "apr.", "mai", "jun.", "jul.", "aug.", "sep.", "okt.",
          "nov.", "des.")


def mailbox_name(address: str) -> str:
    """The mailbox an address delivers to: ``krav+abc@example.no`` → ``krav@example.no``."""
    local, _, domain = address.lower().rpartition("@")
    return f"{local.partition('+')[0]}@{domain}"


class MaildirDelivery:
    """aiosmtpd hook: each accepted message goes into each recipient's Maildir."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Deliver, then answer 250 (the sender learns it is stored only after this)."""
        content = bytes(envelope.original_content or envelope.content)
        for recipient in envelope.rcpt_tos:
            box = mailbox.Maildir(self.root / mailbox_name(recipient), create=True)
            box.add(f"Delivered-To: {recipient}\r\n".encode() + content)
        return "250 Delivered"


@asynccontextmanager
async def smtp_to_maildir(root: Path) -> AsyncIterator[int]:
    """Listen on 127.0.0.1 (a free port, yielded) until the block ends."""
    loop = asyncio.get_running_loop()
    handler = MaildirDelivery(root)
    server = await loop.create_server(lambda: SMTP(handler, hostname="kvitt-demo", loop=loop),
                                      HOST, 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        server.close()
        await server.wait_closed()


class Inboxes:
    """The people's mailboxes under ``root``, and which messages the demo has shown."""

    def __init__(self, root: Path, skip: str) -> None:
        self.root, self.skip = root, skip  # ``skip``: Kvitt's own inbound box
        self.seen: set[str] = set()

    def new(self) -> list[EmailMessage]:
        """Messages not shown before, by mailbox, then oldest first."""
        found: list[EmailMessage] = []
        for folder in sorted(p for p in self.root.iterdir() if p.name != self.skip):
            box = mailbox.Maildir(folder, create=False)
            messages = [message_from_bytes(box.get_bytes(key), policy=policy.default)
                        for key in box.iterkeys()]
            fresh = [m for m in messages if isinstance(m, EmailMessage)
                     and str(m["Message-ID"]) not in self.seen]
            found += sorted(fresh, key=lambda m: parsedate_to_datetime(str(m["Date"])))
        self.seen.update(str(m["Message-ID"]) for m in found)
        return found


def reply(request: EmailMessage, approver: str, answer: str) -> EmailMessage:
    """What an approver's mail client makes of Reply + typing ``answer`` on top."""
    message = EmailMessage()
    message["From"] = approver
    message["To"] = request["Reply-To"]
    message["Subject"] = "Re: " + str(request["Subject"])
    message["In-Reply-To"] = request["Message-ID"]
    message["References"] = f"{request['References']} {request['Message-ID']}".strip()
    message["Message-ID"] = make_msgid(domain=approver.rpartition("@")[2])
    message["Date"] = formatdate(localtime=False)
    sent = parsedate_to_datetime(str(request["Date"]))
    sent = (sent if sent.tzinfo else sent.replace(tzinfo=UTC)).astimezone(OSLO)  # "-0000"
    quoted = "\n".join(("> " + line).rstrip() for line in _text(request).splitlines())
    message.set_content(f"{answer}\n\nDen {_nb_date(sent)} skrev {request['From']}:\n"
                        f"{quoted}\n")
    return message


def _nb_date(moment: datetime) -> str:
    return f"{moment.day}. {MONTHS[moment.month - 1]} {moment.year} kl. {moment:%H.%M}"


async def send(message: EmailMessage, port: int) -> None:
    """Hand a message to the demo's SMTP server, as any mail client would."""
    await aiosmtplib.send(message, hostname=HOST, port=port, start_tls=False, timeout=10)


def _text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    return str(body.get_content()) if isinstance(body, EmailMessage) else ""


def shorten(message: EmailMessage, lines: int = 6, keep: tuple[str, ...] = ()) -> list[str]:
    """To, Subject, Reply-To, the first lines of the text, and the attachments.

    Lines further down that start with one of ``keep`` are shown too.
    """
    to = ", ".join(address for _, address in getaddresses([str(message["To"])]))
    shown = [f"✉️  To: {to}", f"    Subject: {message['Subject']}"]
    if message["In-Reply-To"]:
        shown.append(f"    In-Reply-To: {message['In-Reply-To']}")
    if message["Reply-To"]:
        shown.append(f"    Reply-To: {message['Reply-To']}")
    text = [line for line in _text(message).splitlines() if line.strip(" >")]
    picked = text[:lines] + [line for line in text[lines:] if line.startswith(keep)]
    shown += [f"    | {line}" for line in picked]
    if len(text) > len(picked):
        shown.append(f"    | … ({len(text) - len(picked)} linjer til / more lines)")
    for part in message.iter_attachments():
        size = len(part.get_content()) if isinstance(part, EmailMessage) else 0
        shown.append(f"    📎 {part.get_filename()} ({part.get_content_type()}, {size} byte)")
    return shown
