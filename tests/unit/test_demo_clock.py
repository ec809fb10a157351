"""The demo runs on today's date unless the shipped rate tables do not reach it yet."""

from datetime import UTC, datetime

from app.demo import demo_clock
from domain.rates import default_book
from service.context import Env


def _env(now: datetime) -> Env:
    return Env(uow=None, book=default_book(), clock=lambda: now)  # type: ignore[arg-type]


def test_a_day_the_rates_cover_is_today():
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    assert demo_clock(_env(now))() == now


def test_past_the_last_rate_table_the_demo_runs_as_of_a_covered_day():
    pinned = demo_clock(_env(datetime(2027, 1, 3, 9, tzinfo=UTC)))()
    assert pinned == datetime(2026, 12, 21, 12, tzinfo=UTC)
