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
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

import aiosmtplib

from domain.errors import NotFound
from mail import compose
from mail.addresses import bounce_address
from service import admin
from service.context import Env
from service.delivery import ServerAway, TryLater, Undeliverable, deliver_due, dispatch, handles
from service.inbound import issue_bounce_token
from service.messages import (
    AdminDigest,
    ApprovalRequest,
    ApproverComment,
    ApproverReminder,
    ClaimantComment,
    DecisionConfirmation,
    Message,
    Refusal,
    ReturnedNotice,
    WithdrawnNotice,
)
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


@dataclass(frozen=True, slots=True)
class _Job:
    """One outbox row being composed: where it goes and what is common to every mail."""

    env: Env
    smtp: SmtpSettings
    to: str
    key: str

    @property
    def common(self) -> dict[str, Any]:
        return {"sender": self.smtp.sender, "domain": self.smtp.domain}


async def compose_row(env: Env, row: OutboxRow, smtp: SmtpSettings) -> EmailMessage:
    """The message for one outbox row, by its class (``COMPOSERS``)."""
    m = row.message
    return await dispatch(COMPOSERS, _Job(env, smtp, m.recipient, m.dedupe_key), m)


async def _digest(job: _Job, m: AdminDigest) -> EmailMessage:
    return compose.digest_mail(m, to=job.to, message_key=job.key, **job.common)


async def _approver_reminder(job: _Job, m: ApproverReminder) -> EmailMessage:
    return compose.approver_reminder(
        to=job.to, reply_key=m.reply_key, reference=m.reference, title=m.title,
        payer_name=m.payer_name, stage_name=m.stage_name, days_open=m.days_open,
        also=[asdict(c) for c in m.also], lang=await approver_language(job.env, m.payer),
        reply_pattern=job.smtp.reply_pattern, day=job.key.rsplit(":", 1)[-1], **job.common)


async def _refusal(job: _Job, m: Refusal) -> EmailMessage:
    return compose.refusal(m.refusal, to=job.to, in_reply_to=_msgid(m.in_reply_to),
                           references=_msgid(m.in_reply_to),
                           lang=await approver_language(job.env, m.payer),
                           reference=m.reference, reply_key=m.reply_key,
                           reply_pattern=job.smtp.reply_pattern, **job.common)


async def _approval_request(job: _Job, m: ApprovalRequest) -> EmailMessage:
    context = await mail_context(job.env, m.claim_id, with_receipts=True)
    view, claimant = context.summary, context.claimant
    payer, stage = m.payer or "", m.stage or 0
    approval = view.claim.approval(payer, stage, m.round)
    last_stage = view.claim.approval(payer, stage + 1, m.round) is None
    return compose.approval_request(
        view, payer=payer, stage_name=approval.stage_name if approval else "",
        approver=job.to, reply_key=m.reply_key, lang=await approver_language(job.env, payer),
        reply_pattern=job.smtp.reply_pattern, claimant_name=claimant.name,
        bank_account_for_payer=claimant.bank_account  # digits: compose formats them
        if last_stage and claimant.bank_account else None,
        receipts=context.receipts, masked_account=claimant.masked_account, **job.common)


async def _returned(job: _Job, m: ReturnedNotice) -> EmailMessage:
    view = (await mail_context(job.env, m.claim_id)).summary
    return compose.return_notice(view, to=job.to, payer=m.payer or "", returned_by=m.actor,
                                 reason=m.text, lang=m.lang, message_key=job.key, **job.common)


async def _commented(job: _Job, m: ApproverComment) -> EmailMessage:
    view = (await mail_context(job.env, m.claim_id)).summary
    return compose.comment_to_claimant(view, to=job.to, author=m.actor, payer=m.payer,
                                       text=m.text, lang=m.lang, message_key=job.key,
                                       **job.common)


async def _claimant_comment(job: _Job, m: ClaimantComment) -> EmailMessage:
    context = await mail_context(job.env, m.claim_id)
    return compose.claimant_comment_to_approver(
        context.summary, approver=job.to, claimant_name=context.claimant.name, text=m.text,
        reply_key=m.reply_key, lang=await approver_language(job.env, m.stage_payer),
        reply_pattern=job.smtp.reply_pattern, **job.common)


async def _withdrawn(job: _Job, m: WithdrawnNotice) -> EmailMessage:
    context = await mail_context(job.env, m.claim_id)
    return compose.withdrawn_notice(context.summary, approver=job.to,
                                    claimant_name=context.claimant.name,
                                    lang=await approver_language(job.env, m.stage_payer),
                                    message_key=job.key, **job.common)


async def _confirmation(job: _Job, m: DecisionConfirmation) -> EmailMessage:
    context = await mail_context(job.env, m.claim_id)
    return compose.decision_confirmation(
        context.summary, decision=m.decision, to=job.to, in_reply_to=_msgid(m.in_reply_to),
        references=_msgid(m.in_reply_to), claimant_name=context.claimant.name, text=m.text,
        lang=await approver_language(job.env, m.payer), **job.common)


COMPOSERS: dict[type[Message], Callable[[_Job, Any], Awaitable[EmailMessage]]] = dict([
    handles(AdminDigest, _digest), handles(ApproverReminder, _approver_reminder),
    handles(Refusal, _refusal), handles(ApprovalRequest, _approval_request),
    handles(ReturnedNotice, _returned), handles(ApproverComment, _commented),
    handles(ClaimantComment, _claimant_comment), handles(WithdrawnNotice, _withdrawn),
    handles(DecisionConfirmation, _confirmation)])


async def approver_language(env: Env, slug: str | None) -> str:
    """The language of the payer an approver mail is about (its ``language``; else nb)."""
    if not slug:
        return "nb"
    try:
        return (await admin.organisation(env, slug)).language
    except NotFound:
        return "nb"


def _msgid(value: str) -> str:
    """The approver's Message-ID, or "" for a message that had none (we used a hash)."""
    return value if value.startswith("<") else ""


async def send_message(message: EmailMessage, smtp: SmtpSettings,
                       envelope_sender: str | None = None) -> None:
    """Hand one message to the SMTP server; classify what went wrong.

    ``envelope_sender`` (MAIL FROM) is the VERP bounce address: a delivery failure comes
    back to it, proving which mail bounced.
    """
    if "Date" not in message:
        message["Date"] = formatdate(localtime=False)
    try:
        await aiosmtplib.send(message, sender=envelope_sender, hostname=smtp.host,
                              port=smtp.port,
                              username=smtp.user or None, password=smtp.password or None,
                              use_tls=smtp.security == "tls",
                              start_tls=smtp.security == "starttls",
                              timeout=30)
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = [r.code for r in exc.recipients]
        if all(code >= 500 for code in codes):
            raise Undeliverable(f"recipient refused ({codes})") from exc
        raise TryLater(f"recipient deferred ({codes})") from exc
    except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPAuthenticationError) as exc:
        # the server (or our login), not this mail: it waits without using up its tries
        raise ServerAway(f"SMTP server unreachable or refusing us: {type(exc).__name__}"
                         ) from exc
    except aiosmtplib.SMTPResponseException as exc:
        if exc.code >= 500:
            raise Undeliverable(f"SMTP {exc.code}") from exc
        raise TryLater(f"SMTP {exc.code}") from exc
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise TryLater(f"SMTP server unreachable: {type(exc).__name__}") from exc


def sender(env: Env, smtp: SmtpSettings) -> Any:
    """A ``Sender`` for ``deliver_due``: compose and send one row."""
    async def send(row: OutboxRow) -> None:
        message = await compose_row(env, row, smtp)
        token = await issue_bounce_token(env, row.message.recipient)
        await send_message(message, smtp, bounce_address(token, smtp.reply_pattern))
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
