"""What a claimant will likely say again, read off their last claims ("Som sist").

Nothing is stored for it: the last claims are the memory. Each default is offered, never
applied silently — the bot shows it on a button or in the echo of the line it goes into.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain.calendar import MONTHS_EN, MONTHS_NB
from domain.claim import Claim, ClaimLine
from domain.lines import Expense, MileageLeg, PerDiem

SPLIT = "split"  # a shared line split by fee fraction (a ``ClaimLine.payer`` of None)


@dataclass(frozen=True, slots=True)
class Remembered:
    """The defaults the claimant's newest claims give, newest first."""

    payers: tuple[str, ...] = ()
    shared_payers: dict[tuple[str, ...], str] = field(default_factory=dict)
    justifications: dict[str, str] = field(default_factory=dict)
    distance_km: Decimal | None = None
    passengers: tuple[str, ...] = ()
    places: tuple[str, ...] = ()

    def shared_payer(self, payers: Sequence[str]) -> str | None:
        """Who paid shared lines last time with the same payers: a slug, SPLIT, or None."""
        return self.shared_payers.get(tuple(sorted(payers)))


def line_key(line: ClaimLine) -> str:
    """What a justification is remembered by: the catalogue code, else the kind of line."""
    if line.type_code:
        return line.type_code
    return f"expense:{line.body.type}" if isinstance(line.body, Expense) else line.kind


def remember(claims: Iterable[Claim]) -> Remembered:
    """The defaults in ``claims`` (newest first): the newest value of each wins."""
    claims = list(claims)
    shared: dict[tuple[str, ...], str] = {}
    reasons: dict[str, str] = {}
    distance, passengers, places = None, None, []
    for claim in claims:
        key = tuple(sorted(claim.payers))
        for line in reversed(claim.lines):
            if not line.is_fee and len(claim.payers) > 1:
                shared.setdefault(key, line.payer or SPLIT)
            if line.justification.strip():
                reasons.setdefault(line_key(line), line.justification.strip())
            if isinstance(line.body, PerDiem) and distance is None:
                distance = line.body.distance_km
            if isinstance(line.body, MileageLeg):
                passengers = line.body.passengers if passengers is None else passengers
                places += [p.strip() for p in re.split(r"\s[–-]\s", line.remark) if p.strip()]
    return Remembered(payers=claims[0].payers if claims else (), shared_payers=shared,
                      justifications=reasons, distance_km=distance,
                      passengers=passengers or (), places=tuple(dict.fromkeys(places))[:4])


def month_of(title: str) -> tuple[int, int] | None:
    """The (year, month) a title such as "Mars 2026" names, else None."""
    found = re.fullmatch(r"\s*([^\W\d_]+)\s+(\d{4})\s*", title)
    if found is None:
        return None
    names = [m.casefold() for m in (*MONTHS_NB, *MONTHS_EN)]
    word = found[1].casefold()
    return (int(found[2]), names.index(word) % 12 + 1) if word in names else None


def default_day(claim: Claim, today: date) -> tuple[date, str] | None:
    """The day a new line most likely has, and why; None when nothing says.

    "same_day": the last line's day; "period_end": the end of the month the title names
    (not after today).
    """
    if claim.lines:
        return claim.lines[-1].last_date, "same_day"
    month = month_of(claim.title)
    if month is None:
        return None
    first = date(month[0], month[1], 1)
    last = date(month[0], month[1], calendar.monthrange(*month)[1])
    return (min(last, today), "period_end") if first <= today else None
