"""A foreign outlay's exchange rate: Norges Bank's, fetched, or typed by the claimant.

An amount in another currency, typed or read off a receipt, gets Norges Bank's rate for
the outlay's date without a question. The turn that reaches the rate step ends there
(``wanted`` names the currency and day); ``run.converse`` fetches the rate outside any
transaction (cached per currency and day, with the source's timeout) and a second short
turn (``fetched``) puts it on the line, says it, and goes on. The claimant is asked
only when Norges Bank cannot be reached or does not quote the currency, when no rate
source is set up, or when a payer's organisation file says ``[policy] exchange_rate =
"manual"``: then the card company's rate, from the receipt or the card statement, is
typed. Where the rate came from is kept in the draft (``draft["rate"]``) and saved beside
the line, so the summary, the approver's mail and the PDF can say it.

A saved line's new date (``edit``) needs the rate for that date: the same fetch runs for
the edit's own rate step (``EDIT_STEP``, its currency and day in ``data["edit_rate"]``),
and the claimant is asked only in the same cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

from bot.dialog.core import Ctx, Prompt, Step
from bot.dialog.engine import show
from bot.dialog.steps import ask_text
from domain.money import NOK, format_kr, number_text
from domain.organisation import ExchangeRule
from domain.plausibility import refuse_outlay
from domain.text import Text
from service.exchange import ExchangeRate

STEP = "expense.rate"
EDIT_STEP = "edit.rate"
FETCHING = Text("⏳ Henter kursen fra Norges Bank …", "⏳ Fetching the rate from Norges Bank …")


async def rule(ctx: Ctx) -> ExchangeRule:
    """``manual`` if any payer of the claim wants the card company's rate typed."""
    claim_id = ctx.data.get("claim_id")
    if not claim_id:
        return "norges_bank"
    claim = await ctx.turn.session().claim(claim_id)
    orgs = await ctx.turn.organisations(claim.payers)
    manual = any(org.policy.exchange_rate == "manual" for org in orgs.values())
    return "manual" if manual else "norges_bank"


def _asked(ctx: Ctx) -> tuple[str, str] | None:
    """The line's currency and day when it is foreign and dated."""
    if ctx.turn.state.step == EDIT_STEP:
        edited = ctx.data.get("edit_rate") or {}
        return (edited["currency"], edited["date"]) if edited else None
    line = ctx.draft.get("line", {})
    currency, day = line.get("currency"), line.get("date")
    if not currency or currency == NOK or not day:
        return None
    return currency, day


def asked(ctx: Ctx) -> tuple[str, str] | None:
    """The currency and day (ISO) whose rate this step is about, if any."""
    return _asked(ctx)


def _tried(ctx: Ctx) -> str:
    """``CUR:day`` when Norges Bank was asked for it in vain, else empty."""
    if ctx.turn.state.step == EDIT_STEP:
        return str((ctx.data.get("edit_rate") or {}).get("tried", ""))
    return str(ctx.draft.get("rate_tried", ""))


def tried_in_vain(ctx: Ctx, currency: str, day: date) -> None:
    """Remember that no rate could be had, so the claimant is asked for it by hand."""
    if ctx.turn.state.step == EDIT_STEP:
        ctx.data.setdefault("edit_rate", {})["tried"] = f"{currency}:{day.isoformat()}"
    else:
        ctx.draft["rate_tried"] = f"{currency}:{day.isoformat()}"


async def wanted(ctx: Ctx) -> tuple[str, date] | None:
    """The currency and day whose rate to fetch once this turn is saved, if any."""
    asked = _asked(ctx)
    env = ctx.turn.env
    if ctx.turn.state.step not in (STEP, EDIT_STEP) or asked is None or env.rates is None \
            or env.rate_cache is None or _tried(ctx) == ":".join(asked):
        return None
    if await rule(ctx) == "manual":
        return None
    return asked[0], date.fromisoformat(asked[1])


def forget(ctx: Ctx) -> None:
    """A new amount or date: the rate found for the old one no longer applies."""
    ctx.draft.get("line", {}).pop("nok_rate", None)
    ctx.draft.pop("rate", None)
    ctx.draft.pop("rate_tried", None)


async def fetched(ctx: Ctx, currency: str, day: date, rate: ExchangeRate | None) -> None:
    """Put a fetched rate on the line and go on; without one, ask for it by hand."""
    if ctx.turn.state.step != STEP or _asked(ctx) != (currency, day.isoformat()):
        return  # the chat moved on meanwhile (another message was quicker)
    line = ctx.draft["line"]
    if rate is None:
        tried_in_vain(ctx, currency, day)
        await show(ctx, STEP)
        return
    nok = Decimal(line["amount"]) * rate.nok_per_unit
    refuse_outlay(nok)
    line["nok_rate"] = str(rate.nok_per_unit)
    ctx.draft["rate"] = {"nok_per_unit": str(rate.nok_per_unit), "source": rate.source,
                         "quoted_on": rate.quoted_on.isoformat()}
    ctx.say(f"💱 {rate.describe().in_(ctx.lang)}: {currency} "
            f"{format_kr(Decimal(line['amount']))} = {format_kr(nok)} kr")
    await show(ctx, "expense.remark")


async def prompt(ctx: Ctx) -> Prompt:
    """Fetching, or the rate asked by hand (the card company's, or when none could be had)."""
    unit = (_asked(ctx) or ("", ""))[0] or Text("enhet av valutaen", "unit of the currency").in_(
        ctx.lang)
    if await rule(ctx) == "manual":
        return Prompt(ctx.t(Text(
            f"Kurs fra kortselskapet: hvor mange kroner per {unit}? (Den står på "
            "kvitteringen eller kontoutskriften.)",
            f"The card company's rate: how many kroner per {unit}? (It is on the receipt "
            "or the card statement.)")))
    if await wanted(ctx) is not None:
        return Prompt(ctx.t(FETCHING))
    if _tried(ctx):
        return Prompt(ctx.t(Text(
            f"Fikk ikke kursen fra Norges Bank. Kurs: hvor mange kroner per {unit}?",
            f"Norges Bank's rate could not be had. Rate: how many kroner per {unit}?")))
    return Prompt(ctx.t(Text("Kurs: hvor mange kroner per enhet av valutaen?",
                             "Rate: how many kroner per unit of the currency?")))


async def _typed(ctx: Ctx, rate: Decimal) -> str:
    refuse_outlay(Decimal(ctx.draft["line"]["amount"]) * rate)
    ctx.draft["line"]["nok_rate"] = str(rate)
    ctx.draft.pop("rate", None)  # typed by the claimant, whatever was fetched before
    ctx.say(f"💱 {number_text(rate).in_(ctx.lang)} "
            + ctx.t(Text("(oppgitt av deg)", "(entered by you)")))
    return "expense.remark"


def step(read_number: Callable[[Ctx, str], Decimal]) -> Step:
    """The rate step, registered with the outlay's other steps (``kinds``)."""
    typed = ask_text(STEP, Text("", ""), _typed, read=read_number, kind="number")
    return replace(typed, prompt=prompt).going_back_to("expense.amount")
