"""Outlays on receipt (utlegg), catalogue items, and the result invariants of every line."""

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest

from domain.calc import LineResult, Totals, compute_claim, compute_line
from domain.lines import Expense, ItemLine, LineError
from domain.money import ForeignAmount
from domain.rates import default_book

BOOK = default_book()
DAY = date(2025, 6, 2)


def expense(kind: str, currency: str, amount: str, rate: str = "1") -> Expense:
    return Expense(date=DAY, type=kind, amount=ForeignAmount(currency, D(amount), D(rate)))


def test_a_nok_outlay_is_refunded_as_documented_and_wholly_tax_free():
    result = compute_line(expense("taxi", "NOK", "412.50"), BOOK)
    assert result.amount == D("412.50")
    assert result.taxfree == D("412.50")
    assert result.taxable == 0


def test_a_foreign_outlay_is_amount_times_rate_and_wholly_tax_free():
    result = compute_line(expense("hotel", "EUR", "125.40", "11.7250"), BOOK)
    expected = D("1470.32")  # 125.40 × 11.7250 = 1470.315 → 1470.32 (half-up)
    assert D("125.40") * D("11.7250") == D("1470.315")
    assert result.amount == expected
    assert result.taxfree == expected
    assert result.taxable == 0


def test_a_foreign_outlay_freezes_the_currency_and_rate_used():
    result = compute_line(expense("parking", "SEK", "80", "0.98"), BOOK)
    assert result.amount == D("78.40")
    assert result.rates_used == {"currency": "SEK", "nok_rate": "0.98"}


def test_an_outlay_needs_no_rate_table_so_it_is_computed_even_in_2019():
    old = Expense(date=date(2019, 6, 1), type="ticket",
                  amount=ForeignAmount("NOK", D("99"), D("1")))
    assert compute_line(old, BOOK).amount == D("99.00")


def test_an_unknown_outlay_type_is_refused():
    with pytest.raises(LineError) as caught:
        expense("champagne", "NOK", "10")
    assert caught.value.field == "type"


def test_an_item_is_quantity_times_rate_and_taxable():
    """Catalogue example (domain/lines.py): Avlaster lav sats, 95 kr × 48 timer = 4560."""
    item = ItemLine(date=DAY, quantity=D("48"), rate=D("95"), label="Avlaster lav sats")
    result = compute_line(item, BOOK)
    assert result.amount == D("95") * D("48") == D("4560.00")
    assert result.taxfree == 0
    assert result.taxable == D("4560.00")


def test_a_non_taxable_item_is_wholly_tax_free():
    item = ItemLine(date=DAY, quantity=D("2"), rate=D("150"), taxable=False)
    result = compute_line(item, BOOK)
    assert result.amount == D("300.00")
    assert result.taxfree == D("300.00")
    assert result.taxable == 0


def test_a_referee_fee_per_level_is_one_times_the_fee():
    """RATES.md §4: handball region north, 4. div match fee 360 per referee."""
    result = compute_line(ItemLine(date=DAY, quantity=D("1"), rate=D("360"),
                                   code="4div"), BOOK)
    assert (result.amount, result.taxfree) == (D("360.00"), D("0"))


def test_an_item_is_rounded_half_up_to_ore():
    # 1.5 × 333.33 = 499.995 → 500.00
    result = compute_line(ItemLine(date=DAY, quantity=D("1.5"), rate=D("333.33")), BOOK)
    assert result.amount == D("500.00")


@pytest.mark.parametrize("field", ["quantity", "rate"])
def test_a_negative_item_quantity_or_rate_is_refused(field):
    kw: dict[str, Any] = {"quantity": D("1"), "rate": D("1"), field: D("-1")}
    with pytest.raises(LineError) as caught:
        ItemLine(date=DAY, **kw)
    assert caught.value.field == field


def test_a_claim_adds_up_all_kinds_of_lines():
    claim = compute_claim([
        expense("taxi", "NOK", "412.50"),
        ItemLine(date=DAY, quantity=D("48"), rate=D("95")),
        ItemLine(date=DAY, quantity=D("1"), rate=D("800"), taxable=False),
    ], BOOK)
    assert claim.totals.amount == D("412.50") + D("4560") + D("800")
    assert claim.totals.taxfree == D("412.50") + D("800")
    assert claim.totals.taxable == D("4560")


# --- what every computed line promises ----------------------------------------------------

def test_a_line_result_refuses_amounts_not_rounded_to_ore():
    with pytest.raises(ValueError):
        LineResult(D("1.005"), D("0"))
    with pytest.raises(ValueError):
        LineResult(D("1.00"), D("0.001"))


def test_a_line_result_refuses_a_tax_free_part_above_the_amount_or_below_zero():
    with pytest.raises(ValueError):
        LineResult(D("1.00"), D("1.01"))
    with pytest.raises(ValueError):
        LineResult(D("1.00"), D("-0.01"))


def test_taxable_is_the_amount_less_the_tax_free_part():
    assert LineResult(D("977.00"), D("678.00")).taxable == D("299.00")


def test_totals_are_sums_of_the_lines():
    totals = Totals.of([LineResult(D("5.01"), D("3.50")), LineResult(D("5.01"), D("3.50"))])
    assert (totals.amount, totals.taxfree, totals.taxable) == (D("10.02"), D("7.00"),
                                                               D("3.02"))


def test_the_breakdown_ends_with_the_tax_split_in_both_languages():
    result = compute_line(ItemLine(date=DAY, quantity=D("48"), rate=D("95")), BOOK)
    last = result.breakdown[-1]
    assert "4\u00a0560,00" in last.nb and "4\u00a0560,00" in last.en
