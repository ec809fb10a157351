"""The shared tail of every line: who pays, a justification where required, and saving.

A line is drafted in ``kvitt calc``'s JSON format (``draft["line"]``), so saving
is the same strict codec the store and ``kvitt calc`` use, and the claimant
sees the computed amount with its breakdown the moment it is saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.dialog.core import END, Button, Ctx, InputError, Prompt
from bot.dialog.engine import register
from bot.dialog.reading import kept
from bot.dialog.steps import ask_buttons, ask_choice, ask_text
from bot.understand import echo_when, parse_when
from domain.calc import LineResult, compute_line
from domain.claim import Claim, ClaimLine
from domain.codec import line_from_dict
from domain.lines import EXPENSE_NAMES, Expense, Line, MileageLeg
from domain.money import format_kr, number_text
from domain.organisation import Organisation
from domain.plausibility import doubts, refuse_date, refuse_no_rates
from domain.policy import line_result, receipt_wanted
from domain.rates import NoRateSetError
from domain.text import Text
from service.context import book_for

SPLIT = "split"
# Notices for approvers and admins, not for the claimant (nothing they can do about it).
QUIET = frozenset({"provisional_rates"})


def read_date(ctx: Ctx, text: str) -> date:
    """A date typed the Norwegian way, not after today; echoed so a misreading is seen."""
    when = parse_when(text, ctx.now, ctx.lang)
    refuse_date(when.date, ctx.now.date())
    ctx.say(f"📅 {echo_when(replace(when, time=None), ctx.lang)}")
    return when.date


async def check_rates(ctx: Ctx, day: date) -> None:
    """Refuse, when typed, a day no rate table of the claim covers (not at saving)."""
    orgs = await claim_orgs(ctx)
    claim = await ctx.turn.session().head(ctx.data["claim_id"])
    book = book_for(ctx.turn.env, orgs)
    try:
        book.paid(claim.rate_set, day)
        book.taxfree(day)
    except NoRateSetError as exc:
        refuse_no_rates(exc.name, exc.on)


def read_number(ctx: Ctx, text: str) -> Decimal:
    """A positive number like ``7,5`` or ``48``."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise InputError(Text("Skriv et tall, f.eks. 7,5.", "Write a number, e.g. 7.5.")) from None
    if not number.is_finite() or number <= 0 or number > 100_000:
        raise InputError(Text("Skriv et tall større enn 0.", "Write a number above 0."))
    return number


def date_suggestions(ctx: Ctx) -> list[Button]:
    """One-tap answers for the usual dates."""
    return [Button(ctx.t(Text("I dag", "Today")), ctx.t(Text("i dag", "today"))),
            Button(ctx.t(Text("I går", "Yesterday")), ctx.t(Text("i går", "yesterday")))]


async def claim_orgs(ctx: Ctx) -> dict[str, Organisation]:
    """The current claim's payers."""
    claim = await ctx.turn.session().head(ctx.data["claim_id"])
    return dict(await ctx.turn.organisations(claim.payers))


async def preview(ctx: Ctx, body: Line) -> LineResult:
    """Compute a drafted line as it would be saved (with the payers' rate tables)."""
    orgs = await claim_orgs(ctx)
    claim = await ctx.turn.session().head(ctx.data["claim_id"])
    return compute_line(body, book_for(ctx.turn.env, orgs), claim.rate_set)


def result_text(ctx: Ctx, result: LineResult) -> str:
    """The computed line with its breakdown, for the chat."""
    lines = [t.in_(ctx.lang) for t in result.breakdown]
    lines += [f"⚠️ {w.text.in_(ctx.lang)}" for w in result.warnings
              if w.code not in QUIET and w.text not in result.breakdown]  # said once
    return "\n".join([f"= {format_kr(result.amount)} kr", *lines])


async def after_fields(ctx: Ctx) -> str:
    """Where every line goes when its own fields are done: payer, doubts, justification, save."""
    orgs = await claim_orgs(ctx)
    if "payer" not in ctx.draft:
        if len(orgs) == 1:
            ctx.draft["payer"] = next(iter(orgs))
        else:
            return "line.payer"
    return await _sure_or_save(ctx)


async def _why_justify(ctx: Ctx) -> Text | None:
    """Why the payer wants a justification for the drafted line (None: it does not)."""
    body = line_from_dict(ctx.draft["line"])
    payer = ctx.draft.get("payer")
    for slug, org in (await claim_orgs(ctx)).items():
        if payer not in (None, slug):
            continue
        if isinstance(body, MileageLeg) and body.km > org.policy.max_km_per_leg:
            km, most = number_text(body.km), number_text(org.policy.max_km_per_leg)
            return Text(f"{km.nb} km er mer enn {org.name}s grense på {most.nb} km per "
                        "strekning: forklar ruten.",
                        f"{km.en} km is more than {org.name}'s limit of {most.en} km per "
                        "leg: explain the route.")
        if isinstance(body, MileageLeg) and org.policy.justify_own_car:
            return Text(f"{org.name} krever en begrunnelse for å bruke egen bil.",
                        f"{org.name} requires a justification for using your own car.")
        entry = org.entry(ctx.draft.get("type_code", "")) or (
            org.expense_entry(body.type) if isinstance(body, Expense) else None)
        if entry is not None and entry.justification_required:
            return Text(f"{org.name} krever en begrunnelse for {entry.label.nb.lower()}.",
                        f"{org.name} requires a justification for {entry.label.en.lower()}.")
    return None


# Where to go back to when the claimant says an unusual figure was wrong.
_FIELD_STEPS = {("mileage", "km"): "mileage.km", ("expense", "amount"): "expense.amount"}


async def _sure_or_save(ctx: Ctx) -> str:
    """Ask "Er du sikker?" about each unusual figure not yet confirmed, then save."""
    confirmed = ctx.draft.setdefault("sure", [])
    body = line_from_dict(ctx.draft["line"])
    for doubt in doubts(body, ctx.draft.get("unit", "")):
        if doubt.field not in confirmed:
            ctx.draft["doubt"] = kept_doubt(doubt.field, doubt.text)
            return "line.sure"
    if not ctx.draft.get("justification") and (why := await _why_justify(ctx)):
        ctx.draft["why"] = [why.nb, why.en]
        last = await ctx.turn.session().remembered()
        ctx.draft["why_last"] = last.justifications.get(_remembered_as(ctx.draft))
        return "line.justification"
    if ctx.draft.get("quick"):  # a line said in one message is echoed before it is saved
        return "line.confirm"
    return await save(ctx)


def _remembered_as(draft: dict[str, Any]) -> str:
    """The key a drafted line's justification is remembered by (``remembered.line_key``)."""
    kind = draft["line"]["kind"]
    return draft.get("type_code") or (f"expense:{draft['line']['type']}"
                                      if kind == "expense" else kind)


def _last_justification(ctx: Ctx) -> list[Button]:
    """The justification given last time for a line like this, as one button."""
    last = ctx.draft.get("why_last")
    if not last:
        return []
    short = last if len(last) <= 32 else last[:30] + "…"
    return [Button(Text(f"⭐ Som sist: «{short}»", f"⭐ As last time: “{short}”").in_(ctx.lang),
                   last)]


def kept_doubt(about: str, text: Text) -> list[str]:
    """An unusual figure as the draft keeps it (JSON): [what it is about, nb, en]."""
    return [about, text.nb, text.en]


async def sure_prompt(ctx: Ctx) -> Prompt:
    """"Er du sikker?" about the unusual figure kept in the draft (``kept_doubt``)."""
    doubt = Text(*ctx.draft["doubt"][1:])
    return Prompt(ctx.t(Text(f"Er du sikker? {doubt.nb}", f"Are you sure? {doubt.en}")),
                  ((Button(ctx.t(Text("✅ Ja, det stemmer", "✅ Yes, that is right")), "yes"),
                    Button(ctx.t(Text("✏️ Nei, endre", "✏️ No, change it")), "no")),))


async def _sure(ctx: Ctx, value: str) -> str:
    field = ctx.draft.pop("doubt")[0]
    if value == "yes":
        ctx.draft["sure"].append(field)
        return await _sure_or_save(ctx)
    return _FIELD_STEPS[(ctx.draft["line"]["kind"], field)]


async def _needs_justification(ctx: Ctx, orgs: dict[str, Organisation]) -> bool:
    body = line_from_dict(ctx.draft["line"])
    payer = ctx.draft.get("payer")
    for slug, org in orgs.items():
        if payer not in (None, slug):
            continue
        if isinstance(body, MileageLeg) and (org.policy.justify_own_car
                                             or body.km > org.policy.max_km_per_leg):
            return True
        entry = org.entry(ctx.draft.get("type_code", "")) or (
            org.expense_entry(body.type) if isinstance(body, Expense) else None)
        if entry is not None and entry.justification_required:
            return True
    return False


def drafted(ctx: Ctx, line_id: str = "draft") -> ClaimLine:
    """The drafted line as it would be saved."""
    draft = ctx.draft
    return ClaimLine(id=line_id, body=line_from_dict(draft["line"]), payer=draft.get("payer"),
                     type_code=draft.get("type_code", ""), remark=draft.get("remark", ""),
                     justification=draft.get("justification", ""),
                     no_receipt_reason=draft.get("no_receipt_reason", ""),
                     attachments=tuple(draft.get("attachments", ())), read=kept(draft))


async def preview_line(ctx: Ctx, line: ClaimLine, claim: Claim | None = None) -> LineResult:
    """A line computed as submit would: taxed whole if its payer's receipt rule says so.

    ``claim``: the claim as just saved, when it was (not read again).
    """
    orgs = await claim_orgs(ctx)
    if claim is None:
        claim = await ctx.turn.session().claim(ctx.data["claim_id"])
    return line_result(line, claim, orgs, book_for(ctx.turn.env, orgs))


async def without_receipt(ctx: Ctx) -> str:
    """No receipt: say what that means for the payer; ask why, unless nothing would help."""
    line = drafted(ctx)
    claim = await ctx.turn.session().claim(ctx.data["claim_id"])
    wanting = receipt_wanted(line, claim, await claim_orgs(ctx))
    if not wanting or not isinstance(line.body, Expense):
        return "expense.no_receipt"
    org, kind = wanting[0], EXPENSE_NAMES[line.body.type]
    if any(o.policy.missing_receipt == "refuse" for o in wanting):
        ctx.say(Text(f"{org.name} krever kvittering for {kind.nb.lower()}: uten den kan kravet "
                     "ikke sendes. Send bildet når du har det (/linjer), eller slett linjen.",
                     f"{org.name} requires a receipt for {kind.en.lower()}: without it the "
                     "claim cannot be sent. Send the photo when you have it (/lines), or "
                     "delete the line.").in_(ctx.lang))
        return await after_fields(ctx)  # a reason would not stand in for it
    ctx.say(Text(f"{org.name} krever kvittering for {kind.nb.lower()}. Uten kvittering blir "
                 "hele beløpet trekkpliktig (det trekkes skatt av det).",
                 f"{org.name} requires a receipt for {kind.en.lower()}. Without one the whole "
                 "amount is taxable (tax is withheld from it).").in_(ctx.lang))
    return "expense.no_receipt"


async def save(ctx: Ctx, *, shown: bool = False) -> str:
    """Save the drafted line (a new one, or in place of the one being changed).

    ``shown``: the breakdown was just shown for confirmation, so it is not repeated.
    """
    draft = ctx.draft
    line = drafted(ctx, draft.get("replace") or ctx.turn.env.new_id()[:12])
    session = ctx.turn.session()
    if draft.get("replace"):
        saved = await session.change_line(ctx.data["claim_id"], line)
    else:
        saved = await session.add_line(ctx.data["claim_id"], line)
    result = await preview_line(ctx, line, saved)
    ctx.say(ctx.t(Text("✅ Lagret", "✅ Saved")) + " "
            + (f"= {format_kr(result.amount)} kr" if shown else result_text(ctx, result)))
    ctx.data["draft"] = {}
    return END


async def _payer_options(ctx: Ctx) -> Sequence[Button]:
    orgs = await claim_orgs(ctx)
    buttons = [Button(org.name, slug) for slug, org in orgs.items()]
    return [*buttons, Button(ctx.t(Text("Del etter honorarbrøk", "Split by fee fraction")), SPLIT)]


async def _payer(ctx: Ctx, value: str) -> str:
    ctx.draft["payer"] = None if value == SPLIT else value
    return await after_fields(ctx)


PAYER_WANTS_WHY = Text("Betaleren krever en begrunnelse.", "The payer requires a justification.")


def _justification_question(ctx: Ctx) -> str:
    why = Text(*ctx.draft["why"]) if ctx.draft.get("why") else PAYER_WANTS_WHY  # [nb, en]
    return ctx.t(Text(f"{why.nb}\nSkriv begrunnelsen (f.eks. hvorfor bil/taxi/fly, eller ruten):",
                      f"{why.en}\nWrite the justification (e.g. why car/taxi/flight, or the "
                      "route):"))


async def _justification(ctx: Ctx, text: str) -> str:
    ctx.draft["justification"] = text
    return await _sure_or_save(ctx)


register(
    ask_choice("line.payer", Text("Hvem skal betale denne linjen?", "Who pays this line?"),
               _payer_options, _payer, per_row=1),
    ask_text("line.justification", _justification_question, _justification,
             suggest=_last_justification),
    ask_buttons("line.sure", sure_prompt, _sure, kind="confirm"),
)
