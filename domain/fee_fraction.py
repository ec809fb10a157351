"""Honorarbrøk: split shared lines among payers in proportion to each payer's fees.

A line marked "split" (payer ``None``) is divided among the claim's payers in
proportion to each payer's total of fee/item lines. Shares add up to the line
exactly, to the øre, by the largest-remainder method. If no payer has fees,
the split is equal (a decision: the sources are silent).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_FLOOR, Decimal

from domain.calc.result import Totals
from domain.money import ORE, ZERO


def largest_remainder(total: Decimal, weights: Mapping[str, Decimal],
                      caps: Mapping[str, Decimal] | None = None, *,
                      unit: Decimal = ORE) -> dict[str, Decimal]:
    """Split ``total`` (whole ``unit``s, øre by default) by ``weights`` so the shares add up.

    Each share is first rounded down to ``unit``; the units left over go one by one to
    the largest remainders (ties by key, so the result is deterministic). With
    ``caps`` no share exceeds its cap (used so a payer's tax-free part never
    exceeds its amount); the caps must add up to at least ``total``.
    """
    keys = sorted(weights)
    if not keys and total:
        raise ValueError(f"nothing to split {total} among")
    weight_sum = sum((weights[k] for k in keys), ZERO)
    if weight_sum <= 0:
        weights, weight_sum = dict.fromkeys(keys, Decimal(1)), Decimal(len(keys))
    exact = {k: total * weights[k] / weight_sum for k in keys}
    shares = {k: exact[k].quantize(unit, rounding=ROUND_FLOOR) for k in keys}
    if caps is not None:
        shares = {k: min(shares[k], caps[k]) for k in keys}
    left = int((total - sum(shares.values(), ZERO)) / unit)
    order = sorted(keys, key=lambda k: (-(exact[k] - shares[k]), k))
    while left > 0:
        progressed = False
        for key in order:
            if left == 0:
                break
            if caps is None or shares[key] + unit <= caps[key]:
                shares[key] += unit
                left -= 1
                progressed = True
        if not progressed:
            raise ValueError("caps add up to less than the total")
    return shares


def split_line(amount: Decimal, taxfree: Decimal,
               weights: Mapping[str, Decimal]) -> dict[str, Totals]:
    """One line's amount and tax-free part, split by ``weights``."""
    amounts = largest_remainder(amount, weights)
    frees = largest_remainder(taxfree, weights, caps=amounts)
    return {k: Totals(amounts[k], frees[k]) for k in amounts}


def per_payer(lines: Sequence[tuple[str | None, bool, Totals]],
              payers: Sequence[str]) -> dict[str, Totals]:
    """Each payer's share of a claim.

    Args:
        lines: per line (payer or ``None`` for split, whether it is a fee/item
            line, its computed totals).
        payers: the claim's payers.
    """
    fees: dict[str, Decimal] = dict.fromkeys(payers, ZERO)
    for payer, is_fee, totals in lines:
        if payer in fees and is_fee:
            fees[payer] += totals.amount
    result = {p: Totals(ZERO, ZERO) for p in payers}
    for payer, _, totals in lines:
        if payer is not None and payer not in result:
            continue  # a payer not on the claim: submit refuses it as "payer_unknown"
        parts = {payer: totals} if payer is not None else split_line(
            totals.amount, totals.taxfree, fees)
        for key, part in parts.items():
            now = result[key]
            result[key] = Totals(now.amount + part.amount, now.taxfree + part.taxfree)
    return result
