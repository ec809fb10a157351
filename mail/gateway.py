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

from mail.addresses import DEFAULT_PATTERN, key_from_address, key_from_references
from mail.classify import classify
from mail.decision import decide
from mail.message import MAX_PARSED, clean, header, message_key, parse_message
from mail.visible import visible_reply
from service.inbound import ReadReply

KEY_HEADERS = ("To", "Delivered-To", "X-Original-To", "Cc")
MAX_ADDRESS = 254  # RFC 5321: no mail server accepts a longer path
MAX_STORED_TEXT = 20_000  # characters of a reply kept as a comment or reason
_RESULT = re.compile(r"\b(dmarc|dkim)=(\w+)(?:[^;]*?header\.(?:from|d|i)=@?([\w.-]+))?",
                     re.IGNORECASE)
_FAILED = re.compile(r"^(?:Final|Original)-Recipient:\s*rfc822;\s*(\S+)", re.IGNORECASE | re.M)


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    """How this installation's reply addresses look, and how strict the sender check is."""

    reply_pattern: str = DEFAULT_PATTERN
    domain: str = "example.no"
    require_authentication: bool = False
    authserv_id: str = ""  # the receiving server's name in its Authentication-Results


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


def sender(message: EmailMessage) -> str:
    """The From address, lowercased ("" when there is none, or none a mail server accepts).

    An address longer than RFC 5321's 254 characters cannot be answered, so it counts
    as none: such a message is recorded and filed, never answered.
    """
    found = [address for _, address in getaddresses([header(message, "From")]) if address]
    address = found[0].strip().lower() if found else ""
    return address if len(address) <= MAX_ADDRESS and " " not in address else ""


def authenticated(message: EmailMessage, address: str, authserv_id: str = "") -> bool:
    """Whether OUR receiving server recorded DMARC or DKIM pass for the sender's domain.

    Only the topmost Authentication-Results header is trusted (RFC 8601: each server
    prepends its own, and a sender can write any header below it), or, with
    ``authserv_id``, the topmost one of that server. A ``fail`` there wins over a pass;
    a pass counts only if it names the sender's domain or a parent of it.
    """
    domain = address.rpartition("@")[2].lower()
    headers = [str(h) for h in message.get_all("Authentication-Results") or []]
    if authserv_id:
        headers = [h for h in headers
                   if h.split(";", 1)[0].strip().split()[:1] == [authserv_id]]
    if not headers:
        return False
    verdicts = [(method.lower(), result.lower(), where.lower())
                for method, result, where in _RESULT.findall(headers[0])]
    if any(method == "dmarc" and result != "pass" for method, result, _ in verdicts):
        return False
    return any(result == "pass" and where and (domain == where or domain.endswith("." + where))
               for _, result, where in verdicts)


def bounced_addresses(message: EmailMessage, raw: bytes) -> tuple[str, ...]:
    """The addresses a bounce says failed (X-Failed-Recipients, DSN Final-Recipient)."""
    found = [a for _, a in getaddresses([header(message, "X-Failed-Recipients")]) if a]
    found += _FAILED.findall(raw[:65536].decode("utf-8", "replace"))
    return tuple(dict.fromkeys(a.strip("<>").lower() for a in found))


def read_reply(raw: bytes, settings: GatewaySettings) -> ReadReply:
    """Everything the service needs from one raw message."""
    message = parse_message(raw)
    verdict = classify(message)
    identity = message_key(message, raw)
    subject = header(message, "Subject", 200)
    if verdict.bounce or verdict.auto_reply:
        return ReadReply(identity, sender(message), subject, auto_reply=verdict.auto_reply,
                         bounce=verdict.bounce,
                         bounced=bounced_addresses(message, raw) if verdict.bounce else ())
    frm = sender(message)
    text = clean(visible_reply(message), MAX_STORED_TEXT)
    decision = decide(text)
    proven = (authenticated(message, frm, settings.authserv_id)
              if settings.require_authentication else True)
    return ReadReply(identity, frm, subject, reply_key(message, settings), decision.intent,
                     decision.reason if decision.intent == "return" else text,
                     authenticated=proven)
