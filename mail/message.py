"""Raw bytes to a parsed message, its text, and the key that makes a redelivery harmless.

Parsing never raises on malformed mail: the standard library records defects on the
message instead, and every later step (classify, visible reply, decision) works on
whatever headers and parts could be read. Hostile mail is bounded here, once, so no later
step has to care (issue 9): a message with more than ``MAX_MULTIPARTS`` multipart
boundaries (the parser recurses once per level and overflows near 1,000) is read for its
headers only; header values are read through ``header``, which drops NUL and other
control characters (PostgreSQL refuses NUL in text) and caps the length, so a From with
5,000 addresses costs microseconds, not seconds; the body's text is capped likewise. The
raw bytes stay whole in the mailbox the message is filed to.
"""

from __future__ import annotations

import hashlib
import re
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import EmailPolicy
from html.parser import HTMLParser
from typing import Any

MAX_MULTIPARTS = 64  # real mail nests a handful of levels; 64 boundaries is far beyond it
MAX_HEADER = 2000  # characters of one header read (the first few addresses of a long list)
MAX_TEXT = 100_000  # characters of body text read for the reply
MAX_ID = 500  # a longer Message-ID is stored as its hash
MAX_PARSED = 20_000  # characters of a header value the header policy parses at all
# an address list is parsed character by character (~80 µs each): its first 1,000 (a dozen
# addresses or so) is all a reply needs
MAX_PARSED_ADDRESSES = 1000
_ADDRESS_HEADERS = frozenset({"from", "sender", "reply-to", "to", "cc", "bcc", "delivered-to",
                              "x-original-to", "resent-from", "resent-to", "resent-cc",
                              "resent-sender", "x-failed-recipients", "return-path"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str, limit: int | None = None) -> str:
    """``text`` without NUL and control characters (tab and newlines kept), cut at ``limit``."""
    return _CONTROL.sub("", text if limit is None else text[:limit * 2])[:limit]


MAX_CACHED = 1000  # characters of a header value whose parse is kept for the next fetch
_PARSED_HEADERS: dict[tuple[str, str], Any] = {}


class _BoundedPolicy(EmailPolicy):
    """``policy.default``, but a header value is cut before it is parsed (see the docstring).

    The standard library parses a header again at every fetch, and reading one reply
    fetched its headers some 23 times (Content-Type alone 13: each ``get_body`` and
    ``get_content_type`` asks again), a third of the inbound pass's CPU. A parsed header
    is an immutable ``str`` made from its name and value alone, so short ones are kept
    (process-wide, a bounded number) and handed out again, to this message and the next.
    """

    def header_fetch_parse(self, name: str, value: str) -> Any:
        """Parse at most ``MAX_PARSED`` characters of the value (fewer of an address list)."""
        if len(value) <= MAX_CACHED:
            key = (name, value)
            found = _PARSED_HEADERS.get(key)
            if found is None:
                if len(_PARSED_HEADERS) >= 4096:
                    _PARSED_HEADERS.clear()
                found = _PARSED_HEADERS[key] = super().header_fetch_parse(name, value)
            return found
        limit = MAX_PARSED_ADDRESSES if name.lower() in _ADDRESS_HEADERS else MAX_PARSED
        return super().header_fetch_parse(name, value[:limit])


POLICY = _BoundedPolicy()


def parse_message(raw: bytes) -> EmailMessage:
    """Parse a whole RFC 5322 message with the modern (``policy.default``) API.

    Leading blank lines (some MTA pipes and mbox exports prepend them) would otherwise
    end the header section before it starts, so they are dropped first.
    """
    raw = raw.lstrip(b"\r\n\t ")
    parser = BytesParser(policy=POLICY)
    if raw.lower().count(b"boundary") <= MAX_MULTIPARTS:
        try:
            message = parser.parsebytes(raw)
            assert isinstance(message, EmailMessage)  # guaranteed by policy.default's factory
            return message
        except RecursionError:  # nested deeper than the count suggested: headers only
            pass
    return _headers_only(parser.parsebytes(raw, headersonly=True))


def _headers_only(message: object) -> EmailMessage:
    """The headers of a message whose body is too deep to read: an empty text body."""
    assert isinstance(message, EmailMessage)
    for name in ("Content-Type", "Content-Transfer-Encoding"):
        del message[name]
    message.set_payload("")
    return message


def header(message: EmailMessage, name: str, limit: int = MAX_HEADER) -> str:
    """Every value of header ``name`` joined, cleaned and cut at ``limit`` ("" when absent).

    A header the policy cannot read at all counts as absent: what the sender broke is
    read as missing, never as an error of ours.
    """
    try:
        values = [str(v) for v in message.get_all(name) or []]
    except Exception:  # a header so broken the policy cannot even build it: treat as absent
        return ""
    return clean(", ".join(values), limit)


def message_key(message: EmailMessage, raw: bytes) -> str:
    """The message's identity for "seen before?": its Message-ID, else a hash of the bytes.

    The hash is of the raw bytes, so a redelivery of the very same message is recognised
    even when the sending client wrote no Message-ID.
    """
    message_id = header(message, "Message-ID", MAX_PARSED).split(",")[0].strip()
    if len(message_id) > MAX_ID:  # kept whole in the mailbox; stored as its hash
        return "sha256:" + hashlib.sha256(message_id.encode()).hexdigest()
    if message_id:
        return message_id
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def body_text(message: EmailMessage) -> str:
    """The message's text: the text/plain part, or the HTML part as text when only that."""
    for subtype in ("plain", "html"):
        part = message.get_body(preferencelist=(subtype,))
        if not isinstance(part, EmailMessage):
            continue
        try:
            content = str(part.get_content())
        except (LookupError, ValueError, AssertionError):  # unknown charset, broken encoding
            payload = part.get_payload(decode=True)
            content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
        content = clean(content, MAX_TEXT)
        if content.strip():
            return html_to_text(content) if subtype == "html" else content
    return ""


class _Text(HTMLParser):
    """HTML to plain lines; quoting elements prefix their lines with ``> `` like mail text."""

    _SKIP = frozenset({"head", "style", "script", "title"})
    _BLOCK = frozenset({"p", "div", "blockquote", "tr", "li", "table", "ul", "ol", "pre", "dt",
                        "dd", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header",
                        "footer"})
    _CONTAINERS = frozenset({"div", "blockquote", "span"})
    _QUOTE_MARKS = ("gmail_quote", "yahoo_quoted", "moz-cite-prefix")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line = ""
        self.open: list[tuple[str, bool]] = []  # container elements: (tag, quotes its text)
        self.depth = 0  # how many open containers quote their text
        self.skipping = 0

    def flush(self, blank: bool = False) -> None:
        text = re.sub(r"[ \t\r\n\f]+", " ", self.line).strip()
        if text or blank:
            self.lines.append("> " * self.depth + text)
        self.line = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        marks = " ".join(value or "" for name, value in attrs if name in ("class", "id"))
        if tag in self._SKIP:
            self.skipping += 1
        elif tag == "br":
            self.flush(blank=True)
        elif tag == "hr":
            self.flush()
            self.lines.append("_" * 32)
        elif tag in self._BLOCK:
            self.flush()
            self.line = "- " if tag == "li" else ""
        if "gmail_signature" in marks:
            self.flush()
            self.lines.append("--")
        if tag in self._CONTAINERS:
            quoting = tag == "blockquote" or any(m in marks for m in self._QUOTE_MARKS)
            if quoting:
                self.flush()
                self.depth += 1
            self.open.append((tag, quoting))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCK:
            self.flush()
        elif tag == "td":
            self.line += " "
        # the nearest open element of that name; unclosed tags farther back stay open, so
        # broken HTML costs a little accuracy, never quadratic time
        for index in range(len(self.open) - 1, max(-1, len(self.open) - 65), -1):
            if self.open[index][0] == tag:
                if self.open[index][1]:
                    self.flush()
                    self.depth -= 1
                del self.open[index]
                break

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.line += data


def html_to_text(html: str) -> str:
    """Plain text from an HTML mail body, block elements on their own lines."""
    parser = _Text()
    if not re.search(r"<(br|p|div|tr|li|blockquote)\b", html, re.IGNORECASE):
        html = html.replace("\n", "<br>")  # plain text in an HTML wrapper keeps its lines
    parser.feed(html)
    parser.close()
    parser.flush()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(parser.lines)).strip("\n")
