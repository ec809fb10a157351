"""A whole line in one message, with what is not said taken from the claim, echoed to confirm.

"180 km bil Tromsø–Bodø med Ola og Kari 14.3" → the driving line's draft, the day said or
the claim's (the same day as the last line, or the end of the month the title names), the
payer of the claim's shared lines (or the last claim's) — and one prompt that says all of
it with the computed amount: "💾 Lagre", or change the payer, or drop it.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

from bot.dialog.core import AND, END, Button, Ctx, InputError, Prompt
from bot.dialog.engine import register
from bot.dialog.lines import (
    after_fields,
    check_rates,
    claim_orgs,
    drafted,
    preview_line,
    result_text,
    save,
    without_receipt,
)
from bot.dialog.steps import ask_buttons, ask_file
from bot.understand import When, echo_when
from bot.understand_line import Drive, Outlay, Said, Trip, understand_line
from domain.lines import EXPENSE_NAMES
from domain.money import NOK, format_kr, number_text
from domain.plausibility import refuse_date, refuse_outlay
from domain.remembered import SPLIT, default_day
from domain.text import Text

EXAMPLES = Text("Skriv hele linjen, f.eks. «180 km bil Tromsø–Bodø med Ola og Kari 14.3», "
                "«taxi 450 kr 3.11» eller «diett 8–17 lunsj».",
                "Write the whole line, e.g. “180 km car Tromsø–Bodø with Ola and Kari 14.3”, "
                "“taxi 450 kr 3.11” or “per diem 8–17 lunch”.")
SAVE, OTHER_PAYER, DROP = "save", "payer", "drop"
OTHER_PAYER_LABEL = Text("Annen betaler", "Other payer")


async def claim_day(ctx: Ctx) -> tuple[date, Text] | None:
    """The day a line not given one gets, and how to say why (None: nothing to go by)."""
    claim = await ctx.turn.session().claim(ctx.data["claim_id"])
    found = default_day(claim, ctx.now.date())
    if found is None:
        return None
    day, why = found
    return day, (Text("samme dag som forrige linje", "the same day as the last line")
                 if why == "same_day" else Text("slutten av perioden", "the end of the period"))


async def shared_payer(ctx: Ctx) -> str | None:
    """Who pays a shared line: the claim's last one's payer, else the last claim's, else None."""
    orgs = await claim_orgs(ctx)
    if len(orgs) == 1:
        return next(iter(orgs))
    session = ctx.turn.session()
    claim = await session.claim(ctx.data["claim_id"])
    for line in reversed(claim.lines):
        if not line.is_fee:
            return line.payer or SPLIT
    return (await session.remembered(besides=claim.id)).shared_payer(claim.payers)


async def take(ctx: Ctx, text: str, kind: str | None = None) -> str | None:
    """Draft the line ``text`` says and name the next step; None if it says no whole line."""
    said = understand_line(text, ctx.now, ctx.lang, kind)
    if said is None:
        return None
    before = copy.deepcopy(ctx.draft)
    try:
        return await _take(ctx, said)
    except Exception:
        ctx.data["draft"] = before  # a refused line leaves nothing half-drafted behind
        raise


async def _take(ctx: Ctx, said: Said) -> str:
    draft = ctx.draft
    draft["quick"] = True
    payer = await shared_payer(ctx)
    if payer is not None and "payer" not in draft:
        draft["payer"] = None if payer == SPLIT else payer
    if isinstance(said, Trip):
        from bot.dialog.kinds import per_diem_from  # kinds imports this module

        return await per_diem_from(ctx, said, await claim_day(ctx))
    day = await _day(ctx, said)
    if isinstance(said, Drive):
        return await _drive(ctx, said, day)
    return await _outlay(ctx, said, day)


async def _day(ctx: Ctx, said: Drive | Outlay) -> date:
    if said.day is not None:
        day = said.day
    elif (found := await claim_day(ctx)) is not None:
        day = found[0]
    else:
        raise InputError(Text("Skriv datoen også, f.eks. «… 14.3» eller «… i går».",
                              "Write the date too, e.g. “… 14.3” or “… yesterday”."))
    refuse_date(day, ctx.now.date())
    await check_rates(ctx, day)
    return day


async def _drive(ctx: Ctx, said: Drive, day: date) -> str:
    if said.route is None:
        raise InputError(Text("Skriv strekningen også, f.eks. «180 km Tromsø–Bodø».",
                              "Write the route too, e.g. “180 km Tromsø–Bodø”."))
    ctx.draft["line"] = {"kind": "mileage", "date": day.isoformat(),
                         "vehicle": said.vehicle or "car", "km": str(said.km),
                         "passengers": list(said.passengers)}
    ctx.draft["remark"] = " – ".join(said.route)
    return await after_fields(ctx)


async def _outlay(ctx: Ctx, said: Outlay, day: date) -> str:
    orgs = await claim_orgs(ctx)
    entry = next((e for org in orgs.values() if (e := org.expense_entry(said.type))), None)
    if entry is not None:
        ctx.draft["type_code"] = entry.code
    money = said.amount
    ctx.draft["line"] = {"kind": "expense", "date": day.isoformat(), "type": said.type,
                         "amount": str(money.amount), "currency": money.currency}
    ctx.draft["remark"] = said.remark
    if money.currency != NOK:
        return "expense.rate"  # then the remark, then back here through after_fields
    refuse_outlay(money.amount)
    ctx.draft["line"]["nok_rate"] = "1"
    if not ctx.draft.get("attachments"):
        return "quick.receipt"
    return await after_fields(ctx)


def echo(ctx: Ctx, line: dict[str, Any], remark: str) -> str:
    """The drafted line in words: what was understood, before the amount."""
    day = echo_when(When(date.fromisoformat(line["date"])), ctx.lang)
    if line["kind"] == "mileage":
        km = number_text(Decimal(line["km"])).in_(ctx.lang)
        names = ctx.t(AND).join(line["passengers"])
        who = Text(f", med {names}", f", with {names}").in_(ctx.lang) if names else ""
        from bot.dialog.kinds import VEHICLES  # kinds imports this module

        vehicle = ctx.t(VEHICLES[line["vehicle"]])
        return f"🚗 {day}: {remark}, {km} km, {vehicle.split(' ', 1)[-1].lower()}{who}"
    name = EXPENSE_NAMES[line["type"]].in_(ctx.lang)
    amount = (f"{format_kr(Decimal(line['amount']))} kr" if line["currency"] == NOK
              else f"{line['currency']} {format_kr(Decimal(line['amount']))}")
    note = f" ({remark})" if remark else ""
    return f"🧾 {day}: {name} {amount}{note}" + (" 📎" if ctx.draft.get("attachments") else "")


async def payer_text(ctx: Ctx) -> str:
    """"Betaler: …" for a claim with several payers ("" with one)."""
    orgs = await claim_orgs(ctx)
    if len(orgs) == 1:
        return ""
    payer = ctx.draft.get("payer")
    who = orgs[payer].name if payer else Text("delt etter honorarbrøk",
                                              "split by fee fraction").in_(ctx.lang)
    return Text(f"Betaler: {who}", f"Paid by: {who}").in_(ctx.lang)


async def _confirm_prompt(ctx: Ctx) -> Prompt:
    line = ctx.draft["line"]
    result = await preview_line(ctx, drafted(ctx))
    said = [echo(ctx, line, ctx.draft.get("remark", "")), await payer_text(ctx),
            result_text(ctx, result)]
    buttons = [Button(Text("💾 Lagre", "💾 Save").in_(ctx.lang), SAVE)]
    if len(await claim_orgs(ctx)) > 1:
        buttons.append(Button(OTHER_PAYER_LABEL.in_(ctx.lang), OTHER_PAYER))
    buttons.append(Button(Text("Forkast", "Discard").in_(ctx.lang), DROP))
    return Prompt("\n".join(s for s in said if s), (tuple(buttons),))


async def _confirmed(ctx: Ctx, value: str) -> str:
    if value == SAVE:
        return await save(ctx, shown=True)
    if value == OTHER_PAYER:
        ctx.draft.pop("payer", None)
        return "line.payer"
    ctx.data["draft"] = {}
    return END


async def _receipt(ctx: Ctx, data: bytes | None) -> str:
    if data is None:
        return await without_receipt(ctx)
    ctx.draft["attachments"] = [await ctx.turn.session().store_file(data)]
    return await after_fields(ctx)


register(
    ask_buttons("line.confirm", _confirm_prompt, _confirmed, kind="confirm"),
    ask_file("quick.receipt", Text("Send et bilde eller en PDF av kvitteringen.",
                                   "Send a photo or a PDF of the receipt."), _receipt,
             without=Text("Har ikke kvittering", "I have no receipt")),
)
__all__ = ["EXAMPLES", "Said", "claim_day", "shared_payer", "take"]
