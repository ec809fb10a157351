"""What kind of file a claimant sent, and its pages as images or as text.

Telegram delivers photos as JPEG, and documents as whatever the phone had:
PNG screenshots, HEIC from iPhones (opened through ``pillow-heif``), PDF
receipts from web shops. A PDF's text layer is read as it is — no OCR, so no
OCR mistakes; a scanned PDF without one is OCR'd from its first embedded image.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

DECODE_AT_LEAST = 1000  # pixels a side: a JPEG is decoded at 1/2, 1/4 or 1/8 down to this
PDF_TEXT_AT_LEAST = 20  # characters; fewer means a scan with no real text layer
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis")


class UnreadableFile(ValueError):
    """Not a JPEG, PNG, HEIC or PDF, or a broken one."""


@dataclass(frozen=True, slots=True)
class Opened:
    """A receipt file opened: either text (a PDF's text layer) or an image to OCR."""

    kind: str
    text: str | None = None
    image: Image.Image | None = None


def kind_of(data: bytes) -> str:
    """``pdf``, ``jpeg``, ``png``, ``heic``, or ``unknown``, from the file's first bytes."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "heic"
    return "unknown"


def _image(data: bytes) -> Image.Image:
    """The picture, a huge JPEG scan decoded in gray at a fraction of its size.

    A 5000 × 7000 scan costs a third of a second to decode in full and is shrunk to
    1000 pixels wide before OCR anyway; JPEG can decode at 1/2, 1/4, 1/8 directly.
    """
    try:
        image = Image.open(io.BytesIO(data))
        if image.format == "JPEG":
            image.draft("L", (DECODE_AT_LEAST, DECODE_AT_LEAST))
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise UnreadableFile(f"broken image: {exc}") from exc
    return image


def _pdf(data: bytes) -> Opened:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join(page.extract_text() or "" for page in reader.pages[:3])
        if len(text.strip()) >= PDF_TEXT_AT_LEAST:
            return Opened("pdf", text=text)
        for page in reader.pages[:1]:
            for picture in page.images:
                return Opened("pdf", image=_image(picture.data))
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise UnreadableFile(f"broken PDF: {exc}") from exc
    raise UnreadableFile("a PDF with neither text nor a picture")


def open_receipt(data: bytes) -> Opened:
    """The file's text or image; raises ``UnreadableFile``."""
    kind = kind_of(data)
    if kind == "pdf":
        return _pdf(data)
    if kind == "heic":
        try:
            from pillow_heif import register_heif_opener
        except ImportError as exc:
            raise UnreadableFile("HEIC needs pillow-heif (pip install pillow-heif)") from exc
        register_heif_opener()
    elif kind == "unknown":
        raise UnreadableFile("not a JPEG, PNG, HEIC or PDF file")
    return Opened(kind, image=_image(data))
