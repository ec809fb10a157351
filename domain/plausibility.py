"""What a line may plausibly say: refused when it cannot be true, doubted when it is unusual.

Why: a typo (9999 hours, 1.1.2030) was saved, computed and sent to approval without a
word. Every front end and the service check the same figures here, so nothing the
claimant did not mean reaches an approver:

- ``refuse_*`` raise ``Implausible`` for what cannot be true: a date after today, more
  than 744 of anything in a line (a month has at most 744 hours), more than 10 000 km on
  one leg, an outlay over 1 000 000 kr, a trip longer than a year.
- ``doubts`` lists what is possible but unusual, each with its figure, so the bot asks
  "Er du sikker?" before saving: a leg over 2 000 km, an outlay over 50 000 kr, more
  than 31 fees or days in one line (a month's worth), more than 300 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.errors import InvalidValue
from domain.lines import Expense, ItemLine, Line, MileageLeg, PerDiem, unit_text
from domain.money import format_kr, number_text
from domain.text import Text

MAX_QUANTITY = Decimal(744)  # 31 days × 24 hours: no line holds more of anything
MAX_KM = Decimal(10_000)
MAX_OUTLAY = Decimal(1_000_000)
MAX_TRIP = timedelta(days=366)
SURE_KM = Decimal(2_000)
SURE_OUTLAY = Decimal(50_000)
SURE_HOURS = Decimal(300)
SURE_COUNT = Decimal(31)  # fees, days: more than one a day for a month
HOUR_UNITS = frozenset({"time", "timer", "t", "h", "hour", "hours"})


class Implausible(InvalidValue):
    """A value that cannot be true; the text says the figure and what to do."""


@dataclass(frozen=True, slots=True)
class Doubt:
    """An unusual figure the claimant must confirm: which field, and the question."""

    field: str
    text: Text


def refuse_date(day: date, today: date) -> None:
    """A claim is about what has happened: a day after today is refused."""
    if day > today:
        raise Implausible(Text(
            f"{day:%d.%m.%Y} er fram i tid. Krav gjelder reiser og utlegg som har skjedd: "
            "skriv en dato til og med i dag.",
            f"{day:%d.%m.%Y} is in the future. Claims are for trips and outlays that have "
            "happened: write a date up to today."))


def refuse_no_rates(rate_set: str, day: date) -> None:
    """No rate table covers ``day``: say so, instead of failing when the line is computed."""
    raise Implausible(Text(
        f"Kvitt har ingen satser ({rate_set}) for {day:%d.%m.%Y}, så linjen kan ikke regnes "
        "ut. Sjekk datoen; gjelder den en eldre reise, spør den som betaler.",
        f"Kvitt has no rates ({rate_set}) for {day:%d.%m.%Y}, so the line cannot be "
        "computed. Check the date; for an older trip, ask whoever pays."))


def refuse_km(km: Decimal) -> None:
    """More than 10 000 km on one leg cannot be true."""
    if km > MAX_KM:
        raise Implausible(Text(
            f"{number_text(km).nb} km på én strekning kan ikke stemme (høyst "
            f"{number_text(MAX_KM).nb}). Skriv antall km på nytt.",
            f"{number_text(km).en} km on one leg cannot be right (at most "
            f"{number_text(MAX_KM).en}). Write the km again."))


def refuse_outlay(nok: Decimal) -> None:
    """An outlay over 1 000 000 kr cannot be a travel claim's."""
    if nok > MAX_OUTLAY:
        raise Implausible(Text(
            f"{format_kr(nok)} kr kan ikke stemme for ett utlegg (høyst "
            f"{format_kr(MAX_OUTLAY)} kr). Skriv beløpet på nytt.",
            f"{format_kr(nok)} kr cannot be right for one outlay (at most "
            f"{format_kr(MAX_OUTLAY)} kr). Write the amount again."))


def refuse_quantity(quantity: Decimal, unit: str = "") -> None:
    """More than 744 (a month's hours) of anything in one line cannot be true."""
    if quantity > MAX_QUANTITY:
        what = f" {unit}" if unit else ""
        what_en = f" {unit_text(unit, quantity).en}" if unit else ""
        raise Implausible(Text(
            f"{number_text(quantity).nb}{what} kan ikke stemme: en måned har høyst 744 timer. "
            "Skriv antallet på nytt.",
            f"{number_text(quantity).en}{what_en} cannot be right: a month has at most 744 "
            "hours. Write the quantity again."))


def refuse_trip(trip: PerDiem) -> None:
    """A per diem trip longer than a year cannot be true."""
    if trip.return_at - trip.departure > MAX_TRIP:
        raise Implausible(Text("En reise på over ett år kan ikke stemme. Sjekk datoene.",
                               "A trip of more than a year cannot be right. Check the dates."))


def refuse_impossible(line: Line, today: date, unit: str = "") -> None:
    """Every ``refuse_*`` that applies to ``line`` (the service runs this before saving)."""
    last = line.return_at.date() if isinstance(line, PerDiem) else line.date
    refuse_date(last, today)
    if isinstance(line, MileageLeg):
        refuse_km(line.km)
    elif isinstance(line, Expense):
        refuse_outlay(line.amount.nok)
    elif isinstance(line, ItemLine):
        refuse_quantity(line.quantity, unit)
    else:
        refuse_trip(line)


def doubts(line: Line, unit: str = "") -> list[Doubt]:
    """Unusual figures of ``line`` to confirm before saving (empty: nothing to ask)."""
    found: list[Doubt] = []
    if isinstance(line, MileageLeg) and line.km > SURE_KM:
        km = number_text(line.km)
        found.append(Doubt("km", Text(f"{km.nb} km på én strekning er mye.",
                                      f"{km.en} km on one leg is a lot.")))
    elif isinstance(line, Expense) and line.amount.nok > SURE_OUTLAY:
        found.append(Doubt("amount", Text(f"{format_kr(line.amount.nok)} kr er et stort utlegg.",
                                          f"{format_kr(line.amount.nok)} kr is a large outlay.")))
    elif isinstance(line, ItemLine):
        hours = unit.casefold() in HOUR_UNITS
        if line.quantity > (SURE_HOURS if hours else SURE_COUNT):
            n = number_text(line.quantity)
            nb, en = ("timer", "hours") if hours else (unit, unit_text(unit, line.quantity).en)
            found.append(Doubt("quantity", Text(f"{n.nb} {nb} i én linje er mye.",
                                                f"{n.en} {en} in one line is a lot.")))
    return found
