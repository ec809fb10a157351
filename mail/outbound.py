"""Delivering the email outbox: compose each message by its kind, send it with SMTP.

The delivery use case leases the rows and records the outcome; this module only
turns one row into an ``EmailMessage`` and hands it to the SMTP server. A 5xx
answer is permanent (recorded, shown in the admin digest); a 4xx answer or a
server that cannot be reached is temporary (retried with backoff). Bank accounts
go in full only to the approvers of a payer's last stage (*anvisning*: they pay);
everyone else sees them masked.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

import aiosmtplib

from domain.errors import NotFound
from mail import compose
from service import admin
from service.context import Env
from service.delivery import TryLater, Undeliverable, deliver_due
from service.ports import OutboxRow
from service.views import mail_context

log = logging.getLogger("kvitt.mail.out")


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """The SMTP server and who the mail is from; see ``app.settings.MailSettings``."""

    host: str
    port: int
    security: str = "starttls"
    user: str = ""
    password: str = ""
    sender: str = "Kvitt <krav@example.no>"
    reply_pattern: str = "krav+{key}@example.no"
    domain: str = "example.no"


async def compose_row(env: Env, row: OutboxRow, smtp: SmtpSettings) -> EmailMessage:
    """The message for one outbox row."""
    m, p = row.message, row.message.payload
    kind = m.kind
    common: dict[str, Any] = {"sender": smtp.sender, "domain": smtp.domain}
    alang = await approver_language(env, p)  # for mails to approvers
    if kind == "admin_digest":
        return compose.digest_mail(
            to=m.recipient, subject=str(p["subject"]), text=str(p["text"]),
            html=str(p["html"]), message_key=m.dedupe_key, attachment=(
                str(p.get("payroll_csv_name", "lonn.csv")),
                base64.b64decode(str(p.get("payroll_csv", "")))), **common)
    if kind == "reminder_approver":
        return compose.approver_reminder(
            to=m.recipient, reply_key=str(p["reply_key"]), reference=str(p["reference"]),
            title=str(p["title"]), payer_name=str(p["payer_name"]),
            stage_name=str(p["stage_name"]), days_open=int(p["days_open"]),
            also=list(p.get("also", [])), lang=alang, reply_pattern=smtp.reply_pattern,
            day=m.dedupe_key.rsplit(":", 1)[-1], **common)
    if kind == "refusal":
        return compose.refusal(str(p["refusal"]), to=m.recipient,
                               in_reply_to=_msgid(p), references=_msgid(p),
                               lang=alang, reference=p.get("reference"),
                               reply_key=p.get("reply_key"), reply_pattern=smtp.reply_pattern,
                               **common)
    context = await mail_context(env, str(p["claim_id"]),
                                 with_receipts=kind == "approval_request")
    view, claimant = context.summary, context.claimant
    lang = str(p.get("lang", claimant.language))
    if kind == "approval_request":
        payer, stage = str(p["payer"]), int(p["stage"])
        approval = view.claim.approval(payer, stage, int(p["round"]))
        last_stage = view.claim.approval(payer, stage + 1, int(p["round"])) is None
        return compose.approval_request(
            view, payer=payer, stage_name=approval.stage_name if approval else "",
            approver=m.recipient, reply_key=str(p["reply_key"]), lang=alang,
            reply_pattern=smtp.reply_pattern, claimant_name=claimant.name,
            bank_account_for_payer=claimant.bank_account  # digits: compose formats them
            if last_stage and claimant.bank_account else None,
            receipts=context.receipts, masked_account=claimant.masked_account, **common)
    if kind == "returned":
        return compose.return_notice(view, to=m.recipient, payer=str(p["payer"]),
                                     returned_by=str(p["actor"]), reason=str(p["text"]),
                                     lang=lang, message_key=m.dedupe_key, **common)
    if kind == "commented":
        return compose.comment_to_claimant(view, to=m.recipient, author=str(p["actor"]),
                                           payer=p.get("payer"), text=str(p["text"]),
                                           lang=lang, message_key=m.dedupe_key, **common)
    if kind == "claimant_comment":
        return compose.claimant_comment_to_approver(
            view, approver=m.recipient, claimant_name=claimant.name, text=str(p["text"]),
            reply_key=str(p["reply_key"]), lang=alang, reply_pattern=smtp.reply_pattern,
            **common)
    if kind == "claim_withdrawn":
        return compose.withdrawn_notice(view, approver=m.recipient, claimant_name=claimant.name,
                                        lang=alang, message_key=m.dedupe_key, **common)
    if kind == "decision_confirmation":
        return compose.decision_confirmation(
            view, decision=p["decision"], to=m.recipient, in_reply_to=_msgid(p),
            references=_msgid(p), claimant_name=claimant.name, text=str(p.get("text", "")),
            lang=alang, **common)
    raise Undeliverable(f"no email for outbox kind {kind!r}")


async def approver_language(env: Env, payload: dict[str, Any]) -> str:
    """The language of the payer an approver mail is about (its ``language``; else nb)."""
    slug = payload.get("stage_payer") or payload.get("payer")
    if not slug:
        return "nb"
    try:
        return (await admin.organisation(env, str(slug))).language
    except NotFound:
        return "nb"


def _msgid(payload: dict[str, Any]) -> str:
    """The approver's Message-ID, or "" for a message that had none (we used a hash)."""
    value = str(payload.get("in_reply_to", ""))
    return value if value.startswith("<") else ""


async def send_message(message: EmailMessage, smtp: SmtpSettings) -> None:
    """Hand one message to the SMTP server; classify what went wrong."""
    if "Date" not in message:
        message["Date"] = formatdate(localtime=False)
    try:
        await aiosmtplib.send(message, hostname=smtp.host, port=smtp.port,
                              username=smtp.user or None, password=smtp.password or None,
                              use_tls=smtp.security == "tls",
                              start_tls=smtp.security == "starttls",
                              timeout=30)
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = [r.code for r in exc.recipients]
        if all(code >= 500 for code in codes):
            raise Undeliverable(f"recipient refused ({codes})") from exc
        raise TryLater(f"recipient deferred ({codes})") from exc
    except aiosmtplib.SMTPResponseException as exc:
        if exc.code >= 500:
            raise Undeliverable(f"SMTP {exc.code}") from exc
        raise TryLater(f"SMTP {exc.code}") from exc
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise TryLater(f"SMTP server unreachable: {type(exc).__name__}") from exc


def sender(env: Env, smtp: SmtpSettings) -> Any:
    """A ``Sender`` for ``deliver_due``: compose and send one row."""
    async def send(row: OutboxRow) -> None:
        await send_message(await compose_row(env, row, smtp), smtp)
    return send


async def email_worker(env: Env, smtp: SmtpSettings, stop: asyncio.Event, *,
                       interval: float = 5.0) -> None:
    """Deliver the email outbox until ``stop``; a pass in hand is finished first."""
    send = sender(env, smtp)
    while not stop.is_set():
        report = await deliver_due(env, "email", send)
        if report.sent or report.failed:
            log.info("mail: %s sent, %s retried, %s failed", report.sent, report.retried,
                     report.failed)
        if report.sent == 0:
            with contextlib.suppress(TimeoutError):  # the interval passed: look again
                await asyncio.wait_for(stop.wait(), interval)
