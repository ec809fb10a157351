"""Properties that must hold for any valid mileage leg or per diem trip (hypothesis)."""

from datetime import date, datetime, timedelta
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.calc import compute_line
from domain.lines import MealsProvided, MileageLeg, Night, PerDiem
from domain.money import round_ore
from domain.rates import LODGINGS, VEHICLES, default_book

BOOK = default_book()
SETTINGS = settings(max_examples=250, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# RATES.md §1 / §2 by hand: car rate paid per year; supplements 1.00; tax-free car 3.50.
CAR = {2024: D("4.90"), 2025: D("5.00"), 2026: D("5.30")}
SUPPLEMENT, TAXFREE_CAR = D("1.00"), D("3.50")

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))
km_values = st.integers(min_value=0, max_value=500_000).map(lambda n: D(n) / 100)


@st.composite
def legs(draw, vehicle=None):
    on = draw(days)
    if vehicle is None:
        vehicle = "car" if on.year == 2024 else draw(st.sampled_from(VEHICLES))
    km = draw(km_values)
    part = st.integers(min_value=0, max_value=100).map(lambda p: (km * p / 100).quantize(D("0.01"))
                                                       if p < 100 else km)
    passengers = tuple(f"P{i}" for i in range(draw(st.integers(0, 4))))
    return MileageLeg(date=on, km=km, vehicle=vehicle, passengers=passengers,
                      forest_road_km=min(draw(part), km), trailer_km=min(draw(part), km))


def _assert_split(result):
    assert result.amount >= 0
    assert result.taxfree >= 0
    assert result.taxable >= 0
    assert result.taxfree <= result.amount
    assert result.taxfree + result.taxable == result.amount
    assert result.amount == round_ore(result.amount)
    assert result.taxfree == round_ore(result.taxfree)


@SETTINGS
@given(legs())
def test_any_mileage_leg_splits_into_tax_free_and_taxable_parts_that_add_up(leg):
    _assert_split(compute_line(leg, BOOK))


@SETTINGS
@given(legs(vehicle="car"))
def test_a_car_leg_pays_the_formula_from_rates_md(leg):
    result = compute_line(leg, BOOK)
    extra = (len(leg.passengers) * leg.km + leg.forest_road_km + leg.trailer_km) * SUPPLEMENT
    assert result.amount == round_ore(leg.km * CAR[leg.date.year] + extra)
    assert result.taxfree == round_ore(leg.km * TAXFREE_CAR + extra)


@SETTINGS
@given(legs(), km_values)
def test_more_km_never_pays_less(leg, more):
    longer = MileageLeg(date=leg.date, km=leg.km + more, vehicle=leg.vehicle,
                        passengers=leg.passengers, forest_road_km=leg.forest_road_km,
                        trailer_km=leg.trailer_km)
    short, long = compute_line(leg, BOOK), compute_line(longer, BOOK)
    assert long.amount >= short.amount
    assert long.taxfree >= short.taxfree


MINUTES = st.integers(min_value=1, max_value=31 * 24 * 60)


@st.composite
def trips(draw, with_meals=True):
    start = datetime.combine(draw(days), datetime.min.time()) + timedelta(
        minutes=draw(st.integers(0, 24 * 60 - 1)))
    end = start + timedelta(minutes=draw(MINUTES))
    first, last = start.date(), end.date()
    span = (last - first).days
    lodgings = draw(st.lists(st.sampled_from((None, *LODGINGS)), min_size=span,
                             max_size=span))
    nights = tuple(Night(first + timedelta(days=i), lo)
                   for i, lo in enumerate(lodgings) if lo is not None)
    meals: tuple[MealsProvided, ...] = ()
    if with_meals:
        flags = draw(st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()),
                              min_size=span + 1, max_size=span + 1))
        meals = tuple(MealsProvided(first + timedelta(days=i), *f)
                      for i, f in enumerate(flags) if any(f))
    distance = D(draw(st.integers(0, 3000))) / 10
    return PerDiem(departure=start, return_at=end, distance_km=distance, nights=nights,
                   meals=meals)


@SETTINGS
@given(trips())
def test_any_per_diem_trip_splits_into_tax_free_and_taxable_parts_that_add_up(line):
    _assert_split(compute_line(line, BOOK))


@SETTINGS
@given(trips(with_meals=False), st.integers(min_value=0, max_value=3 * 24 * 60))
def test_a_longer_trip_with_the_same_departure_nights_and_no_meals_never_pays_less(line, extra):
    """Extending the return can only move a remainder from nothing to b to c to a whole døgn.

    Stated without meals: with meals the outcome also depends on which døgn a meal is assigned
    to (a documented decision in per_diem.py, not a rule of RATES.md), and the property should
    check the rules, not that decision.
    """
    longer = PerDiem(departure=line.departure, return_at=line.return_at + timedelta(
        minutes=extra), distance_km=line.distance_km, nights=line.nights)
    short, long = compute_line(line, BOOK), compute_line(longer, BOOK)
    assert long.amount >= short.amount
    assert long.taxfree >= short.taxfree


@SETTINGS
@given(trips())
def test_a_trip_under_15_km_or_6_hours_pays_nothing(line):
    qualifies = (line.distance_km >= 15
                 and line.return_at - line.departure >= timedelta(hours=6))
    result = compute_line(line, BOOK)
    if not qualifies:
        assert result.amount == 0
    elif not line.meals:
        assert result.amount > 0
