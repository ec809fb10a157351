"""Change one field of a saved line (its date, amount, km, count or payer), or all of it.

"✏️ 2" under /linjer asks what to change; one answer changes that field, the line is
checked and computed again like a new one, and the rest of it (the receipt, the texts)
stays as it was. A foreign outlay's new date gets Norges Bank's rate for that date, as a
new line would (``rates``: fetched after the turn, asked by hand only when it cannot be
had); an organisation that wants the card company's rate typed keeps the typed rate.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from bot.dialog import rates
from bot.dialog.core import Button, Ctx, InputError, Prompt
from bot.dialog.engine import register, show
from bot.dialog.lines import (
    SPLIT,
    claim_orgs,
    date_suggestions,
    preview_line,
    read_date,
    read_number,
)
from bot.dialog.steps import ask_buttons, ask_text
from bot.understand import parse_amount, parse_km
from domain.claim import ClaimLine, ReceiptRead
from domain.lines import Expense, ItemLine, MileageLeg
from domain.money import NOK, ForeignAmount, format_kr
from domain.plausibility import refuse_date, refuse_outlay, refuse_quantity
from domain.text import Text
from service.exchange import ExchangeRate

# the field, its button, and the line kinds it belongs to
FIELDS = (("date", Text("📅 Dato", "📅 Date"), ("mileage", "expense", "item")),
          ("amount", Text("💰 Beløp", "💰 Amount"), ("expense",)),
          ("km", Text("🛣 Km", "🛣 Km"), ("mileage",)),
          ("quantity", Text("🔢 Antall", "🔢 Count"), ("item",)),
          ("payer", Text("↔️ Betaler", "↔️ Payer"), ("mileage", "per_diem", "expense")))
WHOLE = "whole"
# each field's step, named in full so the step-graph test sees every name it goes to
FIELD_STEPS = {"date": "edit.date", "amount": "edit.amount", "km": "edit.km",
               "quantity": "edit.quantity", "payer": "edit.payer"}


async def _line(ctx: Ctx) -> ClaimLine:
    claim = await ctx.turn.session().claim(ctx.data["claim_id"])
    return claim.line(ctx.data["edit_line"])


async def _what_prompt(ctx: Ctx) -> Prompt:
    line = await _line(ctx)
    several = len(await claim_orgs(ctx)) > 1
    buttons = [Button(label.in_(ctx.lang), name) for name, label, kinds in FIELDS
               if line.kind in kinds and (name != "payer" or several)]
    buttons.append(Button(Text("Hele linjen på nytt", "The whole line again").in_(ctx.lang),
                          WHOLE))
    return Prompt(Text("Hva vil du endre?", "What do you want to change?").in_(ctx.lang),
                  tuple((b,) for b in buttons))


async def _what(ctx: Ctx, value: str) -> str:
    if value != WHOLE:
        return FIELD_STEPS[value]
    line = await _line(ctx)
    # the receipt and texts stay unless replaced: entering the line again loses nothing
    ctx.data["draft"] = {"replace": line.id, "attachments": list(line.attachments),
                         "justification": line.justification,
                         "no_receipt_reason": line.no_receipt_reason}
    ctx.say(Text("Skriv linjen på nytt; den gamle byttes ut når du lagrer.",
                 "Enter the line again; the old one is replaced when you save.").in_(ctx.lang))
    return f"{line.kind}.start"


async def _changed(ctx: Ctx, **fields: Any) -> str:
    """Save the line with ``fields`` of its body (or ``payer``, ``read``) changed; to /linjer."""
    line = await _line(ctx)
    payer, read = fields.pop("payer", line.payer), fields.pop("read", line.read)
    changed = replace(line, body=replace(line.body, **fields), payer=payer, read=read)
    await ctx.turn.session().change_line(ctx.data["claim_id"], changed)
    result = await preview_line(ctx, changed)
    ctx.say(Text("✅ Endret", "✅ Changed").in_(ctx.lang) + f" = {format_kr(result.amount)} kr")
    ctx.data.pop("edit_line", None)
    return "lines.manage"


async def _date(ctx: Ctx, day: date) -> str:
    refuse_date(day, ctx.now.date())
    line = await _line(ctx)
    if isinstance(line.body, Expense) and line.body.amount.currency != NOK \
            and await rates.rule(ctx) == "norges_bank":
        ctx.data["edit_rate"] = {"currency": line.body.amount.currency, "date": day.isoformat()}
        return "edit.rate"  # Norges Bank's rate for the new date, fetched after this turn
    return await _changed(ctx, date=day)


async def _rated(ctx: Ctx, nok_rate: Decimal, fetched: ExchangeRate | None) -> str:
    """Save the new date with its rate, and say where the rate came from."""
    line = await _line(ctx)
    assert isinstance(line.body, Expense)
    day = date.fromisoformat(ctx.data["edit_rate"]["date"])
    refuse_outlay(line.body.amount.amount * nok_rate)
    read = line.read
    if fetched is not None:
        read = replace(read or ReceiptRead(), rate_source=fetched.source,
                       rate_date=fetched.quoted_on)
    elif read is not None:
        read = replace(read, rate_source="", rate_date=None)  # typed by the claimant now
    ctx.data.pop("edit_rate", None)
    return await _changed(ctx, date=day, amount=replace(line.body.amount, nok_rate=nok_rate),
                          read=read)


async def rate_fetched(ctx: Ctx, currency: str, day: date, rate: ExchangeRate | None) -> None:
    """Norges Bank's rate for the edited date on the line; without one, ask for it by hand."""
    if ctx.turn.state.step != rates.EDIT_STEP or rates.asked(ctx) != (currency, day.isoformat()):
        return  # the chat moved on meanwhile
    if rate is None:
        rates.tried_in_vain(ctx, currency, day)
        await show(ctx, "edit.rate")
        return
    ctx.say(f"💱 {rate.describe().in_(ctx.lang)}")
    await show(ctx, await _rated(ctx, rate.nok_per_unit, rate))


async def _typed_rate(ctx: Ctx, rate: Decimal) -> str:
    return await _rated(ctx, rate, None)


async def _amount(ctx: Ctx, text: str) -> str:
    line = await _line(ctx)
    assert isinstance(line.body, Expense)
    amount = parse_amount(text)
    if amount.currency not in (NOK, line.body.amount.currency):
        raise InputError(Text("En annen valuta trenger en ny kurs: skriv hele linjen på nytt.",
                              "Another currency needs a new rate: enter the whole line again."))
    rate = Decimal(1) if amount.currency == NOK else line.body.amount.nok_rate
    refuse_outlay(amount.amount * rate)
    return await _changed(ctx, amount=ForeignAmount(amount.currency, amount.amount, rate))


async def _km(ctx: Ctx, km: Decimal) -> str:
    line = await _line(ctx)
    assert isinstance(line.body, MileageLeg)
    return await _changed(ctx, km=km)


async def _quantity(ctx: Ctx, quantity: Decimal) -> str:
    line = await _line(ctx)
    assert isinstance(line.body, ItemLine)
    refuse_quantity(quantity)
    return await _changed(ctx, quantity=quantity)


async def _payers(ctx: Ctx) -> Prompt:
    orgs = await claim_orgs(ctx)
    buttons = [*(Button(o.name, slug) for slug, o in orgs.items()),
               Button(Text("Del etter honorarbrøk", "Split by fee fraction").in_(ctx.lang),
                      SPLIT)]
    return Prompt(Text("Hvem skal betale linjen?", "Who pays the line?").in_(ctx.lang),
                  tuple((b,) for b in buttons))


async def _payer(ctx: Ctx, value: str) -> str:
    return await _changed(ctx, payer=None if value == SPLIT else value)


register(
    ask_buttons("line.edit", _what_prompt, _what),
    ask_text("edit.date", Text("Ny dato?", "New date?"), _date, read=read_date, kind="date",
             suggest=date_suggestions),
    ask_text("edit.amount", Text("Nytt beløp? (f.eks. «250» eller «EUR 45»)",
                                 "New amount? (e.g. “250” or “EUR 45”)"), _amount),
    ask_text("edit.km", Text("Antall km?", "How many km?"), _km,
             read=lambda ctx, text: parse_km(text), kind="number"),
    ask_text("edit.quantity", Text("Nytt antall?", "New count?"), _quantity, read=read_number,
             kind="number"),
    ask_buttons("edit.payer", _payers, _payer),
    replace(ask_text("edit.rate", Text("", ""), _typed_rate, read=read_number, kind="number"),
            prompt=rates.prompt),
)
