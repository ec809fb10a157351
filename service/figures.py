"""What the reports need of a claim, worked out once when the claim is decided.

The digest and the payroll export used to load every claim whole and recompute each
payer's share; at a region's 100,000 claims a year that took minutes. Instead the store
keeps, beside each submitted claim, what ``claim_figures`` returns: each payer's totals
and its income under each A-melding code (``domain.income``, whole counts per payer),
plus an ``utlegg`` row for outlays refunded on receipt, so the reports are sums in SQL.
The figures depend only on the lines' frozen results, which change only at submit, so
they are written when a round starts and read as they are until the next one.

Item lines keep the catalogue code they were paid under (``item_type``): which A-melding
code that is, is the payer's catalogue's say at export time (``income_code``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.calc import Totals
from domain.claim import Claim, ClaimEvent, Status
from domain.events import ClaimApproved, Returned, StageOpened
from domain.income import payer_share
from domain.money import ZERO
from domain.organisation import Organisation
from domain.rates import RateBook

# Not an A-melding code: refunds of documented outlays (tickets, taxi, hotel …) are paid
# with the run but are not income; the row makes the file add up to what is paid.
OUTLAY = "utlegg"
PAYABLE = (Status.APPROVED, Status.PAID)


@dataclass(frozen=True, slots=True)
class IncomeRow:
    """One payer's income of one claim under one code (summed over the claim's lines).

    ``item_type`` is ``None`` except for item lines, where it is the line's catalogue
    type and ``code`` the catalogue code it was paid under.
    """

    payer: str
    code: str
    item_type: str | None
    count: Decimal
    taxfree: Decimal
    taxable: Decimal


@dataclass(frozen=True, slots=True)
class ClaimFigures:
    """Each payer's share of a submitted claim, in totals and in income rows."""

    shares: dict[str, Totals]
    income: tuple[IncomeRow, ...]


def claim_figures(claim: Claim, book: RateBook | None = None) -> ClaimFigures:
    """The figures of a claim whose lines are frozen (``book`` only for very old results)."""
    shares: dict[str, Totals] = {}
    income: dict[tuple[str, str, str | None], list[Decimal]] = {}
    for slug in claim.payers:
        share = payer_share(claim, slug, book)
        shares[slug] = share.totals
        paid_as_income = ZERO
        for line, part in share.parts:
            # items, and outlays taxed for a missing receipt, are coded by the catalogue
            coded = line.kind == "item" or (line.kind == "expense" and bool(line.type_code))
            key = (slug, part.code, line.type_code if coded else None)
            sums = income.setdefault(key, [ZERO, ZERO, ZERO])
            sums[0] += part.count
            sums[1] += part.taxfree
            sums[2] += part.taxable
            paid_as_income += part.taxfree + part.taxable
        outlay = share.totals.amount - paid_as_income
        if outlay:  # refunds on receipt: paid with the run, not income, not in A-melding
            income[(slug, OUTLAY, None)] = [ZERO, outlay, ZERO]
    return ClaimFigures(shares, tuple(
        IncomeRow(payer, code, item_type, *sums)
        for (payer, code, item_type), sums in income.items() if sums[1] or sums[2]))


def income_code(org: Organisation, code: str, item_type: str | None) -> str:
    """The A-melding code of an income row: items as the payer's catalogue maps them."""
    if item_type is None:
        return code
    entry = org.entry(code) or org.entry(item_type)
    return code if entry is None else entry.amelding_code or entry.code


def _last(claim: Claim, kind: type[ClaimEvent]) -> ClaimEvent | None:
    return next((e for e in reversed(claim.events) if isinstance(e, kind)), None)


def approved_at(claim: Claim) -> datetime | None:
    """When an approved or paid claim was approved (its ``claim_approved`` event)."""
    event = _last(claim, ClaimApproved) if claim.status in PAYABLE else None
    return None if event is None else event.at


def returned(claim: Claim) -> ClaimEvent | None:
    """The return a returned claim waits on: when, by whom, and why."""
    return _last(claim, Returned) if claim.status is Status.RETURNED else None


def stages_opened(claim: Claim) -> Iterator[tuple[tuple[int, str, int], datetime]]:
    """``((round, payer, stage), when it opened)`` for each stage, oldest first."""
    for e in claim.events:
        if isinstance(e, StageOpened) and e.payer is not None and e.stage is not None:
            yield (e.round, e.payer, e.stage), e.at
