"""One payer's share of a claim's income parts (A-melding codes), for the payroll export.

A payer's share of a claim is its own lines whole and its share of the lines split by
*honorarbrøk*, computed exactly as ``fee_fraction.per_payer`` does, so the parts add up
to the payer's totals shown everywhere else. A split line's share is spread over the
line's parts by largest remainder (tax-free and taxable separately), and its counts
(km, døgn, nights) are split among the payers in proportion to their amounts, by largest
remainder in whole units, so each payer reports whole km, døgn and nights and the payers'
counts add up to the line's (a count that is not whole, an item's 2.5 hours, is split in
hundredths).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from domain.calc import IncomePart, Totals, compute_line
from domain.claim import Claim, ClaimLine
from domain.fee_fraction import largest_remainder, split_line
from domain.money import ORE, ZERO
from domain.rates import RateBook

ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class PayerShare:
    """A payer's total of one claim, and its income parts line by line."""

    totals: Totals
    parts: tuple[tuple[ClaimLine, IncomePart], ...]


def frozen_parts(claim: Claim, line: ClaimLine,
                 book: RateBook | None) -> tuple[Totals, tuple[IncomePart, ...]]:
    """The line's frozen totals and parts (recomputed for results frozen before parts).

    Raises:
        ValueError: the line has no frozen result, or it has no parts and there is no
            ``book`` to recompute them with, or recomputing gives other amounts.
    """
    result = line.computed
    if result is None:
        raise ValueError(f"{claim.reference}: line {line.id} has no frozen result")
    totals = Totals(result.amount, result.taxfree)
    if result.parts or line.kind == "expense" or not result.amount:
        return totals, result.parts
    if book is None:
        raise ValueError(f"{claim.reference}: line {line.id} has no income parts")
    fresh = compute_line(line.body, book, claim.rate_set)
    if (fresh.amount, fresh.taxfree) != (result.amount, result.taxfree):
        raise ValueError(f"{claim.reference}: line {line.id} has no income parts")
    return totals, fresh.parts


def share_parts(parts: tuple[IncomePart, ...], share: Totals, slug: str,
                split: Mapping[str, Totals]) -> tuple[IncomePart, ...]:
    """``parts`` of a split line cut down to ``slug``'s ``share`` of it, to the øre."""
    if not parts:  # an outlay on receipt: paid, but no income to report
        return ()
    keyed = {f"{i:04d}": part for i, part in enumerate(parts)}
    frees = largest_remainder(share.taxfree, {k: p.taxfree for k, p in keyed.items()})
    taxed = largest_remainder(share.taxable, {k: p.taxable for k, p in keyed.items()})
    amounts = {payer: s.amount for payer, s in split.items()}
    return tuple(IncomePart(p.code, largest_remainder(p.count, amounts, unit=count_unit(
        p.count))[slug], frees[k], taxed[k]) for k, p in keyed.items())


def count_unit(count: Decimal) -> Decimal:
    """The unit a count is split in: whole km, døgn and nights; hundredths otherwise."""
    return ONE if count == count.to_integral_value() else ORE


def payer_share(claim: Claim, slug: str, book: RateBook | None) -> PayerShare:
    """``slug``'s share of ``claim`` and of each line's income parts."""
    fees = dict.fromkeys(claim.payers, ZERO)
    for line in claim.lines:
        if line.is_fee and line.payer in fees and line.computed is not None:
            fees[line.payer] += line.computed.amount
    amount, taxfree, found = ZERO, ZERO, []
    for line in claim.lines:
        if line.payer is not None and line.payer != slug:
            continue
        share, parts = frozen_parts(claim, line, book)
        if line.payer is None:
            split = split_line(share.amount, share.taxfree, fees)
            if split[slug] != share:
                share = split[slug]
                parts = share_parts(parts, share, slug, split)
        amount, taxfree = amount + share.amount, taxfree + share.taxfree
        found += [(line, part) for part in parts]
    return PayerShare(Totals(amount, taxfree), tuple(found))
