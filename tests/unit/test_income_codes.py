"""A-melding income codes per line (RATES.md §3): code, count, tax-free and taxable parts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calc import IncomePart, compute_line
from domain.lines import Expense, ItemLine, MealsProvided, MileageLeg, Night, PerDiem
from domain.money import ForeignAmount
from domain.rates import default_book

BOOK = default_book()


def parts(line) -> dict[str, tuple[D, D, D]]:
    result = compute_line(line, BOOK)
    return {p.code: (p.count, p.taxfree, p.taxable) for p in result.parts}


def test_rates_md_3000_km_by_car_2025_is_reported_as_kilometergodtgjoerelse_bil():
    assert parts(MileageLeg(date(2025, 5, 1), D(3000))) == {
        "kilometergodtgjoerelseBil": (D(3000), D("10500.00"), D("4500.00"))}


def test_passengers_are_their_own_code_counted_in_passenger_km():
    # 2026: 100 km × 5.30 paid, × 3.50 tax-free; 2 passengers × 100 km × 1.00, all tax-free
    assert parts(MileageLeg(date(2026, 5, 1), D(100), passengers=("Ola", "Kari"))) == {
        "kilometergodtgjoerelseBil": (D(100), D("350.00"), D("180.00")),
        "kilometergodtgjoerelsePassasjertillegg": (D(200), D("200.00"), D("0.00"))}


def test_forest_road_and_trailer_supplements_are_reported_with_the_car_km():
    got = parts(MileageLeg(date(2026, 5, 1), D(100), forest_road_km=D(10), trailer_km=D(20)))
    assert got == {"kilometergodtgjoerelseBil": (D(100), D("380.00"), D("180.00"))}


def test_other_vehicles_use_the_other_means_of_transport_code():
    assert parts(MileageLeg(date(2025, 5, 1), D(50), vehicle="motorcycle")) == {
        "kilometergodtgjoerelseAndreFremkomstmidler": (D(50), D("147.50"), D("0.00"))}


def test_rates_md_hotel_dogn_2025_is_hotel_code_tax_free_and_reisekost_taxable():
    trip = PerDiem(datetime(2025, 5, 1, 9), datetime(2025, 5, 2, 9), D(100),
                   (Night(date(2025, 5, 1), "hotel"),))
    assert parts(trip) == {"reiseKostMedOvernattingPaaHotell": (D(1), D("678.00"), D("0.00")),
                           "reiseKost": (D(0), D("0.00"), D("299.00"))}


def test_private_lodging_has_its_own_code_and_the_nattillegg_is_counted_in_nights():
    trip = PerDiem(datetime(2026, 5, 1, 9), datetime(2026, 5, 2, 9), D(100),
                   (Night(date(2026, 5, 1), "private"),))
    assert parts(trip) == {
        "reiseKostMedOvernattingPaaHybelMedKokEllerPrivat": (D(1), D("107.00"), D("0.00")),
        "reiseKost": (D(0), D("0.00"), D("905.00")),
        "reiseNattillegg": (D(1), D("452.00"), D("0.00"))}


def test_boarding_house_code_and_a_day_trip_code():
    boarding = PerDiem(datetime(2026, 5, 1, 9), datetime(2026, 5, 2, 9), D(100),
                       (Night(date(2026, 5, 1), "boarding"),))
    assert parts(boarding)[
        "reiseKostMedOvernattingPaaHybelUtenKokEllerPensjonatEllerBrakke"] == (
        D(1), D("400.00"), D("0.00"))
    day = PerDiem(datetime(2026, 5, 4, 8), datetime(2026, 5, 4, 16), D(40))
    assert parts(day) == {"reiseKostUtenOvernatting": (D(1), D("200.00"), D("0.00")),
                          "reiseKost": (D(0), D("0.00"), D("197.00"))}


def test_a_fully_tax_free_per_diem_has_no_empty_reisekost_part():
    day = PerDiem(datetime(2026, 5, 4, 8), datetime(2026, 5, 4, 16), D(40),
                  meals=(MealsProvided(date(2026, 5, 4), lunch=True, dinner=True),))
    # 397 − 80 % = 79.40 paid; limit 200 − 80 % = 40.00 tax-free; 39.40 taxable
    assert parts(day) == {"reiseKostUtenOvernatting": (D(1), D("40.00"), D("0.00")),
                          "reiseKost": (D(0), D("0.00"), D("39.40"))}


def test_outlays_on_receipt_are_not_income_and_items_carry_their_catalogue_code():
    taxi = Expense(date(2026, 5, 1), "taxi", ForeignAmount("NOK", D("250"), D(1)))
    assert compute_line(taxi, BOOK).parts == ()
    fee = ItemLine(date(2026, 5, 1), D(48), D("95.00"), True, "Avlaster", "avlaster-lav")
    assert compute_line(fee, BOOK).parts == (
        IncomePart("avlaster-lav", D(48), D("0.00"), D("4560.00")),)


def test_a_trip_that_pays_nothing_reports_nothing():
    short = PerDiem(datetime(2026, 5, 4, 8), datetime(2026, 5, 4, 11), D(40))
    assert compute_line(short, BOOK).parts == ()


@pytest.mark.parametrize("km", ["0.01", "12.345", "99.999", "1234.567"])
def test_parts_add_up_to_the_line_exactly_to_the_ore(km):
    leg = MileageLeg(date(2026, 5, 1), D(km), passengers=("A", "B", "C"),
                     forest_road_km=D(km) / 3)
    result = compute_line(leg, BOOK)
    assert sum(p.taxfree for p in result.parts) == result.taxfree
    assert sum(p.taxable for p in result.parts) == result.taxable


@settings(max_examples=150, deadline=None)
@given(hours=st.integers(min_value=6 * 60, max_value=10 * 24 * 60),
       lodging=st.sampled_from(["hotel", "boarding", "kitchen", "private", None]),
       breakfast=st.booleans(), dinner=st.booleans())
def test_per_diem_parts_always_add_up_to_the_line(hours, lodging, breakfast, dinner):
    start = datetime(2026, 3, 2, 7, 30)
    end = start + timedelta(minutes=hours)
    nights = tuple(Night(start.date() + timedelta(days=i), lodging)
                   for i in range((end.date() - start.date()).days)) if lodging else ()
    meals = (MealsProvided(end.date(), breakfast=breakfast, dinner=dinner),)
    result = compute_line(PerDiem(start, end, D(60), nights, meals), BOOK)
    assert sum(p.taxfree for p in result.parts) == result.taxfree
    assert sum(p.taxable for p in result.parts) == result.taxable
    assert all(p.taxfree >= 0 and p.taxable >= 0 for p in result.parts)
