"""Admin reports at a region's scale: the digest and the payroll export, against raw SQL.

The baseline answers the same question with the same aggregate SQL written by hand and
run straight on the driver, with nothing around it (no organisation, no rows made into
objects, no sorting, no CSV); the ratio is what Kvitt's use case costs on top of that.
Each figure is the median of three runs.

The digest's baseline asks everything the digest answers: until 6 December 2026 it left
out five of its eleven questions (the organisations' names; the queued reminders, earlier
digests and failed mails; approved claims the next run does not pay; inbound replies
given up or refused; bouncing addresses), so its ratio counted their round trips as
Kvitt's overhead.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from service.digest import digest
from service.payroll import payroll_export, render_csv

# the payroll run of 2026-03 (``payroll_run``): 12 Feb to 12 March, Oslo midnight
RUN_START = datetime(2026, 2, 11, 23, tzinfo=UTC)
RUN_END = datetime(2026, 3, 11, 23, tzinfo=UTC)
NEXT_RUN_END = datetime(2026, 4, 11, 22, tzinfo=UTC)  # the run the digest of 12 March shows

EXPORT_SQL = """
SELECT c.claimant_id, i.code, i.item_type, SUM(i.count), SUM(i.taxfree), SUM(i.taxable)
FROM claim_income i JOIN claims c ON c.id = i.claim_id
WHERE i.payer = :payer AND c.approved_at >= :start AND c.approved_at < :end
GROUP BY c.claimant_id, i.code, i.item_type;
SELECT c.id, c.reference, p.amount, p.taxfree FROM claims c
JOIN claim_payers p ON p.claim_id = c.id AND p.org = :payer
WHERE c.approved_at >= :start AND c.approved_at < :end
"""
DIGEST_SQL = EXPORT_SQL + """;
SELECT c.reference, a.payer, a.stage_name, a.opened_at FROM approvals a
JOIN claims c ON c.id = a.claim_id AND c.round = a.round
WHERE a.state = 'open' AND c.status = 'awaiting'
AND c.id IN (SELECT claim_id FROM claim_payers WHERE org = :payer);
SELECT c.reference, c.returned_by, c.return_reason, c.returned_at FROM claims c
WHERE c.status = 'returned' AND c.id IN (SELECT claim_id FROM claim_payers WHERE org = :payer);
SELECT c.reference, c.title, c.allocation, p.amount FROM claims c
JOIN claim_payers p ON p.claim_id = c.id AND p.org = :payer
WHERE c.approved_at >= :since AND c.approved_at < :now;
SELECT p.org, SUM(p.amount), SUM(p.taxfree) FROM claim_payers p JOIN claims c ON c.id = p.claim_id
WHERE c.approved_at >= :since AND c.approved_at < :now
AND c.id IN (SELECT claim_id FROM claim_payers WHERE org = :payer) GROUP BY p.org;
SELECT slug, name FROM organisations;
SELECT kind, recipient, payload, status, created_at FROM outbox
WHERE (kind = 'reminder_approver' AND created_at >= :reminded)
OR kind = 'admin_digest' OR (status = 'failed' AND created_at >= :since);
SELECT c.reference FROM claims c WHERE c.status = 'approved'
AND c.id IN (SELECT claim_id FROM claim_payers WHERE org = :payer)
AND NOT (c.approved_at >= :next_start AND c.approved_at < :next_end);
SELECT m.message_id, m.received_at, m.outcome, m.detail, m.claim_id FROM inbound_messages m
WHERE m.received_at >= :since AND m.outcome IN ('failed', 'wrong_sender', 'unknown_key');
SELECT address, since, detail FROM bouncing_addresses
"""


async def median_of_3(work: Callable[[], Awaitable[Any]]) -> float:
    """Seconds, the median of three runs after one to warm up."""
    await work()
    times = []
    for _ in range(3):
        start = time.perf_counter()
        await work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _naive(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(tzinfo=None)


async def _raw(engine: AsyncEngine, sql: str, params: dict[str, Any]) -> None:
    async with engine.connect() as conn:
        for statement in sql.split(";"):
            used = {k: v for k, v in params.items() if f":{k}" in statement}
            (await conn.execute(text(statement), used)).all()


async def measure(engine: AsyncEngine, env: Any, now: datetime) -> dict[str, float]:
    """Seconds for the digest, the export and their raw baselines (medians of three)."""
    env.clock.now = now
    params = {"payer": "tromso-hk", "start": _naive(RUN_START), "end": _naive(RUN_END),
              "since": _naive(now - timedelta(days=7)), "now": _naive(now),
              "reminded": _naive(now - timedelta(days=90)),
              "next_start": _naive(RUN_END), "next_end": _naive(NEXT_RUN_END)}

    async def export() -> None:
        found = await payroll_export(env, "tromso-hk", "2026-03")
        render_csv(found)

    async def report() -> None:
        await digest(env, "tromso-hk", now)

    return {"export": await median_of_3(export),
            "export_raw": await median_of_3(lambda: _raw(engine, EXPORT_SQL, params)),
            "digest": await median_of_3(report),
            "digest_raw": await median_of_3(lambda: _raw(engine, DIGEST_SQL, params))}
