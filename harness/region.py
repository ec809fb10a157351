"""The handball region of ``examples/``: two clubs and a referee who plays for both."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from harness.env import EXAMPLES, Clock, sql_env
from service import admin, members
from service.context import Env

CLUBS = ("tromso-hk", "bodo-hk")
APPROVER = {"tromso-hk": "dommer@tromso-hk.no", "bodo-hk": "dommer@bodo-hk.no"}


async def world(engine: AsyncEngine,
                now: datetime = datetime(2026, 3, 9, 12, tzinfo=UTC)) -> tuple[Env, Clock, str]:
    """The region's clubs and one referee (Telegram user 4242) who is a member of both."""
    clock = Clock(now)
    env = sql_env(engine, clock)
    await admin.apply_organisations(env, (EXAMPLES / "handball-region-nord.toml").read_text())
    referee = None
    for slug in CLUBS:
        invite = await admin.create_invite(env, slug)
        referee, _ = await members.join(env, 4242, "Kari Dommer", invite.code)
    assert referee is not None
    await members.update_profile(env, referee.id, bank_account="12345678903")
    return env, clock, referee.id
