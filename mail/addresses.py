"""Reply addresses and Message-IDs that carry a reply key, encoded and decoded side by side.

An approver answers by replying; the reply finds its approval through the key in the
address it was sent to (``krav+<key>@example.no`` by plus-addressing, the pattern is
configurable) or, when a forwarding hop rewrote the recipient, through the key embedded
in our Message-ID, which the reply quotes in ``In-Reply-To`` and ``References``.

Keys are lowercase letters and digits (``Env.new_key`` makes them so) because mail
servers and clients may change the case of a local part: decoding ignores case and
returns the key lowercased. Each encoder has its decoder next to it, and the tests run
them round-trip.
"""

from __future__ import annotations

import hashlib
import re
from email.utils import getaddresses

DEFAULT_PATTERN = "krav+{key}@example.no"
# Message-ID kinds whose token is a reply key (the others carry a hash of the outbox key)
KEYED_KINDS = frozenset({"key", "approval_request", "claimant_comment"})

_KEY = re.compile(r"[a-z0-9]+")
_KIND = re.compile(r"[a-z_]+")
_MSG_ID = re.compile(r"<kvitt\.(?P<kind>[a-z_]+)\.(?P<token>[a-z0-9]+)@(?P<domain>[^<>\s]+)>",
                     re.IGNORECASE)


def _check_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise ValueError("a reply key is lowercase letters and digits only")
    return key


def _split_pattern(pattern: str) -> tuple[str, str]:
    before, found, after = pattern.partition("{key}")
    if not found or "{key}" in after or "@" not in after or "@" in before:
        raise ValueError(f"the reply pattern needs one {{key}} before the @: {pattern!r}")
    return before, after


def reply_address(key: str, pattern: str = DEFAULT_PATTERN) -> str:
    """The address an approver replies to: ``pattern`` with ``{key}`` filled in.

    Raises:
        ValueError: the key is not lowercase letters and digits, or the pattern has no
            ``{key}`` in its local part.
    """
    before, after = _split_pattern(pattern)
    return f"{before}{_check_key(key)}{after}"


def key_from_address(address: str, pattern: str = DEFAULT_PATTERN) -> str | None:
    """The reply key in an address made by ``reply_address``, or None.

    ``address`` may be a whole header value: display names, angle brackets and several
    addresses (``Kvitt <KRAV+ABC@example.no>, other@x.no``) are tolerated; the first
    address that fits the pattern wins.
    """
    before, after = _split_pattern(pattern)
    shape = re.compile(f"{re.escape(before)}(?P<key>[a-z0-9]+){re.escape(after)}",
                       re.IGNORECASE)
    for _, candidate in getaddresses([address]):
        found = shape.fullmatch(candidate.strip())
        if found:
            return found["key"].lower()
    return None


def token(text: str) -> str:
    """A Message-ID-safe token for any text (an outbox key, another message's id)."""
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def message_id(domain: str, kind: str, key: str) -> str:
    """Our Message-ID for a mail of ``kind``: ``<kvitt.approval_request.<key>@domain>``.

    The same kind and key always give the same id, so a retried delivery is recognised
    as the same mail. For the kinds in ``KEYED_KINDS`` the key is a reply key and
    ``key_from_references`` finds it again; for the others pass ``token(...)``.
    """
    if not _KIND.fullmatch(kind):
        raise ValueError(f"a message kind is lowercase letters and underscores: {kind!r}")
    if not domain or any(ch in domain for ch in "<>@ \t\r\n"):
        raise ValueError(f"not a domain: {domain!r}")
    return f"<kvitt.{kind}.{_check_key(key)}@{domain}>"


def key_from_references(header_value: str, domain: str) -> str | None:
    """The reply key in ``References`` or ``In-Reply-To``, or None.

    Only our own ids (this ``domain``) of a keyed kind count; of several, the last one
    wins, as ``References`` lists the thread oldest first.
    """
    found = [m for m in _MSG_ID.finditer(header_value)
             if m["domain"].lower() == domain.lower() and m["kind"].lower() in KEYED_KINDS]
    return found[-1]["token"].lower() if found else None


BOUNCE_PREFIX = "bounce-"


def bounce_address(token: str, pattern: str = DEFAULT_PATTERN) -> str:
    """The envelope sender (VERP) of a mail: ``krav+bounce-<token>@example.no``.

    The hyphen keeps it apart from reply keys (letters and digits only): a bounce
    address is never read as a reply key, nor a reply key as a bounce token.
    """
    before, after = _split_pattern(pattern)
    return f"{before}{BOUNCE_PREFIX}{_check_key(token)}{after}"


def token_from_bounce_address(address: str, pattern: str = DEFAULT_PATTERN) -> str | None:
    """The token in an address made by ``bounce_address`` (in a header value), or None."""
    before, after = _split_pattern(pattern)
    shape = re.compile(f"{re.escape(before + BOUNCE_PREFIX)}(?P<token>[a-z0-9]+)"
                       f"{re.escape(after)}", re.IGNORECASE)
    for _, candidate in getaddresses([address]):
        found = shape.fullmatch(candidate.strip())
        if found:
            return found["token"].lower()
    return None
