"""Checks run at submit: what must be fixed before a claim can go to approval.

Each problem names the line it concerns, so the bot can explain them one by
one with a button to fix each. A passed deadline is not a problem but a warning
the claimant must confirm (``deadline``).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date

from domain.calc import compute_line
from domain.calc.outlay import taxed_whole
from domain.calc.result import LineResult
from domain.claim import Claim, ClaimLine
from domain.errors import PolicyProblem
from domain.lines import EXPENSE_NAMES, Expense, MileageLeg, PerDiem
from domain.money import number_text
from domain.organisation import CatalogueEntry, Organisation
from domain.rates import RateBook
from domain.text import Text

_NO_PER_DIEM = ("per_diem_too_short_distance", "per_diem_too_short_time")


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def deadline(claim: Claim, orgs: Mapping[str, Organisation]) -> date | None:
    """The last day to submit: the earliest payer deadline after the last trip day."""
    if not claim.lines:
        return None
    trip_end = max(line.last_date for line in claim.lines)
    months = min(orgs[p].policy.submit_deadline_months for p in claim.payers)
    return add_months(trip_end, months)


def _orgs_of(line: ClaimLine, claim: Claim,
             orgs: Mapping[str, Organisation]) -> list[Organisation]:
    payers = claim.payers if line.payer is None else (line.payer,)
    return [orgs[p] for p in payers if p in orgs]


def _entry(org: Organisation, line: ClaimLine) -> CatalogueEntry | None:
    """The catalogue entry a line was entered under (an outlay: else the first of its type)."""
    entry = org.entry(line.type_code) if line.type_code else None
    if entry is None and isinstance(line.body, Expense):
        entry = org.expense_entry(line.body.type)
    return entry


def receipt_wanted(line: ClaimLine, claim: Claim,
                   orgs: Mapping[str, Organisation]) -> list[Organisation]:
    """The payers of an outlay without a receipt whose catalogue entry requires one."""
    if not isinstance(line.body, Expense) or line.attachments:
        return []
    return [org for org in _orgs_of(line, claim, orgs)
            if (entry := _entry(org, line)) is not None and entry.receipt_required]


def line_result(line: ClaimLine, claim: Claim, orgs: Mapping[str, Organisation],
                book: RateBook) -> LineResult:
    """The line computed; taxed whole when a required receipt is missing and no payer refuses.

    Raises:
        NoRateSetError, LineError: as ``compute_line``.
    """
    result = compute_line(line.body, book, claim.rate_set)
    wanting = receipt_wanted(line, claim, orgs)
    if not wanting or any(o.policy.missing_receipt == "refuse" for o in wanting):
        return result  # nothing missing, or refused at send: nothing to tax
    entry = _entry(wanting[0], line)
    return taxed_whole(result, entry.code if entry else line.type_code, wanting[0].name)


def _line_problems(n: int, line: ClaimLine, result: LineResult, claim: Claim,
                   orgs: Mapping[str, Organisation]) -> list[PolicyProblem]:
    problems: list[PolicyProblem] = []

    def add(code: str, nb: str, en: str) -> None:
        problems.append(PolicyProblem(code, Text(f"Linje {n}: {nb}", f"Line {n}: {en}"), line.id))

    if line.payer is not None and line.payer not in claim.payers:
        add("payer_unknown", "betaleren er ikke med på kravet", "the payer is not on the claim")
    refusing = [o for o in receipt_wanted(line, claim, orgs)
                if o.policy.missing_receipt == "refuse"]
    for org in refusing[:1]:
        if isinstance(line.body, Expense):  # a reason does not stand in for the receipt
            kind = EXPENSE_NAMES[line.body.type]
            add("receipt_required", f"{org.name} krever kvittering for {kind.nb.lower()}. "
                "Send bildet av kvitteringen, eller slett linjen.",
                f"{org.name} requires a receipt for {kind.en.lower()}. Send the photo of "
                "the receipt, or delete the line.")
    for org in _orgs_of(line, claim, orgs):
        entry = _entry(org, line)
        if isinstance(line.body, Expense):
            needs_receipt = entry.receipt_required if entry else True
            if (needs_receipt and not refusing and not line.attachments
                    and not line.no_receipt_reason.strip()):
                add("receipt_missing", "legg ved kvittering, eller skriv hvorfor den mangler",
                    "attach the receipt, or say why there is none")
        needs_reason = (entry is not None and entry.justification_required) or (
            isinstance(line.body, MileageLeg) and org.policy.justify_own_car)
        if needs_reason and not line.justification.strip():
            add("justification_missing", f"{org.name} krever en begrunnelse for denne utgiften",
                f"{org.name} requires a justification for this cost")
        if (isinstance(line.body, MileageLeg) and line.body.km > org.policy.max_km_per_leg
                and not line.justification.strip()):
            km, most = number_text(line.body.km), number_text(org.policy.max_km_per_leg)
            add("km_implausible", f"{km.nb} km er mer enn {most.nb} km; forklar strekningen",
                f"{km.en} km is more than {most.en} km; explain the route")
    if isinstance(line.body, PerDiem):
        reasons = [w.text for w in result.warnings if w.code in _NO_PER_DIEM]
        if reasons:
            add("per_diem_not_qualified", reasons[0].nb, reasons[0].en)
    return _unique(problems)


def _unique(problems: list[PolicyProblem]) -> list[PolicyProblem]:
    seen: set[str] = set()
    unique = []
    for problem in problems:
        if problem.code not in seen:
            seen.add(problem.code)
            unique.append(problem)
    return unique


def check_submit(claim: Claim, results: Mapping[str, LineResult],
                 orgs: Mapping[str, Organisation]) -> list[PolicyProblem]:
    """Every problem that stops the claim from being submitted (empty = fine)."""
    if not claim.lines:
        return [PolicyProblem("no_lines", Text("Kravet har ingen linjer.",
                                               "The claim has no lines."))]
    problems: list[PolicyProblem] = []
    for n, line in enumerate(claim.lines, start=1):
        problems += _line_problems(n, line, results[line.id], claim, orgs)
    for payer in claim.payers:
        for dim in orgs[payer].dimensions:
            if dim.required and not claim.allocation.get(dim.name, "").strip():
                problems.append(PolicyProblem("allocation_missing", Text(
                    f"{orgs[payer].name} krever {dim.name} i kostnadsfordelingen",
                    f"{orgs[payer].name} requires {dim.name} in the cost allocation")))
    return problems
