"""What goes in and out of the wizard, and what a step is.

A step is data: the prompt it shows (text and buttons), how it reads the
answer, and what it does with it (store in the draft, call a use case) before
naming the next step. Buttons carry ``<seq>:<value>``: ``seq`` counts prompts
shown in the chat, so a button from an older prompt, or one forged by hand, is
recognised as stale and never acts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from domain.text import Text
from service.dialog import DialogTurn
from service.exchange import ExchangeRate
from service.receipts import ReceiptReading

END = ""  # a step's ``then`` returns this to go back to the claim menu (or idle)
AND = Text(" og ", " and ")  # joins names: "Ola og Kari"


@dataclass(frozen=True, slots=True)
class Incoming:
    """One input from the person: text, a button's value, a command, a file, or other.

    ``other`` is anything else Telegram can carry (a sticker, a voice note, a location,
    a contact, a poll …); ``text`` then names what it was, so the answer can say it.
    """

    kind: Literal["text", "button", "command", "file", "other"]
    text: str = ""
    command: str = ""
    file: bytes | None = None
    message_id: int | None = None


@dataclass(frozen=True, slots=True)
class Button:
    """One inline button: what it says and the value it sends back."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to show, or (``edit``) the text of the message that held the buttons."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    edit: int | None = None
    document: tuple[str, bytes] | None = None  # (file name, bytes) sent with the text


@dataclass(frozen=True, slots=True)
class Prompt:
    """What a step asks, with buttons in rows."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()

    def values(self) -> set[str]:
        """Every value a button of this prompt can send."""
        return {b.value for row in self.buttons for b in row}


class InputError(Exception):
    """The answer did not fit the step; ``text`` says what to send instead."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


@dataclass(slots=True)
class Ctx:
    """Everything a step sees: the turn (state, claimant, operations), language, time."""

    turn: DialogTurn
    lang: str
    now: datetime
    replies: list[Reply] = field(default_factory=list)
    reading: ReceiptReading | None = None  # the file of this turn, read before it began
    rate: ExchangeRate | None = None  # the rate for that reading's currency and date

    @property
    def data(self) -> dict[str, Any]:
        """The chat's saved data (current claim, the draft line …)."""
        return self.turn.state.data

    @property
    def draft(self) -> dict[str, Any]:
        """The line being entered."""
        draft: dict[str, Any] = self.data.setdefault("draft", {})
        return draft

    def t(self, text: Text) -> str:
        """``text`` in the claimant's language."""
        return text.in_(self.lang)

    def say(self, text: str, buttons: Sequence[Sequence[Button]] = ()) -> None:
        """Add a message to this turn's answer."""
        self.replies.append(Reply(text, tuple(tuple(row) for row in buttons)))


PromptFn = Callable[[Ctx], Awaitable[Prompt]]
ParseFn = Callable[[Ctx, Incoming], Any]
ThenFn = Callable[[Ctx, Any], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class Step:
    """One question of the wizard."""

    name: str
    kind: Literal["text", "number", "date", "datetime", "choice", "multi", "file", "confirm"]
    prompt: PromptFn
    parse: ParseFn
    then: ThenFn
    back: str = ""  # the step before: a "change previous answer" button goes there

    def going_back_to(self, back: str) -> Step:
        """The same step with a one-tap way back to ``back`` (to fix what was echoed)."""
        return Step(self.name, self.kind, self.prompt, self.parse, self.then, back)


def rows(buttons: Sequence[Button], per_row: int = 2) -> tuple[tuple[Button, ...], ...]:
    """Lay buttons out in rows of ``per_row``."""
    return tuple(tuple(buttons[i:i + per_row]) for i in range(0, len(buttons), per_row))
