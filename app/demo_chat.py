"""The demo's claimant: types and presses buttons by label, through the bot's own dialog engine.

Every input goes through ``bot.dialog.run.converse`` exactly as a Telegram update
would, and the conversation is printed: the claimant's input after ``>``, the
bot's answers indented, buttons as ``[label]``. A notice the bot sends by itself
(from the Telegram outbox) is shown the same way, and its button can be pressed.

Below the driver, Kari's side of the story: what she types and presses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from bot.dialog.core import Button, Incoming, Reply
from bot.dialog.run import converse
from service.context import Env

Say = Callable[[str], None]
RECEIPT = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4  # a small JPEG (by its magic bytes)


class DemoError(RuntimeError):
    """The story went off script (a button missing, a mail not delivered): a bug to report."""


class DemoChat:
    """One Telegram user's private chat with the bot, printed as it goes."""

    def __init__(self, env: Env, user_id: int, name: str, say: Say) -> None:
        self.env, self.user_id, self.name, self.say = env, user_id, name, say
        self.messages: dict[int, tuple[Button, ...]] = {}  # message id → its buttons

    async def type(self, text: str) -> None:
        """Type a message; ``/command arg`` is a command, as Telegram marks it."""
        self._said(text)
        if text.startswith("/"):
            command, _, arg = text[1:].partition(" ")
            await self._send(Incoming("command", arg, command=command))
        else:
            await self._send(Incoming("text", text))

    async def press(self, *words: str) -> None:
        """Press the newest button whose label holds every one of ``words``."""
        found = [(message_id, button) for message_id in sorted(self.messages, reverse=True)
                 for button in self.messages[message_id]
                 if all(word in button.label for word in words)]
        if not found:
            shown = [b.label for buttons in self.messages.values() for b in buttons]
            raise DemoError(f"the demo expected a button {' '.join(words)!r}; "
                            f"the chat shows {shown}")
        message_id, button = found[0]
        self._said(f"[{button.label}]")
        await self._send(Incoming("button", button.value, message_id=message_id))

    async def send_file(self, data: bytes, name: str) -> None:
        """Send a photo or document (a receipt)."""
        self._said(f"📎 {name} ({len(data)} byte)")
        await self._send(Incoming("file", file=data))

    def notice(self, text: str, buttons: Sequence[Button]) -> None:
        """A message the bot sent on its own (an outbox notice): shown, its buttons live."""
        self._show(Reply(text, (tuple(buttons),)), len(self.messages) + 1)

    def _said(self, text: str) -> None:
        self.say(f"  {self.name} > {text}")

    async def _send(self, incoming: Incoming) -> None:
        for reply in await converse(self.env, self.user_id, self.user_id, incoming):
            if reply.edit is None:
                self._show(reply, len(self.messages) + 1)
            elif reply.buttons:  # a toggle redrew its keyboard
                self._show(Reply(_last_line(reply.text), reply.buttons), reply.edit)
            else:  # the answered prompt, closed with the choice: the input line said it
                self.messages[reply.edit] = ()

    def _show(self, reply: Reply, message_id: int) -> None:
        for line in reply.text.splitlines():
            self.say(f"      {line}")
        if reply.document is not None:
            self.say(f"      📄 {reply.document[0]}")
        for row in reply.buttons:
            self.say("      " + " ".join(f"[{b.label}]" for b in row))
        self.messages[message_id] = tuple(b for row in reply.buttons for b in row)


def _last_line(text: str) -> str:
    return "↻ " + text.splitlines()[-1] if text else "↻"


# -- Kari's side of the story ----------------------------------------------------------------

async def join(chat: DemoChat, codes: list[str]) -> None:
    """Kari opens both invite links (t.me/<bot>?start=CODE sends /start CODE)."""
    await chat.type(f"/start {codes[0]}")
    await chat.type("Kari Dommer")
    await chat.type("kari@example.no")
    await chat.type("1234 56 78903")
    await chat.type(f"/start {codes[1]}")


async def file_claim(chat: DemoChat, day1: date) -> None:
    """Kari files the weekend: driving, per diem, toll receipt, one match fee per club."""
    day2 = day1 + timedelta(days=1)
    await chat.type("/ny")
    for press in ("Tromsø", "Bodø", "Ferdig"):
        await chat.press(press)
    await chat.type(f"Kamper {day1:%d.%m.}–{day2:%d.%m.%Y}")
    await chat.press("Hopp over")
    await drive(chat, day1, "Per Hansen")
    for answer in ("Diett", f"{day1:%d.%m} kl 08.00", f"{day2:%d.%m} kl 19.30", "180",
                   "Hotell", "Ferdig", "honorarbrøk", "Lagre"):
        await (chat.press(answer) if answer[0].isalpha() else chat.type(answer))
    await chat.press("Utlegg")
    await chat.send_file(RECEIPT, "bompenger.jpg")
    await chat.type(f"{day1:%d.%m}")
    await chat.press("Bompenger")
    await chat.type("44 kr")
    await chat.press("Hopp over")
    await chat.press("honorarbrøk")
    await fee(chat, "3. divisjon", "Tromsø", day1)  # both clubs offer the region's fees
    await fee(chat, "5. divisjon", "Bodø", day2)
    await chat.type("/send")


async def drive(chat: DemoChat, day: date, passengers: str) -> None:
    """A new driving line, from the menu."""
    await chat.press("Kjøring")
    await driving_line(chat, day, passengers)


async def driving_line(chat: DemoChat, day: date, passengers: str) -> None:
    """The driving line's questions, from its date to who pays."""
    await chat.type(f"{day:%d.%m}")
    await chat.press("Bil")
    for text in ("Tromsø", "Bodø via Narvik", "184", passengers):
        await chat.type(text)
    await chat.press("Nei")
    await chat.press("honorarbrøk")


async def fee(chat: DemoChat, level: str, club: str, day: date) -> None:
    """One match fee from the clubs' catalogue, paid by ``club``, on ``day``."""
    await chat.press("Timer/honorar")
    await chat.press(level, club)
    await chat.press("Annen dato")
    await chat.type(f"{day:%d.%m}")


async def fix(chat: DemoChat, day: date) -> None:
    """Kari opens the returned claim from the notice, changes the driving line, sends again."""
    await chat.press("Åpne kravet")
    await chat.type("/linjer")
    await chat.press("✏️ 1")
    await chat.press("Hele linjen på nytt")
    await driving_line(chat, day, "Per Hansen, Ola Nordmann")
    await chat.type("/send")
