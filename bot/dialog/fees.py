"""Hours and fees from the payers' catalogue: several entries on one keyboard.

Each tap toggles an entry; its button names the payer, so the payer is the club whose
entry was tapped. A match (unit "kamp") is one per tap; hours and days are counted in
one message for all ("48 2"), typed at the keyboard or asked after "Ferdig". The day is
the claim's (the same day as the last line, or the end of the month its title names),
shown on the keyboard with a button to change it, else asked once for all.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from bot.dialog import quick
from bot.dialog.core import END, Button, Ctx, Incoming, InputError, Prompt, Step
from bot.dialog.engine import register
from bot.dialog.lines import (
    claim_orgs,
    date_suggestions,
    kept_doubt,
    read_date,
    read_number,
    save,
    sure_prompt,
)
from bot.dialog.steps import ask_buttons, ask_text
from bot.understand import When, echo_when
from domain.codec import line_from_dict
from domain.errors import UserError
from domain.lines import unit_text
from domain.money import ZERO, format_kr
from domain.organisation import CatalogueEntry
from domain.plausibility import HOUR_UNITS, doubts, refuse_quantity
from domain.text import Text

ONE_PER_TAP = frozenset({"kamp", "match", "oppdrag"})
DONE, OTHER_DAY = "done", "day"


async def _entries(ctx: Ctx) -> dict[str, tuple[str, CatalogueEntry]]:
    """Every item entry of the claim's payers by button value, with its payer's name."""
    orgs = await claim_orgs(ctx)
    return {f"{slug}:{e.code}": (org.name, e) for slug, org in orgs.items()
            for e in org.catalogue if e.kind == "item"}


async def _day(ctx: Ctx) -> list[str] | None:
    """The day the fees get ([iso, why nb, why en]), found once per keyboard."""
    if "item_day" not in ctx.draft:
        found = await quick.claim_day(ctx)
        ctx.draft["item_day"] = [found[0].isoformat(), found[1].nb, found[1].en] if found \
            else None
    day: list[str] | None = ctx.draft["item_day"]
    return day


async def _keyboard(ctx: Ctx) -> Prompt:
    entries = await _entries(ctx)
    if not entries:
        raise InputError(Text("Betalerne har ingen timesatser eller honorarer i katalogen.",
                              "The payers have no hourly rates or fees in their catalogue."))
    several = len(await claim_orgs(ctx)) > 1  # then the button must say who pays
    picked = ctx.draft.get("picked", [])
    rows = [(Button(("✅ " if value in picked else "▫️ ") + f"{e.label.in_(ctx.lang)} · "
                    f"{format_kr(e.rate or ZERO)} kr/{ctx.t(unit_text(e.unit, Decimal(1)))}"
                    + (f" · {name}" if several else ""),
                    value),) for value, (name, e) in entries.items()]
    day = await _day(ctx)
    last = [Button(Text("Ferdig", "Done").in_(ctx.lang), DONE)]
    text = Text("Velg timesats eller honorar, én eller flere, så Ferdig:",
                "Choose the rate or fee, one or more, then Done:").in_(ctx.lang)
    if day is not None:
        why = ctx.t(Text(*day[1:]))
        when = echo_when(When(date.fromisoformat(day[0])), ctx.lang)
        text += "\n" + Text(f"Dato: {when}", f"Date: {when}").in_(ctx.lang) + \
            (f" ({why})" if why else "")
        last.append(Button(Text("📅 Annen dato", "📅 Other date").in_(ctx.lang), OTHER_DAY))
    return Prompt(text, (*rows, tuple(last)))


def _keyboard_parse(ctx: Ctx, incoming: Incoming) -> tuple[str, str]:
    if incoming.kind == "button":
        return "button", incoming.text
    if incoming.kind == "text" and incoming.text.strip():
        return "count", incoming.text.strip()  # the counts, typed instead of "Ferdig"
    raise InputError(Text("Trykk på honoraret eller timesatsen, så Ferdig.",
                          "Tap the fee or the rate, then Done."))


async def _keyboard_answer(ctx: Ctx, answer: tuple[str, str]) -> str:
    kind, value = answer
    picked: list[str] = ctx.draft.setdefault("picked", [])
    if kind == "count":
        if not picked:
            raise InputError(Text("Trykk først på det du vil føre, så antallet.",
                                  "First tap what you want to claim, then the count."))
        _take_counts(ctx, picked, value)
        return await _done(ctx)
    if value == OTHER_DAY:
        return "item.date"
    if value == DONE:
        if not picked:
            raise InputError(Text("Velg minst én.", "Choose at least one."))
        return await _done(ctx)
    if value in picked:
        picked.remove(value)
    else:
        picked.append(value)
    return "item.start"


def _take_counts(ctx: Ctx, values: list[str], text: str) -> None:
    """One number per entry in ``values``, in order ("48 2"; one entry: "1 234" too)."""
    parts = [text] if len(values) == 1 else re.split(r"[;\s]+", text.replace(", ", " "))
    if len(parts) != len(values):
        raise InputError(Text(f"Skriv {len(values)} tall, ett for hver, f.eks. «48 2».",
                              f"Write {len(values)} numbers, one for each, e.g. “48 2”."))
    counts = ctx.draft.setdefault("counts", {})
    for value, part in zip(values, parts, strict=True):
        counts[value] = str(read_number(ctx, part))


async def _unknown(ctx: Ctx) -> list[str]:
    """The picked entries still without a count (a match is one per tap)."""
    entries = await _entries(ctx)
    return [v for v in ctx.draft.get("picked", []) if v not in ctx.draft.get("counts", {})
            and entries[v][1].unit.casefold() not in ONE_PER_TAP]


async def _done(ctx: Ctx) -> str:
    """Counts, then the unusual ones confirmed, then the day; then every line is saved."""
    if await _unknown(ctx):
        return "item.quantity"
    entries = await _entries(ctx)
    for value, body, unit in _bodies(ctx, entries):
        refuse_quantity(Decimal(body["quantity"]), unit)
        for doubt in doubts(line_from_dict({**body, "date": "2000-01-01"}), unit):
            if value not in ctx.draft.get("sure", []):
                ctx.draft["doubt"] = kept_doubt(value, doubt.text)
                return "item.sure"
    if await _day(ctx) is None:
        ctx.draft["hours"] = any(unit.casefold() in HOUR_UNITS
                                 for _, _, unit in _bodies(ctx, entries))
        return "item.date"
    day = ctx.draft["item_day"][0]
    for value, body, _ in list(_bodies(ctx, entries)):
        slug, code = value.split(":", 1)
        ctx.data["draft"] = {"line": {**body, "date": day}, "payer": slug, "type_code": code}
        await save(ctx)
    return END


def _bodies(ctx: Ctx, entries: dict[str, tuple[str, CatalogueEntry]]
            ) -> list[tuple[str, dict[str, Any], str]]:
    counts = ctx.draft.get("counts", {})
    found = []
    for value in ctx.draft.get("picked", []):
        entry = entries[value][1]
        assert entry.rate is not None
        found.append((value, {"kind": "item", "rate": str(entry.rate), "taxable": entry.taxable,
                              "label": entry.label.nb, "code": entry.code,
                              "label_en": entry.label.en, "unit": entry.unit,
                              "quantity": counts.get(value, "1")}, entry.unit))
    return found


async def _count_question(ctx: Ctx) -> str:
    entries = await _entries(ctx)
    names = [f"{entries[v][1].label.in_(ctx.lang)} ({ctx.t(unit_text(entries[v][1].unit))})"
             for v in await _unknown(ctx)]
    if len(names) == 1:
        return Text(f"Antall for {names[0]}?", f"How many for {names[0]}?").in_(ctx.lang)
    listed = ", ".join(names)
    return Text(f"Antall for {listed}? Skriv tallene i samme rekkefølge, f.eks. «48 2».",
                f"How many for {listed}? Write the numbers in the same order, e.g. “48 2”."
                ).in_(ctx.lang)


async def _counted(ctx: Ctx, text: str) -> str:
    before = dict(ctx.draft.get("counts", {}))
    try:
        _take_counts(ctx, await _unknown(ctx), text)
        return await _done(ctx)
    except (InputError, ValueError, UserError):
        # a refused count (over 744 hours) keeps none of the answer's counts, so the
        # question is asked again for every entry it named, not for none of them
        ctx.draft["counts"] = before
        raise


async def _count_prompt(ctx: Ctx) -> Prompt:
    return Prompt(await _count_question(ctx))


async def _dated(ctx: Ctx, day: date) -> str:
    ctx.draft["item_day"] = [day.isoformat(), "", ""]
    return await _done(ctx) if ctx.draft.get("picked") else "item.start"


async def _sure(ctx: Ctx, value: str) -> str:
    which = ctx.draft.pop("doubt")[0]
    if value == "yes":
        ctx.draft.setdefault("sure", []).append(which)
    else:
        ctx.draft.get("counts", {}).pop(which, None)
    return await _done(ctx)


def _date_question(ctx: Ctx) -> str:
    return (Text("Dato (siste dag i perioden)?", "Date (last day of the period)?")
            if ctx.draft.get("hours") else Text("Dato?", "Date?")).in_(ctx.lang)


def _count_parse(ctx: Ctx, incoming: Incoming) -> str:
    if incoming.kind not in ("text", "button") or not incoming.text.strip():
        raise InputError(Text("Skriv antallet.", "Write the count."))
    return incoming.text.strip()


register(
    Step("item.start", "multi", _keyboard, _keyboard_parse, _keyboard_answer),
    Step("item.quantity", "number", _count_prompt, _count_parse, _counted
         ).going_back_to("item.start"),
    ask_text("item.date", _date_question, _dated, read=read_date, kind="date",
             suggest=date_suggestions),
    ask_buttons("item.sure", sure_prompt, _sure, kind="confirm"),
)
