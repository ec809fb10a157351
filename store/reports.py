"""The report queries (``service.ports.Reports``): sums over the figures kept per claim.

Every method is one statement, whatever the number of claims, and reads only the
columns written when a claim was decided (``store.tables``: ``claim_payers``' shares,
``claim_income``, ``claims.approved_at`` / ``returned_at``). The indexes that serve them
(``ix_claims_approved_at``, ``ix_claim_payers_org``, ``ix_claims_status``,
``ix_approvals_state``, ``ix_claim_income_claim_id``) are checked with EXPLAIN on both
databases in ``tests/integration/test_report_queries.py``; so is the payroll export's
shape, which on PostgreSQL reads each claim of the run's rows by key (``_per_claim``).
The statements are built once at import, their values bound at each execution.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Select,
    and_,
    bindparam,
    cast,
    exists,
    func,
    select,
    true,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import BindParameter, ClauseElement

from domain.calc import Totals
from domain.claim import Status
from domain.money import ZERO
from service.ports import (
    ClaimShare,
    IncomeSum,
    OpenStage,
    PayrollClaims,
    ReturnedClaimRow,
)
from store import tables as t
from store.joined import joined
from store.types import UTCDateTime, from_hundredths

_PAYS = t.claim_payers.alias("pays")  # not the claim_payers an outer query may join


def _pays(payer: Any) -> Any:
    """The claims ``payer`` pays: one look-up in claim_payers' key per claim.

    The other conditions (status, approval time) pick a few claims of many; ``IN
    (SELECT claim_id … WHERE org = payer)`` read every claim the payer ever paid.
    """
    p = _PAYS.c
    return exists().where(p.claim_id == t.claims.c.id, p.org == payer)


def _approved_in(start: Any, end: Any) -> Any:
    # approved_at is set only while a claim is approved or paid (service.figures), so the
    # period alone picks payable claims, on the approved_at index
    c = t.claims.c
    return and_(c.approved_at >= start, c.approved_at < end)


def _per_claim(table: Any, payer_column: str, payer: Any, *columns: str) -> Any:
    """``table``'s rows of the claim at hand for ``payer``: a PostgreSQL LATERAL subquery.

    ``OFFSET 0`` keeps the planner from folding it back into a join, so each claim of the
    period looks its rows up by ``claim_id`` (a nested loop on the table's index) and the
    cost follows the run's claims. As a plain join, PostgreSQL's custom plans hashed every
    row the payer ever had (a sequential scan of ``claim_income``: 500,000 rows at 100k
    claims, about twice the nested loop's time), until the statement's generic plan took
    over on its sixth execution on a connection: the export's cost depended on how often
    its connection had run it (bench/README.md, "PostgreSQL payroll export").
    """
    rows = table.c
    return (select(*(rows[c] for c in columns))
            .where(rows.claim_id == t.claims.c.id, rows[payer_column] == payer)
            .offset(0).lateral(f"{table.name}_of_claim"))


def per_claim_reads(dialect: str) -> bool:
    """Whether the export's queries read each claim's rows through ``_per_claim``."""
    return dialect == "postgresql"  # SQLite has no LATERAL, and drives from the period


def income_query(payer: Any, start: Any, end: Any, *, lateral: bool = False) -> Select[Any]:
    """``payer``'s income per claimant and stored code in the period (for EXPLAIN too).

    ``lateral`` (PostgreSQL): each claim's rows read through ``_per_claim``; SQLite's
    planner drives the plain join from the period's claims by itself.
    """
    c = t.claims.c
    if lateral:
        rows = _per_claim(t.claim_income, "payer", payer, "code", "item_type", "count",
                          "taxfree", "taxable")
        i, source, where = rows.c, t.claims.join(rows, true()), _approved_in(start, end)
    else:
        i = t.claim_income.c
        source = t.claim_income.join(t.claims, c.id == i.claim_id)
        where = and_(i.payer == payer, _approved_in(start, end))
    # the sums as whole hundredths, bigint on PostgreSQL too (not numeric): ``income``
    # makes each a Decimal once, not numeric → Decimal → int → Decimal
    sums = (select(c.claimant_id, i.code, i.item_type,
                   *(cast(func.sum(i[name]), BigInteger).label(name)
                     for name in ("count", "taxfree", "taxable")),
                   joined(c.reference, " ").label("refs"))
            .select_from(source).where(where)
            .group_by(c.claimant_id, i.code, i.item_type).subquery())
    people = t.claimants.c
    return (select(sums, people.name, people.bank_account)
            .select_from(sums.outerjoin(t.claimants, people.id == sums.c.claimant_id)))


def approved_query(payer: Any, start: Any, end: Any) -> Select[Any]:
    """Claims ``payer`` pays approved in the period, with its share (for EXPLAIN too)."""
    c, p, people = t.claims.c, t.claim_payers.c, t.claimants.c
    return (select(c.id, c.reference, c.title, c.claimant_id, c.status, c.allocation,
                   people.name, people.email, p.amount, p.taxfree)
            # the period drives the query (ix_claims_approved_at): `org || ''` and no ORDER
            # BY keep a planner without statistics from walking all the payer's claims, or
            # all claims in reference order, instead
            .select_from(t.claims.join(t.claim_payers, and_(p.claim_id == c.id,
                                                            p.org + "" == payer))
                         .outerjoin(t.claimants, people.id == c.claimant_id))
            .where(_approved_in(start, end)))


def payroll_query(payer: Any, start: Any, end: Any, *, lateral: bool = False) -> Select[Any]:
    """``approved_query`` with only the columns a payroll run keeps (for EXPLAIN too).

    ``lateral`` (PostgreSQL): each claim's share read by its key (``_per_claim``).
    """
    c = t.claims.c
    if lateral:
        share = _per_claim(t.claim_payers, "org", payer, "amount", "taxfree")
        source: Any = t.claims.join(share, true())
    else:
        share = t.claim_payers
        source = t.claims.join(share, and_(share.c.claim_id == c.id,
                                           share.c.org + "" == payer))
    # the shares as stored, whole hundredths: they are only summed (``SqlReports``)
    return (select(c.reference, c.id, c.claimant_id, c.status,
                   type_coerce(share.c.amount, BigInteger),
                   type_coerce(share.c.taxfree, BigInteger))
            .select_from(source).where(_approved_in(start, end)))


# the export's statements, built once (building and caching a statement per call was a
# third of a 1k-claim export); the values are bound at each execution
_PAYER: BindParameter[str] = bindparam("b_payer")
_START, _END = bindparam("b_start", type_=UTCDateTime), bindparam("b_end", type_=UTCDateTime)
# per dialect: PostgreSQL's read each claim's rows by key (``_per_claim``)
_INCOME = {lateral: income_query(_PAYER, _START, _END, lateral=lateral)
           for lateral in (False, True)}
_PAYROLL = {lateral: payroll_query(_PAYER, _START, _END, lateral=lateral)
            for lateral in (False, True)}
_APPROVED = approved_query(_PAYER, _START, _END)
_c, _p, _a, _people = t.claims.c, t.claim_payers.c, t.approvals.c, t.claimants.c
_PAYER_TOTALS = (select(_p.org, func.sum(_p.amount), func.sum(_p.taxfree))
                 .select_from(t.claim_payers.join(t.claims, _c.id == _p.claim_id))
                 .where(_approved_in(_START, _END), _pays(_PAYER)).group_by(_p.org))
_OPEN_STAGES = (select(_c.id, _c.reference, _c.title, _c.submitted_at, _people.name,
                       _people.email, _a.payer, _a.stage_name, _a.approvers, _a.opened_at)
                .select_from(t.approvals.join(t.claims, and_(_c.id == _a.claim_id,
                                                             _c.round == _a.round))
                             .outerjoin(t.claimants, _people.id == _c.claimant_id))
                .where(_a.state == "open", _c.status == Status.AWAITING.value,
                       _pays(_PAYER)))
_RETURNED = (select(_c.reference, _c.title, _c.returned_by, _c.return_reason, _c.returned_at,
                    _c.submitted_at, _people.name, _people.email)
             .select_from(t.claims.outerjoin(t.claimants, _people.id == _c.claimant_id))
             .where(_c.status == Status.RETURNED.value, _pays(_PAYER)))
_UNPAID = (select(_c.reference).where(_c.status == Status.APPROVED.value, _pays(_PAYER),
                                      ~and_(_c.approved_at >= _START, _c.approved_at < _END))
           .order_by(_c.reference))
_STATUS = {s.value: s for s in Status}  # Status(value) per row was 5 % of an export
PARTITION = 1000  # rows fetched per await: memory stays flat, and no await per row


class SqlReports:
    """``Reports`` on SQL."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        lateral = per_claim_reads(conn.dialect.name)
        self._income, self._payroll = _INCOME[lateral], _PAYROLL[lateral]

    async def income(self, payer: str, start: datetime, end: datetime) -> Sequence[IncomeSum]:
        rows = await self._conn.execute(self._income, {"b_payer": payer, "b_start": start,
                                                       "b_end": end})
        # at once, as tuples: one row per claimant and code (1,925 at 100k claims), and a
        # streamed Result cost a cursor's round trips and three fetch layers a row; by
        # position, as a Row's ``count`` is the tuple method first
        cents = from_hundredths
        return [IncomeSum(claimant, name or "", account or "", code, item_type, cents(count),
                          cents(taxfree), cents(taxable), tuple(sorted(set(refs.split(" ")))))
                for claimant, code, item_type, count, taxfree, taxable, refs, name, account
                in rows.all()]

    async def approved(self, payer: str, start: datetime,
                       end: datetime) -> Sequence[ClaimShare]:
        # fetched at once: a week's claims (1,900 at 100k), and a server-side cursor cost
        # the small digests round trips
        rows = await self._conn.execute(_APPROVED, {"b_payer": payer, "b_start": start,
                                                    "b_end": end})
        found = [ClaimShare(r.id, r.reference, r.title, r.claimant_id, r.name or "",
                            r.email or "", _STATUS[r.status], dict(r.allocation),
                            Totals(r.amount, r.taxfree))
                 for part in rows.partitions(PARTITION) for r in part]
        return sorted(found, key=lambda c: c.reference)

    async def payroll_claims(self, payer: str, start: datetime,
                             end: datetime) -> PayrollClaims:
        result = await self._conn.execute(self._payroll, {"b_payer": payer, "b_start": start,
                                                          "b_end": end})
        # the shares summed as whole hundredths, never made Decimals one by one: they are
        # only summed (two Decimals and a Totals a claim were a fifth of the export's CPU);
        # the rest kept in columns, by index (unpacking a Row makes an iterator): no
        # object made per claim for the garbage collector to count. Fetched at once (a
        # server-side cursor is more round trips), read a partition at a time (row by row
        # is three Python layers a row)
        references: list[str] = []
        ids: list[str] = []
        claimants: list[str] = []
        states: list[str] = []
        amount = taxfree = 0
        for part in result.partitions(PARTITION):
            for r in part:
                references.append(r[0])
                ids.append(r[1])
                claimants.append(r[2])
                states.append(r[3])
                amount += r[4]
                taxfree += r[5]
        if not ids:
            return PayrollClaims((), (), (), (), Totals(ZERO, ZERO))
        order = sorted(range(len(ids)), key=references.__getitem__)  # unique references
        return PayrollClaims(tuple(map(ids.__getitem__, order)),
                             tuple(map(references.__getitem__, order)),
                             tuple(map(claimants.__getitem__, order)),
                             tuple(_STATUS[states[i]] for i in order),
                             Totals(from_hundredths(amount), from_hundredths(taxfree)))

    async def payer_totals(self, payer: str, start: datetime,
                           end: datetime) -> dict[str, Totals]:
        rows = await self._conn.execute(_PAYER_TOTALS, {"b_payer": payer, "b_start": start,
                                                         "b_end": end})
        return {org: Totals(amount, taxfree) for org, amount, taxfree in rows}

    async def open_stages(self, payer: str) -> Sequence[OpenStage]:
        rows = await self._conn.execute(_OPEN_STAGES, {"b_payer": payer})
        return [OpenStage(r.id, r.reference, r.title, r.name or "", r.email or "", r.payer,
                          r.stage_name, tuple(r.approvers), r.opened_at or r.submitted_at)
                for r in rows]

    async def returned(self, payer: str) -> Sequence[ReturnedClaimRow]:
        rows = await self._conn.execute(_RETURNED, {"b_payer": payer})
        return [ReturnedClaimRow(r.reference, r.title, r.name or "", r.email or "",
                                 r.returned_by or "", r.return_reason or "",
                                 r.returned_at or r.submitted_at) for r in rows]

    async def unpaid(self, payer: str, start: datetime, end: datetime) -> Sequence[str]:
        rows = await self._conn.execute(_UNPAID, {"b_payer": payer, "b_start": start,
                                                  "b_end": end})
        return list(rows.scalars())

    async def claims_by_id(self, claim_ids: Sequence[str]) -> dict[str, tuple[str, tuple[str,
                                                                                         ...]]]:
        if not claim_ids:
            return {}
        c = t.claims.c
        rows = await self._conn.execute(select(c.id, c.reference, c.payers).where(
            c.id.in_(sorted(set(claim_ids)))))
        return {r.id: (r.reference, tuple(r.payers)) for r in rows}


class _Explain(Executable, ClauseElement):
    """``EXPLAIN`` of a query, in each database's words (for the tests and the bench)."""

    inherit_cache = False

    def __init__(self, query: Select[Any]) -> None:
        self.query = query


@compiles(_Explain)
def _explain_sql(element: _Explain, compiler: Any, **kw: Any) -> str:
    prefix = "EXPLAIN QUERY PLAN " if compiler.dialect.name == "sqlite" else "EXPLAIN "
    return prefix + str(compiler.process(element.query, **kw))


async def explain(conn: AsyncConnection, query: Select[Any]) -> str:
    """The plan the database chooses for ``query``, as text."""
    rows = await conn.execute(_Explain(query))
    return "\n".join(" ".join(str(v) for v in row) for row in rows)
