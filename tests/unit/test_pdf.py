"""The claim as a PDF form: it parses, says what the mail says, and prints every letter."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from mail import pdf
from mail.pdf import claim_pdf
from tests.unit.test_compose import referee_summary

DEJAVU = any((d / "DejaVuSans.ttf").is_file() for d in pdf.FONT_DIRS)


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def test_the_form_is_a_pdf_of_one_page_with_the_reference_and_the_totals():
    data = claim_pdf(referee_summary(), "Kari Dommer", "1234 56 78903", "nb")
    assert data.startswith(b"%PDF-")
    assert pages(data) == 1
    text = text_of(data).replace("\u00a0", " ")
    for expected in ("REISEREGNING", "K-2026-000123", "Kari Dommer", "1234 56 78903",
                     "Tromsø Håndballklubb", "Bodø Håndballklubb", "Tromsø – Bodø – Tromsø"
                     if DEJAVU else "Tromsø - Bodø - Tromsø", "2 388,00", "1 185,00",
                     "1 203,00", "1 258,93", "1 129,07", "Kostnadsfordeling", "Dommere 2026",
                     "Godkjent elektronisk av dommer@tromso-hk.no", "honorarbrøk"):
        assert expected in text, expected


def test_the_form_in_english_uses_english_words():
    text = text_of(claim_pdf(referee_summary(), "Kari Dommer", None, "en"))
    assert "TRAVEL EXPENSE CLAIM" in text and "Tax-free" in text and "split by fees" in text
    assert "Approved electronically" in text and "Trekkfritt" not in text


def test_without_an_account_the_field_is_left_out():
    text = text_of(claim_pdf(referee_summary(), "Kari Dommer", None, "nb"))
    assert "Kontonummer" not in text


def test_the_same_claim_gives_the_same_bytes():
    view = referee_summary()
    assert claim_pdf(view, "Kari", None, "nb") == claim_pdf(view, "Kari", None, "nb")


def test_helvetica_prints_norwegian_letters_and_substitutes_the_rest(monkeypatch):
    monkeypatch.setattr(pdf, "FONT_DIRS", ())
    data = claim_pdf(referee_summary("Tur → Bodø ✓ 🚗"), "Máret Čávčo", None, "nb")
    text = text_of(data)
    assert "/Helvetica" in data.decode("latin-1")
    assert "Tur -> Bodø v" in text and "Máret Cávco" in text
    assert "Tromsø Håndballklubb" in text


@pytest.mark.skipif(not DEJAVU, reason="DejaVu fonts (Debian fonts-dejavu-core) not installed")
def test_dejavu_prints_sami_letters_as_written():
    data = claim_pdf(referee_summary(), "Máret Čávčo", None, "nb")
    assert "Máret Čávčo" in text_of(data)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_the_first_page_renders_to_an_image(tmp_path: Path):
    source = tmp_path / "claim.pdf"
    source.write_bytes(claim_pdf(referee_summary(), "Kari Dommer", "1234 56 78903", "nb"))
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(source),
                    str(tmp_path / "page")], check=True, capture_output=True, timeout=60)
    image = next(tmp_path.glob("page*.png"))
    assert image.read_bytes().startswith(b"\x89PNG") and image.stat().st_size > 10_000
