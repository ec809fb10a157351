"""``kvitt parse`` through the installed console script, as support staff run it.

A handful of invocations only (each starts a process); the forms themselves are covered
in tests/unit/test_understand.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

THURSDAY = "2026-03-05T10:00"


def test_mandag_kl_18_prints_last_monday_at_18_as_json(kvitt):
    ran = kvitt("parse", "when", "mandag kl. 18", "--now", THURSDAY)

    assert (ran.status, ran.err) == (0, "")
    assert ran.out == '{"date": "2026-03-02", "time": "18:00"}\n'


def test_an_amount_typed_as_several_words_prints_as_two_decimals_and_a_currency(kvitt):
    ran = kvitt("parse", "amount", "1", "234,50")

    assert (ran.status, ran.out) == (0, '{"amount": "1234.50", "currency": "NOK"}\n')


def test_km_print_with_a_dot_and_without_ca(kvitt):
    ran = kvitt("parse", "km", "ca 12,5 km")

    assert (ran.status, ran.out) == (0, '{"km": "12.5"}\n')


def test_an_impossible_date_exits_2_with_the_error_in_the_language_asked(kvitt):
    ran = kvitt("parse", "when", "31.02", "--lang", "en", "--now", THURSDAY)

    assert ran.status == 2
    assert ran.json() == {
        "error": "There is no date “31.02”. Write the date as 05.03, “yesterday” or "
                 "“Monday at 18:00”."}


def test_without_now_i_dag_is_today_in_oslo(kvitt):
    before = datetime.now(ZoneInfo("Europe/Oslo")).date().isoformat()
    ran = kvitt("parse", "when", "i dag")
    after = datetime.now(ZoneInfo("Europe/Oslo")).date().isoformat()

    assert ran.status == 0
    assert ran.json()["date"] in {before, after}
    assert ran.json()["time"] is None


def test_building_the_command_line_loads_neither_dateparser_nor_the_parser():
    script = ("import sys; from app.cli import build_parser; build_parser(); "
              "print(sorted(m for m in sys.modules if m.startswith(('dateparser', 'bot.'))))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, timeout=30)

    assert json.loads(done.stdout.replace("'", '"')) == ["bot.parse_cli"]
