"""The outside receipt sets' label rules (bench/receipt_sets.py), on printed text alone."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bench.receipt_sets import (
    agreed_dates,
    agreed_total,
    amount,
    date_readings,
    day_first,
    digest,
    dong,
    main,
)


@pytest.mark.parametrize(("printed", "value"), [
    ("$60.44", "60.44"), ("Eur154,40", "154.40"), ("£64,279.70", "64279.70"),
    ("134,999", "134999"), ("4,70", "4.70"), ("AED105.", "105"), ("34,85EUR", "34.85"),
    ("Total2.67", "2.67"), ("($3.13)", "-3.13"), ("$108.85-", "-108.85"),
    ("197.285", "197.285"), ("Rsl,971.00", "971.00"),
])
def test_amount(printed: str, value: str) -> None:
    assert amount(printed) == Decimal(value)


@pytest.mark.parametrize("printed", ["TOTAL", "7.020.44piece(s)", "12BALDUE", "7.020.44"])
def test_no_amount(printed: str) -> None:
    assert amount(printed) is None


def test_total_boxes_must_agree() -> None:
    assert agreed_total(["AED105.00", "AED105.", "TOTAL"]) == Decimal("105")
    assert agreed_total(["354.00", "504.00"]) is None


@pytest.mark.parametrize(("printed", "readings"), [
    ("05/02/18", [date(2018, 5, 2), date(2018, 2, 5)]),
    ("10.07.13", [date(2013, 7, 10), date(2013, 10, 7)]),
    ("25/10/2017", [date(2017, 10, 25)]),
    ("12/12/14", [date(2014, 12, 12)]),
    ("2016/05/04", [date(2016, 5, 4)]),
    ("27Dec´16", [date(2016, 12, 27)]),
    ("Jul19'14", [date(2014, 7, 19)]),
    ("Jun 26, 15", [date(2015, 6, 26)]),
    ("jeudi23juin2016", [date(2016, 6, 23)]),
    ("18AVR2014", [date(2014, 4, 18)]),
    ("0ct25'14", [date(2014, 10, 25)]),
    ("17JUL89", [date(1989, 7, 17)]),
    ("Aug262017", [date(2017, 8, 26)]),
    ("4/4/20127:33AM", [date(2012, 4, 4)]),
    ("Tuesday,March27th2018", [date(2018, 3, 27)]),
])
def test_date_readings(printed: str, readings: list[date]) -> None:
    assert date_readings(printed) == readings


@pytest.mark.parametrize("printed", ["20:37", "Jun15", "04/11", "DECEMBER2016", "ov-15-06-N"])
def test_no_date(printed: str) -> None:
    assert date_readings(printed) == []


def test_date_boxes_must_agree() -> None:
    assert agreed_dates(["08/02/10", "8/02/2010"]) == [date(2010, 8, 2), date(2010, 2, 8)]
    assert agreed_dates(["120EC2014", "12/12/14"]) == [date(2014, 12, 12)]
    assert agreed_dates(["NOV/25/2016", "DIC/21/2016"]) == []


def test_dong_and_day_first() -> None:
    assert dong(["Tổng tiền:", "74,000"]) == Decimal(74000)
    assert dong(["111.000đ"]) == Decimal(111000)
    assert dong(["3", "VND495. 638"]) is None
    assert day_first("Ngày: 11/08/2020 08:06") == [date(2020, 8, 11)]


def test_digest_names_and_contents(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.json").write_text("{}")
    first = digest(tmp_path)
    (tmp_path / "a" / "x.json").write_text("{ }")
    assert digest(tmp_path)[0] == first[0] == 1
    assert digest(tmp_path)[1] != first[1]


def test_never_writes_into_the_repository() -> None:
    with pytest.raises(SystemExit):
        main(["--out-root", str(Path(__file__).resolve().parents[2] / "bench")])
