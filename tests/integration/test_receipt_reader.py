"""The receipt reader with its real OCR engine, in its process pool, off the event loop."""

import asyncio
import importlib.util
from datetime import date
from decimal import Decimal

import pytest

from harness.receipt_fixtures import norwegian_fixtures, photo_of
from receipts.pool import PooledReader
from tests.support.unavailable import unavailable

TODAY = date(2026, 12, 4)


@pytest.fixture(scope="module")
def fixtures():
    return {fixture.name: fixture for fixture in norwegian_fixtures()}


@pytest.fixture
async def reader():
    if importlib.util.find_spec("rapidocr") is None:
        unavailable("RapidOCR is not installed: pip install rapidocr onnxruntime")
    pooled = PooledReader("rapidocr", workers=2, time_limit=60)
    yield pooled
    pooled.close()


async def test_a_rotated_photo_and_an_heic_are_read_in_parallel_off_the_loop(reader, fixtures):
    ticks = 0

    async def heartbeat():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    beat = asyncio.create_task(heartbeat())
    photo, iphone = fixtures["no0-rotated.jpg"], fixtures["no1.heic"]
    readings = await asyncio.gather(reader.read(photo.data, TODAY),
                                    reader.read(iphone.data, TODAY))
    beat.cancel()
    offered = [reading.offered() for reading in readings]
    assert [(r.total, r.date) for r in offered] == [
        (Decimal("834.90"), date(2026, 11, 3)), (Decimal("83.25"), date(2026, 10, 14))]
    assert ticks >= 5, "the event loop was held up while OCR ran"


async def test_a_cash_rounded_receipt_offers_the_total_it_prints(reader):
    # a till rounds cash to the krone: the receipt's total is 345,49 unless a row of its
    # own prints the rounded amount (receipts/totals.py, 8 December 2026)
    head = ["KIWI MAJORSTUEN", "Org.nr. 987 654 321 MVA", "Dato: 03.11.2026  Kl. 14:32", "",
            "Brød                               39,90", "Kaffe                             305,59",
            "-" * 42, "Totalt                            345,49",
            "Øreavrunding                       -0,49"]
    tail = ["Kontant                           400,00", "Veksel                             55,00"]
    printed, rounded = await asyncio.gather(
        reader.read(photo_of(head + tail), TODAY),
        reader.read(photo_of([*head, "Å betale                          345,00", *tail]), TODAY))
    assert (printed.offered().total, printed.offered().date) == (
        Decimal("345.49"), date(2026, 11, 3))
    assert rounded.offered().total == Decimal("345.00")


async def test_a_receipt_over_the_time_limit_is_given_up_and_the_next_one_is_read(
        reader, fixtures):
    reader.time_limit = 0.01
    late = await reader.read(fixtures["no2-blur.jpg"].data, TODAY)
    assert "not read within" in late.problem and late.total is None
    reader.time_limit = 60
    after = (await reader.read(fixtures["no2-clean.png"].data, TODAY)).offered()
    assert after.total == Decimal("81.00") and after.date == date(2026, 9, 2)


async def test_without_the_engine_a_photo_gets_a_problem_and_a_pdf_is_still_read(fixtures):
    pooled = PooledReader("no-such-engine-installed", workers=1, time_limit=60)
    try:
        photo = await pooled.read(fixtures["no0-clean.png"].data, TODAY)
        document = await pooled.read(fixtures["no0.pdf"].data, TODAY)
    finally:
        pooled.close()
    assert photo.problem and photo.total is None
    assert document.offered().total == Decimal("834.90")


def test_openvino_reads_a_photo_as_onnx_runtime_does(fixtures):
    """The default engine runs RapidOCR's models on OpenVINO; the texts must not change."""
    from receipts.engines import ENGINES

    if importlib.util.find_spec("openvino") is None:
        unavailable("OpenVINO is not installed: pip install -e '.[ocr]'")
    fast, reference = ENGINES["rapidocr"](), ENGINES["rapidocr-onnxruntime"]()
    assert (fast.name, reference.name) == ("rapidocr", "rapidocr-onnxruntime")
    for name in ("no0-rotated.jpg", "no2-blur.jpg"):
        gray = engines_image(fixtures[name].data)
        read, expected = fast.rows(gray), reference.rows(gray)
        assert [row.text for row in read] == [row.text for row in expected]
        assert [row.confidence for row in read] == pytest.approx(
            [row.confidence for row in expected], abs=1e-3)


def test_when_openvino_refuses_the_engine_reads_on_onnx_runtime(fixtures, monkeypatch):
    from receipts import engines

    def refuse(*_args):
        raise RuntimeError("Exception from src/inference/src/core.cpp: no CPU plugin")

    monkeypatch.setattr(engines, "_OpenVinoModel", refuse)
    engine = engines.RapidEngine()
    assert engine.name == "rapidocr-onnxruntime"
    image = engines_image(fixtures["no2-clean.png"].data)
    assert any("81" in row.text for row in engine.rows(image))


def engines_image(data: bytes):
    from receipts.files import open_receipt
    from receipts.prepare import prepare

    image = open_receipt(data).image
    assert image is not None
    return prepare(image)
