"""A chain's name however OCR spelt it (``receipts.chains``), and the merchant offered."""

import pytest

from receipts.chains import chain_of
from receipts.fields import find_merchant
from receipts.rows import from_text


# each as RapidOCR read the rendered Norwegian fixtures' photos (6 December 2026)
@pytest.mark.parametrize("printed, chain", [
    ("CIRCLE K LYSAKER", "Circle K"), ("CIRCLEKLYSAKER", "Circle K"),
    ("REMA1000GRUNERL0KKA", "Rema 1000"), ("REMA 1O0O GRUNERLOKKA", "Rema 1000"),
    ("REMA100OGRUNERLOKKA", "Rema 1000"), ("NARVESEN OSLOS", "Narvesen"),
    ("PEPPESPIZZABERGEN", "Peppes Pizza"), ("SCANDIC HOTELL TRONDHEIM", "Scandic"),
    ("KIWI MAJORSTUEN", "Kiwi"), ("SHELL GARDERMOEN", "Shell"), ("VY TOGBILLETT", "Vy"),
    ("COOP EXTRA ALTA", "Coop Extra"), ("Coop Marked Bardu", "Coop Marked"),
    ("*** 7-ELEVEN ***", "7-Eleven"), ("ELKJOP LAGERHANDEL", "Elkjøp"),
])
def test_a_chain_is_told_however_ocr_spelt_it(printed, chain):
    assert chain_of(printed) == chain


@pytest.mark.parametrize("printed", [
    "SHELLFISH SHACK",  # a short name must be a whole first word
    "VYTOGBILLETT",  # so Vy with its space lost is left as read
    "KIWIFRUIT MARKET", "SPARKLING CAFE", "ESSOTERIC BOOKS", "THE COOP CAFE", "",
])
def test_what_only_begins_like_a_short_chain_is_none(printed):
    assert chain_of(printed) is None


def test_the_chain_is_offered_by_its_own_name_and_surely():
    found = find_merchant(from_text("KVITTERING\nCIRCLEKLYSAKER\nOrg.nr. 987 654 321 MVA"))
    assert found is not None and found.value == "Circle K" and found.confidence >= 0.9


def test_another_merchant_is_offered_as_printed_and_less_surely():
    found = find_merchant(from_text("KAFE ARKTISK\nStorgata 1, 9008 Tromsø"))
    assert found is not None and found.value == "KAFE ARKTISK" and found.confidence < 0.9
