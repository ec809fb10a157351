"""A receipt photo through the real PTB path: its total and date are offered and confirmed.

The reader is the real one (RapidOCR in its process pool); the photo is a rendered
Norwegian receipt, photographed a few degrees askew. The exchange rate of a foreign receipt
comes from the local Norges Bank stand-in.
"""

from __future__ import annotations

import asyncio
import importlib.util
import random
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from domain.lines import Expense
from harness.receipt_fixtures import DEGRADATIONS, Receipt, _jpeg, pdf, pdf_of, render
from mail.sheet import receipt_notes
from receipts.pool import PooledReader
from tests.e2e.test_telegram_claims import Bot, _claims, _join
from tests.e2e.test_telegram_exchange import bot_with_rates
from tests.support.unavailable import unavailable

CIRCLE_K = Receipt("Circle K Lysaker", date(2026, 3, 14), "14.03.26",
                   (("Diesel 15,1 l", Decimal("300.00")), ("Kaffe stor", Decimal("45.00"))),
                   "TOTALT", "BankAxept")


def photo(receipt: Receipt) -> bytes:
    rotate, quality = DEGRADATIONS["rotated"]
    return _jpeg(rotate(render(receipt), random.Random(11)), quality)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    if importlib.util.find_spec("rapidocr") is None:
        unavailable("RapidOCR is not installed: pip install rapidocr onnxruntime")
    reader = PooledReader("rapidocr", workers=2, time_limit=60)
    # Start both workers and load the engine before the dialog: the first photo should not
    # pay for starting processes inside the client's wait.
    await asyncio.gather(*(reader.read(photo(CIRCLE_K)) for _ in range(2)))
    try:
        async with bot_with_rates(tmp_path, receipts=reader) as (running, _):
            yield running
    finally:
        reader.close()


async def _saved_outlay(bot: Bot):
    """The one outlay of the claimant's claim, as the store has it."""
    claim = (await _claims(bot, "tromso-hk"))[0]
    (line,) = [line for line in claim.lines if isinstance(line.body, Expense)]
    return line


async def _outlay(bot: Bot):
    kari = await _join(bot, 7001, "tromso-hk")
    await kari.type("/ny")
    await kari.type("Kamp 14. mars")
    await kari.press("Hopp over")
    await kari.press("Utlegg")
    return kari


async def test_a_photos_total_and_date_are_offered_and_confirmed_with_one_tap(bot):
    kari = await _outlay(bot)
    offered = await kari.send_photo(photo(CIRCLE_K))
    assert "Jeg leste: 345,00 kr, 14. mars 2026, Circle K. Stemmer det?" in offered
    await kari.press("Stemmer")
    await kari.press("Annet")  # the type is not on the receipt: asked as before
    saved = await kari.press("Hopp over")  # remark
    assert "345,00" in saved
    line = await _saved_outlay(bot)
    assert line.body.amount.amount == Decimal("345.00") and line.body.date == date(2026, 3, 14)
    assert line.attachments and line.read is not None and line.read.amount == Decimal("345.00")
    assert line.corrected_from is None and line.read.merchant == "Circle K"


async def test_changing_the_amount_keeps_the_read_date(bot):
    kari = await _outlay(bot)
    await kari.send_photo(photo(CIRCLE_K))
    await kari.press("Endre beløp")
    await kari.press("Annet")
    await kari.type("340")
    await kari.press("Hopp over")
    line = await _saved_outlay(bot)
    assert line.body.amount.amount == Decimal("340") and line.body.date == date(2026, 3, 14)
    assert line.corrected_from == Decimal("345.00")  # the approver's mail says so
    changed = "⚠ Lest av kvitteringen: 345,00 kr; endret av den reisende"
    assert changed in receipt_notes(line, "nb")


async def test_a_pdf_in_euro_gets_norges_banks_rate_for_the_receipts_day(bot):
    euro = Receipt("Cafe Lisboa", date(2026, 3, 14), "14.03.2026",
                   (("Jantar", Decimal("45.00")),), "TOTAL EUR", "Visa")
    kari = await _outlay(bot)
    offered = await kari.send_document(pdf(euro), "kvittering.pdf",
                                       "application/pdf")
    assert "45,00 EUR, 14. mars 2026" in offered
    assert "Norges Bank, 13.03.2026" in offered  # a Saturday: Friday's rate
    await kari.press("Stemmer")
    await kari.press("Annet")
    await kari.press("Hopp over")
    line = await _saved_outlay(bot)
    assert line.body.amount.currency == "EUR" and line.body.amount.nok_rate == Decimal("11.513")
    assert (line.read.rate_source, line.read.rate_date) == ("Norges Bank", date(2026, 3, 13))
    assert "Kurs 11,513 (Norges Bank, 13.03.2026)" in receipt_notes(line, "nb")


async def test_a_total_without_its_currency_is_not_offered_as_kroner(bot):
    diner = ["JOE'S DINER", "12 Main Street, Boston MA", "", "2026-03-14 12:41", "",
             *(f"{what:<34}{amount:>8}" for what, amount in (
                 ("Burger", "$12.50"), ("Soda", "$3.00"), ("TOTAL", "$15.50"),
                 ("VISA", "$15.50"))), "", "Thank you, come again"]
    kari = await _outlay(bot)
    offered = await kari.send_document(pdf_of(diner), "receipt.pdf", "application/pdf")
    assert "Jeg leste: 15,50 (valuta ukjent), 14. mars 2026" in offered
    assert "15,50 kr," not in offered and "Hvilken valuta er beløpet i?" in offered
    await kari.press("15,50 USD")  # one tap, as "Stemmer" would be
    answer = await kari.press("Annet")
    assert "Norges Bank, 13.03.2026" in answer  # a Saturday: Friday's rate, as when typed
    await kari.press("Hopp over")  # remark
    line = await _saved_outlay(bot)
    assert line.body.amount.currency == "USD" and line.body.amount.amount == Decimal("15.50")
    assert line.body.date == date(2026, 3, 14)
    assert line.read is not None and (line.read.amount, line.read.currency) == (
        Decimal("15.50"), "USD")


async def test_a_changed_foreign_amount_is_shown_to_the_approver_in_its_currency(bot):
    euro = Receipt("Cafe Lisboa", date(2026, 3, 14), "14.03.2026",
                   (("Jantar", Decimal("45.00")),), "TOTAL EUR", "Visa")
    kari = await _outlay(bot)
    await kari.send_document(pdf(euro), "kvittering.pdf", "application/pdf")
    await kari.press("Endre beløp")
    await kari.press("Annet")
    await kari.type("EUR 40")
    await kari.press("Hopp over")  # remark
    line = await _saved_outlay(bot)
    assert line.corrected_from == Decimal("45.00")
    assert "⚠ Lest av kvitteringen: 45,00 EUR; endret av den reisende" in receipt_notes(line, "nb")


async def test_changing_the_date_keeps_the_read_amount(bot):
    kari = await _outlay(bot)
    await kari.send_photo(photo(CIRCLE_K))
    await kari.press("Endre dato")
    await kari.type("13.3")
    await kari.press("Annet")
    await kari.press("Hopp over")  # remark: the amount was not asked again
    line = await _saved_outlay(bot)
    assert line.body.amount.amount == Decimal("345.00") and line.body.date == date(2026, 3, 13)


async def test_a_total_typed_instead_of_picked_keeps_its_currency_unknown_in_the_mail(bot):
    diner = ["JOE'S DINER", "2026-03-14 12:41", f"{'TOTAL':<34}{'$15.50':>8}"]
    kari = await _outlay(bot)
    offered = await kari.send_document(pdf_of(diner), "receipt.pdf", "application/pdf")
    labels = [button["text"] for call in kari.last for row in call.buttons for button in row]
    assert "Hvilken valuta" in offered and "Endre beløp" in labels
    assert "Endre dato" not in labels  # a date changed first would leave the total unpicked
    await kari.press("Endre beløp")
    await kari.press("Annet")
    await kari.type("165")  # kroner, the card statement's amount
    await kari.press("Hopp over")  # remark
    line = await _saved_outlay(bot)
    assert line.body.amount.amount == Decimal("165") and line.body.date == date(2026, 3, 14)
    assert "⚠ Lest av kvitteringen: 15,50 (valuta ukjent); endret av den reisende" in \
        receipt_notes(line, "nb")
