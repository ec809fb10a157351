"""Calculators: one per line kind, and the claim total as a sum of rounded lines.

``compute_line`` looks up the rates valid on the line's date, so a claim whose
trips straddle New Year is computed with both years' tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from domain.calc.mileage import compute_mileage
from domain.calc.outlay import compute_expense, compute_item
from domain.calc.per_diem import compute_per_diem
from domain.calc.result import IncomePart, LineResult, Notice, Totals
from domain.lines import Expense, ItemLine, Line, LineError, MileageLeg
from domain.money import format_kr
from domain.rates import RateBook
from domain.text import Text

__all__ = ["MAX_LINE_AMOUNT", "ClaimResult", "IncomePart", "LineResult", "Notice", "Totals",
           "compute_claim", "compute_line"]

# No claim line is worth more than this: a result above it is a typo (999 999 999 ×
# 999 999 999), refused by the calculator itself so no front end can save or pay it.
MAX_LINE_AMOUNT = Decimal(10_000_000)
_TOO_LARGE = Text(f"beløpet er over grensen for én linje ({format_kr(MAX_LINE_AMOUNT)} kr); "
                  "sjekk antall og sats",
                  f"the amount is over the limit for one line ({format_kr(MAX_LINE_AMOUNT)} "
                  "kr); check the quantity and rate")

_PROVISIONAL = Notice("provisional_rates", Text(
    "Noen satser er foreløpige (ikke bekreftet av Skatteetaten ennå)",
    "Some rates are provisional (not yet confirmed by Skatteetaten)"))


def compute_line(line: Line, book: RateBook, rate_set: str = "state") -> LineResult:
    """Compute one line with the rate set ``rate_set`` valid on the line's date.

    Raises:
        NoRateSetError: no table covers the line's date.
        LineError: the line cannot be computed with these rates (e.g. no km rate), or its
            amount is over ``MAX_LINE_AMOUNT``.
    """
    try:
        result = _compute(line, book, rate_set)
    except InvalidOperation:  # beyond Decimal's precision: far over the cap anyway
        raise LineError("amount", _TOO_LARGE) from None
    if result.amount > MAX_LINE_AMOUNT:
        raise LineError("amount", _TOO_LARGE)
    return result


def _compute(line: Line, book: RateBook, rate_set: str) -> LineResult:
    if isinstance(line, Expense):
        return compute_expense(line)
    if isinstance(line, ItemLine):
        return compute_item(line)
    paid, limits = book.paid(rate_set, line.date), book.taxfree(line.date)
    if isinstance(line, MileageLeg):
        result = compute_mileage(line, paid, limits)
    else:
        result = compute_per_diem(line, paid, limits)
    provisional = {f"paid.{k}" for k in paid.provisional} | {
        f"taxfree.{k}" for k in limits.provisional}
    if result.amount and provisional & set(result.rates_used):
        return replace(result, warnings=(*result.warnings, _PROVISIONAL))
    return result


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """Every line computed, and the totals as sums of the rounded lines."""

    lines: tuple[LineResult, ...]
    totals: Totals


def compute_claim(lines: Sequence[Line], book: RateBook, rate_set: str = "state") -> ClaimResult:
    """Compute all lines of a claim."""
    results = tuple(compute_line(line, book, rate_set) for line in lines)
    return ClaimResult(results, Totals.of(results))
