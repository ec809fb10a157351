"""``kvitt receipt read FILE``: what the reader makes of one receipt, as JSON.

The support tool for "why did it read that?". It prints exactly
``{"total", "currency", "date", "merchant", "seconds"}`` with null wherever the
confidence gate says unsure — what the bot would offer. ``--text`` adds the
recognised text and the confidences on standard error. The engine is
``KVITT_OCR_ENGINE`` (default ``rapidocr``).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from app.settings import Settings, SettingsError


def arguments(parser: argparse.ArgumentParser) -> None:
    """``receipt read FILE [--text]``."""
    parser.add_argument("file", help="a JPEG, PNG, HEIC or PDF receipt")
    parser.add_argument("--text", action="store_true",
                        help="also print the recognised text and confidences (standard error)")


def run(args: argparse.Namespace) -> int:
    """Read the file and print the offered fields; exit 2 if it cannot be read at all."""
    from receipts.engines import ENGINES, Engine, EngineMissing
    from receipts.reader import read_receipt

    try:
        data = Path(args.file).read_bytes()
        name = Settings.load().receipts.ocr_engine
    except OSError as exc:
        print(f"kan ikke lese {args.file}: {exc.strerror} / cannot read {args.file}",
              file=sys.stderr)
        return 2
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    engine: Engine | None = None
    try:
        engine = ENGINES[name]() if name in ENGINES else None
    except EngineMissing as exc:
        print(f"OCR-motoren mangler / OCR engine missing: {exc}", file=sys.stderr)
    reading = read_receipt(data, engine, date.today())
    offered = reading.offered()
    print(json.dumps({
        "total": f"{offered.total:.2f}" if offered.total is not None else None,
        "currency": offered.currency,
        "date": offered.date.isoformat() if offered.date else None,
        "merchant": offered.merchant, "seconds": reading.seconds}, ensure_ascii=False))
    if args.text:
        print(json.dumps(dict(reading.confidence)), reading.text, sep="\n", file=sys.stderr)
    if reading.problem:
        print(f"kunne ikke lese kvitteringen / could not read the receipt: {reading.problem}",
              file=sys.stderr)
        return 2
    return 0
