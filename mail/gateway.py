"""Reading one inbound message into what the service needs: a pipeline of small steps.

1. parse, and its identity (Message-ID, or a hash of the bytes);
2. auto-reply or bounce? (``classify``) — a bounce also names the failed addresses;
3. the reply key: To, Delivered-To, X-Original-To, then References/In-Reply-To;
4. the sender (From), and — when required — whether the receiving server's
   Authentication-Results say DMARC or DKIM passed for the sender's domain;
5. the visible reply (quotes and signatures removed) and the decision in it.

Nothing here touches the database; ``service.inbound.handle_reply`` does
the rest. Logs from here never hold reply keys or full addresses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses

from mail.addresses import (
    DEFAULT_PATTERN,
    key_from_address,
    key_from_references,
    token_from_bounce_address,
)
from mail.authentication import authenticated
from mail.classify import classify
from mail.decision import decide
from mail.message import MAX_PARSED, clean, header, message_key, parse_message
from mail.visible import visible_reply
from service.inbound import ReadReply

KEY_HEADERS = ("To", "Delivered-To", "X-Original-To", "Cc")
MAX_ADDRESS = 254  # RFC 5321: no mail server accepts a longer path
MAX_STORED_TEXT = 20_000  # characters of a reply kept as a comment or reason
_FAILED = re.compile(r"^(?:Final|Original)-Recipient:\s*rfc822;\s*(\S+)", re.IGNORECASE | re.M)


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    """How this installation's reply addresses look, and how strict the sender check is."""

    reply_pattern: str = DEFAULT_PATTERN
    domain: str = "example.no"
    require_authentication: bool = False
    authserv_id: str = ""  # our receiving server's name: only its verdict is trusted


def reply_key(message: EmailMessage, settings: GatewaySettings) -> str | None:
    """The key from our reply address, else from our Message-ID in the thread headers."""
    for name in KEY_HEADERS:
        key = key_from_address(header(message, name), settings.reply_pattern)
        if key:
            return key
    for name in ("References", "In-Reply-To"):
        key = key_from_references(header(message, name, MAX_PARSED), settings.domain)
        if key:
            return key
    return None


def bounce_token(message: EmailMessage, settings: GatewaySettings) -> str | None:
    """The VERP token of the address a bounce was delivered to (see ``bounce_address``)."""
    for name in ("Delivered-To", "X-Original-To", "To"):
        token = token_from_bounce_address(header(message, name), settings.reply_pattern)
        if token:
            return token
    return None


def sender(message: EmailMessage) -> str:
    """The From address, lowercased ("" when there is none, or none a mail server accepts).

    An address longer than RFC 5321's 254 characters cannot be answered, so it counts
    as none: such a message is recorded and filed, never answered.
    """
    found = [address for _, address in getaddresses([header(message, "From")]) if address]
    address = found[0].strip().lower() if found else ""
    return address if len(address) <= MAX_ADDRESS and " " not in address else ""


def bounced_addresses(message: EmailMessage, raw: bytes) -> tuple[str, ...]:
    """The addresses a bounce says failed (X-Failed-Recipients, DSN Final-Recipient)."""
    found = [a for _, a in getaddresses([header(message, "X-Failed-Recipients")]) if a]
    found += _FAILED.findall(raw[:65536].decode("utf-8", "replace"))
    return tuple(dict.fromkeys(a.strip("<>").lower() for a in found))


def read_reply(raw: bytes, settings: GatewaySettings,
               message: EmailMessage | None = None) -> ReadReply:
    """Everything the service needs from one raw message (``message``: already parsed)."""
    message = parse_message(raw) if message is None else message
    verdict = classify(message)
    identity = message_key(message, raw)
    subject = header(message, "Subject", 200)
    if verdict.bounce or verdict.auto_reply:
        return ReadReply(identity, sender(message), subject, auto_reply=verdict.auto_reply,
                         bounce=verdict.bounce,
                         bounced=bounced_addresses(message, raw) if verdict.bounce else (),
                         bounce_token=bounce_token(message, settings) if verdict.bounce
                         else None)
    frm = sender(message)
    text = clean(visible_reply(message), MAX_STORED_TEXT)
    decision = decide(text)
    proven = (authenticated(message, frm, settings.authserv_id)
              if settings.require_authentication else True)
    return ReadReply(identity, frm, subject, reply_key(message, settings), decision.intent,
                     decision.reason if decision.intent == "return" else text,
                     authenticated=proven)
