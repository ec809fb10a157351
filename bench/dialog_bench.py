"""The bot on a realistic dialog: CPU per update and throughput against a bare echo bot.

Each chat is a claimant's second claim: a draft is already open, so ``/ny`` asks
whether to continue it and the script starts a new one, for two clubs, and adds a
whole driving line (date, vehicle, from, to, km, passengers, return trip, how to split
it), then asks for the summary: 17 updates, every answer typed (a button's label typed
is the same answer as the button; the endpoint drives typed messages itself, so the
bench process spends CPU only on the bot). 1, 16 or 100 chats talk at once. The
baseline is a PTB echo bot with the same concurrency bound, endpoint and number of
updates. Errors are the bot's "Beklager, noe gikk galt" answers.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, replace
from pathlib import Path

from telegram import Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bot.ratelimit import TelegramLimits
from bot.telegram_app import build_application, start_bot, stop_bot
from harness.bot_api import BotApiServer, application_builder
from harness.telegram_user import TelegramUser
from service import admin, claims, members
from service.context import Env
from store.blobs import FileBlobs

CONCURRENCY = 8  # the bot's bound (build_application's default); the echo bot gets the same
Run = tuple[float, float]  # one round: CPU seconds per update, updates per second
SCRIPT = (("type", "/ny"), ("press", "Start et nytt"), ("press", "Tromsø"), ("press", "Bodø"),
          ("press", "Ferdig"),
          ("type", "Kamper i helgen"), ("press", "Hopp over"), ("press", "Kjøring"),
          ("type", "lørdag"), ("press", "Bil"), ("type", "Tromsø"), ("type", "Bodø"),
          ("type", "184 km"), ("type", "Ola, Per"), ("press", "Nei"),
          ("press", "honorarbrøk"), ("type", "/oppsummering"))
ERROR = "Beklager, noe gikk galt"


@dataclass
class Paired:
    """What ``paired`` found: CPU ratios within each pair, each side's updates a second."""

    ratios: list[float]
    ours: list[float]  # Kvitt's throughput, a round each
    theirs: list[float]  # the echo bot's
    errors: int


async def join(env: Env, users: list[int]) -> None:
    """Each user a member of both clubs, with a draft open (so every round is alike)."""
    for user in users:
        claimant = None
        for slug in ("tromso-hk", "bodo-hk"):
            invite = await admin.create_invite(env, slug)
            claimant, _ = await members.join(env, user, f"Dommer {user}", invite.code)
        assert claimant is not None
        await claims.create_claim(env, claimant.id, ["tromso-hk"], "Kladd")


async def script_texts(server: BotApiServer, user: int) -> list[str]:
    """The script as typed texts: each button's whole label, found by pressing it once."""
    person = TelegramUser(server, user)
    texts = []
    for action, words in SCRIPT:
        if action == "type":
            await person.type(words)
            texts.append(words)
            continue
        label = next(b["text"] for c in reversed(person._ours()) for row in c.buttons
                     for b in row if words in b["text"])
        await person.press(words)
        texts.append(label)
    assert "Sum" in person.text, person.text
    return texts


async def _drive(server: BotApiServer, users: list[int], texts: list[str],
                 per_chat: int, *, summary: bool = False) -> Run:
    """CPU seconds per update and updates per second of wall time, for one round.

    The wait counts the bot's ``sendMessage`` calls in the endpoint (``per_chat`` per
    script) and fetches none of them, so waiting costs this process nothing, for Kvitt as
    for the echo bot (until 8 December it fetched and parsed the round's calls when it
    returned, inside the measured time: more for the bot making more calls). With
    ``summary`` every chat must have reached the claim's summary, or the round fails.
    """
    before = len(server.calls("sendMessage"))
    cpu, wall = time.process_time(), time.perf_counter()
    for user in users:
        server.send_sequence(user, texts)
    await server.wait_for_count("sendMessage", before + len(users) * per_chat, 900)
    n = len(users) * len(texts)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finished = 0 if not summary else sum(
        any("Sum" in r for r in server.replies(u)[-3:]) for u in users)
    if summary and finished < len(users):  # a bench of a broken dialog measures nothing
        raise AssertionError(f"only {finished} of {len(users)} chats reached the summary")
    return cpu / n, n / wall


async def echo(server: BotApiServer, users: list[int], texts: list[str], *,
               limited: bool = False, pace: float = 0.0, rounds: int = 3) -> list[Run]:
    """The baseline, ``rounds`` rounds; ``limited``: with the rate limiter Kvitt's bot uses.

    Kvitt keeps to Telegram's limits (about 30 messages a second in all) with its own
    ``TelegramLimits``. Held at that limit an echo bot costs more CPU per update than
    the unlimited one (fewer updates arrive together to share a ``getUpdates`` and a
    wake-up: about 1.5× here, 2× with PTB's ``AIORateLimiter``) and its throughput is
    capped at 30 updates a second, so the bench shows both floors.

    ``pace``: the bare echo bot, no limiter, but each answer waits that many seconds
    first (an ``asyncio.sleep``, a timer and nothing else), so that with the concurrency
    bound full it answers about as many updates a second as Kvitt did. It tells the cost
    of answering 30 updates a second rather than 400 (each ``getUpdates`` and wake-up of
    the loop shared by fewer) from the cost of the limiter's own code.
    """
    builder = application_builder(server).concurrent_updates(CONCURRENCY)
    app = (builder.rate_limiter(TelegramLimits()) if limited else builder).build()

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        if pace:
            await asyncio.sleep(pace)
        await update.effective_message.reply_text(update.effective_message.text or "")

    app.add_handler(MessageHandler(filters.TEXT, answer))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        return [await _drive(server, users, texts, len(texts)) for _ in range(rounds)]
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def kvitt(server: BotApiServer, env: Env, users: list[int], texts: list[str],
                folder: Path, rounds: int = 3, *, limited: bool = True
                ) -> tuple[list[Run], int]:
    """Kvitt's bot, ``rounds`` rounds of the script; and the errors it answered.

    ``limited=False``: without the rate limiter, as the bare echo bot runs, so that the
    two differ only in what the bot does with an update.
    """
    env = replace(env, blobs=FileBlobs(folder / "blobs"))
    app = build_application(env, "123:ABC", api_url=server.base_url,
                            telegram_limits=limited)
    await start_bot(app, poll_timeout=1)
    errors_before = sum(ERROR in r for u in users for r in server.replies(u))
    try:
        # one chat first, unmeasured: how many messages the bot sends for the script
        sent = len(server.calls("sendMessage"))
        server.send_sequence(users[0], texts)
        await server.wait_for(lambda: any("Sum" in r for r in server.replies(users[0])[-3:]),
                              300)
        await asyncio.sleep(0.5)
        per_chat = len(server.calls("sendMessage")) - sent
        found = [await _drive(server, users, texts, per_chat, summary=True)
                 for _ in range(rounds)]
    finally:
        await stop_bot(app)
    errors = sum(ERROR in r for u in users for r in server.replies(u)) - errors_before
    return found, errors


async def paired(server: BotApiServer, env: Env, users: list[int], texts: list[str],
                 folder: Path, pairs: int, *, limited: bool,
                 echo_limited: bool = False) -> Paired:
    """Kvitt's CPU per update over the bare echo bot's, for ``pairs`` pairs of rounds.

    Why: on the machines this runs on, the echo bot's own cost moved by up to 45 % between
    runs minutes apart (2.3 to 5.3 ms an update), so three rounds of one bot, then three
    of the other, measure the machine's drift as much as the bots. Here each pair is one
    round of each, run back to back (which goes first alternates), and the ratio is taken
    within the pair; the median of the pairs' ratios and their range are the figures.
    Kvitt ``limited``: at Telegram's 30 a second, as it runs (the issue's row); else
    without the limiter, as the echo bot runs; the echo bot with the same limiter when
    ``echo_limited``. Also each round's throughput, and the errors Kvitt answered.
    """
    found = Paired([], [], [], 0)
    for i in range(pairs):
        async def ours() -> Run:
            runs, errs = await kvitt(server, env, users, texts, folder, 1, limited=limited)
            found.errors += errs
            return runs[0]

        async def theirs() -> Run:
            return (await echo(server, users, texts, rounds=1, limited=echo_limited))[0]

        if i % 2:
            mine = await ours()
            base = await theirs()
        else:
            base = await theirs()
            mine = await ours()
        found.ratios.append(mine[0] / base[0])
        found.ours.append(mine[1])
        found.theirs.append(base[1])
    return found


def medians(runs: list[Run]) -> tuple[float, float]:
    """Median CPU per update and median throughput."""
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))


async def discover(server: BotApiServer, env: Env, folder: Path) -> list[str]:
    """Run the script once by hand to learn the labels, on a user of its own."""
    await join(env, [8999])
    app = build_application(replace(env, blobs=FileBlobs(folder / "blobs")), "123:ABC",
                            api_url=server.base_url)
    await start_bot(app, poll_timeout=1)
    try:
        return await script_texts(server, 8999)
    finally:
        await stop_bot(app)


