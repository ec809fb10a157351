"""What does a use case cost on the real store? A ratio against a bare transaction.

Run: ``.venv/bin/python -m bench.store_bench [postgresql+asyncpg://…]``. For SQLite
(a temporary file) and, when reachable, PostgreSQL: the time of a use case
(add a line to a 10-line claim; approve one payer of two) divided by the time of
an empty unit of work running ``SELECT 1`` in the same process. Not a test.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select, text

from domain.claim import ClaimLine
from domain.lines import ItemLine, MileageLeg
from harness.env import EXAMPLES, sql_env
from service import admin, approvals, claims, members
from store import tables as t
from store.engine import make_engine, sqlite_url
from store.migrate import upgrade
from store.uow import SqlUnitOfWork


async def _timed(work: Callable[[], Awaitable[object]], rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        await work()
    return (time.perf_counter() - start) / rounds


async def measure(url: str, rounds: int = 60) -> dict[str, float]:
    """Per operation: seconds per call, and the baseline."""
    engine = make_engine(url)
    await upgrade(engine)
    env = sql_env(engine)
    await admin.apply_organisations(env, (EXAMPLES / "handball-region-nord.toml").read_text())
    claimant = None
    for slug in ("tromso-hk", "bodo-hk"):
        invite = await admin.create_invite(env, slug)
        claimant, _ = await members.join(env, 7, "Bench", invite.code)
    assert claimant is not None
    claim = await claims.create_claim(env, claimant.id, ["tromso-hk", "bodo-hk"], "Bench")
    for n in range(10):
        await claims.add_line(env, claimant.id, claim.id, ClaimLine(
            f"b{n}", MileageLeg(date(2026, 3, 1), Decimal(50 + n))))

    async def baseline() -> None:
        async with SqlUnitOfWork(engine) as uow:
            await uow.connection.execute(text("SELECT 1"))
            await uow.commit()

    counter = iter(range(10**6))

    async def add_line() -> None:
        await claims.add_line(env, claimant.id, claim.id, ClaimLine(
            f"x{next(counter)}", ItemLine(date(2026, 3, 1), Decimal(1), Decimal(310))))

    results = {"baseline": await _timed(baseline, rounds),
               "add_line": await _timed(add_line, rounds)}
    approve_times = []
    for _ in range(max(rounds // 6, 5)):
        fresh = await claims.create_claim(env, claimant.id, ["tromso-hk", "bodo-hk"], "A")
        await claims.add_line(env, claimant.id, fresh.id, ClaimLine(
            "f", ItemLine(date.today(), Decimal(1), Decimal(310)), payer="tromso-hk"))
        await claims.submit(env, claimant.id, fresh.id)
        async with SqlUnitOfWork(engine) as uow:
            key = (await uow.connection.execute(select(t.reply_keys.c.key).where(
                t.reply_keys.c.claim_id == fresh.id,
                t.reply_keys.c.payer == "tromso-hk"))).scalar_one()
        start = time.perf_counter()
        target = await approvals.target_of_key(env, key, "dommer@tromso-hk.no")
        await approvals.decide(env, target, "dommer@tromso-hk.no", "approve")
        approve_times.append(time.perf_counter() - start)
    results["approve"] = sorted(approve_times)[len(approve_times) // 2]
    await engine.dispose()
    return results


def main() -> None:
    """Print the ratios for SQLite and (if given or reachable) PostgreSQL."""
    with tempfile.TemporaryDirectory() as folder:
        urls = {"sqlite": sqlite_url(Path(folder))}
        pg = sys.argv[1] if len(sys.argv) > 1 else None
        if pg:
            urls["postgresql"] = pg
        print(f"{'database':<11} {'baseline ms':>11} {'add_line ×':>11} {'approve ×':>10}")
        for name, url in urls.items():
            r = asyncio.run(measure(url))
            base = r["baseline"]
            print(f"{name:<11} {base * 1000:>11.2f} {r['add_line'] / base:>11.1f}"
                  f" {r['approve'] / base:>10.1f}")


if __name__ == "__main__":
    main()
