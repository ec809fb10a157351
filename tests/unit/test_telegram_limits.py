"""The bot's own rate limiter: when each request may go, on a clock the test holds.

No real time passes: ``sleep`` records how long a request would wait (and, for the tests
of one request after another, moves the clock on), so the assertions are about the
schedule the limiter makes, not about how fast this machine is.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.ratelimit import TICK, TelegramLimits
from bot.telegram_app import build_application
from service.context import Env

EPS = 1e-9


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    def went(self, before: int) -> float:
        """When a request that started at ``now`` went, given the waits since ``before``."""
        return self.now + sum(self.slept[before:])


def limits(clock: Clock, **kwargs: Any) -> TelegramLimits:
    return TelegramLimits(clock=clock, sleep=clock.sleep, **kwargs)


async def send_at(limiter: TelegramLimits, clock: Clock, chat: Any) -> float:
    """One request at the clock's time; the time it went (its waits added up)."""
    before = len(clock.slept)
    calls: list[float] = []

    async def callback(*_: Any) -> bool:
        calls.append(clock.went(before))
        return True

    data = {} if chat is None else {"chat_id": chat}
    assert await limiter.process_request(callback, (), {}, "sendMessage", data, None)
    return calls[0]


async def test_a_burst_of_30_goes_at_once_then_30_a_second_never_early():
    clock = Clock()
    limiter = limits(clock)
    sent = [await send_at(limiter, clock, 1000 + i) for i in range(95)]
    assert sent[:30] == [0.0] * 30
    assert sent[30] == pytest.approx(TICK)  # its slot is 1/30 s on, sent at the next tick
    assert all(b >= a for a, b in itertools.pairwise(sent))  # first come, first go
    # as a bucket of 30 that fills 30 a second: at most 30 + 30 × W messages in W seconds,
    # and past the burst 30 messages take at least a second (less the tick they may wait)
    assert all(j - i + 1 <= 30 + 30 * (sent[j] - sent[i]) + EPS
               for i in range(len(sent)) for j in range(i + 1, len(sent)))
    assert all(sent[k + 30] - sent[k] >= 1 - TICK - EPS for k in range(30, len(sent) - 30))
    ticks = {round(s / TICK) for s in sent}
    assert all(abs(s / TICK - round(s / TICK)) < 1e-6 for s in sent)  # on ticks only
    assert len(ticks) < len(sent[30:])  # waiting answers go out several at a time
    assert sent[-1] == pytest.approx(65 / 30, abs=TICK)  # 30 a second on average


async def test_without_ticks_each_waiting_request_goes_at_its_own_slot():
    clock = Clock()
    limiter = limits(clock, tick=0)
    sent = [await send_at(limiter, clock, 1000 + i) for i in range(33)]
    assert sent[30:] == pytest.approx([1 / 30, 2 / 30, 3 / 30])


async def test_requests_without_a_chat_never_wait_and_take_no_slot():
    clock = Clock()
    limiter = limits(clock)
    assert [await send_at(limiter, clock, None) for _ in range(100)] == [0.0] * 100
    assert await send_at(limiter, clock, 42) == 0.0


async def test_a_group_gets_20_messages_a_minute_on_top_of_the_overall_limit():
    clock = Clock()
    limiter = limits(clock)
    sent = [await send_at(limiter, clock, -100) for _ in range(22)]
    assert sent[:20] == [0.0] * 20
    assert sent[20] == pytest.approx(3.0)  # 60 s / 20
    assert await send_at(limiter, clock, "@kanal") == 0.0  # a channel by name: its own group
    assert await send_at(limiter, clock, 7) == 0.0  # a private chat is not held up by a group


async def test_old_groups_are_forgotten_once_their_burst_is_free_again():
    clock = Clock()
    limiter = limits(clock)
    for group in range(600):
        await send_at(limiter, clock, -1 - group)
        clock.now += 1.0
    assert len(limiter._groups) <= 513


class Flaky:
    """A Bot API that answers 429 the first ``times`` calls."""

    def __init__(self, clock: Clock, times: int, after: int = 2) -> None:
        self.clock, self.times, self.after = clock, times, after
        self.calls: list[float] = []

    async def __call__(self, *_: Any) -> bool:
        self.calls.append(self.clock.now)
        if len(self.calls) <= self.times:
            raise RetryAfter(self.after)
        return True


class MovingClock(Clock):
    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def went(self, before: int) -> float:
        return self.now


@pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
async def test_a_429_holds_every_request_back_and_the_refused_one_is_sent_again():
    clock = MovingClock()
    limiter = limits(clock)
    api = Flaky(clock, times=1, after=2)
    assert await limiter.process_request(api, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert api.calls[0] == 0.0 and api.calls[1] >= 2.1 - EPS
    clock.now = 1.0
    limiter._paused_until = 3.0  # another request's 429 a moment ago
    assert await send_at(limiter, clock, 6) >= 3.0 - EPS


@pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
async def test_after_its_retries_a_429_is_raised_to_the_caller():
    clock = MovingClock()
    api = Flaky(clock, times=3)
    with pytest.raises(RetryAfter):
        await limits(clock, max_retries=2).process_request(
            api, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert len(api.calls) == 3
    api = Flaky(clock, times=1)
    with pytest.raises(RetryAfter):  # rate_limit_args=0: this call is not to be retried
        await limits(clock).process_request(api, (), {}, "sendMessage", {"chat_id": 5}, 0)
    assert len(api.calls) == 1


async def test_on_the_real_loop_clock_a_request_under_the_limit_does_not_sleep():
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(0)

    limiter = TelegramLimits(sleep=sleep)

    async def ok(*_: Any) -> bool:
        return True

    for _ in range(30):
        assert await limiter.process_request(ok, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert slept == []


def test_the_bot_keeps_telegrams_limits_unless_the_bench_leaves_them_out():
    env: Any = object.__new__(Env)  # never used: the application is built, not started
    assert isinstance(build_application(env, "1:A").bot.rate_limiter, TelegramLimits)
    assert build_application(env, "1:A", telegram_limits=False).bot.rate_limiter is None
