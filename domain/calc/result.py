"""What a calculator returns: the amount, its tax-free and taxable parts, and why.

Every figure a claimant or approver sees comes with a breakdown a person can
check with a pen (days, rates, deductions, supplements), and the rate values
used, frozen so a later change of the tables never changes a submitted line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from domain.money import ZERO, format_kr, round_ore
from domain.text import Text


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning on a line or claim: a stable ``code`` for programs, text for people."""

    code: str
    text: Text


@dataclass(frozen=True, slots=True)
class IncomePart:
    """A line's share under one A-melding code (RATES.md §3), for the payroll export.

    ``count`` is what the code counts: km, passenger km, døgn or nights (items: their
    quantity). Outlays refunded on receipt are not income and have no parts.
    """

    code: str
    count: Decimal
    taxfree: Decimal
    taxable: Decimal


@dataclass(slots=True)
class _Sum:
    count: Decimal
    taxfree: Decimal
    taxable: Decimal


def income_parts(pieces: Iterable[tuple[str, Decimal, Decimal, Decimal]], taxfree: Decimal,
                 taxable: Decimal) -> tuple[IncomePart, ...]:
    """Add up ``(code, count, taxfree, taxable)`` pieces per code, rounded to øre.

    The rounded parts are made to add up exactly to the line's rounded ``taxfree`` and
    ``taxable``: any øre left by rounding goes to the largest part, so the payroll
    export always sums to the approved amounts.
    """
    sums: dict[str, _Sum] = {}
    for code, count, free, paid_taxable in pieces:
        found = sums.setdefault(code, _Sum(ZERO, ZERO, ZERO))
        found.count += count
        found.taxfree += free
        found.taxable += paid_taxable
    kept = {code: _Sum(s.count, round_ore(s.taxfree), round_ore(s.taxable))
            for code, s in sums.items() if s.taxfree or s.taxable}
    if kept:
        rest = taxfree - sum((s.taxfree for s in kept.values()), ZERO)
        max(kept.values(), key=lambda s: s.taxfree).taxfree += rest
        rest = taxable - sum((s.taxable for s in kept.values()), ZERO)
        max(kept.values(), key=lambda s: s.taxable).taxable += rest
    return tuple(IncomePart(code, s.count, s.taxfree, s.taxable) for code, s in kept.items())


@dataclass(frozen=True, slots=True)
class LineResult:
    """A computed line. ``taxfree + taxable == amount`` always, all rounded to øre."""

    amount: Decimal
    taxfree: Decimal
    breakdown: tuple[Text, ...] = ()
    warnings: tuple[Notice, ...] = ()
    rates_used: Mapping[str, str] = field(default_factory=dict)
    parts: tuple[IncomePart, ...] = ()

    def __post_init__(self) -> None:
        if self.amount != round_ore(self.amount) or self.taxfree != round_ore(self.taxfree):
            raise ValueError("line amounts must be rounded to øre")
        if not ZERO <= self.taxfree <= self.amount:
            raise ValueError(f"taxfree {self.taxfree} must lie between 0 and {self.amount}")

    @property
    def taxable(self) -> Decimal:
        """The part subject to tax withholding (*trekkpliktig*)."""
        return self.amount - self.taxfree


@dataclass(frozen=True, slots=True)
class Totals:
    """Sums of rounded lines (never a rounded sum)."""

    amount: Decimal
    taxfree: Decimal

    @property
    def taxable(self) -> Decimal:
        """The taxable part of the total."""
        return self.amount - self.taxfree

    @classmethod
    def of(cls, results: Iterable[LineResult]) -> Totals:
        """Add up computed lines."""
        amount, taxfree = ZERO, ZERO
        for result in results:
            amount += result.amount
            taxfree += result.taxfree
        return cls(amount, taxfree)


def kr(amount: Decimal) -> str:
    """Shorthand for breakdown text: ``1 234,50``."""
    return format_kr(amount)


def tax_split_text(amount: Decimal, taxfree: Decimal) -> Text:
    """The closing breakdown line that says what is tax-free and what is taxable."""
    taxable = amount - taxfree
    return Text(f"Trekkfritt {kr(taxfree)}, trekkpliktig {kr(taxable)}",
                f"Tax-free {kr(taxfree)}, taxable {kr(taxable)}")
