"""Malformed and hostile inbound messages: the triggers issue 9 saw, and a fuzz generator.

Each builder returns raw bytes as an MTA would hand them over. ``fuzz_corpus`` mixes the
kinds of damage real mailboxes see (truncated MIME, wrong and unknown charsets, 8-bit
headers, NUL bytes, huge headers, deep nesting, big attachments, thousands of addresses,
binary garbage), seeded so a failing run can be replayed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

Builder = Callable[[random.Random, int, str], bytes]


def _head(n: int, to: str, subject: bytes = b"Re: krav", frm: bytes = b"a@example.no") -> bytes:
    return (b"From: " + frm + b"\r\nTo: " + to.encode() + b"\r\nSubject: " + subject
            + b"\r\nMessage-ID: <fuzz-%d@example.no>\r\nMIME-Version: 1.0\r\n" % n)


def nested(depth: int, n: int = 0, to: str = "krav@example.no") -> bytes:
    """A multipart nested ``depth`` levels deep (the parser's recursion overflows ~1,000)."""
    body = b"Content-Type: text/plain\r\n\r\nGodkjent\r\n"
    for level in range(depth, 0, -1):
        body = (b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (level, level)
                + body + b"\r\n--b%d--\r\n" % level)
    return _head(n, to) + body


def nul_subject(n: int = 0, to: str = "krav@example.no") -> bytes:
    """NUL bytes in Subject and Message-ID (PostgreSQL refuses them in text)."""
    return (b"From: a@example.no\r\nTo: " + to.encode() + b"\r\nSubject: Re: \x00krav\x00\r\n"
            b"Message-ID: <nul\x00-%d@example.no>\r\n\r\nGodkjent\r\n" % n)


def long_from(n: int = 0, to: str = "krav@example.no") -> bytes:
    """A From address longer than any mail address may be (and than the column)."""
    return _head(n, to, frm=b"x" * 400 + b"@example.no") + b"\r\nGodkjent\r\n"


def many_addresses(count: int = 5000, n: int = 0, to: str = "krav@example.no") -> bytes:
    """A From with ``count`` addresses."""
    frm = ", ".join(f"u{i}@example.no" for i in range(count)).encode()
    return _head(n, to, frm=frm) + b"\r\nGodkjent\r\n"


def _truncated(rng: random.Random, n: int, to: str) -> bytes:
    whole = (_head(n, to) + b"Content-Type: multipart/alternative; boundary=zz\r\n\r\n"
             b"--zz\r\nContent-Type: text/plain; charset=utf-8\r\n"
             b"Content-Transfer-Encoding: base64\r\n\r\nR29ka2plbnQ=\r\n--zz--\r\n")
    return whole[:rng.randrange(20, len(whole))]


def _charset(rng: random.Random, n: int, to: str) -> bytes:
    charset = rng.choice([b"x-unknown-42", b"utf-7", b"iso-8859-1", b"utf-16", b"", b"\xff"])
    return (_head(n, to, subject=b"=?" + charset + b"?B?w6Z4?=") + b"Content-Type: text/plain; "
            b"charset=" + charset + b"\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGodkj\xe6nt \xff"
            b"\xfe\r\n")


def _eight_bit(rng: random.Random, n: int, to: str) -> bytes:
    junk = bytes(rng.randrange(128, 256) for _ in range(rng.randrange(1, 300)))
    return _head(n, to, subject=junk, frm=b"\xc3\xa6\xc3\xb8 <" + junk[:5] + b"@x.no>") + \
        b"X-" + junk[:3] + b": " + junk + b"\r\n\r\nGodkjent\r\n"


def _nul(rng: random.Random, n: int, to: str) -> bytes:
    return nul_subject(n, to).replace(b"Godkjent", b"God\x00kj\x01ent\x1b[31m")


def _huge_header(rng: random.Random, n: int, to: str) -> bytes:
    size = rng.choice([10_000, 100_000, 1_000_000])
    return _head(n, to, subject=b"A" * size) + b"X-Long: " + b"b " * (size // 2) + \
        b"\r\nReferences: " + b"<r@x> " * (size // 6) + b"\r\n\r\nGodkjent\r\n"


def _deep(rng: random.Random, n: int, to: str) -> bytes:
    return nested(rng.choice([60, 200, 1000, 2000]), n, to)


def _big_attachment(rng: random.Random, n: int, to: str) -> bytes:
    size = 20 * 1024 * 1024 if n % 250 == 0 else rng.randrange(10_000, 300_000)
    return (_head(n, to) + b"Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n"
            b"Content-Type: text/plain\r\n\r\nGodkjent\r\n--q\r\nContent-Type: "
            b"application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + b"QUFB" * (size // 4) + b"\r\n--q--\r\n")


def _addresses(rng: random.Random, n: int, to: str) -> bytes:
    return many_addresses(rng.choice([300, 5000]), n, to)


def _garbage(rng: random.Random, n: int, to: str) -> bytes:
    return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 5000)))


def _long_from(rng: random.Random, n: int, to: str) -> bytes:
    return long_from(n, to)


BUILDERS: tuple[Builder, ...] = (_truncated, _charset, _eight_bit, _nul, _huge_header, _deep,
                                 _big_attachment, _addresses, _garbage, _long_from)


def fuzz_corpus(count: int, to: str, seed: int = 9) -> Iterator[tuple[str, bytes]]:
    """``count`` malformed messages as (kind, bytes), every kind in turn."""
    rng = random.Random(seed)
    for n in range(count):
        builder = BUILDERS[n % len(BUILDERS)]
        yield builder.__name__.strip("_"), builder(rng, n, to)
