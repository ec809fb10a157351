"""Builders for the kinds of step: free text (with a parser), a choice, a toggle list.

Each returns a ``Step``; a flow is a handful of these calls, so a step reads in
one screen: what is asked, how the answer is read, where it goes next.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bot.dialog.core import Button, Ctx, Incoming, InputError, Prompt, Step, ThenFn, rows
from domain.text import Text

Question = Callable[[Ctx], str] | Text
Options = Callable[[Ctx], Awaitable[Sequence[Button]]]

SKIP = "skip"
PRESS_A_BUTTON = Text("Trykk på en av knappene, eller skriv /avbryt.",
                      "Press one of the buttons, or write /cancel.")


def _question(ctx: Ctx, question: Question) -> str:
    return question.in_(ctx.lang) if isinstance(question, Text) else question(ctx)


def ask_text(name: str, question: Question, then: ThenFn, *,
             read: Callable[[Ctx, str], Any] | None = None,
             kind: Any = "text", skip: Text | None = None,
             suggest: Callable[[Ctx], Sequence[Button]] | None = None) -> Step:
    """A step answered by typing (a suggestion button sends its value as if typed).

    ``read`` turns the text into a value or raises (``InputError`` or the parser's
    own ``NotUnderstood``); ``skip`` adds a button that answers ``None``.
    """
    async def prompt(ctx: Ctx) -> Prompt:
        # suggestions travel as short tokens ("s0"): callback data stays small and plain
        buttons = [Button(b.label, f"s{i}") for i, b in enumerate(suggest(ctx))] if suggest else []
        if skip:
            buttons.append(Button(skip.in_(ctx.lang), SKIP))
        return Prompt(_question(ctx, question), rows(buttons))

    def parse(ctx: Ctx, incoming: Incoming) -> Any:
        if incoming.kind == "button" and incoming.text == SKIP:
            return None
        if incoming.kind == "button" and suggest and incoming.text.startswith("s"):
            incoming = Incoming("text", suggest(ctx)[int(incoming.text[1:])].value)
        if incoming.kind not in ("text", "button"):
            raise InputError(Text("Skriv svaret som tekst.", "Write the answer as text."))
        text = incoming.text.strip()
        if not text:
            raise InputError(Text("Skriv et svar, eller /avbryt.", "Write an answer, or /cancel."))
        if len(text) > 1000:
            raise InputError(Text("Svaret er for langt (over 1000 tegn).",
                                  "The answer is too long (over 1000 characters)."))
        return read(ctx, text) if read else text

    return Step(name, kind, prompt, parse, then)


def ask_choice(name: str, question: Question, options: Options, then: ThenFn, *,
               per_row: int = 2) -> Step:
    """A step answered by a button; typing a button's label works too."""
    async def prompt(ctx: Ctx) -> Prompt:
        return Prompt(_question(ctx, question), rows(list(await options(ctx)), per_row))

    return ask_buttons(name, prompt, then)


def ask_buttons(name: str, prompt: Callable[[Ctx], Awaitable[Prompt]], then: ThenFn, *,
                kind: Any = "choice") -> Step:
    """A step answered by a button, whose whole prompt is computed (menus, toggles)."""
    def parse(ctx: Ctx, incoming: Incoming) -> Any:
        if incoming.kind == "button":
            return incoming.text
        raise InputError(PRESS_A_BUTTON)

    return Step(name, kind, prompt, parse, then)


def ask_file(name: str, question: Question, then: ThenFn, *,
             without: Text | Callable[[Ctx], Text]) -> Step:
    """A step answered by a photo or a file (or the ``without`` button: ``None``)."""
    async def prompt(ctx: Ctx) -> Prompt:
        label = without if isinstance(without, Text) else without(ctx)
        return Prompt(_question(ctx, question), ((Button(label.in_(ctx.lang), SKIP),),))

    def parse(ctx: Ctx, incoming: Incoming) -> Any:
        if incoming.kind == "file" and incoming.file is not None:
            return incoming.file
        if incoming.kind == "button" and incoming.text == SKIP:
            return None
        raise InputError(Text(
            "Send et bilde eller en PDF av kvitteringen, eller trykk på knappen.",
            "Send a photo or a PDF of the receipt, or press the button."))

    return Step(name, "file", prompt, parse, then)


def _plain(text: str) -> str:
    """Letters and digits only, case-folded: "🚗 Bil" and "bil" are the same answer."""
    return " ".join("".join(c for c in text if c.isalnum() or c.isspace()).split()).casefold()


def typed_label(ctx: Ctx, prompt: Prompt, text: str) -> str | None:
    """The value of the button whose label the person typed instead of pressing, if any."""
    wanted = _plain(text)
    if not wanted:
        return None
    for row in prompt.buttons:
        for button in row:
            if _plain(button.label) == wanted:
                return button.value
    return None
