"""The bot's work per update counted in instructions (valgrind's callgrind), not seconds.

Why: on the shared VMs this runs on, the CPU seconds of the same bot moved by up to 45 %
between runs minutes apart, and pairing rounds back to back (``python -m bench --pairs``)
did not take that out, so no run could say whether Kvitt's row was under issue 13's
1.5×. Callgrind counts the instructions a process executes: the same program on the same
input gives the same count whatever else the machine is doing (``perf stat`` counts
nothing on these VMs).

How: each count is a child process (``--child``) run under callgrind that builds the
bench's world (a fresh SQLite file, or a fresh PostgreSQL database), makes the members,
learns the buttons' labels and starts the bot, then plays the dialog of
``bench.dialog_bench`` for ``rounds`` rounds. It runs twice, with ``--rounds`` and with
``--rounds`` + ``--more`` rounds; the difference in instructions over the difference in
updates is the bot's instructions per update, everything before the rounds (imports,
schema, members, the labels, the bot's start and stop) cancelling out. The local Bot API
endpoint and PostgreSQL are processes of their own and are not counted, as they are not
in the bench's CPU seconds. ``PYTHONHASHSEED`` is fixed, so dictionaries hash alike.

What it does not say: an instruction is not a second (a cache miss costs more than an
add), and under callgrind the bot runs about 40 times slower, so it never reaches
Telegram's 30 messages a second; the count is what the bot does with an update (the
table's "both without the rate limiter"), not the cost of running at Telegram's rate.

    python -m bench.instructions [--chats 16] [--sqlite-only|--pg-only] [--repeat 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import dialog_bench
from bench.scratch import PG, scratch_database
from harness.bot_api import BotApiServer
from harness.region import world
from store.engine import make_engine, sqlite_url
from store.migrate import upgrade

BOTS = ("echo", "kvitt", "kvitt-free")  # kvitt-free: Kvitt without its rate limiter


async def child(bot: str, url: str | None, chats: int, rounds: int) -> dict[str, int]:
    """Play ``rounds`` rounds of the dialog with ``bot``; the updates and errors."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        server = BotApiServer().start()
        engine = make_engine(url or sqlite_url(folder))
        try:
            await upgrade(engine)
            env, _clock, _referee = await world(engine, datetime(2026, 3, 5, 12, tzinfo=UTC))
            users = list(range(9001, 9001 + chats))
            await dialog_bench.join(env, users)
            texts = await dialog_bench.discover(server, env, folder)
            errors = 0
            if bot == "echo":
                await dialog_bench.echo(server, users, texts, rounds=rounds)
            else:
                _runs, errors = await dialog_bench.kvitt(server, env, users, texts, folder,
                                                         rounds, limited=bot == "kvitt")
            return {"updates": rounds * chats * len(texts), "errors": errors}
        finally:
            await engine.dispose()
            server.stop()


def counted(bot: str, url: str | None, chats: int, rounds: int) -> tuple[int, int, int]:
    """Run one child under callgrind: its instructions, updates and errors."""
    with tempfile.TemporaryDirectory() as name:
        out = Path(name) / "callgrind.out"
        command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                   sys.executable, "-m", "bench.instructions", "--child", bot,
                   "--chats", str(chats), "--rounds", str(rounds),
                   *(["--url", url] if url else [])]
        done = subprocess.run(command, capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": "0"}, check=False)
        if done.returncode:
            raise RuntimeError(f"{bot} under callgrind failed:\n{done.stderr[-3000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        return totals(out.read_text()), result["updates"], result["errors"]


def totals(callgrind_out: str) -> int:
    """The instructions a callgrind output file counts in all (its ``totals:`` line)."""
    found = re.search(r"^totals: (\d+)", callgrind_out, re.MULTILINE)
    if found is None:
        raise ValueError("not a callgrind output file: no totals line")
    return int(found.group(1))


def per_update(few: tuple[int, int], many: tuple[int, int]) -> float:
    """Instructions per update from two runs' (instructions, updates): their difference."""
    if many[1] <= few[1]:
        raise ValueError("the longer run must play more updates")
    return (many[0] - few[0]) / (many[1] - few[1])


async def measure(bot: str, pg: str | None, chats: int, rounds: int, more: int
                  ) -> tuple[float, int]:
    """Instructions per update by the difference of two runs; and the errors answered."""
    counts = []
    for n in (rounds, rounds + more):
        if pg is None:
            counts.append(counted(bot, None, chats, n))
        else:
            async with scratch_database(pg, "kvitt_instr") as url:
                counts.append(counted(bot, url, chats, n))
    (few, few_updates, few_errors), (many, many_updates, many_errors) = counts
    return per_update((few, few_updates), (many, many_updates)), few_errors + many_errors


async def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__)
    parser.add_argument("--child", choices=BOTS, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--chats", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1, help="rounds of the shorter run")
    parser.add_argument("--more", type=int, default=1, help="rounds the longer run adds")
    parser.add_argument("--repeat", type=int, default=1, help="count each figure N times")
    parser.add_argument("--pg", default=PG, help="a PostgreSQL server's URL (any database)")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--pg-only", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(await child(args.child, args.url, args.chats, args.rounds)))
        return
    print("| database, chats | Kvitt, instructions per update | bare echo bot | ratio | "
          "Kvitt with its rate limiter (not binding) | ratio | goal |")
    print("|---|---|---|---|---|---|---|", flush=True)
    databases = [("SQLite", None)] * (not args.pg_only) + [("PostgreSQL", args.pg)] * (
        not args.sqlite_only)
    started = time.monotonic()
    for name, pg in databases:
        for _ in range(args.repeat):
            figures = {}
            errors = 0
            for bot in BOTS:
                figures[bot], errs = await measure(bot, pg, args.chats, args.rounds,
                                                      args.more)
                errors += errs
            echo = figures["echo"]
            print(f"| {name}, {args.chats} | {figures['kvitt-free'] / 1e6:.2f} M | "
                  f"{echo / 1e6:.2f} M | {figures['kvitt-free'] / echo:.2f}× | "
                  f"{figures['kvitt'] / 1e6:.2f} M | {figures['kvitt'] / echo:.2f}× | "
                  f"≤ 1.5×{f'; {errors} errors' if errors else ''} |", flush=True)
    print(f"\n({' '.join(sys.argv[1:]) or 'default'} run; {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    asyncio.run(main())
