"""What a receipt file really is, judged by its first bytes, not by its name or claimed type.

Phones send HEIC, scanners send PDF; anything else (a renamed .exe, an empty file)
is refused with a message saying what to send instead.
"""

from __future__ import annotations

_HEIC_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1")


def sniff_type(data: bytes) -> str | None:
    """The MIME type of a JPEG, PNG, HEIC or PDF file, or None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in _HEIC_BRANDS:
        return "image/heic"
    return None
