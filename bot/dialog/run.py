"""One input in, the answers out: the entry point both Telegram and ``kvitt chat`` call."""

from __future__ import annotations

from bot.dialog import claim_flow, commands, kinds, lines  # noqa: F401 - they register steps
from bot.dialog.core import Ctx, Incoming, Reply
from bot.dialog.engine import handle
from domain.calendar import OSLO
from domain.claim import Channel
from service.context import Env
from service.dialog import DialogTurn, dialog_turn


def language(code: str | None) -> str:
    """Norwegian, unless the person's app is set to English."""
    return "en" if (code or "").lower().startswith("en") else "nb"


async def converse(env: Env, chat_id: int, user_id: int, incoming: Incoming, *,
                   language_code: str | None = None, channel: Channel = "telegram"
                   ) -> list[Reply]:
    """Run ``incoming`` through the wizard in one transaction and return the answers."""
    async def turn(dialog: DialogTurn) -> list[Reply]:
        lang = dialog.claimant.language if dialog.claimant else language(language_code)
        now = env.clock().astimezone(OSLO).replace(tzinfo=None)
        ctx = Ctx(dialog, lang, now)
        return await handle(ctx, incoming, commands.run_command, commands.idle)
    return await dialog_turn(env, chat_id, user_id, turn, channel=channel)
