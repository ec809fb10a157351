"""``kvitt calc`` through the installed console script.

Figures are worked out by hand from shared/RATES.md, 2026: car 5.30 (tax-free 3.50),
passenger 1.00 per passenger per km, per diem a = 1012, b = 397, tax-free hotel døgn 693,
breakfast deduction 20 %.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.cli import Command, build_parser

REFEREE_CLAIM = {"lines": [
    # 120 × 5.30 + 2 × 120 × 1.00 = 636 + 240 = 876; tax-free 120 × 3.50 + 240 = 660
    {"kind": "mileage", "date": "2026-03-14", "km": 120, "vehicle": "car",
     "passengers": ["Kari", "Ola"]},
    # 34 h with a hotel night: døgn 1 at a = 1012 − breakfast 20 % (202.40) = 809.60,
    # tax-free 693 − 20 % = 554.40; the 10 h after it at b = 397, and as 6 h or more into a
    # new døgn it is tax-free up to the hotel limit, so 397. Paid 1206.60, tax-free 951.40.
    {"kind": "per_diem", "departure": "2026-03-14T08:00", "return": "2026-03-15T18:00",
     "distance_km": 150, "nights": [{"date": "2026-03-14", "lodging": "hotel"}],
     "meals": [{"date": "2026-03-15", "breakfast": True}]},
    {"kind": "expense", "date": "2026-03-15", "type": "taxi", "amount": "250.00",
     "currency": "NOK", "nok_rate": "1"},
    {"kind": "item", "date": "2026-03-14", "quantity": 1, "rate": "565.00", "taxable": True,
     "label": "Kampgodtgjørelse 3. div"},
]}
REFEREE_FIGURES = [("876.00", "660.00", "216.00"), ("1206.60", "951.40", "255.20"),
                   ("250.00", "250.00", "0.00"), ("565.00", "0.00", "565.00")]

HANDBALL = """\
name = "handball"
kind = "paid"
base = "state"
valid_from = 2026-01-01
valid_to = 2026-12-31

[km]
car = "4.03"
"""


def figures(output: Any) -> list[tuple[str, str, str]]:
    return [(line["amount"], line["taxfree"], line["taxable"]) for line in output["lines"]]


def test_a_referee_claim_from_stdin_adds_up_to_the_hand_computed_figures(kvitt):
    ran = kvitt("calc", stdin=json.dumps(REFEREE_CLAIM))

    assert (ran.status, ran.err) == (0, "")
    output = ran.json()
    assert figures(output) == REFEREE_FIGURES
    assert (output["total"], output["taxfree"], output["taxable"]) == (
        "2897.60", "1861.40", "1036.20")
    mileage, per_diem, _, item = output["lines"]
    assert "Passasjertillegg: 2 × 120 km × 1,00 = 240,00" in mileage["breakdown"]
    assert "  måltidstrekk (frokost): −202,40" in per_diem["breakdown"]
    assert item["breakdown"][0] == "Kampgodtgjørelse 3. div: 1 × 565,00 = 565,00"
    assert mileage["warnings"] == []
    assert [w["code"] for w in per_diem["warnings"]] == ["provisional_rates"]
    assert "foreløpige" in per_diem["warnings"][0]["message"]


def test_the_same_claim_from_a_file_in_english_gives_the_same_figures(kvitt, tmp_path):
    (tmp_path / "claim.json").write_text(json.dumps(REFEREE_CLAIM), "utf-8")

    ran = kvitt("calc", "--lang", "en", "claim.json")

    assert ran.status == 0
    output = ran.json()
    assert figures(output) == REFEREE_FIGURES
    assert output["total"] == "2897.60"
    assert "Passenger supplement: 2 × 120 km × 1,00 = 240,00" in output["lines"][0]["breakdown"]
    assert output["lines"][1]["warnings"][0]["message"].startswith("Some rates are provisional")


def test_numbers_may_be_json_numbers_or_strings_and_are_read_exactly(kvitt):
    claim = """{"lines": [
        {"kind": "mileage", "date": "2026-03-14", "km": "12.5"},
        {"kind": "mileage", "date": "2026-03-14", "km": 0.1},
        {"kind": "item", "date": "2026-03-14", "quantity": "48", "rate": 95, "taxable": false}
    ]}"""

    output = kvitt("calc", stdin=claim).json()

    # 12.5 × 5.30 = 66.25; 0.1 × 5.30 = 0.53 (as a float, 0.1 is not one tenth); 48 × 95
    assert figures(output) == [("66.25", "43.75", "22.50"), ("0.53", "0.35", "0.18"),
                               ("4560.00", "4560.00", "0.00")]
    assert output["total"] == "4626.78"


def test_a_federation_rate_file_overrides_the_state_km_rate(kvitt, tmp_path):
    (tmp_path / "handball.toml").write_text(HANDBALL, "utf-8")
    claim = {"rate_set": "handball", "lines": [
        {"kind": "mileage", "date": "2026-05-02", "km": "100", "passengers": ["Per"]}]}

    ran = kvitt("calc", "--rates", "handball.toml", stdin=json.dumps(claim))

    assert ran.status == 0
    output = ran.json()
    # 100 × 4.03 + 100 × 1.00 = 503; tax-free 100 × 3.50 + 100 = 450
    assert figures(output) == [("503.00", "450.00", "53.00")]
    assert "Bil: 100 km × 4,03 = 403,00" in output["lines"][0]["breakdown"]


def test_times_are_oslo_time_so_the_spring_dst_night_is_one_hour_shorter(kvitt):
    claim = {"lines": [{"kind": "per_diem", "departure": "2025-03-30T00:30",
                        "return": "2025-03-30T06:30", "distance_km": 50}]}

    output = kvitt("calc", stdin=json.dumps(claim)).json()

    assert figures(output) == [("0.00", "0.00", "0.00")]
    assert [w["code"] for w in output["lines"][0]["warnings"]] == ["per_diem_too_short_time"]


def mileage(**fields: object) -> dict[str, object]:
    return {"kind": "mileage", "date": "2026-03-14", "km": 10, **fields}


def per_diem(**fields: object) -> dict[str, object]:
    return {"kind": "per_diem", "departure": "2026-03-14T08:00",
            "return": "2026-03-15T18:00", "distance_km": 150, **fields}


def claim(*lines: dict[str, object], **top: object) -> str:
    return json.dumps({**top, "lines": list(lines)})


BAD_INPUT = [
    # (name, stdin, extra arguments, field, a piece of the message)
    ("invalid JSON", '{"lines": [}', (), None, "ugyldig JSON (linje 1, kolonne 12)"),
    ("unknown kind", claim({"kind": "bus"}), (), "lines[0].kind", "ukjent linjetype 'bus'"),
    ("missing field", claim(mileage(), {"kind": "mileage", "date": "2026-03-14"}), (),
     "lines[1].km", "mangler"),
    ("number of wrong type", claim(mileage(km="ti")), (), "lines[0].km", "må være et tall"),
    ("flag of wrong type", claim(per_diem(meals=[{"date": "2026-03-15", "lunch": "yes"}])), (),
     "lines[0].meals[0].lunch", "true eller false"),
    ("date in wrong format", claim(mileage(date="14.03.2026")), (), "lines[0].date",
     "ÅÅÅÅ-MM-DD"),
    ("return before departure", claim(per_diem(**{"return": "2026-03-14T07:00"})), (),
     "lines[0].return", "hjemkomst må være etter avreise"),
    ("negative km, in English", claim(mileage(km=-5)), ("--lang", "en"), "lines[0].km",
     "km must not be negative"),
    ("night outside the trip", claim(per_diem(nights=[{"date": "2026-03-20",
                                                       "lodging": "hotel"}])), (),
     "lines[0].nights[0].date", "utenfor reisen"),
    ("mileage with no rate set", claim(mileage(date="2019-06-01")), (), "lines[0].date",
     "ingen satser for 2019-06-01"),
    ("per diem with no rate set", claim(per_diem(departure="2019-06-01T08:00")), (),
     "lines[0].departure", "2019-06-01"),
    ("unknown rate set", claim(mileage(), rate_set="bandy"), (), "rate_set",
     "ukjent satssett 'bandy'"),
    ("federation outside its season", claim(mileage(date="2025-06-01"), rate_set="handball"),
     ("--rates", "handball.toml"), "lines[0].date", "'handball' har ingen satser"),
    ("misspelt field", claim(mileage(forest_km=3)), (), "lines[0].forest_km", "ukjent felt"),
    ("foreign currency without rate", claim({"kind": "expense", "date": "2026-03-14",
                                             "type": "taxi", "amount": "20",
                                             "currency": "EUR"}), (),
     "lines[0].nok_rate", "NOK per EUR"),
    ("unreadable file", "", ("no-such-claim.json",), None, "kan ikke lese no-such-claim.json"),
    ("unreadable rate file", claim(), ("--rates", "missing.toml"), "--rates", "missing.toml"),
]


@pytest.mark.parametrize(("stdin", "args", "field", "message"),
                         [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT])
def test_bad_input_exits_2_with_one_json_line_naming_the_field(
        kvitt: Any, tmp_path: Path, stdin: str, args: tuple[str, ...], field: str | None,
        message: str) -> None:
    (tmp_path / "handball.toml").write_text(HANDBALL, "utf-8")

    ran = kvitt("calc", *args, stdin=stdin)

    assert ran.status == 2
    assert ran.err == ""
    assert ran.out.count("\n") == 1
    assert ran.json() == {"error": ran.json()["error"], "field": field}
    assert message in ran.json()["error"]


def test_a_command_of_two_words_nests_under_the_first_word():
    ran: list[str] = []

    def recorder(word: str) -> Callable[[argparse.Namespace], int]:
        def run(args: argparse.Namespace) -> int:
            ran.append(f"{word} {vars(args).get('deep')}")
            return 0
        return run

    def deep(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--deep")

    parser = build_parser([Command("db upgrade", "upgrade", recorder("upgrade")),
                           Command("db check", "check", recorder("check"), deep),
                           Command("demo", "demo", recorder("demo"))])

    for argv in (["db", "upgrade"], ["db", "check", "--deep", "yes"], ["demo"]):
        args = parser.parse_args(argv)
        assert args.run(args) == 0
    assert ran == ["upgrade None", "check yes", "demo None"]
