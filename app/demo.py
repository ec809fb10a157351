"""``kvitt demo``: the claim workflow end to end on a temporary SQLite database.

A referee files a claim across two clubs (match fees, driving with passengers,
per diem with a hotel night split by honorarbrøk); both clubs get approval
requests; one approves, the other returns with a reason; the referee fixes and
resubmits; both approve. Every step goes through the same service layer the
bot and the mail gateway call. Until those exist (issues 4–6) the claimant's
and approvers' actions are scripted here; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from app.settings import Settings
from app.wiring import service_env
from domain.claim import ClaimLine
from domain.lines import ItemLine, MileageLeg, Night, PerDiem
from domain.money import format_kr
from domain.service import admin, approvals, claims, members
from domain.service.context import Env
from domain.store import tables as t
from domain.store.engine import make_engine
from domain.store.migrate import upgrade
from domain.store.uow import SqlUnitOfWork

REGION = """
rate_set = "handball-nord"
[[rate_tables]]
name = "handball-nord"
kind = "paid"
base = "state"
valid_from = 2026-01-01
valid_to = 2026-12-31
[rate_tables.km]
car = "3.50"
passenger = "1.00"
[[organisations]]
slug = "tromso-hk"
name = "Tromsø Håndballklubb"
org_number = "971524960"
[[organisations.stages]]
name = "godkjenning"
approvers = ["dommer@tromso-hk.no"]
[[organisations]]
slug = "bodo-hk"
name = "Bodø Håndballklubb"
org_number = "983887457"
[[organisations.stages]]
name = "godkjenning"
approvers = ["dommer@bodo-hk.no"]
"""


def say(text: str = "") -> None:
    """Print one line of the demo."""
    print(text, flush=True)


async def _requests(engine_url: str) -> dict[str, str]:
    """The newest approval request per approver (recipient → reply key), as mailed."""
    engine = make_engine(engine_url)
    async with SqlUnitOfWork(engine) as uow:
        rows = (await uow.connection.execute(select(t.outbox).where(
            t.outbox.c.kind == "approval_request").order_by(t.outbox.c.id))).mappings().all()
    await engine.dispose()
    return {r["recipient"]: r["payload"]["reply_key"] for r in rows}


async def _status(env: Env, claimant_id: str, claim_id: str) -> None:
    view = await claims.summary(env, claimant_id, claim_id)
    say(f"   Status: {view.status.nb}")


async def run_demo(data_dir: Path) -> int:
    """Run the scripted workflow in ``data_dir``; returns the exit status."""
    settings = Settings(data_dir, f"sqlite+aiosqlite:///{data_dir / 'kvitt.sqlite3'}")
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    await upgrade(engine)
    await engine.dispose()
    async with service_env(settings) as env:
        say("== Kvitt demo: dommerregning for to klubber / a referee claim for two clubs ==")
        for org, _ in await admin.apply_organisations(env, REGION):
            say(f"Organisasjon: {org.name}")
        codes = [(await admin.create_invite(env, slug)).code for slug in ("tromso-hk", "bodo-hk")]
        kari = None
        for code in codes:
            kari, _ = await members.join(env, 1001, "Kari Dommer", code)
        assert kari is not None
        await members.update_profile(env, kari.id, email="kari@example.no",
                                     bank_account="1234 56 78903")
        say("Kari blir med i begge klubbene via invitasjon og oppgir kontonummer **** ** *8903.")

        day1 = env.clock().date() - timedelta(days=9)  # last weekend-ish, inside the deadline
        day2 = day1 + timedelta(days=1)
        claim = await claims.create_claim(env, kari.id, ["tromso-hk", "bodo-hk"],
                                          f"Kamper {day1:%d.%m.}–{day2:%d.%m.%Y}",
                                          route="Tromsø – Bodø")
        lines = [
            ClaimLine("fee-1", ItemLine(day1, Decimal(1), Decimal("565.00"), True,
                                        "Kamphonorar 3. div", "kamp-3div"), payer="tromso-hk"),
            ClaimLine("fee-2", ItemLine(day2, Decimal(1), Decimal("310.00"), True,
                                        "Kamphonorar 5. div", "kamp-5div"), payer="bodo-hk"),
            ClaimLine("car", MileageLeg(day1, Decimal(184), passengers=())),
            ClaimLine("diett", PerDiem(datetime.combine(day1, time(8)),
                                       datetime.combine(day2, time(19, 30)),
                                       Decimal(180), (Night(day1, "hotel"),))),
        ]
        for line in lines:
            await claims.add_line(env, kari.id, claim.id, line)
        await _summary(env, kari.id, claim.id)

        await claims.submit(env, kari.id, claim.id)
        say("\nKari sender inn (/send). Godkjenningsforespørsler i utboksen:")
        keys = await _requests(settings.database_url)
        for approver in keys:
            say(f"   → {approver}: «Svar GODKJENT, eller RETUR og grunnen»")
        await _status(env, kari.id, claim.id)

        target = await approvals.target_of_key(env, keys["dommer@tromso-hk.no"],
                                               "dommer@tromso-hk.no")
        await approvals.decide(env, target, "dommer@tromso-hk.no", "approve")
        say("\nTromsø svarer: GODKJENT")
        await _status(env, kari.id, claim.id)
        target = await approvals.target_of_key(env, keys["dommer@bodo-hk.no"],
                                               "dommer@bodo-hk.no")
        await approvals.decide(env, target, "dommer@bodo-hk.no", "return",
                               "Passasjeren Ola mangler på kjøringen.")
        say("Bodø svarer: RETUR Passasjeren Ola mangler på kjøringen.")
        await _status(env, kari.id, claim.id)

        fixed = ClaimLine("car", MileageLeg(day1, Decimal(184), passengers=("Ola",)))
        await claims.change_line(env, kari.id, claim.id, fixed)
        await claims.submit(env, kari.id, claim.id)
        say("\nKari legger til passasjeren og sender på nytt; begge klubbene må godkjenne igjen.")
        keys = await _requests(settings.database_url)
        for approver, key in keys.items():
            target = await approvals.target_of_key(env, key, approver)
            await approvals.decide(env, target, approver, "approve")
            say(f"{approver}: GODKJENT")
        await _status(env, kari.id, claim.id)
        await _summary(env, kari.id, claim.id)
    say("\nFerdig. / Done.")
    return 0


async def _summary(env: Env, claimant_id: str, claim_id: str) -> None:
    view = await claims.summary(env, claimant_id, claim_id)
    say(f"\nKrav {view.claim.reference} «{view.claim.title}»:")
    for line in view.lines:
        if line.result is not None:
            say(f"   {line.line.kind:<9} {format_kr(line.result.amount):>10}  "
                f"{line.result.breakdown[0].nb}")
    totals = view.totals
    say(f"   Sum {format_kr(totals.amount)} kr: trekkfritt {format_kr(totals.taxfree)}, "
        f"trekkpliktig {format_kr(totals.taxable)}")
    for slug, share in view.payers.items():
        say(f"   {view.payer_names[slug]} betaler {format_kr(share.amount)} (honorarbrøk)")


def demo(args: argparse.Namespace) -> int:
    """``kvitt demo [--keep DIR]``."""
    if args.keep:
        return asyncio.run(run_demo(Path(args.keep)))
    with tempfile.TemporaryDirectory(prefix="kvitt-demo-") as folder:
        return asyncio.run(run_demo(Path(folder)))
