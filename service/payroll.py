"""Payroll export (*lønnskjøring*): one payer's approved claims as A-melding rows.

Cut-off (a decision; the sources only say "paid with the payroll run on the 12th"):
the run of period ``YYYY-MM`` is on the payer's ``payroll_day`` of that month. It takes
every claim whose approval (its ``claim_approved`` event) is at or after 00:00 Oslo time
on the previous run's day and before 00:00 Oslo time on this run's day. A claim approved
on the payroll day itself goes to the next run, so an export made on the day, or any day
after, is complete: exporting the period again gives the same rows and the same bytes.

Rows are this payer's share only (``domain.income``): they add up to the payer's totals
of the claims to the øre. Outlays on receipt are not income and have no rows but the
``utlegg`` one. Counts (``antall``) are whole per payer and a døgn is counted once (the
README's "Payroll counts").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal
from functools import partial

from domain.calc import Totals
from domain.calendar import OSLO
from domain.claim import Actor, Status
from domain.errors import InvalidValue, NotAllowed, NotFound
from domain.money import ZERO
from domain.organisation import Organisation
from domain.text import Text
from service import admin
from service.context import Env, organisations, retrying
from service.figures import OUTLAY, income_code
from service.ports import PayrollClaims, UnitOfWork

COLUMNS = ("payroll_date", "claimant", "bank_account", "code", "count", "taxfree", "taxable",
           "claim_references")


@dataclass(frozen=True, slots=True)
class PayrollRun:
    """One payroll run of one payer: its date and the approvals it takes, [start, end)."""

    slug: str
    period: str
    payroll_date: date
    start: datetime
    end: datetime


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), OSLO)


def payroll_run(org: Organisation, period: str) -> PayrollRun:
    """The run of ``period`` (``YYYY-MM``) for ``org``; ``InvalidValue`` if malformed."""
    try:
        year, month = (int(part) for part in period.split("-"))
        day = date(year, month, org.policy.payroll_day)
        before = date(year - 1, 12, day.day) if month == 1 else date(year, month - 1, day.day)
    except ValueError as exc:
        raise InvalidValue(Text(f"Perioden må skrives ÅÅÅÅ-MM, ikke {period!r}.",
                                f"Write the period as YYYY-MM, not {period!r}.")) from exc
    return PayrollRun(org.slug, f"{year:04d}-{month:02d}", day, _midnight(before),
                      _midnight(day))


def next_run(org: Organisation, at: datetime) -> PayrollRun:
    """The run that will take a claim approved at ``at``."""
    local = at.astimezone(OSLO)
    run = payroll_run(org, f"{local.year:04d}-{local.month:02d}")
    if at < run.end:
        return run
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return payroll_run(org, f"{year:04d}-{month:02d}")


@dataclass(frozen=True, slots=True)
class PayrollRow:
    """One claimant's income under one A-melding code in one run."""

    claimant_id: str
    claimant: str
    bank_account: str
    code: str
    count: Decimal
    taxfree: Decimal
    taxable: Decimal
    references: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PayrollExport:
    """What one run pays: rows for the payroll system, and the claims behind them."""

    run: PayrollRun
    rows: tuple[PayrollRow, ...]
    claims: PayrollClaims
    missing_accounts: tuple[str, ...] = ()

    @property
    def totals(self) -> Totals:
        """This payer's total of every claim in the run (summed by the store)."""
        return self.claims.total

    @property
    def outlays(self) -> Decimal:
        """The refunds of outlays on receipt in the run (the ``utlegg`` rows)."""
        return sum((r.taxfree for r in self.rows if r.code == OUTLAY), ZERO)


async def export_run(env: Env, uow: UnitOfWork, org: Organisation,
                     run: PayrollRun) -> PayrollExport:
    """The export of ``run`` inside an open unit of work (the digest shares it).

    Two queries whatever the number of claims: the store sums the figures kept when
    each claim was decided (``service.figures``); only the payer's catalogue mapping of
    item codes to A-melding codes is applied here, merging rows it maps together.
    """
    claims = await uow.reports.payroll_claims(org.slug, run.start, run.end)
    merged: dict[tuple[str, str], PayrollRow] = {}
    for s in await uow.reports.income(org.slug, run.start, run.end):
        key = (s.claimant_id, income_code(org, s.code, s.item_type))
        row = PayrollRow(s.claimant_id, s.claimant, s.bank_account, key[1], s.count,
                         s.taxfree, s.taxable, s.references)
        if key in merged:
            was = merged[key]
            row = replace(row, count=was.count + row.count, taxfree=was.taxfree + row.taxfree,
                          taxable=was.taxable + row.taxable,
                          references=tuple(sorted({*was.references, *row.references})))
        merged[key] = row
    rows = sorted((r for r in merged.values() if r.taxfree or r.taxable),
                  key=lambda r: (r.claimant.casefold(), r.claimant_id, r.code))
    missing = sorted({r.claimant for r in rows if not r.bank_account})
    return PayrollExport(run, tuple(rows), claims, tuple(missing))


async def payroll_export(env: Env, slug: str, period: str, *,
                         admin_email: str | None = None) -> PayrollExport:
    """The rows of ``slug``'s payroll run for ``period`` (``YYYY-MM``), in one read."""
    async with env.reader() as uow:
        org = (await organisations(uow, (slug,)))[slug]
        if admin_email is not None and not org.is_admin(admin_email):
            raise NotAllowed()
        return await export_run(env, uow, org, payroll_run(org, period))


def _count(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def render_csv(export: PayrollExport) -> bytes:
    """The export as UTF-8 CSV with ASCII headers; the same export gives the same bytes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    day = export.run.payroll_date.isoformat()
    for row in export.rows:
        writer.writerow((day, row.claimant, row.bank_account, row.code, _count(row.count),
                         f"{row.taxfree:.2f}", f"{row.taxable:.2f}", " ".join(row.references)))
    return out.getvalue().encode("utf-8")


async def mark_exported_paid(env: Env, export: PayrollExport,
                             actor: Actor) -> Sequence[str]:
    """Mark the exported claims Paid (each claimant told once); returns those newly paid."""
    paid = []
    day = export.run.payroll_date.isoformat()
    for item in export.claims:
        if item.status is not Status.APPROVED:
            continue
        try:
            await retrying(env, partial(admin.mark_paid, env, item.claim_id, day, actor))
        except NotFound:
            continue  # erased meanwhile: nothing left to pay
        paid.append(item.reference)
    return paid
