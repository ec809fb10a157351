"""From a receipt's rows to its fields: total, currency, date, merchant, VAT.

Each finder says how sure it is (0–1); the port's ``ReceiptReading.offered``
drops what is below the gate. The rules themselves are in ``totals``, ``dates``
and ``fields``.
"""

from __future__ import annotations

from datetime import date

from receipts.dates import find_date
from receipts.fields import find_currency, find_merchant
from receipts.rows import Row
from receipts.totals import find_total, find_vat
from service.receipts import ReceiptReading


def reading_from_rows(rows: list[Row], latest: date) -> ReceiptReading:
    """Every field found in ``rows``, with its confidence; dates after ``latest`` are ignored."""
    total, when = find_total(rows), find_date(rows, latest)
    currency, merchant, vat = find_currency(rows), find_merchant(rows), find_vat(rows)
    confidence = {name: found.confidence for name, found in (
        ("total", total), ("date", when), ("currency", currency), ("merchant", merchant),
        ("vat", vat)) if found is not None}
    return ReceiptReading(
        total=total.value if total else None, currency=currency.value if currency else None,
        date=when.value if when else None, merchant=merchant.value if merchant else None,
        vat=vat.value if vat else None, text="\n".join(row.text for row in rows),
        confidence=confidence)
