"""One command, one table: ``python -m bench [--full] [--pg URL] [--only reports|bot|inbound]``.

For SQLite (a temporary file) and PostgreSQL (a database made for the run and dropped),
with 0, 1k and 10k claims stored (``--full``: 100k too, ~15 minutes more on 2 cores):
approvers' replies through a real Dovecot against a bare fetch-parse-record reader
(1,000 replies), the admin digest and the payroll export against the raw SQL aggregate
(1k/10k/100k),
and the bot on a realistic dialog at 1, 16 and 100 chats against a bare echo bot
(0 and 10k stored claims; 100k with ``--full``). Every figure is the median of three,
every ratio against a baseline measured in the same run. The table is Markdown, for
``bench/README.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench import dialog_bench, inbound_bench, report_bench, seed
from bench.scratch import PG, scratch_database
from harness.bot_api import BotApiServer
from harness.region import world
from harness.statements import counted
from service.context import Env
from store.engine import make_engine, sqlite_url
from store.migrate import upgrade

NOW = datetime(2026, 3, 12, 9, tzinfo=UTC)  # the payroll day: the run of 2026-03 is closed
CHATS = (1, 16, 100)


def row(what: str, ours: str, base: str, ratio: float | None, goal: str) -> None:
    shown = "–" if ratio is None else f"{ratio:.2f}×"
    print(f"| {what} | {ours} | {base} | {shown} | {goal} |", flush=True)


def cpu_row(at: str, ours: float, base_name: str, base: float, goal: str = "–", *,
            after: str = "") -> None:
    """A row of the bot's CPU seconds per update against a baseline's, in ms."""
    row(f"bot CPU per update, {at}", f"{ours * 1000:.1f} ms",
        f"{base_name} {base * 1000:.1f} ms{after}", ours / base, goal)


def throughput_row(at: str, ours: float, base_name: str, base: float,
                   goal: str = "–") -> None:
    """A row of the bot's updates a second against a baseline's."""
    row(f"bot throughput, {at}", f"{ours:.0f} updates/s", f"{base_name} {base:.0f} updates/s",
        ours / base, goal)


async def paired_rows(server: BotApiServer, env: Env, users: list[int], texts: list[str],
                      folder: Path, at: str, pairs: int) -> None:
    """The bot's CPU rows as ratios within alternating pairs of rounds (``--pairs``)."""
    errors = 0
    for limited, echo_limited, how in (
            (True, False, "Kvitt at 30/s, against the bare echo bot (the issue's row)"),
            (True, True, "both with the rate limiter"),
            (False, False, "both without the rate limiter")):
        found = await dialog_bench.paired(server, env, users, texts, folder, pairs,
                                          limited=limited, echo_limited=echo_limited)
        ratios = found.ratios
        errors += found.errors
        base = "echo + limiter" if echo_limited else "echo"
        row(f"bot CPU per update, {at}, {how}, {pairs} pairs of rounds back to back",
            "ratios " + " ".join(f"{r:.2f}" for r in sorted(ratios)),
            f"{base} (median of the pairs' ratios; range {min(ratios):.2f}–{max(ratios):.2f})",
            statistics.median(ratios), "≤ 1.5×" if not echo_limited else "–")
        throughput_row(f"{at}, {how} (median of the rounds)",
                       statistics.median(found.ours), base, statistics.median(found.theirs),
                       "–" if echo_limited else "grows with chats")
    row(f"errors, {at}, paired rounds", str(errors), "–", None, "0")


async def one_database(name: str, url: str, sizes: list[int], bot_sizes: set[int],
                       only: str | None, server: BotApiServer | None,
                       folder: Path, pairs: int = 0) -> None:
    engine = make_engine(url)
    await upgrade(engine)
    env, clock, referee = await world(engine, datetime(2026, 3, 5, 12, tzinfo=UTC))
    template = await seed.one_claim(env, referee)
    users = list(range(9001, 9001 + max(CHATS)))
    texts: list[str] = []
    if server is not None and only != "reports":
        await dialog_bench.join(env, users)
        texts = await dialog_bench.discover(server, env, folder)
    if only in (None, "inbound"):
        r = await inbound_bench.measure(engine, env, referee)
        if r is None:
            print(f"| inbound replies, {name} | Dovecot not installed | – | – | ≤ 2× |")
        else:
            row(f"inbound approval replies through Dovecot, 1,000 replies, {name}",
                f"{r['inbound'] * 1000:.1f} ms/reply",
                f"fetch + parse + one row {r['inbound_raw'] * 1000:.1f} ms/reply",
                r["inbound"] / r["inbound_raw"], "≤ 2×")
        if only == "inbound":
            await engine.dispose()
            return
    have = 0
    for size in sizes:
        if size:
            await seed.grow(engine, template, referee, have, size, NOW)
            have = size
        label = f"{size // 1000}k" if size else "0"
        if size and only != "bot":
            r = await report_bench.measure(engine, env, NOW)
            row(f"admin digest, {label} claims, {name}", f"{r['digest'] * 1000:.0f} ms",
                f"raw SQL {r['digest_raw'] * 1000:.0f} ms", r["digest"] / r["digest_raw"],
                "≤ 2×")
            row(f"payroll export, {label} claims, {name}", f"{r['export'] * 1000:.0f} ms",
                f"raw SQL {r['export_raw'] * 1000:.0f} ms", r["export"] / r["export_raw"],
                "≤ 2×")
        if server is not None and size in bot_sizes and only != "reports":
            for n in CHATS:
                chat_users = users[:n]
                if pairs:
                    await paired_rows(server, env, chat_users, texts, folder,
                                      f"{n} chats, {label} claims, {name}", pairs)
                    continue
                base = dialog_bench.medians(await dialog_bench.echo(server, chat_users, texts))
                fair = dialog_bench.medians(await dialog_bench.echo(server, chat_users, texts,
                                                                    limited=True))
                with counted(engine, control=True) as statements:
                    runs, errors = await dialog_bench.kvitt(server, env, chat_users, texts,
                                                            folder)
                ours = dialog_bench.medians(runs)
                updates = len(texts) * (1 + len(runs) * n)  # one chat unmeasured, then rounds
                at = f"{n} chats, {label} claims, {name}"
                row(f"bot SQL statements per update, {at}", f"{len(statements) / updates:.2f}",
                    "–", None, "–")
                limiter = ", against an echo bot with the same rate limiter"
                cpu_row(at, ours[0], "echo", base[0], "≤ 1.5×")
                cpu_row(at + limiter, ours[0], "echo + limiter", fair[0])
                if n >= dialog_bench.CONCURRENCY:  # the bound is full: pace by Kvitt's rate
                    paced = dialog_bench.medians(await dialog_bench.echo(
                        server, chat_users, texts, pace=dialog_bench.CONCURRENCY / ours[1]))
                    cpu_row(f"{at}, against the bare echo bot paced to Kvitt's {ours[1]:.0f} "
                            "updates/s (no limiter)", ours[0], "paced echo", paced[0],
                            after=f" ({paced[1]:.0f} updates/s)")
                throughput_row(at, ours[1], "echo", base[1], "grows with chats")
                throughput_row(at + limiter, ours[1], "echo + limiter", fair[1])
                free_runs, free_errors = await dialog_bench.kvitt(
                    server, env, chat_users, texts, folder, limited=False)
                free = dialog_bench.medians(free_runs)
                unlimited = ", Kvitt as well without the rate limiter"
                cpu_row(at + unlimited, free[0], "echo", base[0], "≤ 1.5×")
                throughput_row(at + unlimited, free[1], "echo", base[1], "grows with chats")
                row(f"errors, {at}", str(errors + free_errors), "–", None, "0")
    await engine.dispose()
    del clock


async def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--full", action="store_true", help="100k claims too")
    parser.add_argument("--pg", default=PG, help="a PostgreSQL server's URL (any database)")
    parser.add_argument("--only", choices=("reports", "bot", "inbound"))
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--pg-only", action="store_true", help="PostgreSQL alone")
    parser.add_argument("--pairs", type=lambda v: max(int(v), 1), default=0, metavar="N",
                        help="the bot's CPU as Kvitt/echo ratios within N alternating pairs "
                             "of rounds, in place of its median-of-three rows (for a noisy "
                             "machine)")
    parser.add_argument("--sizes", type=lambda v: [int(n) for n in v.split(",")],
                        help="stored claims, e.g. 0 or 0,10000 (default 0,1000,10000; the "
                             "bot runs at 0, 10000 and 100000 of them)")
    args = parser.parse_args()
    sizes = args.sizes or [0, 1000, 10000, *([100000] if args.full else [])]
    bot_sizes = {0, 10000, *([100000] if args.full else [])}
    print("| what | Kvitt | baseline in the same run | ratio | goal |")
    print("|---|---|---|---|---|", flush=True)
    server = None if args.only in ("reports", "inbound") else BotApiServer().start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            if not args.pg_only:
                await one_database("SQLite", sqlite_url(Path(folder)), sizes, bot_sizes,
                                   args.only, server, Path(folder), args.pairs)
            if server is not None:
                server.reset()
            if not args.sqlite_only:
                async with scratch_database(args.pg, "kvitt_bench") as url:
                    await one_database("PostgreSQL", url, sizes, bot_sizes, args.only, server,
                                       Path(folder) / "pg", args.pairs)
    finally:
        if server is not None:
            server.stop()
    print(f"\n({' '.join(sys.argv[1:]) or 'default'} run; sizes {sizes})")


if __name__ == "__main__":
    asyncio.run(main())
