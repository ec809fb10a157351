"""Rate tables: the shipped figures against RATES.md, lookups by date, overrides, validation.

Every expected figure below is copied by hand from shared/RATES.md (§1 state agreement,
§2 Skatteetaten's tax-free limits), not read from the data files.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.rates import (
    NoRateSetError,
    PaidRates,
    RateBook,
    RateSetError,
    TaxFreeLimits,
    default_book,
    parse_table,
)

BOOK = default_book()
YEARS = (2024, 2025, 2026)

# RATES.md §1, column by column. None = "–" (no rate that year).
STATE = {
    "car":              ("4.90", "5.00", "5.30"),
    "passenger":        ("1.00", "1.00", "1.00"),
    "forest_road":      ("1.00", "1.00", "1.00"),
    "trailer":          ("1.00", "1.00", "1.00"),
    "motorcycle":       (None, "2.95", "2.95"),
    "moped":            (None, "2.00", "2.00"),
    "boat":             (None, "7.50", "7.50"),
    "snowmobile":       (None, "10.00", "10.00"),
    "day_6_12":         ("369", "384", "397"),
    "day_over_12":      ("686", "713", "736"),
    "overnight":        ("940", "977", "1012"),
    "night_supplement": ("435", "452", "452"),
}

# RATES.md §2. Other vehicles are "as the state agreement": filled in below from STATE.
TAXFREE = {
    "car":              ("3.50", "3.50", "3.50"),
    "passenger":        ("1.00", "1.00", "1.00"),
    "forest_road":      ("1.00", "1.00", "1.00"),
    "trailer":          ("1.00", "1.00", "1.00"),
    "day_6_12":         ("200", "200", "200"),
    "day_over_12":      ("400", "400", "400"),
    "hotel":            ("658", "678", "693"),
    "boarding":         ("400", "400", "400"),
    "kitchen":          ("102", "105", "107"),
    "private":          ("102", "105", "107"),
    "night_supplement": ("435", "452", "452"),
}
OTHER_VEHICLES = ("motorcycle", "moped", "boat", "snowmobile")
KM_FIELDS = ("car", *OTHER_VEHICLES)


def _state_value(rates: PaidRates, field: str) -> Decimal | None:
    if field in KM_FIELDS:
        return rates.km.get(field)
    value: Decimal | None = getattr(rates, field)
    return value


def _taxfree_value(limits: TaxFreeLimits, field: str) -> Decimal | None:
    if field in KM_FIELDS:
        return limits.km.get(field)
    if field in ("hotel", "boarding", "kitchen", "private"):
        return limits.lodging[field]
    value: Decimal | None = getattr(limits, field)
    return value


def _cases(table):
    for field, per_year in table.items():
        for year, figure in zip(YEARS, per_year, strict=True):
            yield pytest.param(year, field, figure, id=f"{year}-{field}")


@pytest.mark.parametrize(("year", "field", "figure"), list(_cases(STATE)))
def test_shipped_state_figure_equals_rates_md(year, field, figure):
    for on in (date(year, 1, 1), date(year, 6, 15), date(year, 12, 31)):
        got = _state_value(BOOK.paid("state", on), field)
        assert got == (None if figure is None else Decimal(figure)), (on, field)


@pytest.mark.parametrize(("year", "field", "figure"), list(_cases(TAXFREE)))
def test_shipped_taxfree_figure_equals_rates_md(year, field, figure):
    for on in (date(year, 1, 1), date(year, 6, 15), date(year, 12, 31)):
        assert _taxfree_value(BOOK.taxfree(on), field) == Decimal(figure), (on, field)


@pytest.mark.parametrize(("year", "vehicle", "figure"),
                         [(y, v, f) for v in OTHER_VEHICLES
                          for y, f in zip(YEARS, STATE[v], strict=True)])
def test_taxfree_rate_for_other_vehicles_is_as_the_state_agreement(year, vehicle, figure):
    """RATES.md §2: "other vehicles — as the state agreement" (none in 2024)."""
    expected = None if figure is None else Decimal(figure)
    assert BOOK.taxfree(date(year, 6, 1)).km.get(vehicle) == expected


@pytest.mark.parametrize("year", YEARS)
def test_shipped_rules_equal_rates_md(year):
    paid = BOOK.paid("state", date(year, 6, 1))
    assert paid.min_distance_km == Decimal("15")
    assert paid.min_hours == Decimal("6")
    assert paid.max_days == 28  # "from day 29 … other rules apply"
    assert paid.meal_pct == {"breakfast": Decimal("0.20"), "lunch": Decimal("0.30"),
                             "dinner": Decimal("0.50")}
    assert paid.meal_base == "applicable"  # RATES.md §1: default `applicable`
    assert paid.min_return_km == Decimal("0")
    limits = BOOK.taxfree(date(year, 6, 1))
    assert limits.new_day_hours == Decimal("6")
    assert limits.meal_pct == paid.meal_pct


def test_starred_2026_taxfree_figures_are_provisional_and_the_km_rate_is_not():
    """RATES.md §2: 2026 per diem limits seen only in third-party sources; 3.50 confirmed."""
    provisional = BOOK.taxfree(date(2026, 6, 1)).provisional
    for key in ("day_6_12", "day_over_12", "hotel", "boarding", "kitchen", "private",
                "night_supplement"):
        assert f"per_diem.{key}" in provisional
    for key in ("car", "passenger", "forest_road", "trailer"):
        assert f"km.{key}" not in provisional


def test_confirmed_2026_state_figures_are_not_provisional():
    provisional = BOOK.paid("state", date(2026, 6, 1)).provisional
    for key in ("km.car", "km.passenger", "per_diem.day_6_12", "per_diem.day_over_12",
                "per_diem.overnight", "per_diem.night_supplement"):
        assert key not in provisional


@pytest.mark.parametrize("year", [2024, 2025])
def test_nothing_before_2026_is_provisional(year):
    assert not BOOK.paid("state", date(year, 6, 1)).provisional
    assert not BOOK.taxfree(date(year, 6, 1)).provisional


def test_lookup_uses_each_years_table_across_new_year():
    assert BOOK.paid("state", date(2025, 12, 31)).km["car"] == Decimal("5.00")
    assert BOOK.paid("state", date(2026, 1, 1)).km["car"] == Decimal("5.30")
    assert BOOK.taxfree(date(2025, 12, 31)).lodging["hotel"] == Decimal("678")
    assert BOOK.taxfree(date(2026, 1, 1)).lodging["hotel"] == Decimal("693")


@pytest.mark.parametrize("on", [date(2019, 6, 1), date(2023, 12, 31), date(2027, 1, 1)])
def test_a_date_without_a_table_raises_no_rate_set_error(on):
    with pytest.raises(NoRateSetError) as caught:
        BOOK.paid("state", on)
    assert caught.value.name == "state"
    assert caught.value.on == on
    with pytest.raises(NoRateSetError):
        BOOK.taxfree(on)


def test_an_unknown_rate_set_name_raises_no_rate_set_error():
    with pytest.raises(NoRateSetError):
        BOOK.paid("curling", date(2025, 6, 1))


def test_names_lists_the_paid_sets_only():
    assert "state" in BOOK.names()
    assert "taxfree" not in BOOK.names()


def test_asking_for_paid_rates_from_the_taxfree_set_is_refused():
    with pytest.raises(RateSetError):
        BOOK.paid("taxfree", date(2025, 6, 1))


# --- federations: a set with base = "state" overrides only what it names ---------------

def _federation(name: str, **sections: Any) -> dict[str, Any]:
    return {"name": name, "kind": "paid", "base": "state", "title": name,
            "valid_from": date(2025, 1, 1), "valid_to": date(2026, 12, 31), **sections}


def test_handball_set_overrides_only_the_car_rate():
    """RATES.md §4: handball central, car 4.03, everything else as the state set."""
    book = BOOK.with_tables([parse_table(_federation("handball", km={"car": "4.03"}))])
    handball = book.paid("handball", date(2025, 6, 1))
    assert handball.km["car"] == Decimal("4.03")
    assert handball.passenger == Decimal("1.00")
    assert handball.trailer == Decimal("1.00")
    assert handball.km["boat"] == Decimal("7.50")
    assert handball.day_6_12 == Decimal("384")
    assert handball.overnight == Decimal("977")
    assert handball.min_distance_km == Decimal("15")
    # the state set itself is untouched
    assert book.paid("state", date(2025, 6, 1)).km["car"] == Decimal("5.00")


def test_a_federation_set_inherits_the_state_values_valid_on_the_lines_date():
    book = BOOK.with_tables([parse_table(_federation("handball", km={"car": "4.03"}))])
    assert book.paid("handball", date(2025, 12, 31)).overnight == Decimal("977")
    assert book.paid("handball", date(2026, 1, 1)).overnight == Decimal("1012")


def test_bandy_set_has_a_minimum_return_distance_and_no_passenger_supplement():
    """RATES.md §4: bandy south-west, 3.50 kr/km, no passenger supplement, nothing under 10 km."""
    table = parse_table(_federation(
        "bandy", km={"car": "3.50", "passenger": "0", "min_return_km": "10"}))
    bandy = BOOK.with_tables([table]).paid("bandy", date(2025, 6, 1))
    assert bandy.km["car"] == Decimal("3.50")
    assert bandy.passenger == Decimal("0")
    assert bandy.min_return_km == Decimal("10")
    assert bandy.forest_road == Decimal("1.00")


def test_a_later_table_overrides_an_earlier_one_for_the_same_name_and_date():
    """RATES.md §2: an admin may override a provisional 2026 figure."""
    override = {"name": "taxfree", "kind": "taxfree", "valid_from": date(2026, 1, 1),
                "valid_to": date(2026, 12, 31), "km": dict.fromkeys(
                    ("car", "passenger", "forest_road", "trailer"), "3.50"),
                "per_diem": {"day_6_12": "210", "day_over_12": "410", "hotel": "700",
                             "boarding": "410", "kitchen": "110", "private": "110",
                             "night_supplement": "460", "new_day_hours": "6"},
                "meal_deduction": {"breakfast": "0.20", "lunch": "0.30", "dinner": "0.50"}}
    book = BOOK.with_tables([parse_table(override)])
    assert book.taxfree(date(2026, 6, 1)).lodging["hotel"] == Decimal("700")
    assert book.taxfree(date(2025, 6, 1)).lodging["hotel"] == Decimal("678")
    assert BOOK.taxfree(date(2026, 6, 1)).lodging["hotel"] == Decimal("693")


def test_a_derived_set_without_a_base_table_on_the_date_raises_no_rate_set_error():
    table = parse_table({**_federation("old", km={"car": "4.03"}),
                         "valid_from": date(2019, 1, 1), "valid_to": date(2019, 12, 31)})
    with pytest.raises(NoRateSetError):
        BOOK.with_tables([table]).paid("old", date(2019, 6, 1))


def test_base_sets_that_loop_are_refused():
    one = parse_table({**_federation("one"), "base": "two"})
    two = parse_table({**_federation("two"), "base": "one"})
    with pytest.raises(RateSetError):
        BOOK.with_tables([one, two]).paid("one", date(2025, 6, 1))


def test_a_derived_sets_bad_value_is_refused_when_it_is_looked_up():
    table = parse_table(_federation("odd", meal_deduction={"breakfast": "1.5"}))
    with pytest.raises(RateSetError, match="breakfast"):
        BOOK.with_tables([table]).paid("odd", date(2025, 6, 1))


def test_rate_book_is_immutable_and_with_tables_returns_a_new_book():
    table = parse_table(_federation("handball", km={"car": "4.03"}))
    book = BOOK.with_tables([table])
    assert isinstance(book, RateBook)
    assert book is not BOOK
    assert "handball" in book.names()
    assert "handball" not in BOOK.names()


# --- validation: a malformed table is refused with the field named ---------------------

def _complete() -> dict[str, Any]:
    """A complete paid table written out by hand (the 2025 state figures)."""
    return {
        "name": "club", "kind": "paid",
        "valid_from": date(2025, 1, 1), "valid_to": date(2025, 12, 31),
        "km": {"car": "5.00", "passenger": "1.00", "forest_road": "1.00", "trailer": "1.00"},
        "per_diem": {"day_6_12": "384", "day_over_12": "713", "overnight": "977",
                     "night_supplement": "452", "min_distance_km": "15", "min_hours": "6",
                     "max_days": 28},
        "meal_deduction": {"breakfast": "0.20", "lunch": "0.30", "dinner": "0.50",
                           "base": "applicable"},
    }


def test_a_complete_hand_written_table_parses():
    table = parse_table(_complete())
    rates = RateBook([table]).paid("club", date(2025, 3, 1))
    assert rates.km == {"car": Decimal("5.00")}
    assert rates.overnight == Decimal("977")


def test_a_float_in_a_rate_is_refused():
    data = _complete()
    data["km"]["car"] = 5.3
    with pytest.raises(RateSetError, match="car"):
        parse_table(data)


def test_a_float_in_a_derived_set_is_refused_at_parse_time():
    with pytest.raises(RateSetError, match="car"):
        parse_table(_federation("handball", km={"car": 4.03}))


@pytest.mark.parametrize("section, key", [("km", "passenger"), ("per_diem", "overnight"),
                                          ("per_diem", "min_hours"),
                                          ("meal_deduction", "dinner")])
def test_a_missing_field_is_refused_and_named(section, key):
    data = _complete()
    del data[section][key]
    with pytest.raises(RateSetError, match=key):
        parse_table(data)


def test_valid_to_before_valid_from_is_refused():
    data = {**_complete(), "valid_from": date(2025, 12, 31), "valid_to": date(2025, 1, 1)}
    with pytest.raises(RateSetError, match="valid_to"):
        parse_table(data)


def test_a_one_day_table_is_valid():
    data = {**_complete(), "valid_from": date(2025, 5, 17), "valid_to": date(2025, 5, 17)}
    assert parse_table(data).covers(date(2025, 5, 17))


@pytest.mark.parametrize("valid_from", ["1. januar 2025", None, 20250101,
                                        datetime(2025, 1, 1, 12, 0)])
def test_validity_dates_must_be_dates(valid_from):
    data = {**_complete(), "valid_from": valid_from}
    with pytest.raises(RateSetError, match="valid_from"):
        parse_table(data)


def test_validity_dates_may_be_iso_text_as_stored_organisations_keep_them():
    data = {**_complete(), "valid_from": "2025-01-01", "valid_to": "2025-12-31"}
    assert parse_table(data).covers(date(2025, 6, 1))


def test_a_table_without_a_name_is_refused():
    data = _complete()
    del data["name"]
    with pytest.raises(RateSetError, match="name"):
        parse_table(data)


def test_an_unknown_kind_is_refused():
    with pytest.raises(RateSetError, match="kind"):
        parse_table({**_complete(), "kind": "bonus"})


@pytest.mark.parametrize("value", ["abc", "-1.00", True])
def test_a_rate_must_be_a_non_negative_number(value):
    data = _complete()
    data["km"]["car"] = value
    with pytest.raises(RateSetError, match="car"):
        parse_table(data)


def test_a_meal_percentage_must_be_a_fraction():
    data = _complete()
    data["meal_deduction"]["lunch"] = "30"
    with pytest.raises(RateSetError, match="lunch"):
        parse_table(data)


def test_meal_deduction_base_must_be_applicable_or_overnight():
    data = _complete()
    data["meal_deduction"]["base"] = "hotel"
    with pytest.raises(RateSetError, match="base"):
        parse_table(data)


@pytest.mark.parametrize("value", [0, "28", 28.0])
def test_max_days_must_be_a_whole_number_of_at_least_one(value):
    data = _complete()
    data["per_diem"]["max_days"] = value
    with pytest.raises(RateSetError):
        parse_table(data)


def test_a_taxfree_table_needs_every_lodging_limit():
    data = {"name": "taxfree", "kind": "taxfree", "valid_from": date(2025, 1, 1),
            "valid_to": date(2025, 12, 31),
            "km": {"car": "3.50", "passenger": "1.00", "forest_road": "1.00",
                   "trailer": "1.00"},
            "per_diem": {"day_6_12": "200", "day_over_12": "400", "hotel": "678",
                         "boarding": "400", "kitchen": "105",
                         "night_supplement": "452", "new_day_hours": "6"},
            "meal_deduction": {"breakfast": "0.20", "lunch": "0.30", "dinner": "0.50"}}
    with pytest.raises(RateSetError, match="private"):
        parse_table(data)


def test_rate_set_error_is_a_value_error():
    assert issubclass(RateSetError, ValueError)
