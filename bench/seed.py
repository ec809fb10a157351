"""A region's year of claims in a database, fast: one real claim, then copies of its rows.

The first claim goes through the use cases (submit, both clubs approve), so its rows
are what Kvitt writes; the rest are its rows copied with new ids, references, claimants
(one per 20 claims) and approval times spread over the year, written with one
``executemany`` per table and batch. The reports then read a database shaped as a
region's: most claims approved and paid, some waiting, some returned.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.claim import ClaimLine
from domain.lines import ItemLine, MileageLeg, PerDiem
from harness.region import APPROVER, CLUBS
from service import approvals, claims
from service.context import Env
from store import tables as t

YEAR_START = datetime(2025, 3, 12, tzinfo=UTC)
BATCH = 2000


async def one_claim(env: Env, referee: str, *, approve: bool = True) -> str:
    """A referee's weekend: two fees, a shared drive with a passenger, a hotel night."""
    claim = await claims.create_claim(env, referee, list(CLUBS), "Kamper")
    lines = [ClaimLine("l1", ItemLine(date(2026, 3, 1), Decimal(1), Decimal("565.00"), True,
                                      "Kamp", "kamp-3div"), "tromso-hk"),
             ClaimLine("l2", ItemLine(date(2026, 3, 2), Decimal(1), Decimal("310.00"), True,
                                      "Kamp", "kamp-5div"), "bodo-hk"),
             ClaimLine("l3", MileageLeg(date(2026, 3, 1), Decimal(184), passengers=("Ola",))),
             ClaimLine("l4", PerDiem(datetime(2026, 3, 1, 8), datetime(2026, 3, 2, 19),
                                     Decimal(180)))]
    for line in lines:
        claim = await claims.add_line(env, referee, claim.id, line)
    claim = await claims.submit(env, referee, claim.id)
    if approve:
        for slug in CLUBS:
            async with env.uow() as uow:
                key = await uow.reply_keys.for_approval(claim.id, slug, 0, claim.round,
                                                        APPROVER[slug])
            assert key is not None
            target = await approvals.target_of_key(env, key.key, APPROVER[slug])
            claim = await approvals.decide(env, target, APPROVER[slug], "approve")
    return claim.id


async def _rows(engine: AsyncEngine, table: Table, claim_id: str) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        found = await conn.execute(select(table).where(table.c.claim_id == claim_id))
        return [dict(r) for r in found.mappings()]


async def grow(engine: AsyncEngine, template: str, referee: str, have: int, want: int,
               period_end: datetime) -> None:
    """Copy claim ``template`` until there are ``want`` copies (``have`` exist already).

    Claim ``n`` is approved at a time spread evenly over the year before ``period_end``;
    one in 50 is still waiting and one in 100 returned.
    """
    async with engine.connect() as conn:
        claim = dict((await conn.execute(select(t.claims).where(
            t.claims.c.id == template))).mappings().one())
        person = dict((await conn.execute(select(t.claimants).where(
            t.claimants.c.id == referee))).mappings().one())
    children = {table: await _rows(engine, table, template)
                for table in (t.claim_payers, t.claim_lines, t.approvals, t.claim_events,
                              t.claim_income)}
    span = (period_end - YEAR_START).total_seconds()
    rng = random.Random(have)
    for start in range(have, want, BATCH):
        batch = range(start, min(want, start + BATCH))
        rows: dict[Table, list[dict[str, Any]]] = {t.claimants: [], t.memberships: [],
                                                     t.claims: []}
        for n in batch:
            if n % 20 == 0:
                who = f"p{n // 20:07d}"
                rows[t.claimants].append({**person, "id": who, "telegram_id": 10**9 + n,
                                          "name": f"Dommer {n // 20:05d}"})
                rows[t.memberships] += [{"claimant_id": who, "org": c} for c in CLUBS]
            cid = f"c{n:08d}"
            at = YEAR_START + timedelta(seconds=span * (n + rng.random()) / max(want, 1))
            status = ("awaiting" if n % 50 == 7 else "returned" if n % 100 == 3 else
                      "paid" if at < period_end - timedelta(days=40) else "approved")
            rows[t.claims].append({
                **claim, "id": cid, "reference": f"K-2025-{n + 100:07d}",
                "claimant_id": f"p{n // 20:07d}", "status": status,
                "approved_at": at if status in ("approved", "paid") else None,
                "returned_at": at if status == "returned" else None,
                "return_reason": "Mangler kvittering" if status == "returned" else None,
                "submitted_at": at - timedelta(days=2)})
            for table, template_rows in children.items():
                for row in template_rows:
                    copy = {**row, "claim_id": cid}
                    copy.pop("id", None) if table in (t.approvals, t.claim_events,
                                                      t.claim_income) else None
                    if table is t.approvals:
                        copy["state"] = "open" if status == "awaiting" and row["stage"] == 0 \
                            else row["state"]
                        copy["opened_at"] = at - timedelta(days=2)
                    rows.setdefault(table, []).append(copy)
        async with engine.begin() as conn:
            for table in (t.claimants, t.memberships, t.claims, *children):
                if rows.get(table):
                    await conn.execute(insert(table), rows[table])
    if engine.dialect.name == "postgresql":
        # what autovacuum does soon after a bulk load; without statistics the planner
        # guesses, and the raw baseline suffers as much as Kvitt
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
