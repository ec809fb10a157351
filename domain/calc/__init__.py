"""Calculators: one per line kind, and the claim total as a sum of rounded lines.

``compute_line`` looks up the rates valid on the line's date, so a claim whose
trips straddle New Year is computed with both years' tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from domain.calc.mileage import compute_mileage
from domain.calc.outlay import compute_expense, compute_item
from domain.calc.per_diem import compute_per_diem
from domain.calc.result import IncomePart, LineResult, Notice, Totals
from domain.lines import Expense, ItemLine, Line, MileageLeg
from domain.rates import RateBook
from domain.text import Text

__all__ = ["ClaimResult", "IncomePart", "LineResult", "Notice", "Totals", "compute_claim",
           "compute_line"]

_PROVISIONAL = Notice("provisional_rates", Text(
    "Noen satser er foreløpige (ikke bekreftet av Skatteetaten ennå)",
    "Some rates are provisional (not yet confirmed by Skatteetaten)"))


def compute_line(line: Line, book: RateBook, rate_set: str = "state") -> LineResult:
    """Compute one line with the rate set ``rate_set`` valid on the line's date.

    Raises:
        NoRateSetError: no table covers the line's date.
        LineError: the line cannot be computed with these rates (e.g. no km rate).
    """
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
