"""The receipt reader's port: what reading a receipt gives, and who may read one.

The bot offers what was read for one-tap confirmation; it never uses a value
unseen. ``ReceiptReading.offered`` applies the confidence gate: a field the
reader is unsure of is left out, and the claimant is asked for it as before —
a wrongly offered total is worse than none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Protocol

FIELDS = ("total", "currency", "date", "merchant", "vat")
GATE = 0.5  # a field at or above this confidence is offered (tuned in bench/receipt_bench.py)


@dataclass(frozen=True, slots=True)
class ReceiptReading:
    """What a receipt says, as far as it could be read, with a confidence per field (0–1).

    ``text`` is the recognised text (for "why did it read that?"); ``problem`` is set
    when the file could not be read at all (unknown format, no OCR engine, time limit);
    ``passes`` is how many times OCR read the photo (a second look when unsure).
    """

    total: Decimal | None = None
    currency: str | None = None
    date: date | None = None
    merchant: str | None = None
    vat: Decimal | None = None
    text: str = ""
    confidence: Mapping[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    problem: str = ""
    passes: int = 0

    def offered(self, gate: float = GATE) -> ReceiptReading:
        """This reading with every field below ``gate`` confidence set to None."""
        def sure(name: str) -> bool:
            return self.confidence.get(name, 0.0) >= gate
        return replace(
            self, total=self.total if sure("total") else None,
            currency=self.currency if sure("currency") else None,
            date=self.date if sure("date") else None,
            merchant=self.merchant if sure("merchant") else None,
            vat=self.vat if sure("vat") else None)

    @property
    def anything(self) -> bool:
        """Whether at least the total or the date was read."""
        return self.total is not None or self.date is not None


class ReceiptReader(Protocol):
    """Reads receipt files (JPEG, PNG, HEIC, PDF) off the event loop, within a time limit."""

    async def read(self, data: bytes) -> ReceiptReading:
        """The reading of ``data``; never raises for a bad file (``problem`` says why)."""
