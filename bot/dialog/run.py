"""One input in, the answers out: the entry point both Telegram and ``kvitt chat`` call."""

from __future__ import annotations

from bot.dialog import (  # noqa: F401 - they register steps
    claim_flow,
    commands,
    edit,
    fees,
    kinds,
    lines,
    quick,
)
from bot.dialog import reading as _reading  # noqa: F401 - registers the receipt step
from bot.dialog.core import Ctx, Incoming, Reply
from bot.dialog.engine import handle
from domain.calendar import OSLO
from domain.claim import Channel
from domain.money import NOK
from service.context import Env
from service.dialog import DialogTurn, dialog_turn
from service.exchange import ExchangeRate, UnknownCurrency, rate_for
from service.receipts import ReceiptReading


async def _read_file(env: Env, incoming: Incoming
                     ) -> tuple[ReceiptReading | None, ExchangeRate | None]:
    """The reading of a sent file, and the rate for its currency and date when foreign."""
    if incoming.kind != "file" or incoming.file is None or env.receipts is None:
        return None, None
    reading = await env.receipts.read(incoming.file)
    offered = reading.offered()
    if offered.currency in (None, NOK) or offered.date is None or env.rates is None \
            or env.rate_cache is None:
        return reading, None
    try:
        return reading, await rate_for(env.rates, env.rate_cache, offered.currency,
                                       offered.date)
    except UnknownCurrency:
        return reading, None


def language(code: str | None) -> str:
    """Norwegian, unless the person's app is set to English."""
    return "en" if (code or "").lower().startswith("en") else "nb"


async def converse(env: Env, chat_id: int, user_id: int, incoming: Incoming, *,
                   language_code: str | None = None, channel: Channel = "telegram"
                   ) -> list[Reply]:
    """Run ``incoming`` through the wizard in one transaction and return the answers.

    A file is read first, outside the transaction (OCR in its process pool, the exchange
    rate from Norges Bank with its timeout), so no other chat waits on either.
    """
    reading, rate = await _read_file(env, incoming)

    async def turn(dialog: DialogTurn) -> list[Reply]:
        lang = dialog.claimant.language if dialog.claimant else language(language_code)
        now = env.clock().astimezone(OSLO).replace(tzinfo=None)
        ctx = Ctx(dialog, lang, now, reading=reading, rate=rate)
        return await handle(ctx, incoming, commands.run_command, commands.idle)
    return await dialog_turn(env, chat_id, user_id, turn, channel=channel)
