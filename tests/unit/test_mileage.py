"""Mileage allowance (kjøregodtgjørelse): km rates, supplements, tax split, rate sets.

Expected figures are worked out by hand from shared/RATES.md §1 (paid) and §2 (tax-free).
"""

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest

from domain.calc import compute_claim, compute_line
from domain.lines import LineError, MileageLeg
from domain.rates import NoRateSetError, default_book, parse_table

BOOK = default_book()
D25 = date(2025, 6, 2)


def leg(km: str, on: date = D25, **kw) -> MileageLeg:
    return MileageLeg(date=on, km=D(km), **kw)


def codes(result) -> set[str]:
    return {n.code for n in result.warnings}


def test_published_example_3000_km_by_car_in_2025():
    """RATES.md §2, published 2025: 3000 km by car = 15 000 paid, 10 500 free, 4 500 taxable."""
    result = compute_line(leg("3000"), BOOK)
    assert result.amount == D("3000") * D("5.00") == D("15000.00")
    assert result.taxfree == D("3000") * D("3.50") == D("10500.00")
    assert result.taxable == D("4500.00")


@pytest.mark.parametrize(("year", "paid_rate"), [(2024, "4.90"), (2025, "5.00"),
                                                 (2026, "5.30")])
def test_car_is_paid_at_the_years_state_rate_and_tax_free_at_3_50(year, paid_rate):
    result = compute_line(leg("100", date(year, 3, 1)), BOOK)
    assert result.amount == D("100") * D(paid_rate)
    assert result.taxfree == D("100") * D("3.50")
    assert result.taxable == D("100") * (D(paid_rate) - D("3.50"))


def test_each_passenger_earns_the_supplement_for_every_km():
    result = compute_line(leg("100", passengers=("Kari", "Ola", "Per")), BOOK)
    assert result.amount == D("100") * D("5.00") + 3 * D("100") * D("1.00")  # 800
    assert result.taxfree == D("100") * D("3.50") + 3 * D("100") * D("1.00")  # 650
    assert result.taxable == D("150.00")


def test_passenger_names_appear_in_the_breakdown():
    result = compute_line(leg("10", passengers=("Kari", "Ola")), BOOK)
    text = " ".join(t.nb for t in result.breakdown)
    assert "Kari" in text and "Ola" in text


def test_forest_road_and_trailer_km_earn_their_supplements_on_those_km_only():
    result = compute_line(leg("120", forest_road_km=D("20"), trailer_km=D("45.5")), BOOK)
    assert result.amount == D("120") * D("5.00") + D("20") * D("1.00") + D("45.5") * D("1.00")
    assert result.amount == D("665.50")
    assert result.taxfree == D("120") * D("3.50") + D("20") + D("45.5")  # 485.50
    assert result.taxable == D("180.00")


def test_all_supplements_together():
    result = compute_line(leg("50", passengers=("Kari",), forest_road_km=D("50"),
                              trailer_km=D("50")), BOOK)
    assert result.amount == D("50") * (D("5.00") + 3 * D("1.00"))  # 400
    assert result.taxfree == D("50") * (D("3.50") + 3 * D("1.00"))  # 325


@pytest.mark.parametrize(("vehicle", "rate"), [("motorcycle", "2.95"), ("moped", "2.00"),
                                               ("boat", "7.50"), ("snowmobile", "10.00")])
def test_other_vehicles_in_2025_are_paid_at_their_rate_and_wholly_tax_free(vehicle, rate):
    """RATES.md §2: tax-free rate for other vehicles is as the state agreement."""
    result = compute_line(leg("80", vehicle=vehicle), BOOK)
    assert result.amount == D("80") * D(rate)
    assert result.taxfree == result.amount
    assert result.taxable == 0
    assert "no_taxfree_rate" not in codes(result)


def test_a_2024_motorcycle_leg_is_refused_because_there_is_no_km_rate():
    """RATES.md §1: no motorcycle rate ("–") in 2024."""
    with pytest.raises(LineError) as caught:
        compute_line(leg("80", date(2024, 5, 1), vehicle="motorcycle"), BOOK)
    assert caught.value.field == "vehicle"
    assert "2024-05-01" in caught.value.text.en


def test_a_car_leg_on_new_years_eve_and_one_on_new_years_day_use_each_years_rate():
    claim = compute_claim([leg("100", date(2025, 12, 31)), leg("100", date(2026, 1, 1))], BOOK)
    first, second = claim.lines
    assert first.amount == D("100") * D("5.00")
    assert second.amount == D("100") * D("5.30")
    assert claim.totals.amount == D("500") + D("530")


def test_a_2026_car_leg_carries_no_provisional_rates_warning():
    """RATES.md §2: the 2026 km rate (3.50) is confirmed; only per diem limits are starred."""
    result = compute_line(leg("100", date(2026, 2, 1), passengers=("Kari",),
                              forest_road_km=D("10"), trailer_km=D("10")), BOOK)
    assert result.amount == D("100") * D("5.30") + D("100") + D("10") + D("10")
    assert "provisional_rates" not in codes(result)


def test_a_2026_motorcycle_leg_warns_that_its_carried_over_rate_is_provisional():
    """RATES.md §1: 2026 non-car rates are carried over from 2025, no source seen."""
    result = compute_line(leg("100", date(2026, 2, 1), vehicle="motorcycle"), BOOK)
    assert result.amount == D("295.00")
    assert "provisional_rates" in codes(result)


def test_a_leg_in_2019_raises_no_rate_set_error():
    with pytest.raises(NoRateSetError):
        compute_line(leg("100", date(2019, 6, 1)), BOOK)


def test_the_amount_is_rounded_half_up_to_ore():
    # 12.345 km × 5.00 = 61.725 → 61.73; × 3.50 = 43.2075 → 43.21
    result = compute_line(leg("12.345"), BOOK)
    assert result.amount == D("61.73")
    assert result.taxfree == D("43.21")
    # 0.001 km × 5.00 = 0.005 → 0.01 (half-up)
    assert compute_line(leg("0.001"), BOOK).amount == D("0.01")


def test_a_claim_total_is_the_sum_of_rounded_lines_not_a_rounded_sum():
    # each 1.001 km × 5.00 = 5.005 → 5.01; two lines 10.02 (a rounded sum would be 10.01)
    claim = compute_claim([leg("1.001"), leg("1.001")], BOOK)
    assert claim.totals.amount == D("10.02")
    # each 1.001 km × 3.50 = 3.5035 → 3.50
    assert claim.totals.taxfree == D("7.00")
    assert claim.totals.taxable == D("3.02")


def test_zero_km_pays_nothing():
    result = compute_line(leg("0"), BOOK)
    assert result.amount == 0 and result.taxfree == 0


def test_the_rates_used_are_frozen_on_the_line():
    result = compute_line(leg("10", passengers=("Kari",)), BOOK)
    assert D(result.rates_used["paid.km.car"]) == D("5.00")
    assert D(result.rates_used["taxfree.km.car"]) == D("3.50")
    assert D(result.rates_used["paid.km.passenger"]) == D("1.00")


# --- federations ------------------------------------------------------------------------

def _fed(name: str, **km: str):
    return parse_table({"name": name, "kind": "paid", "base": "state",
                        "valid_from": date(2025, 1, 1), "valid_to": date(2026, 12, 31),
                        "km": km})


def test_handball_pays_4_03_per_km_and_the_excess_over_3_50_is_taxable():
    """RATES.md §4: handball central car 4.03, passenger 1.00."""
    book = BOOK.with_tables([_fed("handball", car="4.03")])
    result = compute_line(leg("100", passengers=("Kari",)), book, "handball")
    assert result.amount == D("100") * D("4.03") + D("100") * D("1.00")  # 503.00
    assert result.taxfree == D("100") * D("3.50") + D("100") * D("1.00")  # 450.00
    assert result.taxable == D("53.00")


def test_bandy_pays_nothing_under_10_km_return():
    """RATES.md §4: bandy south-west, nothing under 10 km return."""
    book = BOOK.with_tables([_fed("bandy", car="3.50", passenger="0", min_return_km="10")])
    result = compute_line(leg("9.9"), book, "bandy")
    assert result.amount == 0 and result.taxfree == 0
    assert "mileage_below_minimum" in codes(result)


def test_bandy_pays_3_50_from_exactly_10_km_and_no_passenger_supplement():
    """RATES.md §4: bandy south-west 3.50 kr/km, no passenger supplement."""
    book = BOOK.with_tables([_fed("bandy", car="3.50", passenger="0", min_return_km="10")])
    result = compute_line(leg("10", passengers=("Kari", "Ola")), book, "bandy")
    assert result.amount == D("10") * D("3.50")
    assert result.taxfree == result.amount  # 3.50 is within the tax-free rate
    assert not codes(result)


def test_a_federation_paying_less_than_the_taxfree_rate_is_wholly_tax_free():
    book = BOOK.with_tables([_fed("cheap", car="2.00")])
    result = compute_line(leg("100"), book, "cheap")
    assert result.amount == D("200.00")
    assert result.taxfree == D("200.00")


# --- a leg checks itself ------------------------------------------------------------------

@pytest.mark.parametrize("field", ["km", "forest_road_km", "trailer_km"])
def test_negative_distances_are_refused_naming_the_field(field):
    kw: dict[str, Any] = {"km": D("10"), field: D("-1")}
    with pytest.raises(LineError) as caught:
        MileageLeg(date=D25, **kw)
    assert caught.value.field == field


@pytest.mark.parametrize("field", ["forest_road_km", "trailer_km"])
def test_supplement_km_cannot_exceed_the_legs_km(field):
    with pytest.raises(LineError) as caught:
        over: dict[str, Any] = {field: D("10.1")}
        MileageLeg(date=D25, km=D("10"), **over)
    assert caught.value.field == field


def test_an_unknown_vehicle_is_refused():
    with pytest.raises(LineError) as caught:
        leg("10", vehicle="bicycle")  # RATES.md §1: bicycle is not covered
    assert caught.value.field == "vehicle"


def test_every_passenger_needs_a_name():
    with pytest.raises(LineError) as caught:
        leg("10", passengers=("Kari", "  "))
    assert caught.value.field == "passengers"
    assert caught.value.text.nb and caught.value.text.en
