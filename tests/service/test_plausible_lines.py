"""The service refuses a line that cannot be true or cannot be computed, whoever sends it."""

import pytest

from domain.errors import InvalidValue
from tests.service.conftest import World


async def test_9999_hours_are_refused_before_they_are_saved(bergvik: World, respite_worker: str):
    hours = bergvik.fee("bergvik", "95", quantity="9999", code="avlaster-lav")
    with pytest.raises(InvalidValue) as refused:
        await bergvik.draft(respite_worker, ("bergvik",), hours)
    assert "744" in refused.value.text.nb


async def test_a_line_dated_after_today_is_refused(clubs: World, referee: str):
    with pytest.raises(InvalidValue) as refused:
        await clubs.draft(referee, ("ik-fjell",), clubs.drive("40", on="2030-01-01"))
    assert "fram i tid" in refused.value.text.nb


async def test_a_line_without_rates_for_its_day_is_refused_not_crashed(clubs: World,
                                                                       referee: str):
    with pytest.raises(InvalidValue) as refused:
        await clubs.draft(referee, ("ik-fjell",), clubs.drive("40", on="2019-05-01"))
    assert "ingen satser (state) for 01.05.2019" in refused.value.text.nb
