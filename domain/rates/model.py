"""Typed views of one rate set, built from the flat values of its data file.

A rate table is kept as flat ``section.key`` values (``km.car``, ``per_diem.day_6_12``)
so that a federation's set can override a few values of the state set and so the
values used can be frozen on a line as a plain snapshot. The typed views below
are what the calculators read.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

VEHICLES = ("car", "motorcycle", "moped", "boat", "snowmobile")
LODGINGS = ("hotel", "boarding", "kitchen", "private")
MEALS = ("breakfast", "lunch", "dinner")

Kind = Literal["paid", "taxfree"]
MealBase = Literal["applicable", "overnight"]
Values = Mapping[str, Decimal | str | int]


class RateSetError(ValueError):
    """A rate table is malformed: the message names the set and the field."""


# The values a table may hold, per kind: anything else is a typo (``km.cars``) that would
# otherwise be ignored silently, leaving the base set's rate in force.
PAID_KEYS = frozenset((
    *(f"km.{v}" for v in VEHICLES), "km.passenger", "km.forest_road", "km.trailer",
    "km.min_return_km", "per_diem.day_6_12", "per_diem.day_over_12", "per_diem.overnight",
    "per_diem.night_supplement", "per_diem.min_distance_km", "per_diem.min_hours",
    "per_diem.max_days", "meal_deduction.base", *(f"meal_deduction.{m}" for m in MEALS)))
TAXFREE_KEYS = frozenset((
    *(f"km.{v}" for v in VEHICLES), "km.passenger", "km.forest_road", "km.trailer",
    "per_diem.day_6_12", "per_diem.day_over_12", *(f"per_diem.{lo}" for lo in LODGINGS),
    "per_diem.night_supplement", "per_diem.new_day_hours",
    *(f"meal_deduction.{m}" for m in MEALS)))


def _known(values: Mapping[str, object], keys: frozenset[str], where: str) -> None:
    """Refuse a value the kind of table does not have, suggesting the nearest one."""
    for key in values:
        if key not in keys:
            near = difflib.get_close_matches(key, keys, n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise RateSetError(f"{where}: {key} is not a known rate{hint}")


@dataclass(frozen=True, slots=True)
class RateTable:
    """One data file: a named set of rates valid from one date to another.

    ``base`` names a set this one inherits missing values from (a federation's
    set usually changes only the km rate and the per diem), looked up on the
    same date.
    """

    name: str
    kind: Kind
    valid_from: date
    valid_to: date
    values: Mapping[str, Decimal | str | int]
    title: str = ""
    sources: tuple[str, ...] = ()
    provisional: frozenset[str] = frozenset()
    base: str | None = None

    def covers(self, on: date) -> bool:
        """Whether ``on`` lies in this table's validity period (both ends included)."""
        return self.valid_from <= on <= self.valid_to


def _dec(values: Values, key: str, where: str) -> Decimal:
    value = values.get(key)
    if value is None:
        raise RateSetError(f"{where}: missing {key}")
    if isinstance(value, str | int) and not isinstance(value, bool):
        try:
            value = Decimal(str(value))
        except ArithmeticError as exc:
            raise RateSetError(f"{where}: {key} is not a number: {value!r}") from exc
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise RateSetError(f"{where}: {key} must be a number >= 0, not {value!r}")
    return value


def _meal_pcts(values: Values, where: str) -> dict[str, Decimal]:
    pcts = {meal: _dec(values, f"meal_deduction.{meal}", where) for meal in MEALS}
    for meal, pct in pcts.items():
        if pct > 1:
            raise RateSetError(f"{where}: meal_deduction.{meal} is a fraction (0.20), not {pct}")
    return pcts


def snapshot(values: Values) -> dict[str, str]:
    """The values as plain strings, sorted, for freezing on a computed line."""
    return {key: str(values[key]) for key in sorted(values)}


@dataclass(frozen=True, slots=True)
class PaidRates:
    """What the payer pays: km rates, supplements, per diem rates, rules."""

    name: str
    valid_from: date
    km: Mapping[str, Decimal]
    passenger: Decimal
    forest_road: Decimal
    trailer: Decimal
    min_return_km: Decimal
    day_6_12: Decimal
    day_over_12: Decimal
    overnight: Decimal
    night_supplement: Decimal
    min_distance_km: Decimal
    min_hours: Decimal
    max_days: int
    meal_pct: Mapping[str, Decimal]
    meal_base: MealBase
    provisional: frozenset[str] = frozenset()
    used: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_values(cls, name: str, valid_from: date, values: Values,
                    provisional: frozenset[str] = frozenset()) -> PaidRates:
        """Build and validate from flat values; raises ``RateSetError`` naming the field."""
        where = f"rate set {name} from {valid_from}"
        _known(values, PAID_KEYS, where)
        base = str(values.get("meal_deduction.base", "applicable"))
        if base not in ("applicable", "overnight"):
            raise RateSetError(f"{where}: meal_deduction.base must be applicable or overnight")
        max_days = values.get("per_diem.max_days", 28)
        if not isinstance(max_days, int) or isinstance(max_days, bool) or max_days < 1:
            raise RateSetError(f"{where}: per_diem.max_days must be a whole number >= 1")
        return cls(
            name=name,
            valid_from=valid_from,
            km={v: _dec(values, f"km.{v}", where) for v in VEHICLES if f"km.{v}" in values},
            passenger=_dec(values, "km.passenger", where),
            forest_road=_dec(values, "km.forest_road", where),
            trailer=_dec(values, "km.trailer", where),
            min_return_km=_dec({"k": values.get("km.min_return_km", "0")}, "k", where),
            day_6_12=_dec(values, "per_diem.day_6_12", where),
            day_over_12=_dec(values, "per_diem.day_over_12", where),
            overnight=_dec(values, "per_diem.overnight", where),
            night_supplement=_dec(values, "per_diem.night_supplement", where),
            min_distance_km=_dec(values, "per_diem.min_distance_km", where),
            min_hours=_dec(values, "per_diem.min_hours", where),
            max_days=max_days,
            meal_pct=_meal_pcts(values, where),
            meal_base="overnight" if base == "overnight" else "applicable",
            provisional=provisional,
            used=snapshot(values),
        )


@dataclass(frozen=True, slots=True)
class TaxFreeLimits:
    """Skatteetaten's limits: paid above these is taxable (*trekkpliktig*)."""

    name: str
    valid_from: date
    km: Mapping[str, Decimal]
    passenger: Decimal
    forest_road: Decimal
    trailer: Decimal
    day_6_12: Decimal
    day_over_12: Decimal
    lodging: Mapping[str, Decimal]
    night_supplement: Decimal
    new_day_hours: Decimal
    meal_pct: Mapping[str, Decimal]
    provisional: frozenset[str] = frozenset()
    used: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_values(cls, name: str, valid_from: date, values: Values,
                    provisional: frozenset[str] = frozenset()) -> TaxFreeLimits:
        """Build and validate from flat values; raises ``RateSetError`` naming the field."""
        where = f"rate set {name} from {valid_from}"
        _known(values, TAXFREE_KEYS, where)
        return cls(
            name=name,
            valid_from=valid_from,
            km={v: _dec(values, f"km.{v}", where) for v in VEHICLES if f"km.{v}" in values},
            passenger=_dec(values, "km.passenger", where),
            forest_road=_dec(values, "km.forest_road", where),
            trailer=_dec(values, "km.trailer", where),
            day_6_12=_dec(values, "per_diem.day_6_12", where),
            day_over_12=_dec(values, "per_diem.day_over_12", where),
            lodging={lo: _dec(values, f"per_diem.{lo}", where) for lo in LODGINGS},
            night_supplement=_dec(values, "per_diem.night_supplement", where),
            new_day_hours=_dec(values, "per_diem.new_day_hours", where),
            meal_pct=_meal_pcts(values, where),
            provisional=provisional,
            used=snapshot(values),
        )
