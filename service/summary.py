"""A claim's summary: every line computed, totals, tax split, per payer, warnings.

Shown to the claimant at any time and to the approvers in the request mail.
Submitted lines show their frozen results; drafts are computed with today's
tables, so what the claimant sees is what will be frozen on submit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from domain.calc import LineResult, Notice, Totals
from domain.claim import Claim, ClaimLine
from domain.errors import PolicyProblem
from domain.fee_fraction import per_payer
from domain.lines import LineError
from domain.organisation import Organisation
from domain.policy import check_submit, deadline, line_result
from domain.rates import NoRateSetError, RateBook
from domain.text import Text
from domain.workflow import status_text


@dataclass(frozen=True, slots=True)
class LineView:
    """A line with its result (or the reason it cannot be computed)."""

    line: ClaimLine
    result: LineResult | None
    error: Text | None = None


@dataclass(frozen=True, slots=True)
class ClaimSummary:
    """Everything a person needs to judge a claim at a glance."""

    claim: Claim
    status: Text
    lines: tuple[LineView, ...]
    totals: Totals
    payers: Mapping[str, Totals]
    payer_names: Mapping[str, str]
    problems: tuple[PolicyProblem, ...]
    warnings: tuple[Notice, ...]
    deadline: date | None


def _result(line: ClaimLine, claim: Claim, orgs: Mapping[str, Organisation],
            book: RateBook) -> LineView:
    if line.computed is not None:
        return LineView(line, line.computed)
    try:
        return LineView(line, line_result(line, claim, orgs, book))
    except LineError as exc:
        return LineView(line, None, exc.text)
    except NoRateSetError as exc:
        return LineView(line, None, Text(f"Ingen satser for {exc.on.isoformat()}",
                                         f"No rates for {exc.on.isoformat()}"))


def _numbered(n: int, notice: Notice) -> Notice:
    """A notice about one line says which ("Linje 2 mangler kvittering …")."""
    if notice.code not in LINE_NOTICES:
        return notice
    return Notice(notice.code, Text(f"Linje {n} {notice.text.nb}", f"Line {n} {notice.text.en}"))


LINE_NOTICES = frozenset({"receipt_missing_taxable"})


def summarise(claim: Claim, orgs: Mapping[str, Organisation], book: RateBook,
              today: date) -> ClaimSummary:
    """Compute the summary of ``claim`` as of ``today``."""
    views = tuple(_result(line, claim, orgs, book) for line in claim.lines)
    computed = [(v.line.payer, v.line.is_fee, Totals(v.result.amount, v.result.taxfree))
                for v in views if v.result is not None]
    results = {v.line.id: v.result for v in views if v.result is not None}
    problems = tuple(check_submit(claim, results, orgs)) if len(results) == len(views) else ()
    warnings = [_numbered(n, w) for n, v in enumerate(views, start=1) if v.result
                for w in v.result.warnings]
    last_day = deadline(claim, orgs)
    if last_day is not None and today > last_day and claim.submitted_at is None:
        warnings.append(Notice("deadline_passed", Text(
            f"Fristen for innsending var {last_day:%d.%m.%Y}.",
            f"The submit deadline was {last_day:%d.%m.%Y}.")))
    names = {slug: org.name for slug, org in orgs.items()}
    return ClaimSummary(
        claim=claim,
        status=status_text(claim, names),
        lines=views,
        totals=Totals.of(v.result for v in views if v.result is not None),
        payers=per_payer(computed, claim.payers),
        payer_names=names,
        problems=problems,
        warnings=tuple(warnings),
        deadline=last_day,
    )
