"""``kvitt chat``: the claimant's side of the wizard in a terminal, on the local database.

Support staff (and the demo) use it to walk through a claim exactly as the bot
would: the same steps, the same one-transaction turns. Buttons are numbered;
type ``#3`` to press button 3 (a plain number is an answer). ``!fil PATH``
sends a receipt file. End with Ctrl-D or ``!slutt``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.dialog.core import Incoming, Reply
from bot.dialog.run import converse
from service.context import Env

Pressable = list[tuple[str, int]]  # (button value, message id), numbered from 1 on screen


def _incoming(line: str, buttons: Pressable) -> Incoming:
    text = line.strip()
    if text.startswith("/"):
        command, _, arg = text[1:].partition(" ")
        return Incoming("command", arg, command=command.lower())
    if text.startswith("!fil "):
        return Incoming("file", file=Path(text[5:].strip()).expanduser().read_bytes())
    # "#3" presses button 3; a plain number is an answer (a quantity of 1 is not a button)
    if text.startswith("#") and text[1:].isdigit() and 1 <= int(text[1:]) <= len(buttons):
        value, message_id = buttons[int(text[1:]) - 1]
        return Incoming("button", value, message_id=message_id)
    return Incoming("text", text)


def _show(replies: list[Reply], out: TextIO, sent: list[int]) -> Pressable:
    """Print the answers; return the buttons now pressable."""
    buttons: Pressable = []
    for reply in replies:
        if reply.edit is None:
            sent.append(len(sent) + 1)
        message_id = reply.edit if reply.edit is not None else sent[-1]
        out.write(("  (endret) " if reply.edit is not None else "") + reply.text + "\n")
        if reply.document is not None:
            out.write(f"  [fil: {reply.document[0]}, {len(reply.document[1])} byte]\n")
        for row in reply.buttons:
            labels = []
            for button in row:
                buttons.append((button.value, message_id))
                labels.append(f"[#{len(buttons)}] {button.label}")
            out.write("    " + "   ".join(labels) + "\n")
    out.flush()
    return buttons


async def chat(env: Env, user_id: int, lang: str, lines: TextIO, out: TextIO) -> int:
    """Read lines until the end, answering each as the bot would."""
    buttons: Pressable = []
    sent: list[int] = []
    for line in lines:
        if line.strip() in ("!slutt", "!quit"):
            break
        if not line.strip():
            continue
        out.write(f"> {line.strip()}\n")
        try:
            incoming = _incoming(line, buttons)
        except OSError as exc:
            out.write(f"Kan ikke lese filen: {exc.strerror or exc}\n")
            continue
        replies = await converse(env, user_id, user_id, incoming, language_code=lang,
                                 channel="cli")
        buttons = _show(replies, out, sent)
    return 0


def run(args: argparse.Namespace) -> int:
    """Run the chat on the configured database (``KVITT_DATABASE_URL``)."""
    from app.settings import Settings
    from app.wiring import service_env

    async def main() -> int:
        async with service_env(Settings.load()) as env:
            return await chat(env, args.user, args.lang, sys.stdin, sys.stdout)
    return asyncio.run(main())
