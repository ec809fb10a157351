"""Reading one receipt: bytes in, a ``ReceiptReading`` out (see ``receipts.extract``).

This is the synchronous core that runs inside a worker process (``receipts.pool``)
or from ``kvitt receipt read``; it never raises for a bad file.
"""

from __future__ import annotations

import time
from datetime import date

from receipts.engines import Engine, EngineMissing
from receipts.extract import reading_from_rows
from receipts.files import UnreadableFile, open_receipt
from receipts.prepare import prepare
from receipts.rows import from_text
from service.receipts import ReceiptReading


def read_receipt(data: bytes, engine: Engine | None, latest: date) -> ReceiptReading:
    """Read ``data``; dates after ``latest`` (today) are not believed.

    ``engine`` None means no OCR engine is installed: a PDF's text is still read.
    """
    started = time.perf_counter()
    try:
        opened = open_receipt(data)
        if opened.text is not None:
            rows = from_text(opened.text)
        elif engine is None:
            raise EngineMissing("no OCR engine installed")
        else:
            assert opened.image is not None
            rows = engine.rows(prepare(opened.image))
    except (UnreadableFile, EngineMissing) as exc:
        return ReceiptReading(problem=str(exc), seconds=time.perf_counter() - started)
    reading = reading_from_rows(rows, latest)
    return ReceiptReading(
        reading.total, reading.currency, reading.date, reading.merchant, reading.vat,
        reading.text, reading.confidence, round(time.perf_counter() - started, 3))
