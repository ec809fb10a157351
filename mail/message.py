"""Raw bytes to a parsed message, its text, and the key that makes a redelivery harmless.

Parsing never raises on malformed mail: the standard library records defects on the
message instead, and every later step (classify, visible reply, decision) works on
whatever headers and parts could be read.
"""

from __future__ import annotations

import hashlib
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser


def parse_message(raw: bytes) -> EmailMessage:
    """Parse a whole RFC 5322 message with the modern (``policy.default``) API.

    Leading blank lines (some MTA pipes and mbox exports prepend them) would otherwise
    end the header section before it starts, so they are dropped first.
    """
    message = BytesParser(policy=policy.default).parsebytes(raw.lstrip(b"\r\n\t "))
    assert isinstance(message, EmailMessage)  # guaranteed by policy.default's factory
    return message


def message_key(message: EmailMessage, raw: bytes) -> str:
    """The message's identity for "seen before?": its Message-ID, else a hash of the bytes.

    The hash is of the raw bytes, so a redelivery of the very same message is recognised
    even when the sending client wrote no Message-ID.
    """
    try:
        value = message.get("Message-ID")
    except (IndexError, ValueError):  # a header the policy cannot parse at all
        value = None
    message_id = str(value or "").strip()
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
