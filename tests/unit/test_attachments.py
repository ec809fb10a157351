"""Receipt files are judged by their bytes."""

import pytest

from domain.attachments import sniff_type


@pytest.mark.parametrize(("head", "mime"), [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
    (b"%PDF-1.7\n", "application/pdf"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00", "image/heic"),
    (b"\x00\x00\x00\x18ftypmif1\x00\x00", "image/heic"),
])
def test_receipt_types_are_recognised_by_their_first_bytes(head, mime):
    assert sniff_type(head + b"rest") == mime


@pytest.mark.parametrize("data", [b"", b"MZ\x90\x00 windows exe", b"GIF89a", b"hello.jpg"])
def test_anything_else_is_not_a_receipt(data):
    assert sniff_type(data) is None
