"""Telegram notices from the outbox: returned, approved, paid, an approver's comment.

Rendered from the outbox payload (language and payer's name were written with
it), sent by the bot, and recorded by the delivery use case. A user who blocked
the bot is a permanent failure (shown to the admin); Telegram being down or
rate-limiting is temporary.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from domain.text import Text
from service.context import Env
from service.delivery import ServerAway, TryLater, Undeliverable, deliver_due, dispatch, handles
from service.messages import (
    ApproverComment,
    ClaimantReminder,
    ClaimApprovedNotice,
    DeadlineWarning,
    Message,
    PaidNotice,
    PayerApprovedNotice,
    ReturnedNotice,
)
from service.ports import OutboxMessage, OutboxRow

log = logging.getLogger("kvitt.notices")

OPEN = Text("Åpne kravet", "Open the claim")


@dataclass(frozen=True, slots=True)
class Notice:
    """A notice's words, the claimant's language, and the claim its button opens."""

    text: Text
    lang: str
    claim_id: str


def _returned(_: None, m: ReturnedNotice) -> Notice:
    return Notice(Text(
        f"↩️ {m.reference} «{m.title}» er sendt i retur av {m.payer_name}:\n«{m.text}»\n"
        "Trykk «Åpne kravet», rett det opp og send det på nytt med /send.",
        f"↩️ {m.reference} «{m.title}» was returned by {m.payer_name}:\n«{m.text}»\n"
        "Press «Open the claim», fix it and send it again with /send."), m.lang, m.claim_id)


def _payer_approved(_: None, m: PayerApprovedNotice) -> Notice:
    return Notice(Text(f"✅ {m.payer_name} har godkjent {m.reference} «{m.title}».",
                       f"✅ {m.payer_name} approved {m.reference} «{m.title}»."),
                  m.lang, m.claim_id)


def _claim_approved(_: None, m: ClaimApprovedNotice) -> Notice:
    return Notice(Text(f"✅ {m.reference} «{m.title}» er godkjent av alle og går til utbetaling.",
                       f"✅ {m.reference} «{m.title}» is approved by all and goes to payment."),
                  m.lang, m.claim_id)


def _paid(_: None, m: PaidNotice) -> Notice:
    when = m.text
    if len(when) == 10:
        year, month, day = when.split("-")  # the payroll date, as people write it
        when = f"{day}.{month}.{year}"
    return Notice(Text(f"💰 {m.reference} «{m.title}» er utbetalt {when}.",
                       f"💰 {m.reference} «{m.title}» is paid {when}."), m.lang, m.claim_id)


def _commented(_: None, m: ApproverComment) -> Notice:
    return Notice(Text(f"💬 {m.actor} ({m.payer_name}) om {m.reference}:\n«{m.text}»\n"
                       "Svar med /kommentar.",
                       f"💬 {m.actor} ({m.payer_name}) about {m.reference}:\n«{m.text}»\n"
                       "Answer with /comment."), m.lang, m.claim_id)


# reminders arrive with their sentence already in the claimant's language
def _reminder(_: None, m: ClaimantReminder) -> Notice:
    return Notice(Text(f"⏰ {m.message}", f"⏰ {m.message}"), m.lang, m.claim_id)


def _deadline(_: None, m: DeadlineWarning) -> Notice:
    return Notice(Text(f"⚠️ {m.message}", f"⚠️ {m.message}"), m.lang, m.claim_id)


NOTICES: dict[type[Message], Callable[[None, Any], Notice]] = dict([
    handles(ReturnedNotice, _returned), handles(PayerApprovedNotice, _payer_approved),
    handles(ClaimApprovedNotice, _claim_approved), handles(PaidNotice, _paid),
    handles(ApproverComment, _commented), handles(ClaimantReminder, _reminder),
    handles(DeadlineWarning, _deadline)])


def notice(message: OutboxMessage) -> tuple[str, InlineKeyboardMarkup]:
    """The notice's text in the claimant's language, with a button to open the claim."""
    found = dispatch(NOTICES, None, message)
    button = InlineKeyboardButton(OPEN.in_(found.lang), callback_data=f"o:{found.claim_id}")
    return found.text.in_(found.lang), InlineKeyboardMarkup([[button]])


def sender(bot: Bot) -> Any:
    """A ``Sender`` for ``deliver_due``: one notice to one chat."""
    async def send(row: OutboxRow) -> None:
        text, markup = notice(row.message)
        try:
            await bot.send_message(int(row.message.recipient), text, reply_markup=markup)
        except Forbidden as exc:
            raise Undeliverable(f"blocked or left: {exc}") from exc
        except BadRequest as exc:
            raise Undeliverable(f"refused: {exc}") from exc
        except (RetryAfter, TimedOut) as exc:  # TimedOut: it may have gone; counted
            raise TryLater(str(exc)) from exc
        except NetworkError as exc:  # the Bot API cannot be reached: the notice waits
            raise ServerAway(str(exc)) from exc
    return send


async def notice_worker(env: Env, bot: Bot, stop: asyncio.Event, *,
                        interval: float = 2.0) -> None:
    """Deliver Telegram notices until ``stop`` is set; a pass in hand is finished first."""
    send = sender(bot)
    while not stop.is_set():
        report = await deliver_due(env, "telegram", send)
        if report.sent or report.failed:
            log.info("telegram notices: %s sent, %s failed", report.sent, report.failed)
        if report.sent == 0:
            with contextlib.suppress(TimeoutError):  # the interval passed: poll again
                await asyncio.wait_for(stop.wait(), interval)
