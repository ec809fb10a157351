"""The four kinds of line, each a short chain of steps ending in ``after_fields``.

Driving: date, vehicle, from, to, km, passengers, forest road / trailer.
Per diem: departure, return, km from home, lodging per night, meals (a toggle
keyboard, not typing), then the computed breakdown before saving.
Outlay: the receipt first, then date, type, amount (currency and rate), remark.
Hours/fee: ``fees.py`` (several entries on one keyboard).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from bot.dialog import quick, rates, reading
from bot.dialog.core import AND, END, Button, Ctx, InputError, Prompt
from bot.dialog.engine import register
from bot.dialog.lines import (
    after_fields,
    check_rates,
    claim_orgs,
    date_suggestions,
    preview,
    read_date,
    read_number,
    result_text,
    save,
    without_receipt,
)
from bot.dialog.steps import ask_buttons, ask_choice, ask_file, ask_text
from bot.understand import When, echo_when, parse_amount, parse_km, parse_when, time_only
from bot.understand_line import Trip
from domain.calc.per_diem import why_no_per_diem
from domain.codec import line_from_dict
from domain.lines import EXPENSE_NAMES, MEAL_NAMES, MileageLeg
from domain.money import NOK, format_kr, number_text
from domain.plausibility import refuse_date, refuse_outlay
from domain.rates.model import LODGINGS as DOMAIN_LODGINGS
from domain.rates.model import MEALS as DOMAIN_MEALS
from domain.rates.model import VEHICLES as DOMAIN_VEHICLES
from domain.rates.model import PaidRates
from domain.text import Text
from service.context import book_for

# Button labels keyed by the domain's own lists, so a kind the domain adds cannot go missing
# here silently (a KeyError at import names it).
_VEHICLE_LABELS = {"car": Text("🚗 Bil", "🚗 Car"),
                   "motorcycle": Text("🏍 Motorsykkel", "🏍 Motorcycle"),
                   "moped": Text("🛵 Moped", "🛵 Moped"),
                   "boat": Text("🚤 Motorbåt", "🚤 Motor boat"),
                   "snowmobile": Text("🛷 Snøscooter", "🛷 Snowmobile")}
_LODGING_LABELS = {"hotel": Text("🏨 Hotell", "🏨 Hotel"),
                   "boarding": Text("Pensjonat/hybel uten kjøkken", "Boarding house, no kitchen"),
                   "kitchen": Text("Hybel med kjøkken", "Room with kitchen"),
                   "private": Text("🏠 Privat / ikke dokumentert", "🏠 Private / undocumented")}
# Each table: the domain's key (a button's value) -> its label, in the domain's order.
VEHICLES: Mapping[str, Text] = {key: _VEHICLE_LABELS[key] for key in DOMAIN_VEHICLES}
LODGINGS: Mapping[str, Text] = {key: _LODGING_LABELS[key] for key in DOMAIN_LODGINGS}
EXPENSE_TYPES: Mapping[str, Text] = EXPENSE_NAMES
MEALS: Mapping[str, Text] = {key: MEAL_NAMES[key] for key in DOMAIN_MEALS}


def _options(ctx: Ctx, table: Mapping[str, Text]) -> list[Button]:
    return [Button(ctx.t(label), value) for value, label in table.items()]


def _line(ctx: Ctx) -> dict[str, Any]:
    line: dict[str, Any] = ctx.draft.setdefault("line", {})
    return line


# -- driving ---------------------------------------------------------------------------------

async def _mileage_start(ctx: Ctx, text: str) -> str:
    """The date of the drive — or the whole drive in one message."""
    return await quick.take(ctx, text, "mileage") or await _mileage_date(
        ctx, read_date(ctx, text))


async def _mileage_date(ctx: Ctx, day: date) -> str:
    await check_rates(ctx, day)
    _line(ctx).update(kind="mileage", date=day.isoformat(), passengers=[])
    last = await ctx.turn.session().remembered()
    ctx.draft["usual"] = {"places": list(last.places), "passengers": list(last.passengers)}
    return "mileage.vehicle"


def _usual_places(ctx: Ctx) -> list[Button]:
    """The places of the last drives, one tap each (not the one just given as "from")."""
    places = ctx.draft.get("usual", {}).get("places", [])
    return [Button(p, p) for p in places if p != ctx.draft.get("from")][:3]


def _usual_passengers(ctx: Ctx) -> list[Button]:
    """Last drive's passengers as one button."""
    names = ctx.draft.get("usual", {}).get("passengers", [])
    if not names:
        return []
    said = ctx.t(AND).join(names)
    return [Button(ctx.t(Text(f"⭐ Som sist: {said}", f"⭐ As last time: {said}")),
                   ", ".join(names))]


async def _vehicles(ctx: Ctx) -> Sequence[Button]:
    return _options(ctx, VEHICLES)


async def _vehicle(ctx: Ctx, value: str) -> str:
    _line(ctx)["vehicle"] = value
    return "mileage.from"


async def _from(ctx: Ctx, text: str) -> str:
    ctx.draft["from"] = text
    return "mileage.to"


async def _to(ctx: Ctx, text: str) -> str:
    ctx.draft["remark"] = f"{ctx.draft.get('from', '')} – {text}"
    return "mileage.km"


def _read_km(ctx: Ctx, text: str) -> Decimal:
    km = parse_km(text)
    ctx.say(f"🛣 {number_text(km).in_(ctx.lang)} km")
    return km


async def _km(ctx: Ctx, km: Decimal) -> str:
    _line(ctx)["km"] = str(km)
    return "mileage.passengers"


def read_names(ctx: Ctx, text: str) -> list[str]:
    """Passengers' names: "Ola, Kari og Per". A number or ``#3`` is no name: refused."""
    names = [n.strip() for n in re.split(r",| og | and |&", f" {text} ") if n.strip()]
    if not names or any(not re.fullmatch(r"[^\W\d_][\w .'-]*", n) or re.search(r"\d", n)
                        for n in names):
        raise InputError(Text(
            f"«{text}» er ikke navn. Skriv navnene på passasjerene, f.eks. «Ola, Kari», "
            "eller trykk Ingen.",
            f"“{text}” is not names. Write the passengers' names, e.g. “Ola, Kari”, or "
            "press None."))
    return names


def read_place(ctx: Ctx, text: str) -> str:
    """A place name: it has letters (a number or ``#3`` answers some other question)."""
    if not re.search(r"[^\W\d_]", text):
        raise InputError(Text(f"«{text}» er ikke et sted. Skriv stedsnavnet, f.eks. «Tromsø».",
                              f"“{text}” is not a place. Write the place name, e.g. "
                              "“Tromsø”."))
    return text


async def _passengers(ctx: Ctx, names: list[str] | None) -> str:
    _line(ctx)["passengers"] = names or []
    return "mileage.extra"


async def _extras(ctx: Ctx) -> Sequence[Button]:
    return [Button(ctx.t(Text("Nei", "No")), "no"),
            Button(ctx.t(Text("Skogsvei/anleggsvei", "Forest/construction road")), "forest"),
            Button(ctx.t(Text("Tilhenger/utstyr", "Trailer/equipment")), "trailer")]


async def _extra(ctx: Ctx, value: str) -> str:
    if value == "forest":
        return "mileage.forest"
    if value == "trailer":
        return "mileage.trailer"
    return await after_fields(ctx)


async def _forest(ctx: Ctx, km: Decimal) -> str:
    _line(ctx)["forest_road_km"] = str(km)
    return await _checked(ctx)


async def _trailer(ctx: Ctx, km: Decimal) -> str:
    _line(ctx)["trailer_km"] = str(km)
    return await _checked(ctx)


async def _checked(ctx: Ctx) -> str:
    line_from_dict(_line(ctx))  # e.g. more forest-road km than km: said now, not at save
    return await after_fields(ctx)


register(
    ask_text("mileage.start", Text("Dato for kjøringen? (Eller hele linjen, f.eks. «180 km bil "
                                   "Tromsø–Bodø med Ola 14.3».)",
                                   "Date of the drive? (Or the whole line, e.g. “180 km car "
                                   "Tromsø–Bodø with Ola 14.3”.)"), _mileage_start,
             kind="date", suggest=date_suggestions),
    ask_choice("mileage.vehicle", Text("Kjøretøy?", "Vehicle?"), _vehicles,
               _vehicle).going_back_to("mileage.start"),
    ask_text("mileage.from", Text("Kjørte fra (sted):", "Drove from (place):"), _from,
             read=read_place, suggest=_usual_places),
    ask_text("mileage.to", Text("Kjørte til (sted, gjerne via):", "Drove to (place, via):"), _to,
             read=read_place, suggest=_usual_places),
    ask_text("mileage.km", Text("Antall km (hele strekningen):", "Number of km (the whole leg):"),
             _km, read=_read_km, kind="number"),
    ask_text("mileage.passengers", Text("Passasjerer? Skriv navnene, skilt med komma.",
                                    "Passengers? Write their names, separated by commas."),
             _passengers, read=read_names, skip=Text("Ingen", "None"),
             suggest=_usual_passengers).going_back_to("mileage.km"),
    ask_choice("mileage.extra", Text("Kjørte du noe på skogsvei eller med tilhenger?",
                                 "Did you drive on forest road or with a trailer?"),
               _extras, _extra, per_row=1),
    ask_text("mileage.forest", Text("Hvor mange av km var skogsvei/anleggsvei?",
                                "How many of the km were forest/construction road?"),
             _forest, read=lambda ctx, t: parse_km(t), kind="number"),
    ask_text("mileage.trailer", Text("Hvor mange km med tilhenger/utstyr?",
                                 "How many km with a trailer/equipment?"),
             _trailer, read=lambda ctx, t: parse_km(t), kind="number"),
)


# -- per diem ---------------------------------------------------------------------------------

def _read_moment(ctx: Ctx, text: str) -> datetime:
    when = parse_when(text, ctx.now, ctx.lang)
    if when.time is None:
        raise InputError(Text("Skriv også klokkeslettet, f.eks. «5.3 kl 07.30».",
                              "Write the time too, e.g. \"5.3 at 07:30\"."))
    refuse_date(when.date, ctx.now.date())
    ctx.say(f"🕒 {echo_when(when, ctx.lang)}")
    return datetime.combine(when.date, when.time)


def _read_return(ctx: Ctx, text: str) -> datetime:
    """A bare time after a departure is that day (the next, if earlier): never today."""
    time = time_only(text)
    if time is None:
        return _read_moment(ctx, text)
    departure = datetime.fromisoformat(_line(ctx)["departure"])
    moment = datetime.combine(departure.date(), time)
    if moment <= departure:
        moment += timedelta(days=1)
    refuse_date(moment.date(), ctx.now.date())
    ctx.say(f"🕒 {echo_when(When(moment.date(), time), ctx.lang)}")
    return moment


async def _per_diem_start(ctx: Ctx, text: str) -> str:
    """The departure — or departure and return in one message ("8–17 lunsj")."""
    return await quick.take(ctx, text, "per_diem") or await _departure(
        ctx, _read_moment(ctx, text))


async def _departure(ctx: Ctx, moment: datetime) -> str:
    await check_rates(ctx, moment.date())
    _line(ctx).update(kind="per_diem", departure=f"{moment:%Y-%m-%dT%H:%M}")
    return "per_diem.return"


async def _return(ctx: Ctx, moment: datetime) -> str:
    departure = datetime.fromisoformat(_line(ctx)["departure"])
    if moment <= departure:
        raise InputError(Text("Hjemkomst må være etter avreise.",
                              "Return must be after departure."))
    _line(ctx).update(nights=[], meals=[])
    _line(ctx)["return"] = f"{moment:%Y-%m-%dT%H:%M}"
    ctx.draft.update(nights_asked=0, meals_done=False)
    return await per_diem_next(ctx)


async def per_diem_from(ctx: Ctx, said: Trip, day: tuple[date, Text] | None) -> str:
    """A per diem said in one message: its times, and the meals and lodging it names."""
    if isinstance(said.departure, When):
        departure = datetime.combine(said.departure.date, said.departure.time or time())
    elif day is not None:
        departure = datetime.combine(day[0], said.departure)
    else:
        raise InputError(Text("Skriv datoen også, f.eks. «diett 14.3 kl 8–17».",
                              "Write the date too, e.g. “per diem 14.3 at 8–17”."))
    if isinstance(said.back, When):
        back = datetime.combine(said.back.date, said.back.time or time())
    else:
        back = datetime.combine(departure.date(), said.back)
        back += timedelta(days=1) if back <= departure else timedelta()
    for moment in (departure, back):
        refuse_date(moment.date(), ctx.now.date())
    await _departure(ctx, departure)
    ctx.say(f"🕒 {echo_when(When(departure.date(), departure.time()), ctx.lang)} – "
            f"{echo_when(When(back.date(), back.time()), ctx.lang)}")
    line = _line(ctx)
    line["return"] = f"{back:%Y-%m-%dT%H:%M}"
    if back <= departure:
        raise InputError(Text("Hjemkomst må være etter avreise.",
                              "Return must be after departure."))
    days = _trip_days(ctx)
    line["nights"] = [{"date": d.isoformat(), "lodging": said.lodging}
                      for d in days[:-1]] if said.lodging else []
    ctx.draft["nights_asked"] = len(line["nights"])
    line["meals"] = [entry for d in days if (entry := _meals_on(ctx, d, said.meals))]
    ctx.draft["meals_done"] = bool(said.meals)
    return await per_diem_next(ctx)


def _meals_on(ctx: Ctx, day: date, meals: Sequence[str]) -> dict[str, Any] | None:
    """The day's entry for ``meals`` provided, those inside the trip only (None: none)."""
    line = _line(ctx)
    departure = datetime.fromisoformat(line["departure"])
    back = datetime.fromisoformat(line["return"])
    inside = [m for m in meals if departure <= datetime.combine(day, time(_MEAL_HOURS[m])) <= back]
    if not inside:
        return None
    return {"date": day.isoformat(), **{k: k in inside for k in MEALS}}


async def per_diem_next(ctx: Ctx) -> str:
    """The first per diem question still open, else who pays and the breakdown.

    As soon as the times or the distance rule the per diem out, that is said once, with
    what to do instead, and nothing more is asked (no meals for nothing).
    """
    line = _line(ctx)
    if await _refused(ctx):
        return "per_diem.refused"
    if "distance_km" not in line:
        offers = await _distance_offers(ctx)
        if ctx.draft.get("quick") and offers and offers[0][2] == "drive":
            line["distance_km"] = offers[0][1]
            ctx.say(f"🛣 {offers[0][0]}")
        else:
            ctx.draft["distance_offers"] = [o[:2] for o in offers]
            return "per_diem.distance"
    if ctx.draft.get("nights_asked", 0) < len(_trip_days(ctx)) - 1:
        return "per_diem.night"
    if not ctx.draft.get("meals_done"):
        return "per_diem.meals"
    return await _per_diem_payer(ctx)


async def _distance_offers(ctx: Ctx) -> list[tuple[str, str, str]]:
    """Distances to offer: half the same day's drive (if 15 km or more), last time's."""
    day = datetime.fromisoformat(_line(ctx)["departure"]).date()
    claim = await ctx.turn.session().claim(ctx.data["claim_id"])
    offers = []
    for line in claim.lines:
        body = line.body
        if isinstance(body, MileageLeg) and body.date == day and body.km / 2 >= 15:
            half = number_text(body.km / 2).in_(ctx.lang)
            offers.append((Text(f"{half} km fra hjemmet (halve kjøringen {line.remark})",
                                f"{half} km from home (half the drive {line.remark})"
                                ).in_(ctx.lang),
                           str(body.km / 2), "drive"))
    last = (await ctx.turn.session().remembered(besides=claim.id)).distance_km
    if last is not None:
        km = number_text(last).in_(ctx.lang)
        offers.append((Text(f"{km} km (som sist)", f"{km} km (as last time)").in_(ctx.lang),
                       str(last),
                       "last"))
    return offers


def _distance_buttons(ctx: Ctx) -> list[Button]:
    return [Button(label, km) for label, km in ctx.draft.get("distance_offers", [])]


async def _distance(ctx: Ctx, km: Decimal) -> str:
    _line(ctx)["distance_km"] = str(km)
    return await per_diem_next(ctx)


async def _paid(ctx: Ctx) -> PaidRates:
    """The paid rates of the claim on the day of departure."""
    departure = datetime.fromisoformat(_line(ctx)["departure"])
    claim = await ctx.turn.session().head(ctx.data["claim_id"])
    return book_for(ctx.turn.env, await claim_orgs(ctx)).paid(claim.rate_set, departure.date())


async def _refused(ctx: Ctx) -> bool:
    """Whether what is known of the trip already rules the per diem out (the why is kept)."""
    line = _line(ctx)
    km = line.get("distance_km")
    notice = why_no_per_diem(datetime.fromisoformat(line["departure"]),
                             datetime.fromisoformat(line["return"]),
                             None if km is None else Decimal(km), await _paid(ctx))
    ctx.draft["refused"] = None if notice is None else notice.code
    if notice is not None:
        ctx.draft["refused_text"] = [notice.text.nb, notice.text.en]
    return notice is not None


_INSTEAD = Text("Diett krever minst {km} km fra hjem/arbeidssted (én vei) og minst {hours} timer. "
                "Kjøringen kan du føre under 🚗 Kjøring, og utgifter med kvittering (parkering, "
                "billett …) under 🧾 Utlegg.",
                "A per diem needs at least {km} km from home/work (one way) and at least "
                "{hours} hours. You can claim the drive under 🚗 Driving, and costs with a "
                "receipt (parking, ticket …) under 🧾 Outlay.")


async def _refused_prompt(ctx: Ctx) -> Prompt:
    said = Text(*ctx.draft["refused_text"])  # kept in the chat's state as [nb, en]
    paid = await _paid(ctx)
    instead = ctx.t(_INSTEAD).format(km=number_text(paid.min_distance_km).in_(ctx.lang),
                                     hours=number_text(paid.min_hours).in_(ctx.lang))
    change = (Text("✏️ Endre avstanden", "✏️ Change the distance")
              if ctx.draft["refused"] == "per_diem_too_short_distance"
              else Text("✏️ Endre tidene", "✏️ Change the times"))
    return Prompt(f"{ctx.t(said)}.\n{instead}",
                  ((Button(ctx.t(change), "change"),),
                   (Button(ctx.t(Text("🚗 Før kjøring", "🚗 Add driving")), "mileage"),),
                   (Button(ctx.t(Text("↩️ Til menyen", "↩️ Back to the menu")), "menu"),)))


async def _refused_answer(ctx: Ctx, value: str) -> str:
    if value == "change":
        if ctx.draft["refused"] == "per_diem_too_short_distance":
            _line(ctx).pop("distance_km", None)
            ctx.draft["distance_offers"] = [o[:2] for o in await _distance_offers(ctx)]
            return "per_diem.distance"
        ctx.data["draft"] = {}
        return "per_diem.start"
    ctx.data["draft"] = {}
    return "mileage.start" if value == "mileage" else END


def _trip_days(ctx: Ctx) -> list[date]:
    line = _line(ctx)
    first = datetime.fromisoformat(line["departure"]).date()
    last = datetime.fromisoformat(line["return"]).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


ALL_HOTEL = "all_hotel"
ALL_HOTEL_LABEL = Text("🏨 Hotell alle netter", "🏨 Hotel every night")


async def _night_prompt(ctx: Ctx) -> Prompt:
    asked = ctx.draft.get("nights_asked", 0)
    night = _trip_days(ctx)[asked]
    several = len(_trip_days(ctx)) - 1 - asked > 1
    buttons = [*_options(ctx, LODGINGS),
               Button(ctx.t(Text("Ingen overnatting", "No overnight")), "none"),
               *([Button(ALL_HOTEL_LABEL.in_(ctx.lang), ALL_HOTEL)] if several else [])]
    day = f"{night + timedelta(days=1):%d.%m}"
    return Prompt(ctx.t(Text(f"Natt til {day}: hvor overnattet du?",
                             f"Night before {day}: where did you stay?")),
                  tuple((b,) for b in buttons))


async def _night(ctx: Ctx, value: str) -> str:
    index = ctx.draft.get("nights_asked", 0)
    nights = _trip_days(ctx)[:-1]
    for night in nights[index:] if value == ALL_HOTEL else nights[index:index + 1]:
        if value != "none":
            _line(ctx)["nights"].append({"date": night.isoformat(),
                                         "lodging": "hotel" if value == ALL_HOTEL else value})
    ctx.draft["nights_asked"] = len(nights) if value == ALL_HOTEL else index + 1
    return await per_diem_next(ctx)


# A meal is offered on a day only if its usual time (README: 07, 12, 18) lies in the trip:
# no breakfast before an 08:00 departure, no dinner after a 17:00 return.
_MEAL_HOURS = {"breakfast": 7, "lunch": 12, "dinner": 18}


async def _meals_prompt(ctx: Ctx) -> Prompt:
    provided = {(m["date"], k) for m in _line(ctx)["meals"] for k in MEALS if m.get(k)}
    departure = datetime.fromisoformat(_line(ctx)["departure"])
    back = datetime.fromisoformat(_line(ctx)["return"])
    rows: list[tuple[Button, ...]] = []
    for i, day in enumerate(_trip_days(ctx)):
        row = tuple(Button(("✅ " if (day.isoformat(), key) in provided else "▫️ ")
                           + f"{day:%d.%m} {ctx.t(name)}", f"{i}{key[0]}")
                    for key, name in MEALS.items()
                    if departure <= datetime.combine(day, time(_MEAL_HOURS[key])) <= back)
        if row:
            rows.append(row)
    rows.append((Button(ctx.t(Text("Ferdig", "Done")), "done"),))
    if _hotel_mornings(ctx):
        rows.append((Button(HOTEL_BREAKFAST_LABEL.in_(ctx.lang), HOTEL_BREAKFAST),))
    return Prompt(ctx.t(Text("Trykk på måltidene du fikk dekket (betalt av andre, eller i "
                             "billetten):",
                             "Tap the meals you were given (paid by others, or in a ticket):")),
                  tuple(rows))


HOTEL_BREAKFAST = "hotel_breakfast"
HOTEL_BREAKFAST_LABEL = Text("🏨 Hotellfrokost hver morgen, ellers ingen",
                             "🏨 Hotel breakfast every morning, nothing else")


def _hotel_mornings(ctx: Ctx) -> list[date]:
    """The mornings after a night at a hotel."""
    return [date.fromisoformat(n["date"]) + timedelta(days=1) for n in _line(ctx)["nights"]
            if n["lodging"] == "hotel"]


async def _meal(ctx: Ctx, value: str) -> str:
    if value == HOTEL_BREAKFAST:
        _line(ctx)["meals"] = [entry for day in _hotel_mornings(ctx)
                               if (entry := _meals_on(ctx, day, ("breakfast",)))]
        value = "done"
    if value == "done":
        ctx.draft["meals_done"] = True
        return await _per_diem_payer(ctx)
    day = _trip_days(ctx)[int(value[:-1])].isoformat()
    key = next(k for k in MEALS if k[0] == value[-1])
    meals = _line(ctx)["meals"]
    entry = next((m for m in meals if m["date"] == day), None)
    if entry is None:
        entry = {"date": day, "breakfast": False, "lunch": False, "dinner": False}
        meals.append(entry)
    entry[key] = not entry[key]
    return "per_diem.meals"


async def _per_diem_payer(ctx: Ctx) -> str:
    orgs = await claim_orgs(ctx)
    if len(orgs) == 1:
        ctx.draft["payer"] = next(iter(orgs))
    elif "payer" not in ctx.draft:
        return "per_diem.payer"
    return "per_diem.confirm"


async def _confirm_prompt(ctx: Ctx) -> Prompt:
    result = await preview(ctx, line_from_dict(_line(ctx)))
    payer = await quick.payer_text(ctx)
    other = [Button(quick.OTHER_PAYER_LABEL.in_(ctx.lang), "payer")] if payer else []
    return Prompt("\n".join(t for t in (result_text(ctx, result), payer) if t),
                  ((Button(ctx.t(Text("💾 Lagre", "💾 Save")), "save"), *other,
                    Button(ctx.t(Text("Forkast", "Discard")), "drop")),))


async def _confirmed(ctx: Ctx, value: str) -> str:
    if value == "payer":
        ctx.draft.pop("payer", None)
        return "per_diem.payer"
    if value == "save":
        return await save(ctx, shown=True)  # the breakdown is on screen already
    ctx.data["draft"] = {}
    return END


async def _payers(ctx: Ctx) -> Sequence[Button]:
    orgs = await claim_orgs(ctx)
    return [*(Button(o.name, s) for s, o in orgs.items()),
            Button(ctx.t(Text("Del etter honorarbrøk", "Split by fee fraction")), "split")]


async def _per_diem_payer_chosen(ctx: Ctx, value: str) -> str:
    ctx.draft["payer"] = None if value == "split" else value
    return "per_diem.confirm"


register(
    ask_text("per_diem.start", Text("Når reiste du? Dato og klokkeslett, f.eks. «3.3 kl 07.30». "
                                    "(Eller avreise og hjemkomst på én gang: «3.3 kl 8–17».)",
                                    "When did you leave? Date and time, e.g. \"3.3 at 07:30\". "
                                    "(Or departure and return at once: “3.3 at 8–17”.)"),
             _per_diem_start, kind="datetime"),
    ask_text("per_diem.return", Text("Når kom du hjem? Dato og klokkeslett.",
                                 "When did you get home? Date and time."),
             _return, read=_read_return, kind="datetime").going_back_to("per_diem.start"),
    ask_text("per_diem.distance", Text(
                 "Hvor langt fra hjemmet/arbeidsstedet var reisen (km én vei)?",
                 "How far from home/work was the trip (km one way)?"),
             _distance, read=lambda ctx, t: parse_km(t), kind="number",
             suggest=_distance_buttons).going_back_to("per_diem.return"),
    ask_buttons("per_diem.refused", _refused_prompt, _refused_answer),
    ask_buttons("per_diem.night", _night_prompt, _night),
    ask_buttons("per_diem.meals", _meals_prompt, _meal, kind="multi"),
    ask_choice("per_diem.payer", Text("Hvem skal betale dietten?", "Who pays the per diem?"),
               _payers, _per_diem_payer_chosen, per_row=1),
    ask_buttons("per_diem.confirm", _confirm_prompt, _confirmed, kind="confirm"),
)


# -- outlay -----------------------------------------------------------------------------------

async def receipt_sent(ctx: Ctx, data: bytes) -> str:
    """An outlay begins with its receipt: keep it, offer what was read, or ask the rest."""
    return await _receipt(ctx, data)


async def _receipt(ctx: Ctx, data: bytes | None) -> str:
    if data is not None:
        content_hash = await ctx.turn.session().store_file(data)
        ctx.draft["attachments"] = [content_hash]
        ctx.say(ctx.t(Text("📎 Kvitteringen er lagret.", "📎 The receipt is stored.")))
        if reading.remember(ctx, ctx.reading):
            return "expense.read"
        if ctx.turn.env.receipts is not None:
            ctx.say(ctx.t(Text("Jeg klarte ikke å lese kvitteringen sikkert nok; skriv inn "
                               "opplysningene selv.",
                               "I could not read the receipt surely enough; please type the "
                               "details.")))
    return "expense.date"


async def _expense_start(ctx: Ctx, text: str) -> str:
    """The date of the outlay — or the whole outlay in one message ("taxi 450 3.11")."""
    return await quick.take(ctx, text, "expense") or await _expense_date(
        ctx, read_date(ctx, text))


async def _expense_date(ctx: Ctx, day: date) -> str:
    _line(ctx).update(kind="expense", date=day.isoformat())
    return "expense.type"


async def _types(ctx: Ctx) -> Sequence[Button]:
    orgs = await claim_orgs(ctx)
    entries = {e.code: e for org in orgs.values() for e in org.catalogue if e.kind == "expense"}
    listed = {e.expense_type for e in entries.values()}
    return [*(Button(e.label.in_(ctx.lang), f"c:{code}") for code, e in entries.items()),
            *(b for b in _options(ctx, EXPENSE_TYPES) if b.value not in listed)]


async def _type(ctx: Ctx, value: str) -> str:
    if value.startswith("c:"):
        code = value[2:]
        orgs = await claim_orgs(ctx)
        entry = next(e for org in orgs.values() for e in org.catalogue if e.code == code)
        ctx.draft["type_code"] = code
        _line(ctx)["type"] = entry.expense_type
    else:
        _line(ctx)["type"] = value
    return reading.amount_known(ctx) or "expense.amount"


async def _amount(ctx: Ctx, text: str) -> str:
    amount = parse_amount(text)
    if amount.currency == NOK:
        refuse_outlay(amount.amount)
    _line(ctx).update(amount=str(amount.amount), currency=amount.currency)
    rates.forget(ctx)
    ctx.say(f"💰 {amount.currency} {format_kr(amount.amount)}")
    if amount.currency == NOK:
        _line(ctx)["nok_rate"] = "1"
        return "expense.remark"
    return "expense.rate"


async def _remark(ctx: Ctx, text: str | None) -> str:
    ctx.draft["remark"] = text or ""
    return await without_receipt(ctx) if not ctx.draft.get("attachments") else \
        await after_fields(ctx)


async def _no_receipt(ctx: Ctx, text: str) -> str:
    ctx.draft["no_receipt_reason"] = text
    return await after_fields(ctx)


register(
    ask_file("expense.start", Text("Send et bilde eller en PDF av kvitteringen.",
                               "Send a photo or a PDF of the receipt."), _receipt,
             without=lambda ctx: Text("Behold kvitteringen", "Keep the receipt")
             if ctx.draft.get("attachments")
             else Text("Har ikke kvittering", "I have no receipt")),
    ask_text("expense.date", Text("Dato for utlegget? (Eller hele linjen, f.eks. «taxi 450 "
                                  "3.11».)", "Date of the outlay? (Or the whole line, e.g. "
                                  "“taxi 450 3.11”.)"),
             _expense_start, kind="date", suggest=date_suggestions),
    ask_choice("expense.type", Text("Hva slags utlegg?", "What kind of outlay?"), _types,
               _type).going_back_to("expense.date"),
    ask_text("expense.amount", Text("Beløp? (f.eks. «250», «1 234,50» eller «EUR 45»)",
                                "Amount? (e.g. \"250\", \"1 234.50\" or \"EUR 45\")"), _amount),
    rates.step(read_number),
    ask_text("expense.remark", Text("Merknad (hva gjaldt det)?", "Remark (what was it for)?"),
             _remark, skip=Text("Hopp over", "Skip")),
    ask_text("expense.no_receipt", Text("Hvorfor mangler kvitteringen?",
                                    "Why is there no receipt?"), _no_receipt),
)
