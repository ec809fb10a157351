"""What does one wizard turn cost the bot? CPU per update, against a bare echo bot.

Run: ``.venv/bin/python -m bench.bot_bench``. Both bots run in this process
against the local Bot API endpoint (another process, which drives each user's
messages one after the other). The baseline is a PTB echo bot; the measured bot
is Kvitt's, where each message is a full dialog turn on SQLite (state loaded,
step run, state saved, committed). The figure that matters is the ratio, and
CPU rather than wall time, since the endpoint can be the slower side.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from telegram import Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bot.telegram_app import build_application, start_bot, stop_bot
from harness.bot_api import BotApiServer, application_builder
from harness.env import EXAMPLES, sql_env
from service import admin, members
from store.blobs import FileBlobs
from store.engine import make_engine, sqlite_url
from store.migrate import upgrade

MESSAGES = 200


async def _cpu_per_update(server: BotApiServer, users: list[int], texts: list[str]) -> float:
    before_calls = len(server.calls("sendMessage"))
    start = time.process_time()
    for user in users:
        server.send_sequence(user, texts)
    await server.wait_for_calls("sendMessage", before_calls + len(users) * len(texts),
                                timeout=300)
    return (time.process_time() - start) / (len(users) * len(texts))


async def echo_bot(server: BotApiServer, users: list[int]) -> float:
    """The baseline: a bare PTB bot answering each text with the same text."""
    app = application_builder(server).concurrent_updates(8).build()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        return await _cpu_per_update(server, users, ["hei"] * (MESSAGES // len(users)))
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def kvitt_bot(server: BotApiServer, users: list[int], folder: Path) -> float:
    """Kvitt's bot: each message one dialog turn (the wizard's answer to unclear input)."""
    folder.mkdir(parents=True, exist_ok=True)
    engine = make_engine(sqlite_url(folder))
    await upgrade(engine)
    env = replace(sql_env(engine), blobs=FileBlobs(folder / "blobs"))
    await admin.apply_organisations(env, (EXAMPLES / "forening-kvann.toml").read_text())
    for user in users:
        invite = await admin.create_invite(env, "eksempel-forening")
        await members.join(env, user, "Bench", invite.code)
    app = build_application(env, "123:ABC", api_url=server.base_url)
    await start_bot(app, poll_timeout=1)
    try:
        # a joined user with no open question: each text is a full turn answered with help
        return await _cpu_per_update(server, users, ["hei"] * (MESSAGES // len(users)))
    finally:
        await stop_bot(app)
        await engine.dispose()


async def main() -> None:
    """Print CPU ms per update, sequential (1 user) and concurrent (8 users), and ratios."""
    server = BotApiServer().start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            print(f"{'users':<6} {'echo ms':>8} {'kvitt ms':>9} {'ratio':>6}")
            for n, users in ((1, [9001]), (8, list(range(9101, 9109)))):
                base = await echo_bot(server, users)
                ours = await kvitt_bot(server, users, Path(folder) / str(n))
                print(f"{n:<6} {base * 1000:>8.2f} {ours * 1000:>9.2f} {ours / base:>6.1f}")
    finally:
        server.stop()


if __name__ == "__main__":
    asyncio.run(main())
