"""The outlay's receipt, read and offered for one-tap confirmation.

"Jeg leste: 345,00 kr, 3. november 2026, Circle K. Stemmer det?"

The photo was read before the turn began (``run.converse``: OCR in its process pool and
the exchange rate from Norges Bank, both outside the dialog's transaction). Only what the
reader was sure of is offered; one tap accepts it all, or one field is changed and the rest
kept. What the claimant confirms is what is saved; the reading stays in the draft beside it.

A total read without its currency (no code, sign or Norwegian word on the receipt: a US
diner's ``$15.50``) is not offered as kroner, since 15,50 kr for 15,50 dollars is a wrong
amount once confirmed. The claimant picks the currency instead, with the same one tap:
``15,50 kr``, ``EUR``, ``USD``, ``SEK`` or ``DKK`` (a foreign one then gets Norges
Bank's rate as a typed one does), or changes the amount to type another; the date is
changed later from the line, as a saved line's is. A total typed instead is kept beside
the reading with its currency unknown ("15,50 (valuta ukjent)" in the approver's mail).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from bot.dialog import rates
from bot.dialog.core import Button, Ctx, Prompt
from bot.dialog.engine import register
from bot.dialog.steps import ask_buttons
from domain.calendar import MONTH_NAMES
from domain.claim import ReceiptRead
from domain.money import NOK, format_amount, format_kr
from domain.text import Text
from service.receipts import ReceiptReading

ACCEPT, CHANGE_AMOUNT, CHANGE_DATE = "read:ok", "read:amount", "read:date"
PICK = "read:in:"  # + the currency the claimant picked for a total read without one
GUESSES = (NOK, "EUR", "USD", "SEK", "DKK")  # a Norwegian claimant's likeliest, in that order


def remember(ctx: Ctx, reading: ReceiptReading | None) -> bool:
    """Keep what the reader was sure of in the draft; whether there is anything to offer."""
    offered = reading.offered() if reading is not None else None
    if offered is None or (offered.total is None and offered.date is None):
        return False
    ctx.draft["reading"] = {
        "total": str(offered.total) if offered.total is not None else None,
        "currency": offered.currency if offered.total is not None else NOK,
        "date": offered.date.isoformat() if offered.date else None,
        "merchant": offered.merchant}
    if ctx.rate is not None and offered.currency not in (None, NOK):
        ctx.draft["reading"].update(
            rate=str(ctx.rate.nok_per_unit), rate_text=ctx.rate.describe().in_(ctx.lang),
            rate_source=ctx.rate.source, rate_date=ctx.rate.quoted_on.isoformat())
    return True


def _day(ctx: Ctx, text: str) -> str:
    day = date.fromisoformat(text)
    month = MONTH_NAMES[day.month - 1]
    return ctx.t(Text(f"{day.day}. {month.nb} {day.year}", f"{day.day} {month.en} {day.year}"))


def said(ctx: Ctx, read: dict[str, Any]) -> str:
    """``345,00 kr, 3. november 2026, Circle K``: what was read, in the claimant's words."""
    parts = []
    if read["total"] is not None:
        amount = Decimal(read["total"])
        parts.append(format_amount(amount, read["currency"]) if read["currency"] else
                     format_kr(amount) + ctx.t(Text(" (valuta ukjent)", " (currency unknown)")))
    if read["date"]:
        parts.append(_day(ctx, read["date"]))
    if read.get("merchant"):
        parts.append(read["merchant"])
    return ", ".join(parts)


async def _prompt(ctx: Ctx) -> Prompt:
    read = ctx.draft["reading"]
    picking = read["total"] is not None and read["currency"] is None
    buttons = [] if picking else [Button(ctx.t(Text("✅ Stemmer", "✅ Correct")), ACCEPT)]
    if read["total"] is not None:
        buttons.append(Button(ctx.t(Text("Endre beløp", "Change amount")), CHANGE_AMOUNT))
    if read["date"] and not picking:  # a date changed first would leave the total unpicked
        buttons.append(Button(ctx.t(Text("Endre dato", "Change date")), CHANGE_DATE))
    if picking:
        picks = [Button(format_amount(Decimal(read["total"]), code), PICK + code)
                 for code in GUESSES]
        return Prompt(ctx.t(Text(f"Jeg leste: {said(ctx, read)}. Hvilken valuta er beløpet i?",
                                 f"I read: {said(ctx, read)}. Which currency is the amount "
                                 "in?")), (tuple(picks[:3]), tuple(picks[3:]), tuple(buttons)))
    bank = read.get("rate_text") and await rates.rule(ctx) == "norges_bank"
    rate = f"\n{read['rate_text']}" if bank else ""
    return Prompt(ctx.t(Text(f"Jeg leste: {said(ctx, read)}. Stemmer det?",
                             f"I read: {said(ctx, read)}. Is that right?")) + rate,
                  (tuple(buttons),))


def _take_amount(ctx: Ctx, read: dict[str, Any], bank: bool) -> None:
    line = ctx.draft.setdefault("line", {"kind": "expense"})
    line.update(amount=read["total"], currency=read["currency"])
    rates.forget(ctx)
    if read["currency"] == NOK:
        line["nok_rate"] = "1"
    elif read.get("rate") and bank:
        line["nok_rate"] = read["rate"]
        ctx.draft["rate"] = {"nok_per_unit": read["rate"], "source": read["rate_source"],
                             "quoted_on": read["rate_date"]}


async def _answered(ctx: Ctx, value: str) -> str:
    read = ctx.draft["reading"]
    line = ctx.draft.setdefault("line", {"kind": "expense"})
    if value.startswith(PICK) and value[len(PICK):] in GUESSES and read["currency"] is None:
        read["currency"], value = value[len(PICK):], ACCEPT
    if value != CHANGE_DATE and read["date"]:
        line.update(kind="expense", date=read["date"])
    if value != CHANGE_AMOUNT and read["total"] is not None and read["currency"] is not None:
        _take_amount(ctx, read, await rates.rule(ctx) == "norges_bank")
    if "date" not in line:
        return "expense.date"
    return "expense.type"


def amount_known(ctx: Ctx) -> str | None:
    """The step after the type when the amount was confirmed from the receipt, else None."""
    line = ctx.draft.get("line", {})
    if "amount" not in line:
        return None
    return "expense.remark" if "nok_rate" in line else "expense.rate"


def kept(draft: dict[str, Any]) -> ReceiptRead | None:
    """What was read, and where the rate came from, to save beside the confirmed line.

    None when nothing was offered and the rate (if any) was typed by the claimant.
    """
    read, line = draft.get("reading"), draft.get("line", {})
    rate = draft.get("rate") or {}
    fetched = bool(rate) and line.get("nok_rate") == rate.get("nok_per_unit")
    if not read and not fetched:
        return None
    return ReceiptRead(
        amount=Decimal(read["total"]) if read and read["total"] is not None else None,
        currency=(read["currency"] or "") if read else line.get("currency", ""),  # "": unknown
        day=date.fromisoformat(read["date"]) if read and read["date"] else None,
        merchant=(read.get("merchant") or "") if read else "",
        rate_source=rate["source"] if fetched else "",
        rate_date=date.fromisoformat(rate["quoted_on"]) if fetched else None)


register(ask_buttons("expense.read", _prompt, _answered))
