"""The second look at an unsure receipt: how two readings of one photo are joined (no OCR)."""

from datetime import date
from decimal import Decimal

import numpy as np

from receipts.prepare import binarise
from receipts.reader import merged
from service.receipts import ReceiptReading

DAY = date(2018, 3, 6)


def reading(total: str | None, total_sure: float, day: date | None = DAY,
            day_sure: float = 0.95) -> ReceiptReading:
    return ReceiptReading(total=Decimal(total) if total else None, date=day,
                          confidence={"total": total_sure, "date": day_sure}, text="read")


def test_an_unsure_total_takes_the_second_readings_sure_one():
    joined = merged(reading(None, 0.0), reading("60.30", 0.9)).offered()
    assert joined.total == Decimal("60.30") and joined.date == DAY


def test_two_readings_that_agree_offer_what_neither_alone_was_sure_of():
    joined = merged(reading("75.00", 0.45), reading("75.00", 0.4)).offered()
    assert joined.total == Decimal("75.00")


def test_two_readings_that_disagree_offer_no_total():
    assert merged(reading("94.19", 0.45), reading("194.19", 0.4)).offered().total is None
    # just past the gate, withdrawn when the second reading is sure of another value
    assert merged(reading("13.50", 0.7), reading("13.60", 0.8)).offered().total is None


def test_a_clear_field_is_kept_whatever_the_second_reading_says():
    joined = merged(reading("60.30", 0.95, day_sure=0.3), reading("6.30", 0.95)).offered()
    assert joined.total == Decimal("60.30") and joined.date == DAY


def test_a_date_past_the_gate_stays_when_the_second_reading_has_none():
    joined = merged(reading("60.30", 0.95, day_sure=0.6), reading(None, 0.0, None, 0.0))
    assert joined.offered().date == DAY and joined.text == "read\n\nread" and joined.passes == 1


def test_binarising_makes_ink_black_and_paper_white():
    gray = np.full((60, 60), 200, dtype=np.uint8)
    gray[20:40, 28:32] = 90  # a faint stroke on grey paper
    ink = binarise(gray)
    assert ink[30, 30] == 0 and ink[5, 5] == 255 and set(np.unique(ink)) <= {0, 255}
