"""Per diem (diett) under the state agreement, and its tax-free part døgn by døgn.

Rates by hand from shared/RATES.md. State, rate b / c / a / nattillegg:
2024 369 / 686 / 940 / 435; 2025 384 / 713 / 977 / 452; 2026 397 / 736 / 1012 / 452.
Tax-free (Skatteetaten): day 200 / 400; hotel 658 / 678 / 693; boarding 400;
kitchen / private 102 / 105 / 107; nattillegg 435 / 452 / 452.
"""

from datetime import date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from domain.calc import compute_line
from domain.lines import LineError, MealsProvided, Night, PerDiem
from domain.rates import NoRateSetError, default_book, parse_table

BOOK = default_book()

B25, C25, A25, NIGHT25 = D("384"), D("713"), D("977"), D("452")
HOTEL25, BOARDING25, KITCHEN25 = D("678"), D("400"), D("105")
DAY_LIMIT, LONG_DAY_LIMIT = D("200"), D("400")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def trip(departure: str, return_at: str, km: str = "50", nights=(), meals=()) -> PerDiem:
    return PerDiem(departure=at(departure), return_at=at(return_at), distance_km=D(km),
                   nights=tuple(nights), meals=tuple(meals))


def nights(lodging: str, *days: str) -> list[Night]:
    return [Night(date.fromisoformat(d), lodging) for d in days]


def meal(day: str, *names: str) -> MealsProvided:
    return MealsProvided(date.fromisoformat(day), **dict.fromkeys(names, True))


def codes(result) -> set[str]:
    return {n.code for n in result.warnings}


def check(result, amount: D, taxfree: D) -> None:
    assert (result.amount, result.taxfree) == (amount, taxfree)
    assert result.taxable == amount - taxfree


# --- the 15 km / 6 h conditions and rates b and c --------------------------------------

def test_exactly_six_hours_is_rate_b():
    """RATES.md §1: "fra og med 6 timer" — exactly 6 h qualifies for rate b."""
    result = compute_line(trip("2025-04-02T08:00", "2025-04-02T14:00"), BOOK)
    check(result, B25, DAY_LIMIT)
    assert result.taxable == D("384") - D("200")


def test_five_hours_fifty_nine_minutes_pays_nothing():
    result = compute_line(trip("2025-04-02T08:00", "2025-04-02T13:59"), BOOK)
    check(result, D("0"), D("0"))
    assert "per_diem_too_short_time" in codes(result)


def test_exactly_twelve_hours_is_still_rate_b():
    """RATES.md §1: "til og med 12 timer"."""
    result = compute_line(trip("2025-04-02T06:00", "2025-04-02T18:00"), BOOK)
    check(result, B25, DAY_LIMIT)


def test_twelve_hours_and_one_minute_is_rate_c():
    result = compute_line(trip("2025-04-02T06:00", "2025-04-02T18:01"), BOOK)
    check(result, C25, LONG_DAY_LIMIT)
    assert result.taxable == D("713") - D("400")


def test_exactly_15_km_from_home_qualifies():
    result = compute_line(trip("2025-04-02T08:00", "2025-04-02T16:00", km="15"), BOOK)
    check(result, B25, DAY_LIMIT)


def test_14_9_km_from_home_pays_nothing_even_past_six_hours():
    result = compute_line(trip("2025-04-02T06:00", "2025-04-02T20:00", km="14.9"), BOOK)
    check(result, D("0"), D("0"))
    assert "per_diem_too_short_distance" in codes(result)


def test_a_refused_trip_says_why_in_both_languages():
    result = compute_line(trip("2025-04-02T08:00", "2025-04-02T13:00"), BOOK)
    assert result.breakdown and result.breakdown[0].nb and result.breakdown[0].en


@pytest.mark.parametrize(("year", "b", "c"), [(2024, "369", "686"), (2025, "384", "713"),
                                              (2026, "397", "736")])
def test_day_rates_of_each_year(year, b, c):
    short = compute_line(trip(f"{year}-05-06T08:00", f"{year}-05-06T16:00"), BOOK)
    long = compute_line(trip(f"{year}-05-06T06:00", f"{year}-05-06T19:00"), BOOK)
    check(short, D(b), DAY_LIMIT)
    check(long, D(c), LONG_DAY_LIMIT)


# --- overnight trips: rate a per whole døgn, the rest at b / c / nothing -----------------

def test_published_example_31_hours_with_overnight_is_one_a_and_one_b():
    """RATES.md §1: 09:00 day 1 to 16:00 day 2 (31 h) = 1 × a + 1 × b."""
    result = compute_line(trip("2025-04-02T09:00", "2025-04-03T16:00",
                               nights=nights("hotel", "2025-04-02")), BOOK)
    assert result.amount == D("977") + D("384")


def test_published_example_hotel_dogn_2025_977_paid_678_tax_free_299_taxable():
    """RATES.md §2 (published, 2025): hotel døgn 977 paid, 678 tax-free, 299 taxable."""
    result = compute_line(trip("2025-04-02T09:00", "2025-04-03T09:00",
                               nights=nights("hotel", "2025-04-02")), BOOK)
    check(result, D("977"), D("678"))
    assert result.taxable == D("299")


@pytest.mark.parametrize(("year", "a", "hotel"), [(2024, "940", "658"), (2025, "977", "678"),
                                                  (2026, "1012", "693")])
def test_hotel_dogn_of_each_year(year, a, hotel):
    result = compute_line(trip(f"{year}-05-06T09:00", f"{year}-05-07T09:00",
                               nights=nights("hotel", f"{year}-05-06")), BOOK)
    check(result, D(a), D(hotel))


def test_remainder_under_six_hours_after_the_last_whole_dogn_is_paid_nothing():
    # 29 h 59 min: one whole døgn + 5 h 59 min
    result = compute_line(trip("2025-04-02T09:00", "2025-04-03T14:59",
                               nights=nights("hotel", "2025-04-02")), BOOK)
    check(result, A25, HOTEL25)


def test_remainder_of_exactly_twelve_hours_is_rate_b():
    result = compute_line(trip("2025-04-02T09:00", "2025-04-03T21:00",
                               nights=nights("hotel", "2025-04-02")), BOOK)
    assert result.amount == D("977") + D("384")


def test_remainder_over_twelve_hours_is_rate_c():
    result = compute_line(trip("2025-04-02T09:00", "2025-04-03T21:01",
                               nights=nights("hotel", "2025-04-02")), BOOK)
    assert result.amount == D("977") + D("713")


def test_two_whole_dogn_with_two_nights_are_two_times_rate_a():
    result = compute_line(trip("2025-04-02T09:00", "2025-04-04T09:00",
                               nights=nights("hotel", "2025-04-02", "2025-04-03")), BOOK)
    check(result, 2 * A25, 2 * HOTEL25)


def test_an_overnight_trip_shorter_than_24_hours_counts_one_dogn_at_rate_a():
    """Documented decision (per_diem.py): an overnight trip under 24 h is one døgn a."""
    result = compute_line(trip("2025-04-02T18:00", "2025-04-03T10:00",
                               nights=nights("hotel", "2025-04-02")), BOOK)
    check(result, A25, HOTEL25)


def test_a_trip_past_24_hours_without_a_night_pays_each_started_dogn_by_its_length():
    """Documented decision: without overnight each started døgn is rate b or c."""
    # 06:00 day 1 to 14:00 day 2 = 24 h (c) + 8 h (b)
    result = compute_line(trip("2025-04-02T06:00", "2025-04-03T14:00"), BOOK)
    check(result, C25 + B25, LONG_DAY_LIMIT + DAY_LIMIT)


# --- meal deductions ------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "pct"), [("breakfast", "0.20"), ("lunch", "0.30"),
                                           ("dinner", "0.50")])
def test_a_provided_meal_cuts_its_percentage_of_rate_b_on_a_day_trip(name, pct):
    result = compute_line(trip("2025-04-02T08:00", "2025-04-02T16:00",
                               meals=[meal("2025-04-02", name)]), BOOK)
    paid = D("384") - D(pct) * D("384")  # 307.20 / 268.80 / 192.00
    limit = D("200") - D(pct) * D("200")  # 160 / 140 / 100
    check(result, paid, min(paid, limit))


@pytest.mark.parametrize(("name", "pct"), [("breakfast", "0.20"), ("lunch", "0.30"),
                                           ("dinner", "0.50")])
def test_a_provided_meal_cuts_its_percentage_of_rate_a_and_of_the_hotel_limit(name, pct):
    day = "2025-04-02"
    result = compute_line(trip(f"{day}T06:00", "2025-04-03T06:00", nights=nights("hotel", day),
                               meals=[meal(day, name)]), BOOK)
    paid = D("977") - D(pct) * D("977")  # 781.60 / 683.90 / 488.50
    limit = D("678") - D(pct) * D("678")  # 542.40 / 474.60 / 339.00
    check(result, paid, min(paid, limit))


def test_hotel_with_breakfast_included_is_tax_free_at_80_percent_of_the_hotel_rate():
    """RATES.md §2: "hotel with breakfast included — 80 % of the hotel rate"."""
    result = compute_line(trip("2025-04-02T09:00", "2025-04-03T09:00",
                               nights=nights("hotel", "2025-04-02"),
                               meals=[meal("2025-04-03", "breakfast")]), BOOK)
    check(result, D("977") * D("0.80"), D("678") * D("0.80"))


def test_a_provided_meal_on_a_rate_c_day_cuts_rate_c():
    result = compute_line(trip("2026-04-02T06:00", "2026-04-02T20:00",
                               meals=[meal("2026-04-02", "breakfast", "lunch")]), BOOK)
    paid = D("736") - (D("0.20") + D("0.30")) * D("736")  # 368.00
    limit = D("400") - (D("0.20") + D("0.30")) * D("400")  # 200.00
    check(result, paid, limit)


def test_all_three_meals_on_a_day_trip_cut_the_whole_rate():
    result = compute_line(trip("2025-04-02T08:00", "2025-04-02T16:00",
                               meals=[meal("2025-04-02", "breakfast", "lunch", "dinner")]),
                          BOOK)
    check(result, D("0"), D("0"))


def test_next_mornings_hotel_breakfast_cuts_rate_a_not_the_remainders_rate_b():
    # døgn 1 = 09:00 day 1 – 09:00 day 2 holds breakfast at 07:00 day 2
    result = compute_line(trip("2025-04-02T09:00", "2025-04-03T16:00",
                               nights=nights("hotel", "2025-04-02"),
                               meals=[meal("2025-04-03", "breakfast")]), BOOK)
    dogn1 = D("977") - D("0.20") * D("977")  # 781.60
    free1 = min(dogn1, D("678") - D("0.20") * D("678"))  # 542.40
    rest = D("384")
    free2 = min(rest, D("678"))  # 6 h into a new døgn counts as a whole døgn for tax
    check(result, dogn1 + rest, free1 + free2)


def test_the_meal_cut_of_one_dogn_never_exceeds_that_dogns_rate_and_never_goes_negative():
    # two whole døgn, all three meals on both days: each døgn pays 0, not less
    day1, day2 = "2025-04-02", "2025-04-03"
    result = compute_line(trip(f"{day1}T06:00", "2025-04-04T06:00",
                               nights=nights("hotel", day1, day2),
                               meals=[meal(day1, "breakfast", "lunch", "dinner"),
                                      meal(day2, "breakfast", "lunch", "dinner")]), BOOK)
    check(result, D("0"), D("0"))


def _overnight_base_book():
    table = parse_table({"name": "old2018", "kind": "paid", "base": "state",
                         "valid_from": date(2025, 1, 1), "valid_to": date(2025, 12, 31),
                         "meal_deduction": {"base": "overnight"}})
    return BOOK.with_tables([table])


def test_with_meal_deduction_base_overnight_a_day_trip_meal_cuts_a_share_of_rate_a():
    """RATES.md §1: older (2018) texts, "of rate a, even on day trips" — a rate-set setting."""
    result = compute_line(trip("2025-04-02T08:00", "2025-04-02T16:00",
                               meals=[meal("2025-04-02", "lunch")]), _overnight_base_book(),
                          "old2018")
    paid = D("384") - D("0.30") * D("977")  # 90.90
    limit = D("200") - D("0.30") * D("200")  # 140
    check(result, paid, min(paid, limit))


def test_with_meal_deduction_base_overnight_on_a_rate_c_day():
    result = compute_line(trip("2025-04-02T06:00", "2025-04-02T20:00",
                               meals=[meal("2025-04-02", "dinner")]), _overnight_base_book(),
                          "old2018")
    paid = D("713") - D("0.50") * D("977")  # 224.50
    check(result, paid, min(paid, D("400") - D("0.50") * D("400")))


def test_with_meal_deduction_base_overnight_the_cut_is_capped_at_the_days_rate():
    # lunch + dinner = 80 % of 977 = 781.60 > 384: the day pays 0, not −397.60
    result = compute_line(trip("2025-04-02T08:00", "2025-04-02T16:00",
                               meals=[meal("2025-04-02", "lunch", "dinner")]),
                          _overnight_base_book(), "old2018")
    check(result, D("0"), D("0"))


def test_with_meal_deduction_base_overnight_all_three_meals_on_a_day_trip_are_capped():
    result = compute_line(trip("2025-04-02T08:00", "2025-04-02T16:00",
                               meals=[meal("2025-04-02", "breakfast", "lunch", "dinner")]),
                          _overnight_base_book(), "old2018")
    check(result, D("0"), D("0"))


# --- lodging, nattillegg and the tax-free part -------------------------------------------

def test_private_lodging_earns_nattillegg_on_top_of_rate_a():
    result = compute_line(trip("2025-04-02T09:00", "2025-04-03T09:00",
                               nights=nights("private", "2025-04-02")), BOOK)
    check(result, A25 + NIGHT25, min(A25, KITCHEN25) + min(NIGHT25, D("452")))
    assert result.taxable == D("977") - D("105")  # 872


def test_a_hotel_night_earns_no_nattillegg():
    result = compute_line(trip("2025-04-02T09:00", "2025-04-03T09:00",
                               nights=nights("hotel", "2025-04-02")), BOOK)
    assert result.amount == A25


@pytest.mark.parametrize(("year", "a", "night", "limit", "night_limit"),
                         [(2024, "940", "435", "102", "435"), (2026, "1012", "452", "107", "452")])
def test_nattillegg_of_each_year(year, a, night, limit, night_limit):
    result = compute_line(trip(f"{year}-05-06T09:00", f"{year}-05-07T09:00",
                               nights=nights("private", f"{year}-05-06")), BOOK)
    check(result, D(a) + D(night), D(limit) + D(night_limit))


@pytest.mark.parametrize(("lodging", "limit"), [("hotel", "678"), ("boarding", "400"),
                                                ("kitchen", "105"), ("private", "105")])
def test_the_tax_free_limit_of_a_dogn_depends_on_the_lodging(lodging, limit):
    result = compute_line(trip("2025-04-02T09:00", "2025-04-03T09:00",
                               nights=nights(lodging, "2025-04-02")), BOOK)
    nattillegg = D("452") if lodging == "private" else D("0")
    check(result, D("977") + nattillegg, D(limit) + nattillegg)


def test_six_hours_into_a_new_dogn_counts_a_whole_dogn_for_tax():
    """RATES.md §2: a 30-hour trip is 2 døgn for tax (limit 105 twice, not 105 + 200)."""
    result = compute_line(trip("2025-04-02T09:00", "2025-04-03T15:00",
                               nights=nights("kitchen", "2025-04-02")), BOOK)
    check(result, D("977") + D("384"), D("105") + D("105"))


def test_six_hours_into_a_new_dogn_at_a_hotel_frees_the_whole_rate_b():
    result = compute_line(trip("2025-04-02T09:00", "2025-04-03T15:00",
                               nights=nights("hotel", "2025-04-02")), BOOK)
    check(result, D("977") + D("384"), D("678") + min(D("384"), D("678")))


def test_over_twelve_hours_into_a_new_dogn_at_a_boarding_house():
    result = compute_line(trip("2025-04-02T09:00", "2025-04-03T22:00",
                               nights=nights("boarding", "2025-04-02")), BOOK)
    check(result, D("977") + D("713"), D("400") + D("400"))


def test_under_six_hours_into_a_new_dogn_counts_nothing_for_tax():
    result = compute_line(trip("2025-04-02T09:00", "2025-04-03T14:59",
                               nights=nights("kitchen", "2025-04-02")), BOOK)
    check(result, D("977"), D("105"))


def test_each_dogn_takes_the_limit_of_its_own_night():
    result = compute_line(trip("2025-04-02T09:00", "2025-04-04T09:00",
                               nights=[*nights("hotel", "2025-04-02"),
                                       *nights("private", "2025-04-03")]), BOOK)
    check(result, 2 * D("977") + D("452"), D("678") + D("105") + D("452"))


def test_the_tax_free_part_is_computed_dogn_by_dogn_not_across_the_trip():
    """RATES.md §2: tax-free is min(paid, limit) døgn by døgn; the rest is taxable."""
    # 54 h, two hotel nights: døgn 977, døgn 977, 6 h remainder 384 (a whole døgn for tax).
    # Døgn by døgn: 678 + 678 + min(384, 678) = 1740. Across the trip it would have been
    # min(2338, 3 × 678) = 2034.
    result = compute_line(trip("2025-04-02T09:00", "2025-04-04T15:00",
                               nights=nights("hotel", "2025-04-02", "2025-04-03")), BOOK)
    check(result, 2 * D("977") + D("384"), D("678") + D("678") + D("384"))


def test_meal_deductions_cut_the_limit_of_their_own_dogn_only():
    # dinner on day 1 falls in døgn 1 (09:00 day 1 – 09:00 day 2): 977 × 0.5 paid, 678 × 0.5 free
    result = compute_line(trip("2025-04-02T09:00", "2025-04-04T09:00",
                               nights=nights("hotel", "2025-04-02", "2025-04-03"),
                               meals=[meal("2025-04-02", "dinner")]), BOOK)
    check(result, D("977") * D("0.5") + D("977"), D("678") * D("0.5") + D("678"))


# --- warnings ---------------------------------------------------------------------------

def test_a_trip_past_28_dogn_warns_that_other_rules_apply_from_day_29():
    """RATES.md §1: from day 29 other rules apply — warn; only the first 28 døgn are paid."""
    days = [f"2025-03-{d:02d}" for d in range(1, 31)]
    result = compute_line(trip("2025-03-01T09:00", "2025-03-31T09:00",
                               nights=nights("hotel", *days)), BOOK)
    assert "per_diem_over_28_days" in codes(result)
    check(result, 28 * D("977"), 28 * D("678"))


def test_nattillegg_is_not_paid_for_nights_after_the_28th_dogn():
    """RATES.md §1: from day 29 other rules apply — so nothing from day 29 is computed."""
    # 30 døgn, a private night every night; døgn 28 ends 2025-03-29 09:00, so the nights
    # beginning 03-01 … 03-28 fall in the first 28 døgn and 03-29, 03-30 do not.
    days = [f"2025-03-{d:02d}" for d in range(1, 31)]
    result = compute_line(trip("2025-03-01T09:00", "2025-03-31T09:00",
                               nights=nights("private", *days)), BOOK)
    assert "per_diem_over_28_days" in codes(result)
    check(result, 28 * (D("977") + D("452")), 28 * (D("105") + D("452")))


def test_exactly_28_dogn_is_computed_without_the_day_29_warning():
    days = [f"2025-03-{d:02d}" for d in range(1, 29)]
    result = compute_line(trip("2025-03-01T09:00", "2025-03-29T09:00",
                               nights=nights("hotel", *days)), BOOK)
    assert "per_diem_over_28_days" not in codes(result)
    check(result, 28 * D("977"), 28 * D("678"))


def test_a_trip_past_midnight_without_a_night_warns_to_add_the_night():
    result = compute_line(trip("2025-04-02T18:00", "2025-04-03T02:00"), BOOK)
    assert "per_diem_midnight_without_night" in codes(result)
    check(result, B25, DAY_LIMIT)  # 8 h, no overnight stay given


def test_a_trip_past_midnight_with_a_night_does_not_warn():
    result = compute_line(trip("2025-04-02T18:00", "2025-04-03T12:00",
                               nights=nights("hotel", "2025-04-02")), BOOK)
    assert "per_diem_midnight_without_night" not in codes(result)


def test_a_day_trip_within_one_date_does_not_warn():
    assert not codes(compute_line(trip("2025-04-02T08:00", "2025-04-02T16:00"), BOOK))


def test_a_2026_per_diem_warns_that_the_tax_free_limits_are_provisional():
    """RATES.md §2: the starred 2026 per diem limits are provisional."""
    result = compute_line(trip("2026-04-02T08:00", "2026-04-02T16:00"), BOOK)
    assert "provisional_rates" in codes(result)
    check(result, D("397"), D("200"))


def test_a_2025_per_diem_has_no_provisional_warning():
    assert "provisional_rates" not in codes(
        compute_line(trip("2025-04-02T08:00", "2025-04-02T16:00"), BOOK))


# --- rates by the line's date --------------------------------------------------------------

def test_a_day_trip_on_new_years_eve_and_one_on_new_years_day_use_each_years_rate():
    eve = compute_line(trip("2025-12-31T08:00", "2025-12-31T16:00"), BOOK)
    day = compute_line(trip("2026-01-01T08:00", "2026-01-01T16:00"), BOOK)
    assert eve.amount == D("384")
    assert day.amount == D("397")


def test_a_trip_over_new_year_uses_the_rates_of_its_departure_date():
    result = compute_line(trip("2025-12-31T09:00", "2026-01-01T09:00",
                               nights=nights("hotel", "2025-12-31")), BOOK)
    check(result, D("977"), D("678"))


def test_a_trip_in_2019_raises_no_rate_set_error():
    with pytest.raises(NoRateSetError):
        compute_line(trip("2019-04-02T08:00", "2019-04-02T16:00"), BOOK)


def test_a_federation_set_that_overrides_only_the_car_rate_pays_the_state_per_diem():
    table = parse_table({"name": "handball", "kind": "paid", "base": "state",
                         "valid_from": date(2025, 1, 1), "valid_to": date(2026, 12, 31),
                         "km": {"car": "4.03"}})
    book = BOOK.with_tables([table])
    assert compute_line(trip("2025-04-02T08:00", "2025-04-02T16:00"), book,
                        "handball").amount == D("384")
    assert compute_line(trip("2026-04-02T08:00", "2026-04-02T16:00"), book,
                        "handball").amount == D("397")


def test_a_federation_per_diem_with_its_own_rates_and_the_15_km_rule():
    """RATES.md §4: handball central 307/570/780, no per diem under 15 km even past 6 h."""
    table = parse_table({"name": "handball", "kind": "paid", "base": "state",
                         "valid_from": date(2025, 1, 1), "valid_to": date(2025, 12, 31),
                         "per_diem": {"day_6_12": "307", "day_over_12": "570",
                                      "overnight": "780"}})
    book = BOOK.with_tables([table])
    assert compute_line(trip("2025-04-02T08:00", "2025-04-02T16:00"), book,
                        "handball").amount == D("307")
    assert compute_line(trip("2025-04-02T06:00", "2025-04-02T20:00"), book,
                        "handball").amount == D("570")
    assert compute_line(trip("2025-04-02T06:00", "2025-04-02T20:00", km="14"), book,
                        "handball").amount == D("0")


def test_hours_are_real_hours_across_the_spring_daylight_saving_change():
    """A døgn is 24 hours (RATES.md §1); 00:30 → 06:30 on 2025-03-30 in Oslo is 5 real hours."""
    oslo = ZoneInfo("Europe/Oslo")
    line = PerDiem(departure=datetime(2025, 3, 30, 0, 30, tzinfo=oslo),
                   return_at=datetime(2025, 3, 30, 6, 30, tzinfo=oslo), distance_km=D("50"))
    check(compute_line(line, BOOK), D("0"), D("0"))


# --- a trip checks itself -------------------------------------------------------------------

def test_return_must_be_after_departure():
    with pytest.raises(LineError) as caught:
        trip("2025-04-02T16:00", "2025-04-02T16:00")
    assert caught.value.field == "return"


def test_a_negative_distance_is_refused():
    with pytest.raises(LineError) as caught:
        trip("2025-04-02T08:00", "2025-04-02T16:00", km="-1")
    assert caught.value.field == "distance_km"


def test_a_night_on_the_return_date_is_outside_the_trip():
    with pytest.raises(LineError) as caught:
        trip("2025-04-02T09:00", "2025-04-03T09:00", nights=nights("hotel", "2025-04-03"))
    assert caught.value.field == "nights[0].date"


def test_a_meal_outside_the_trip_is_refused():
    with pytest.raises(LineError) as caught:
        trip("2025-04-02T08:00", "2025-04-02T16:00", meals=[meal("2025-04-03", "lunch")])
    assert caught.value.field == "meals[0].date"


def test_a_date_given_twice_is_refused():
    with pytest.raises(LineError) as caught:
        trip("2025-04-02T09:00", "2025-04-04T09:00",
             nights=nights("hotel", "2025-04-02", "2025-04-02"))
    assert caught.value.field == "nights[1].date"


def test_an_unknown_lodging_is_refused():
    with pytest.raises(LineError) as caught:
        Night(date(2025, 4, 2), "tent")
    assert caught.value.field == "lodging"
