"""Starting a claim (payers, title, purpose, cost allocation), the menu, and sending it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.dialog import quick
from bot.dialog.core import AND, END, Button, Ctx, Incoming, InputError, Prompt, Step, rows
from bot.dialog.engine import register
from bot.dialog.kinds import receipt_sent
from bot.dialog.render import summary_text
from bot.dialog.steps import ask_buttons, ask_text
from domain.calendar import MONTH_NAMES
from domain.errors import LateSubmitNotConfirmed, PolicyRefused
from domain.organisation import Dimension
from domain.text import Text

SPLIT = "split"
AS_LAST = "last"
AS_LAST_LABEL = Text("⭐ Som sist", "⭐ Same as last time")


async def _as_last_text(ctx: Ctx) -> str:
    """What "Som sist" will fill in, said under the question ("" when there is nothing)."""
    last = await ctx.turn.session().remembered()
    if not last.payers:
        return ""
    orgs = await ctx.turn.organisations(last.payers)
    claimant = ctx.turn.claimant
    dims = claimant.allocation_defaults if claimant else {}
    said = [ctx.t(AND).join(o.name for o in orgs.values()),
            f"«{_title_suggestions(ctx)[0].label}»",
            *(f"{d.name} {dims[d.name]}" for o in orgs.values() for d in o.dimensions
              if dims.get(d.name))]
    return "\n" + Text("⭐ Som sist: ", "⭐ Same as last time: ").in_(ctx.lang) + ", ".join(
        dict.fromkeys(said))


async def _payer_options(ctx: Ctx) -> Sequence[Button]:
    claimant = ctx.turn.claimant
    assert claimant is not None
    orgs = await ctx.turn.organisations(tuple(sorted(claimant.memberships)))
    chosen = set(ctx.data.get("new_payers", []))
    buttons = [Button(("✅ " if slug in chosen else "▫️ ") + org.name, slug)
               for slug, org in orgs.items()]
    last = [Button(AS_LAST_LABEL.in_(ctx.lang), AS_LAST)] if (
        not chosen and (await ctx.turn.session().remembered()).payers) else []
    return [*buttons, Button(ctx.t(Text("Ferdig", "Done")), "done"), *last]


async def _payers_prompt(ctx: Ctx) -> Prompt:
    question = Text("Hvem skal betale? Velg én eller flere, så Ferdig.",
                    "Who pays? Choose one or more, then Done.").in_(ctx.lang)
    buttons = list(await _payer_options(ctx))
    said = await _as_last_text(ctx) if buttons[-1].value == AS_LAST else ""
    return Prompt(question + said, tuple((b,) for b in buttons))


async def _as_last(ctx: Ctx) -> str:
    """A new claim like the last one: its payers and cost allocation, this month's title."""
    last = await ctx.turn.session().remembered()
    claimant = ctx.turn.claimant
    ctx.data["new_payers"] = list(last.payers)
    ctx.data["new_title"] = _title_suggestions(ctx)[0].label
    ctx.data["new_purpose"] = ""
    ctx.data["new_allocation"] = {d.name: claimant.allocation_defaults[d.name]
                                  for d in await _dimensions(ctx)
                                  if claimant and claimant.allocation_defaults.get(d.name)}
    return await _next_dimension(ctx)


async def _payers_chosen(ctx: Ctx, value: str) -> str:
    if value == AS_LAST:
        return await _as_last(ctx)
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
    this = (ctx.now.year, ctx.now.month)
    last = (this[0] - (this[1] == 1), (this[1] - 2) % 12 + 1)
    months = [last, this] if ctx.now.day <= 15 else [this, last]
    labels = [f"{ctx.t(MONTH_NAMES[m - 1]).capitalize()} {y}" for y, m in months]
    return [Button(label, label) for label in labels]


async def _title_prompt(ctx: Ctx) -> Prompt:
    buttons = [Button(b.label, f"s{i}") for i, b in enumerate(_title_suggestions(ctx))]
    said = await _as_last_text(ctx)
    if said:
        buttons.append(Button(AS_LAST_LABEL.in_(ctx.lang), AS_LAST))
    return Prompt(Text("Tittel på kravet (f.eks. måneden eller reisen):",
                       "Title of the claim (e.g. the month or the trip):").in_(ctx.lang) + said,
                  rows(buttons))


def _title_parse(ctx: Ctx, incoming: Incoming) -> str:
    if incoming.kind == "button" and incoming.text.startswith("s"):
        return _title_suggestions(ctx)[int(incoming.text[1:])].value
    if incoming.kind == "button":
        return incoming.text  # AS_LAST
    text = incoming.text.strip()
    if incoming.kind != "text" or not text or len(text) > 200:
        raise InputError(Text("Skriv en tittel (høyst 200 tegn), eller trykk på en knapp.",
                              "Write a title (at most 200 characters), or press a button."))
    return "t:" + text


async def _title(ctx: Ctx, value: str) -> str:
    if value == AS_LAST:
        return await _as_last(ctx)
    ctx.data["new_title"] = value.removeprefix("t:")
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
    claim = await ctx.turn.session().head(ctx.data["claim_id"])
    orgs = await ctx.turn.organisations(claim.payers)
    has_items = any(e.kind == "item" for org in orgs.values() for e in org.catalogue)
    b = [Button(ctx.t(Text("🚗 Kjøring", "🚗 Driving")), "mileage"),
         Button(ctx.t(Text("🍽 Diett", "🍽 Per diem")), "per_diem"),
         Button(ctx.t(Text("🧾 Utlegg", "🧾 Outlay")), "expense"),
         *([Button(ctx.t(Text("⏱ Timer/honorar", "⏱ Hours/fee")), "item")] if has_items else []),
         Button(ctx.t(Text("📋 Oppsummering", "📋 Summary")), "summary"),
         Button(ctx.t(Text("📤 Send inn", "📤 Submit")), "send")]
    return Prompt(ctx.t(Text("Hva vil du legge til?", "What do you want to add?")) + "\n"
                  + MENU_HINT.in_(ctx.lang), rows(b))


MENU_HINT = Text("Trykk, send et bilde av en kvittering, eller skriv hele linjen, f.eks. "
                 "«180 km bil Tromsø–Bodø med Ola 14.3», «taxi 450 kr 3.11», «diett 8–17».",
                 "Tap, send a photo of a receipt, or write the whole line, e.g. “180 km car "
                 "Tromsø–Bodø with Ola 14.3”, “taxi 450 kr 3.11”, “per diem 8–17”.")


def _menu_parse(ctx: Ctx, incoming: Incoming) -> tuple[str, Any]:
    if incoming.kind == "button":
        return "button", incoming.text
    if incoming.kind == "file" and incoming.file is not None:
        return "file", incoming.file
    return "text", incoming.text.strip()


async def _menu_answer(ctx: Ctx, answer: tuple[str, Any]) -> str:
    """A button; a receipt photo (an outlay begins with it); or a whole line typed."""
    kind, value = answer
    if kind == "button":
        return await _menu_chosen(ctx, value)
    ctx.data["draft"] = {}
    if kind == "file":
        return await receipt_sent(ctx, value)
    following = await quick.take(ctx, value) if value else None
    if following is None:
        raise InputError(quick.EXAMPLES)
    return following


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
    lines = [f"{i}. {ctx.t(Text(*p[2:]))}" for i, p in enumerate(problems, 1)]
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
    if code == "receipt_required":
        return "fix.required_receipt"
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
    ask_buttons("claim.payers", _payers_prompt, _payers_chosen),
    Step("claim.title", "text", _title_prompt, _title_parse, _title),
    ask_text("claim.purpose", Text("Formål med reisen/oppdraget:",
                                   "Purpose of the trip/assignment:"),
             _purpose, skip=Text("Hopp over", "Skip")),
    Step("claim.dimension", "text", _dimension_prompt, _dimension_parse, _dimension_answer),
    Step("claim.menu", "choice", _menu_prompt, _menu_parse, _menu_answer),
    ask_buttons("claim.fix", _fix_prompt, _fix_chosen),
    ask_buttons("claim.late", _late_prompt, _late_chosen),
)
