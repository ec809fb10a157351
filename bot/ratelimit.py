"""Telegram's flood limits kept by the bot: ~30 messages a second in all, 20 a minute a group.

A token bucket of 30 that fills 30 a second, as PTB's ``AIORateLimiter`` (aiolimiter)
keeps it, in its reservation form (GCRA, "virtual scheduling"): each limit keeps the
time its next message may go; a request takes the next free slot and sleeps until then,
or not at all while the bucket holds one. No waiters' list and no chain of wake-ups
through futures; slots go first come, first served. A request that has to wait sleeps
until the next ``TICK`` (0.2 s) at or after its slot, so at the limit the bot wakes five
times a second and sends six answers at once rather than one every 33 ms (the chats'
next updates then arrive together, one ``getUpdates`` for several). A message never goes
before its slot, so the bucket's bound holds (never more than 30 + 30 × W messages in W
seconds), and a wait is at most one tick longer.

Why 0.2 s: a tick of 0.1 s already cost an echo bot held at the limit a third less CPU
per update than ``AIORateLimiter``. At the limit on the bench's dialog, 0.2 s took
Kvitt's CPU per update, as a ratio to the bare echo bot's in back-to-back triplets, 11–13 %
lower than 0.1 s in each of four cells (SQLite and PostgreSQL, 16 and 100 chats;
bench/README.md, 7 December, night), and 19 % lower in an A/B on 6 December. What it costs: only
while the bot is at Telegram's 30 a second, when every answer already waits its turn, an
answer may go up to 0.2 s after its slot instead of 0.1 s. Below the limit nothing waits.

As PTB's ``AIORateLimiter`` does: only requests naming a chat count towards the overall
limit (``answerCallbackQuery`` and ``setMyCommands`` do not), a negative or ``@name`` chat
is a group or channel with the per-group limit as well, ``getUpdates`` never comes here,
and a ``RetryAfter`` answer holds every request back for the time Telegram names plus
0.1 s; then the refused request is tried again, up to ``max_retries`` times.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger("kvitt.bot")

JSON = bool | dict[str, Any] | list[dict[str, Any]]
TICK = 0.2  # seconds: answers waiting for their slot go together on these beats


class Slots:
    """One limit: at most ``rate`` messages in any ``period`` seconds."""

    __slots__ = ("_interval", "_next", "_tolerance")

    def __init__(self, rate: float, period: float) -> None:
        self._interval = period / rate
        self._tolerance = period - self._interval  # an idle limit lets ``rate`` go at once
        self._next = -math.inf

    def take(self, now: float) -> float:
        """Reserve the next slot; the time it may go (``now`` or earlier: at once)."""
        due = self._next if self._next > now else now
        self._next = due + self._interval
        return due - self._tolerance

    def idle(self, now: float) -> bool:
        """True when the whole burst is free again."""
        return self._next <= now


class TelegramLimits(BaseRateLimiter[int]):
    """A ``BaseRateLimiter`` for Telegram's overall and per-group limits."""

    __slots__ = ("_clock", "_group_period", "_group_rate", "_groups", "_max_retries",
                 "_overall", "_paused_until", "_sleep", "_tick")

    def __init__(self, overall_rate: float = 30, overall_period: float = 1,
                 group_rate: float = 20, group_period: float = 60, *,
                 max_retries: int = 2, tick: float = TICK,
                 clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        self._overall = Slots(overall_rate, overall_period)
        self._group_rate, self._group_period = group_rate, group_period
        self._groups: dict[int | str, Slots] = {}
        self._max_retries = max_retries
        self._tick = tick
        self._paused_until = -math.inf
        self._clock = clock
        self._sleep = sleep

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    def _group(self, chat: int | str, now: float) -> Slots:
        slots = self._groups.get(chat)
        if slots is None:
            if len(self._groups) >= 512:  # forget the groups whose whole burst is free
                self._groups = {k: v for k, v in self._groups.items() if not v.idle(now)}
            slots = self._groups[chat] = Slots(self._group_rate, self._group_period)
        return slots

    async def _until(self, at: float) -> None:
        """Sleep until ``at`` rounded up to a tick; at once if it has passed."""
        now = self._now()
        if at > now:
            if self._tick > 0:
                at = math.ceil(at / self._tick - 1e-9) * self._tick
            await self._sleep(at - now)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        """Wait for the request's slots (group first, then overall), send, retry a 429."""
        chat = data.get("chat_id")
        if isinstance(chat, str):
            with contextlib.suppress(ValueError):  # "@channel" stays a group by its name
                chat = int(chat)
        group = isinstance(chat, str) or (isinstance(chat, int) and chat < 0)
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        attempt = 0
        while True:
            if group:
                assert isinstance(chat, int | str)
                now = self._now()
                await self._until(self._group(chat, now).take(now))
            if chat is not None:
                await self._until(self._overall.take(self._now()))
            await self._until(self._paused_until)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt >= retries:
                    raise
                attempt += 1
                seconds = exc._retry_after.total_seconds()  # as AIORateLimiter reads it
                log.info("Telegram asked to wait %.1f s (%s); retry %d of %d",
                         seconds, endpoint, attempt, retries)
                self._paused_until = max(self._paused_until, self._now() + seconds + 0.1)
