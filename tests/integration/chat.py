"""A person in a chat with the wizard: type, press a button by its label, send a file."""

from __future__ import annotations

import itertools

from bot.dialog.core import Incoming, Reply
from bot.dialog.run import converse
from service.context import Env


class Chat:
    """Talks to ``converse`` as one Telegram user would, and remembers the answers."""

    def __init__(self, env: Env, user_id: int, lang: str = "nb") -> None:
        self.env, self.user_id, self.lang = env, user_id, lang
        self.replies: list[Reply] = []
        self.ids = itertools.count(1)
        self.shown: dict[int, Reply] = {}

    async def _send(self, incoming: Incoming) -> list[Reply]:
        replies = await converse(self.env, self.user_id, self.user_id, incoming,
                                 language_code=self.lang)
        for reply in replies:
            if reply.edit is None:
                self.shown[next(self.ids)] = reply
            else:
                self.shown[reply.edit] = reply
        self.replies = replies
        return replies

    async def type(self, text: str) -> list[Reply]:
        if text.startswith("/"):
            command, _, arg = text[1:].partition(" ")
            return await self._send(Incoming("command", arg, command=command))
        return await self._send(Incoming("text", text))

    async def press(self, label: str) -> list[Reply]:
        for message_id in sorted(self.shown, reverse=True):
            for row in self.shown[message_id].buttons:
                for button in row:
                    if label in button.label:
                        return await self._send(Incoming("button", button.value,
                                                         message_id=message_id))
        raise AssertionError(f"no button {label!r} in {self.text}")

    async def press_data(self, data: str, message_id: int = 1) -> list[Reply]:
        return await self._send(Incoming("button", data, message_id=message_id))

    async def send_file(self, data: bytes) -> list[Reply]:
        return await self._send(Incoming("file", file=data))

    @property
    def labels(self) -> list[str]:
        return [b.label for r in self.replies for row in r.buttons for b in row]

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)
