"""One input in, the answers out: the entry point both Telegram and ``kvitt chat`` call."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.dialog import (  # noqa: F401 - they register steps
    claim_flow,
    commands,
    edit,
    fees,
    kinds,
    lines,
    quick,
    rates,
)
from bot.dialog import reading as _reading  # noqa: F401 - registers the receipt step
from bot.dialog.core import Ctx, Incoming, Reply
from bot.dialog.engine import handle
from domain.calendar import OSLO
from domain.claim import Channel
from domain.errors import UserError
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
    if offered.currency in (None, NOK) or offered.date is None:
        return reading, None
    return reading, await _rate(env, offered.currency, offered.date)


def language(code: str | None) -> str:
    """Norwegian, unless the person's app is set to English."""
    return "en" if (code or "").lower().startswith("en") else "nb"


async def converse(env: Env, chat_id: int, user_id: int, incoming: Incoming, *,
                   language_code: str | None = None, channel: Channel = "telegram"
                   ) -> list[Reply]:
    """Run ``incoming`` through the wizard in one transaction and return the answers.

    A file is read first, outside the transaction (OCR in its process pool, the exchange
    rate from Norges Bank with its timeout), so no other chat waits on either. A turn
    that ends at a foreign outlay's rate is followed by the rate's fetch, outside the
    transaction too, and a second short turn that puts it on the line (``rates``).
    """
    reading, rate = await _read_file(env, incoming)

    def context(dialog: DialogTurn, **kwargs: Any) -> Ctx:
        lang = dialog.claimant.language if dialog.claimant else language(language_code)
        now = env.clock().astimezone(OSLO).replace(tzinfo=None)
        return Ctx(dialog, lang, now, **kwargs)

    async def turn(dialog: DialogTurn) -> tuple[list[Reply], tuple[str, date] | None]:
        ctx = context(dialog, reading=reading, rate=rate)
        replies = await handle(ctx, incoming, commands.run_command, commands.idle)
        wanted = await rates.wanted(ctx)
        if wanted is not None and replies and replies[-1].text == ctx.t(rates.FETCHING):
            replies.pop()  # the rate follows at once: no "fetching" message to read
        return replies, wanted
    replies, wanted = await dialog_turn(env, chat_id, user_id, turn, channel=channel)
    if wanted is None:
        return replies
    found = await _rate(env, *wanted)

    async def rated(dialog: DialogTurn) -> list[Reply]:
        ctx = context(dialog)
        put = edit.rate_fetched if dialog.state.step == rates.EDIT_STEP else rates.fetched
        try:
            await put(ctx, *wanted, found)
        except UserError as exc:  # the rate makes an implausible amount: asked by hand
            ctx.say(exc.text.in_(ctx.lang))
            await put(ctx, *wanted, None)
        return ctx.replies
    return replies + await dialog_turn(env, chat_id, user_id, rated, channel=channel)


async def _rate(env: Env, currency: str, day: date) -> ExchangeRate | None:
    """Norges Bank's rate (cached), or None when it cannot be had now."""
    if env.rates is None or env.rate_cache is None:
        return None
    try:
        return await rate_for(env.rates, env.rate_cache, currency, day)
    except UnknownCurrency:
        return None
