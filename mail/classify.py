"""Is an inbound message a person's reply, an auto-reply or a bounce?

Machines must never get an answer from Kvitt, and a bounce also marks the address as
bouncing, so the two are told apart. Order matters:

1. A *strong* bounce signal (a delivery-status or feedback report, a MAILER-DAEMON or
   postmaster sender, ``X-Failed-Recipients``) wins: many bounces also carry
   ``Auto-Submitted: auto-replied`` and must not count as mere out-of-office replies.
2. Auto-reply signals: RFC 3834 ``Auto-Submitted`` other than ``no``, ``X-Autoreply`` or
   ``X-Autorespond``, ``Precedence: bulk|junk|list|auto_reply``, Exchange's
   ``X-Auto-Response-Suppress: All`` only together with an out-of-office subject
   (Automatic reply, Automatisk svar, Autosvar, Fravær), ``X-MS-Exchange-Inbox-Rules-Loop``,
   iCloud's ``X-Apple-Action: VACATION``, Discourse's ``[AUTO GENERATED]`` and Lotus Notes'
   ``AUTO:`` subjects.
3. A null ``Return-Path: <>`` with none of the above is a bounce: RFC 3834 asks
   auto-replies to use it too, so it only decides when nothing else does.
4. A ``no-reply@`` sender is automatic mail too: no approver writes from one.

``X-Auto-Response-Suppress`` alone proves nothing: Outlook puts it on ordinary mail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Literal

from mail.message import header

Kind = Literal["reply", "auto_reply", "bounce"]

_REPORT_PARTS = frozenset({"message/delivery-status", "message/feedback-report"})
_DAEMON = re.compile(r"^(mailer[-_]?daemon|post[-_]?master)$", re.IGNORECASE)
# Hotmail/Outlook.com sends its complaint reports (JMRP) from this address, not as ARF
_COMPLAINT_SENDERS = frozenset({"staff@hotmail.com"})
_NO_REPLY = re.compile(r"^(no|do[-_.]?not)[-_.]?reply\b", re.IGNORECASE)
_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_OUT_OF_OFFICE_SUBJECT = re.compile(
    r"^\s*(automatic reply|automatisk svar|autosvar|fravær)\b", re.IGNORECASE)
_AUTO_SUBJECT = re.compile(r"^\s*(\[auto[-_ ]?generated\]|auto:\s)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the message is, and the signal that decided it (for logs and support)."""

    kind: Kind
    signal: str = ""

    @property
    def auto_reply(self) -> bool:
        """True for an out-of-office or other automatic answer (never answered)."""
        return self.kind == "auto_reply"

    @property
    def bounce(self) -> bool:
        """True for a delivery failure or complaint report (never answered)."""
        return self.kind == "bounce"


def _header(message: EmailMessage, name: str) -> str:
    return header(message, name).strip()


def _is_report(message: EmailMessage) -> bool:
    if message.get_content_type() == "multipart/report":
        # read receipts (disposition-notification) are the only reports that are not failures
        return str(message.get_param("report-type", "")).lower() != "disposition-notification"
    return any(part.get_content_type() in _REPORT_PARTS for part in message.walk())


def _sender_is_daemon(message: EmailMessage) -> bool:
    headers = [_header(message, name) for name in ("From", "Sender", "Return-Path")]
    for name, address in getaddresses(headers):
        local = address.rpartition("@")[0] if "@" in address else address
        if _DAEMON.match(local or name):  # "From: MAILER-DAEMON <>" has only a name
            return True
        if address.lower() in _COMPLAINT_SENDERS:
            return True
    return False


def _bounce_signal(message: EmailMessage) -> str:
    if _is_report(message):
        return "delivery-status or feedback report"
    if _sender_is_daemon(message):
        return "sender is MAILER-DAEMON, postmaster or a complaint desk"
    if "X-Failed-Recipients" in message:
        return "X-Failed-Recipients"
    return ""


def _auto_reply_signal(message: EmailMessage) -> str:
    auto_submitted = _header(message, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    for name in ("X-Autoreply", "X-Autorespond", "X-MS-Exchange-Inbox-Rules-Loop"):
        if name in message:
            return name
    if _header(message, "Precedence").lower() in _PRECEDENCE:
        return "Precedence: " + _header(message, "Precedence").lower()
    subject = _header(message, "Subject")
    suppress = {word.strip().lower() for word in _header(message, "X-Auto-Response-Suppress")
                .split(",")}
    if "all" in suppress and _OUT_OF_OFFICE_SUBJECT.match(subject):
        return "X-Auto-Response-Suppress: All with an out-of-office subject"
    if _header(message, "X-Apple-Action").upper() == "VACATION":
        return "X-Apple-Action: VACATION"
    if _AUTO_SUBJECT.match(subject):
        return "automatic subject"
    return ""


def classify(message: EmailMessage) -> Verdict:
    """Tell a person's reply from an auto-reply or a bounce (see the module docstring)."""
    if signal := _bounce_signal(message):
        return Verdict("bounce", signal)
    if signal := _auto_reply_signal(message):
        return Verdict("auto_reply", signal)
    if _header(message, "Return-Path") == "<>":
        return Verdict("bounce", "null Return-Path")
    if any(_NO_REPLY.match(address) for _, address in getaddresses([_header(message, "From")])):
        return Verdict("auto_reply", "sender is a no-reply address")
    return Verdict("reply")
