"""A Telegram user talking to the real bot through the local Bot API endpoint."""

from __future__ import annotations

import asyncio
import time

from harness.bot_api import BotApiServer, Call

REPLIES = ("sendMessage", "editMessageText")


class TelegramUser:
    """Types, presses buttons by label, sends photos; waits until the bot has answered."""

    def __init__(self, server: BotApiServer, user_id: int, language_code: str = "nb") -> None:
        self.server, self.user_id, self.language_code = server, user_id, language_code
        self.last: list[Call] = []

    def _ours(self) -> list[Call]:
        return [c for c in self.server.calls() if c.method in REPLIES
                and c.params.get("chat_id") == self.user_id]

    async def _settle(self, before: int, timeout: float = 10) -> list[Call]:
        """Wait for the bot's answer to arrive and stop growing (its last part is a prompt)."""
        await self.server.wait_for(lambda: len(self._ours()) > before, timeout)
        seen, quiet_since = len(self._ours()), time.monotonic()
        while time.monotonic() - quiet_since < 0.25:
            await asyncio.sleep(0.05)
            if len(self._ours()) != seen:
                seen, quiet_since = len(self._ours()), time.monotonic()
        self.last = self._ours()[before:]
        return self.last

    async def type(self, text: str) -> str:
        before = len(self._ours())
        self.server.send_text(self.user_id, text, language_code=self.language_code)
        await self._settle(before)
        return self.text

    async def press(self, label: str) -> str:
        for call in reversed(self._ours()):
            for row in call.buttons:
                for button in row:
                    if label in button["text"]:
                        message_id = call.message_id or int(call.params["message_id"])
                        return await self.press_data(button["callback_data"], message_id)
        talk = "\n".join(f"{c.method}: {c.text}" for c in self._ours())
        raise AssertionError(f"no button {label!r}; last answer: {self.text}\n--\n{talk}")

    async def press_data(self, data: str, message_id: int) -> str:
        before = len(self._ours())
        self.server.press(self.user_id, data, message_id)
        await self._settle(before)
        return self.text

    async def send_photo(self, data: bytes) -> str:
        before = len(self._ours())
        self.server.send_photo(self.user_id, data, language_code=self.language_code)
        await self._settle(before)
        return self.text

    async def send_document(self, data: bytes, name: str, mime: str) -> str:
        before = len(self._ours())
        self.server.send_document(self.user_id, data, name, mime,
                                  language_code=self.language_code)
        await self._settle(before)
        return self.text

    @property
    def text(self) -> str:
        return "\n".join(c.text or "" for c in self.last)
