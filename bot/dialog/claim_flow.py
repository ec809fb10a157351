"""Starting a claim (payers, title, purpose, cost allocation), the menu, and sending it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.dialog.core import END, Button, Ctx, Prompt, Step, rows
from bot.dialog.engine import register
from bot.dialog.render import summary_text
from bot.dialog.steps import ask_buttons, ask_choice, ask_text
from domain.calendar import MONTHS_EN, MONTHS_NB
from domain.errors import LateSubmitNotConfirmed, PolicyRefused
from domain.organisation import Dimension
from domain.text import Text

SPLIT = "split"


async def _payer_options(ctx: Ctx) -> Sequence[Button]:
    claimant = ctx.turn.claimant
    assert claimant is not None
    orgs = await ctx.turn.organisations(tuple(sorted(claimant.memberships)))
    chosen = set(ctx.data.get("new_payers", []))
    buttons = [Button(("✅ " if slug in chosen else "▫️ ") + org.name, slug)
               for slug, org in orgs.items()]
    return [*buttons, Button(ctx.t(Text("Ferdig", "Done")), "done")]


async def _payers_chosen(ctx: Ctx, value: str) -> str:
    chosen: list[str] = ctx.data.setdefault("new_payers", [])
    if value != "done":
        if value in chosen:
            chosen.remove(value)
        else:
            chosen.append(value)
        return "claim.payers"
    if not chosen:
        ctx.say(ctx.t(Text("Velg minst én betaler.", "Choose at least one payer.")))
        return "claim.payers"
    return "claim.title"


def _title_suggestions(ctx: Ctx) -> list[Button]:
    """This month and, early in a month, the last one first (claims are about the past)."""
    names = MONTHS_EN if ctx.lang == "en" else MONTHS_NB
    this = (ctx.now.year, ctx.now.month)
    last = (this[0] - (this[1] == 1), (this[1] - 2) % 12 + 1)
    months = [last, this] if ctx.now.day <= 15 else [this, last]
    labels = [f"{names[m - 1].capitalize()} {y}" for y, m in months]
    return [Button(label, label) for label in labels]


async def _title(ctx: Ctx, text: str) -> str:
    ctx.data["new_title"] = text
    return "claim.purpose"


async def _purpose(ctx: Ctx, text: str | None) -> str:
    ctx.data["new_purpose"] = text or ""
    return await _next_dimension(ctx)


async def _dimensions(ctx: Ctx) -> list[Dimension]:
    orgs = await ctx.turn.organisations(tuple(ctx.data.get("new_payers", [])))
    seen: dict[str, Dimension] = {}
    for org in orgs.values():
        for dim in org.dimensions:
            seen.setdefault(dim.name, dim)
    return list(seen.values())


async def _next_dimension(ctx: Ctx) -> str:
    answered = ctx.data.setdefault("new_allocation", {})
    for dim in await _dimensions(ctx):
        if dim.name not in answered:
            ctx.data["dimension"] = dim.name
            return "claim.dimension"
    return await _create(ctx)


async def _dimension_prompt(ctx: Ctx) -> Prompt:
    dims = {d.name: d for d in await _dimensions(ctx)}
    dim = dims[ctx.data["dimension"]]
    claimant = ctx.turn.claimant
    remembered = claimant.allocation_defaults.get(dim.name, "") if claimant else ""
    values = list(dim.values) or ([remembered] if remembered else [])
    buttons = tuple((Button(v, f"v{i}"),) for i, v in enumerate(values))
    hint = ctx.t(Text("Velg", "Choose") if dim.values
                 else Text("Velg eller skriv", "Choose or write") if buttons
                 else Text("Skriv", "Write"))
    return Prompt(f"{hint} {dim.name}:", buttons)


async def _dimension_answer(ctx: Ctx, value: Any) -> str:
    dims = {d.name: d for d in await _dimensions(ctx)}
    dim = dims[ctx.data["dimension"]]
    prompt = await _dimension_prompt(ctx)
    if isinstance(value, tuple):  # a button: its label is the value
        value = next(b.label for row in prompt.buttons for b in row if b.value == value[1])
    ctx.data["new_allocation"][dim.name] = dim.check(str(value))
    return await _next_dimension(ctx)


def _dimension_parse(ctx: Ctx, incoming: Any) -> Any:
    if incoming.kind == "button":
        return ("button", incoming.text)
    return incoming.text.strip()


async def _create(ctx: Ctx) -> str:
    claim = await ctx.turn.session().create_claim(
        ctx.data["new_payers"], ctx.data["new_title"], purpose=ctx.data.get("new_purpose", ""),
        allocation=ctx.data.get("new_allocation", {}))
    for key in ("new_payers", "new_title", "new_purpose", "new_allocation", "dimension"):
        ctx.data.pop(key, None)
    ctx.data["claim_id"] = claim.id
    ctx.say(ctx.t(Text(f"Kravet {claim.reference} er opprettet. Legg til linjer:",
                       f"Claim {claim.reference} is created. Add lines:")))
    return END


async def _menu_prompt(ctx: Ctx) -> Prompt:
    claim = await ctx.turn.session().claim(ctx.data["claim_id"])
    orgs = await ctx.turn.organisations(claim.payers)
    has_items = any(e.kind == "item" for org in orgs.values() for e in org.catalogue)
    b = [Button(ctx.t(Text("🚗 Kjøring", "🚗 Driving")), "mileage"),
         Button(ctx.t(Text("🍽 Diett", "🍽 Per diem")), "per_diem"),
         Button(ctx.t(Text("🧾 Utlegg", "🧾 Outlay")), "expense"),
         *([Button(ctx.t(Text("⏱ Timer/honorar", "⏱ Hours/fee")), "item")] if has_items else []),
         Button(ctx.t(Text("📋 Oppsummering", "📋 Summary")), "summary"),
         Button(ctx.t(Text("📤 Send inn", "📤 Submit")), "send")]
    return Prompt(ctx.t(Text("Hva vil du legge til?", "What do you want to add?")), rows(b))


async def _menu_chosen(ctx: Ctx, value: str) -> str:
    if value == "summary":
        view = await ctx.turn.session().summary(ctx.data["claim_id"])
        ctx.say(summary_text(view, ctx.lang))
        return "claim.menu"
    if value == "send":
        return await submit(ctx)
    ctx.data["draft"] = {}
    return f"{value}.start"


async def submit(ctx: Ctx, *, confirm_late: bool = False) -> str:
    """Submit the current claim; explain problems one by one, each with a fix."""
    session = ctx.turn.session()
    claim_id = ctx.data["claim_id"]
    try:
        claim = await session.submit(claim_id, confirm_late=confirm_late)
    except PolicyRefused as refused:
        ctx.data["problems"] = [[p.code, p.line_id, p.text.nb, p.text.en]
                                for p in refused.problems]
        return "claim.fix"
    except LateSubmitNotConfirmed:
        return "claim.late"  # its question says it, once, with the date
    ctx.data.pop("problems", None)
    ctx.say(ctx.t(Text(f"📤 {claim.reference} er sendt til godkjenning. Du får beskjed her.",
                       f"📤 {claim.reference} is sent for approval. You will be told here.")))
    ctx.data.pop("claim_id", None)
    return END


async def _fix_prompt(ctx: Ctx) -> Prompt:
    problems = ctx.data.get("problems", [])
    lines = [f"{i}. {(p[3] if ctx.lang == 'en' else p[2])}" for i, p in enumerate(problems, 1)]
    text = ctx.t(Text("Dette må fikses før kravet kan sendes:",
                      "This must be fixed before the claim can be sent:"))
    text += "\n" + "\n".join(lines)
    buttons = tuple((Button(ctx.t(Text(f"Fiks {i}", f"Fix {i}")), str(i - 1)),)
                    for i, p in enumerate(problems, 1) if p[1])
    return Prompt(text, (*buttons, (Button(ctx.t(Text("Tilbake til menyen", "Back to menu")),
                                           "menu"),)))


async def _fix_chosen(ctx: Ctx, value: str) -> str:
    if value == "menu":
        return END
    code, line_id, _, _ = ctx.data["problems"][int(value)]
    ctx.data["fix_line"] = line_id
    if code == "receipt_missing":
        return "fix.receipt"
    if code in ("justification_missing", "km_implausible"):
        return "fix.justification"
    return "fix.remove"


async def _late_prompt(ctx: Ctx) -> Prompt:
    view = await ctx.turn.session().summary(ctx.data["claim_id"])
    last = f"{view.deadline:%d.%m.%Y}" if view.deadline else "?"
    return Prompt(ctx.t(Text(f"Fristen for innsending var {last}. Vil du sende likevel?",
                             f"The submit deadline was {last}. Send anyway?")),
                  ((Button(ctx.t(Text("Send likevel", "Send anyway")), "yes"),
                    Button(ctx.t(Text("Ikke nå", "Not now")), "no")),))


async def _late_chosen(ctx: Ctx, value: str) -> str:
    if value == "yes":
        return await submit(ctx, confirm_late=True)
    return END


register(
    ask_choice("claim.payers", Text("Hvem skal betale? Velg én eller flere, så Ferdig.",
                                "Who pays? Choose one or more, then Done."),
               _payer_options, _payers_chosen, per_row=1),
    ask_text("claim.title", Text("Tittel på kravet (f.eks. måneden eller reisen):",
                             "Title of the claim (e.g. the month or the trip):"),
             _title, suggest=_title_suggestions),
    ask_text("claim.purpose", Text("Formål med reisen/oppdraget:",
                                   "Purpose of the trip/assignment:"),
             _purpose, skip=Text("Hopp over", "Skip")),
    Step("claim.dimension", "text", _dimension_prompt, _dimension_parse, _dimension_answer),
    ask_buttons("claim.menu", _menu_prompt, _menu_chosen),
    ask_buttons("claim.fix", _fix_prompt, _fix_chosen),
    ask_buttons("claim.late", _late_prompt, _late_chosen),
)
