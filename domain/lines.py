"""What a claim line says, before any rate is applied.

Four kinds (glossary in DESIGN.md): ``MileageLeg`` (*kjøring*), ``PerDiem``
(*diett*), ``Expense`` (*utlegg*) and ``ItemLine`` (hours or fees × a rate).
Each checks itself on construction and raises ``LineError`` naming the field,
so the bot, the mail gateway and ``kvitt calc`` all refuse bad input the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.money import ForeignAmount
from domain.rates.model import LODGINGS, VEHICLES
from domain.text import Text

# The names shown for each kind of line, outlay and meal, in one place for the breakdown, the
# bot, the approval mail and the command line.
LINE_KINDS: Mapping[str, Text] = {
    "mileage": Text("Kjøring", "Driving"), "per_diem": Text("Diett", "Per diem"),
    "expense": Text("Utlegg", "Outlay"), "item": Text("Timer/honorar", "Hours/fee")}
EXPENSE_NAMES: Mapping[str, Text] = {
    "taxi": Text("Taxi", "Taxi"), "ticket": Text("Billett", "Ticket"),
    "flight": Text("Fly", "Flight"), "parking": Text("Parkering", "Parking"),
    "toll": Text("Bompenger", "Toll"), "hotel": Text("Hotell", "Hotel"),
    "other": Text("Annet", "Other")}
EXPENSE_TYPES = tuple(EXPENSE_NAMES)
MEAL_NAMES: Mapping[str, Text] = {
    "breakfast": Text("frokost", "breakfast"), "lunch": Text("lunsj", "lunch"),
    "dinner": Text("middag", "dinner")}
# A catalogue entry's unit (written in Norwegian in the catalogue) in both languages:
# (nb singular, nb plural, en singular, en plural). A unit not listed is shown as written.
_UNITS = {"time": ("time", "timer", "hour", "hours"), "timer": ("time", "timer", "hour", "hours"),
          "t": ("time", "timer", "hour", "hours"), "døgn": ("døgn", "døgn", "day", "days"),
          "dag": ("dag", "dager", "day", "days"), "kamp": ("kamp", "kamper", "match", "matches"),
          "oppdrag": ("oppdrag", "oppdrag", "assignment", "assignments"),
          "km": ("km", "km", "km", "km"), "stk": ("stk", "stk", "piece", "pieces")}


def unit_text(unit: str, count: Decimal | None = None) -> Text:
    """``unit`` in both languages, for ``count`` of it (None: as a heading, e.g. "kr/time").

    Without a count Norwegian keeps the catalogue's own word and English takes the plural
    ("(hours)"); with one, each language picks singular or plural.
    """
    names = _UNITS.get(unit.casefold())
    if names is None:
        return Text(unit, unit)
    if count is None:
        return Text(unit, names[3])
    one = count == 1
    return Text(names[0] if one else names[1], names[2] if one else names[3])


class LineError(ValueError):
    """A line is not valid; ``field`` names the input field, ``text`` says why."""

    def __init__(self, field: str, text: Text) -> None:
        super().__init__(f"{field}: {text.en}")
        self.field = field
        self.text = text


def _not_negative(field: str, value: Decimal) -> None:
    if value < 0:
        raise LineError(field, Text(f"{field} kan ikke være negativ",
                                    f"{field} must not be negative"))


@dataclass(frozen=True, slots=True)
class MileageLeg:
    """Driving with one's own vehicle (*kjøregodtgjørelse*) on one date.

    ``km`` is the whole leg; ``forest_road_km`` and ``trailer_km`` are the parts
    of it on forest/construction road and with a trailer or bulky equipment.
    Each named passenger earns the passenger supplement for every km.
    """

    date: date
    km: Decimal
    vehicle: str = "car"
    passengers: tuple[str, ...] = ()
    forest_road_km: Decimal = Decimal(0)
    trailer_km: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        for name in ("km", "forest_road_km", "trailer_km"):
            _not_negative(name, getattr(self, name))
        if self.vehicle not in VEHICLES:
            raise LineError("vehicle", Text(
                f"ukjent kjøretøy {self.vehicle!r}; velg {', '.join(VEHICLES)}",
                f"unknown vehicle {self.vehicle!r}; choose {', '.join(VEHICLES)}"))
        for name in ("forest_road_km", "trailer_km"):
            if getattr(self, name) > self.km:
                raise LineError(name, Text(f"{name} kan ikke være mer enn km",
                                           f"{name} cannot exceed km"))
        if any(not p.strip() for p in self.passengers):
            raise LineError("passengers", Text("hver passasjer trenger et navn",
                                               "every passenger needs a name"))


@dataclass(frozen=True, slots=True)
class Night:
    """A night away, by the date it begins, and where it was spent."""

    date: date
    lodging: str

    def __post_init__(self) -> None:
        if self.lodging not in LODGINGS:
            raise LineError("lodging", Text(
                f"ukjent overnatting {self.lodging!r}; velg {', '.join(LODGINGS)}",
                f"unknown lodging {self.lodging!r}; choose {', '.join(LODGINGS)}"))


@dataclass(frozen=True, slots=True)
class MealsProvided:
    """The meals provided (paid by someone else, or in a ticket) on one date."""

    date: date
    breakfast: bool = False
    lunch: bool = False
    dinner: bool = False

    def provided(self) -> tuple[str, ...]:
        """Names of the meals provided, in the order of the day."""
        return tuple(m for m in ("breakfast", "lunch", "dinner") if getattr(self, m))


@dataclass(frozen=True, slots=True)
class PerDiem:
    """A trip's meal allowance (*diett*): departure to return, distance, nights, meals."""

    departure: datetime
    return_at: datetime
    distance_km: Decimal
    nights: tuple[Night, ...] = ()
    meals: tuple[MealsProvided, ...] = ()

    def __post_init__(self) -> None:
        if self.return_at <= self.departure:
            raise LineError("return", Text("hjemkomst må være etter avreise",
                                           "return must be after departure"))
        _not_negative("distance_km", self.distance_km)
        first, last = self.departure.date(), self.return_at.date()
        self._check_dates("nights", [n.date for n in self.nights], first,
                          last - timedelta(days=1))
        self._check_dates("meals", [m.date for m in self.meals], first, last)

    @staticmethod
    def _check_dates(field: str, dates: list[date], first: date, last: date) -> None:
        span = f"{first.isoformat()}–{last.isoformat()}"
        for i, day in enumerate(dates):
            if not first <= day <= last:
                raise LineError(f"{field}[{i}].date", Text(
                    f"{day.isoformat()} er utenfor reisen ({span})",
                    f"{day.isoformat()} is outside the trip ({span})"))
            if day in dates[:i]:
                raise LineError(f"{field}[{i}].date", Text(
                    f"{day.isoformat()} står to ganger", f"{day.isoformat()} is given twice"))

    @property
    def date(self) -> date:
        """The date the rates are looked up on: the day the trip starts."""
        return self.departure.date()


@dataclass(frozen=True, slots=True)
class Expense:
    """An outlay on receipt (*utlegg*), in NOK or a foreign currency."""

    date: date
    type: str
    amount: ForeignAmount

    def __post_init__(self) -> None:
        if self.type not in EXPENSE_TYPES:
            raise LineError("type", Text(
                f"ukjent utleggstype {self.type!r}; velg {', '.join(EXPENSE_TYPES)}",
                f"unknown expense type {self.type!r}; choose {', '.join(EXPENSE_TYPES)}"))


@dataclass(frozen=True, slots=True)
class ItemLine:
    """Quantity × rate from an organisation's catalogue: hours, a match fee, a day.

    Example: *Avlaster lav sats*, 95 kr × 48 timer. ``taxable`` comes from the
    catalogue entry (fees and hourly pay are taxable; some flat allowances not).
    """

    date: date
    quantity: Decimal
    rate: Decimal
    taxable: bool = True
    label: str = ""  # Norwegian: the approver's mail and the payroll read this one
    code: str = ""
    label_en: str = ""  # the catalogue's English label, for a claimant who reads English
    unit: str = ""  # the catalogue's unit ("time", "døgn", "kamp"), as the catalogue writes it

    def __post_init__(self) -> None:
        _not_negative("quantity", self.quantity)
        _not_negative("rate", self.rate)


Line = MileageLeg | PerDiem | Expense | ItemLine
