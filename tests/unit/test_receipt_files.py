"""Which receipt files are accepted, and a PDF's text read without OCR."""

from datetime import date
from decimal import Decimal

import pytest

from harness.receipt_fixtures import RECEIPTS, heic, pdf
from receipts.files import UnreadableFile, kind_of, open_receipt
from receipts.reader import read_receipt

TODAY = date(2026, 12, 4)


@pytest.mark.parametrize("start, kind", [
    (b"%PDF-1.7", "pdf"), (b"\xff\xd8\xff\xe0", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\x00\x00\x00\x1cftypheic", "heic"), (b"GIF89a", "unknown"),
])
def test_the_kind_comes_from_the_first_bytes_not_the_name(start, kind):
    assert kind_of(start + b"\x00" * 16) == kind


def test_a_pdf_with_a_text_layer_is_read_without_any_ocr_engine():
    reading = read_receipt(pdf(RECEIPTS[0]), None, TODAY).offered()
    assert (reading.total, reading.date, reading.currency) == (
        Decimal("834.90"), date(2026, 11, 3), "NOK")
    assert reading.merchant == "Circle K"


def test_an_heic_from_an_iphone_opens_as_an_image():
    opened = open_receipt(heic(RECEIPTS[1]))
    assert opened.kind == "heic" and opened.image is not None and opened.image.width > 500


def test_a_photo_without_an_engine_says_why_it_was_not_read():
    reading = read_receipt(heic(RECEIPTS[1]), None, TODAY)
    assert reading.problem and not reading.anything


def test_a_file_of_another_kind_is_refused_with_a_reason():
    with pytest.raises(UnreadableFile, match="JPEG, PNG, HEIC or PDF"):
        open_receipt(b"GIF89a" + b"\x00" * 100)
    assert "JPEG" in read_receipt(b"hello", None, TODAY).problem


def test_a_broken_jpeg_is_a_problem_not_a_crash():
    assert "broken" in read_receipt(b"\xff\xd8\xff\xe0" + b"\x00" * 50, None, TODAY).problem
