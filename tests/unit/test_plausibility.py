"""Plausibility limits and the calculators' cap: nothing the claimant did not mean is paid.

RATES.md §2's published 2025 example (3000 km by car: 15 000 paid, 10 500 tax-free,
4 500 taxable) must still compute and pass every check; a line of 949 905 kr for
9999 hours, or 999 999 999 × 999 999 999 in ``kvitt calc``, must not.
"""

from datetime import date, datetime
from decimal import Decimal as D

import pytest

from domain.calc import MAX_LINE_AMOUNT, compute_line
from domain.lines import Expense, ItemLine, LineError, MileageLeg, PerDiem
from domain.money import ForeignAmount, number_text
from domain.plausibility import Implausible, doubts, refuse_impossible
from domain.rates import default_book

BOOK = default_book()
TODAY = date(2025, 6, 30)


def test_rates_md_published_3000_km_example_computes_and_passes_every_check():
    leg = MileageLeg(date(2025, 6, 2), D("3000"))
    result = compute_line(leg, BOOK)
    assert (result.amount, result.taxfree, result.taxable) == (
        D("15000.00"), D("10500.00"), D("4500.00"))
    refuse_impossible(leg, TODAY)
    assert [d.field for d in doubts(leg)] == ["km"]  # over 2 000 km: asked, not refused
    assert "3000 km" in doubts(leg)[0].text.nb


def test_the_calculator_caps_a_line_at_ten_million_kr():
    huge = ItemLine(date(2025, 6, 2), D("999999999"), D("999999999"))
    with pytest.raises(LineError) as caught:
        compute_line(huge, BOOK)
    assert caught.value.field == "amount"
    assert "10\u00a0000\u00a0000,00" in caught.value.text.nb
    just_under = ItemLine(date(2025, 6, 2), D("1"), MAX_LINE_AMOUNT)
    assert compute_line(just_under, BOOK).amount == MAX_LINE_AMOUNT


def test_a_cap_also_holds_for_numbers_beyond_decimal_precision():
    absurd = ItemLine(date(2025, 6, 2), D("1e30"), D("1e30"))
    with pytest.raises(LineError):
        compute_line(absurd, BOOK)


def test_9999_hours_cannot_be_true_and_is_refused_with_the_figure():
    hours = ItemLine(date(2025, 6, 2), D("9999"), D("95"))
    with pytest.raises(Implausible) as caught:
        refuse_impossible(hours, TODAY, "time")
    assert "9999 time" in caught.value.text.nb and "744" in caught.value.text.nb


def test_a_day_after_today_is_refused():
    with pytest.raises(Implausible) as caught:
        refuse_impossible(MileageLeg(date(2030, 1, 1), D("10")), TODAY)
    assert "01.01.2030 er fram i tid" in caught.value.text.nb


@pytest.mark.parametrize(("line", "unit", "field"), [
    (Expense(date(2025, 6, 2), "hotel", ForeignAmount("NOK", D("60000"), D("1"))), "",
     "amount"),
    (ItemLine(date(2025, 6, 2), D("32"), D("310")), "kamp", "quantity"),
    (ItemLine(date(2025, 6, 2), D("301"), D("95")), "time", "quantity"),
])
def test_unusual_figures_are_doubted_not_refused(line, unit, field):
    refuse_impossible(line, TODAY, unit)
    assert [d.field for d in doubts(line, unit)] == [field]


def test_usual_figures_raise_no_doubt():
    assert doubts(ItemLine(date(2025, 6, 2), D("48"), D("95")), "time") == []
    assert doubts(MileageLeg(date(2025, 6, 2), D("180"))) == []


def test_a_trip_of_more_than_a_year_is_refused():
    trip = PerDiem(datetime(2024, 1, 1, 8), datetime(2025, 6, 1, 8), D("100"))
    with pytest.raises(Implausible):
        refuse_impossible(trip, TODAY)


def test_numbers_are_shown_with_a_decimal_comma_in_norwegian():
    assert (number_text(D("12.50")).nb, number_text(D("12.50")).en) == ("12,5", "12.5")
    assert number_text(D("180")).nb == "180"
