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
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from service.context import Env
from service.delivery import TryLater, Undeliverable, deliver_due
from service.ports import OutboxRow

log = logging.getLogger("kvitt.notices")

TEXTS: dict[str, tuple[str, str]] = {
    "returned": ("↩️ {reference} «{title}» er sendt i retur av {payer_name}:\n«{text}»\n"
                 "Trykk «Åpne kravet», rett det opp og send det på nytt med /send.",
                 "↩️ {reference} «{title}» was returned by {payer_name}:\n«{text}»\n"
                 "Press «Open the claim», fix it and send it again with /send."),
    "payer_approved": ("✅ {payer_name} har godkjent {reference} «{title}».",
                       "✅ {payer_name} approved {reference} «{title}»."),
    "claim_approved": ("✅ {reference} «{title}» er godkjent av alle og går til utbetaling.",
                       "✅ {reference} «{title}» is approved by all and goes to payment."),
    "paid": ("💰 {reference} «{title}» er utbetalt {text}.",
             "💰 {reference} «{title}» is paid {text}."),
    # reminders arrive with their sentence already in the claimant's language
    "reminder_claimant": ("⏰ {message}", "⏰ {message}"),
    "deadline_warning": ("⚠️ {message}", "⚠️ {message}"),
    "commented": ("💬 {actor} ({payer_name}) om {reference}:\n«{text}»\n"
                  "Svar med /kommentar.",
                  "💬 {actor} ({payer_name}) about {reference}:\n«{text}»\n"
                  "Answer with /comment."),
}
OPEN = ("Åpne kravet", "Open the claim")


def notice(payload: dict[str, Any]) -> tuple[str, InlineKeyboardMarkup]:
    """The notice's text in the claimant's language, with a button to open the claim."""
    english = payload.get("lang") == "en"
    template = TEXTS[str(payload["event"])][1 if english else 0]
    if payload.get("event") == "paid" and len(str(payload.get("text", ""))) == 10:
        year, month, day = str(payload["text"]).split("-")  # the payroll date, as people write
        payload = {**payload, "text": f"{day}.{month}.{year}"}
    text = template.format_map({k: ("" if v is None else v) for k, v in payload.items()})
    button = InlineKeyboardButton(OPEN[1 if english else 0],
                                  callback_data=f"o:{payload['claim_id']}")
    return text, InlineKeyboardMarkup([[button]])


def sender(bot: Bot) -> Any:
    """A ``Sender`` for ``deliver_due``: one notice to one chat."""
    async def send(row: OutboxRow) -> None:
        text, markup = notice(row.message.payload)
        try:
            await bot.send_message(int(row.message.recipient), text, reply_markup=markup)
        except Forbidden as exc:
            raise Undeliverable(f"blocked or left: {exc}") from exc
        except BadRequest as exc:
            raise Undeliverable(f"refused: {exc}") from exc
        except (RetryAfter, TimedOut, NetworkError) as exc:
            raise TryLater(str(exc)) from exc
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
