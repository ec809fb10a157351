"""The instruction-count bench's arithmetic: the totals read and the difference taken."""

import pytest

from bench.instructions import per_update, totals

CALLGRIND_OUT = """# callgrind format
version: 1
creator: callgrind-3.19.0
cmd: python -m bench.instructions --child echo
events: Ir
summary: 2173019822
totals: 2173019822
"""


def test_the_totals_line_is_the_count() -> None:
    assert totals(CALLGRIND_OUT) == 2_173_019_822


def test_a_file_without_totals_is_refused() -> None:
    with pytest.raises(ValueError, match="no totals"):
        totals("events: Ir\n")


def test_what_both_runs_share_cancels_out() -> None:
    start = 5_000_000_000  # imports, schema, members: in both runs
    assert per_update((start + 272 * 7_000_000, 272), (start + 544 * 7_000_000, 544)) == 7e6


def test_the_longer_run_must_play_more() -> None:
    with pytest.raises(ValueError, match="more updates"):
        per_update((10, 272), (20, 272))
