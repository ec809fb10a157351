"""``kvitt receipt read FILE``: exactly the offered fields as JSON, for support staff."""

import json
from datetime import date

from harness.receipt_fixtures import RECEIPTS, norwegian_fixtures, pdf


def test_a_pdf_receipt_prints_exactly_the_agreed_fields(kvitt, tmp_path):
    receipt = tmp_path / "kvittering.pdf"
    receipt.write_bytes(pdf(RECEIPTS[0]))
    ran = kvitt("receipt", "read", receipt)
    assert ran.status == 0, ran.err
    printed = json.loads(ran.out)
    assert list(printed) == ["total", "currency", "date", "merchant", "seconds"]
    assert printed["total"] == "834.90" and printed["currency"] == "NOK"
    assert printed["date"] == "2026-11-03" and printed["merchant"] == "Circle K"
    assert isinstance(printed["seconds"], float)


def test_a_photo_is_read_with_the_configured_engine(kvitt, tmp_path):
    photo = next(f for f in norwegian_fixtures() if f.name == "no3-perspective.jpg")
    (tmp_path / "bilde.jpg").write_bytes(photo.data)
    ran = kvitt("receipt", "read", tmp_path / "bilde.jpg", "--text")
    assert ran.status == 0, ran.err
    printed = json.loads(ran.out)
    assert (printed["total"], printed["date"]) == ("477.00", date(2026, 8, 21).isoformat())
    assert "Totalt" in ran.err or "TOTALT" in ran.err.upper()


def test_with_ocr_off_a_photo_prints_nulls_and_says_why(kvitt, tmp_path):
    photo = norwegian_fixtures()[0]
    (tmp_path / "bilde.png").write_bytes(photo.data)
    ran = kvitt("receipt", "read", tmp_path / "bilde.png", env={"KVITT_OCR_ENGINE": "none"})
    assert ran.status == 2
    assert json.loads(ran.out)["total"] is None
    assert "could not read the receipt" in ran.err


def test_a_missing_file_is_one_line_not_a_traceback(kvitt, tmp_path):
    ran = kvitt("receipt", "read", tmp_path / "nothing.jpg")
    assert ran.status == 2 and "cannot read" in ran.err and "Traceback" not in ran.err
