"""Webhook mode: Telegram posts updates to the bot; only posts carrying the secret count."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.telegram_app import Webhook, build_application, start_bot, stop_bot
from harness.bot_api import BotApiServer
from store.blobs import FileBlobs
from store.engine import make_engine, sqlite_url
from store.migrate import upgrade
from tests.integration.helpers import Clock, sql_env
from tests.support import free_port


def _post(url: str, update: dict[str, Any], secret: str | None) -> int:
    request = urllib.request.Request(url, data=json.dumps(update).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    if secret:
        request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            status: int = answer.status
            return status
    except urllib.error.HTTPError as refused:
        return refused.code


def _update(update_id: int, text: str) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 1773650000, "text": text,
        "chat": {"id": 7001, "type": "private"},
        "from": {"id": 7001, "is_bot": False, "first_name": "Eva", "language_code": "nb"}}}


async def test_updates_posted_with_the_secret_are_answered_and_others_refused(tmp_path):
    server = BotApiServer().start()
    engine = make_engine(sqlite_url(tmp_path))
    await upgrade(engine)
    env = replace(sql_env(engine, Clock(datetime(2026, 3, 16, 9, tzinfo=UTC))),
                  blobs=FileBlobs(tmp_path / "b"))
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    app = build_application(env, "123:ABC", api_url=server.base_url)
    await start_bot(app, webhook=Webhook(url, f"127.0.0.1:{port}", "s3cret"))
    try:
        (registered,) = server.calls("setWebhook")
        assert registered.params["url"] == url
        assert registered.params["secret_token"] == "s3cret"
        # posted from a thread: the listener runs on this test's event loop
        post = asyncio.to_thread
        assert await post(_post, url, _update(1, "/hjelp"), None) == 403
        assert await post(_post, url, _update(2, "/hjelp"), "wrong") == 403
        assert await post(_post, url, _update(3, "/hjelp"), "s3cret") == 200
        replies = await server.wait_for_replies(7001, 1)
        assert "invitasjonslenke" in replies[0]  # not joined: told how to start
        assert len(server.replies(7001)) == 1  # the refused posts did nothing
    finally:
        await stop_bot(app)
        await engine.dispose()
        server.stop()
