"""Whether OUR receiving server proved the sender's organisation (DMARC/DKIM, RFC 8601).

A sender can write any ``Authentication-Results`` header into its own mail; each server
on the way prepends its own. So only the topmost header counts, and only when its
authserv-id is ours (``KVITT_AUTHSERV_ID``): if our server added none, the topmost one
is the sender's, and nothing is proven. The header is parsed with ``authres`` (the RFC
8601 grammar), so words inside a quoted value or a comment are never read as a result.
A ``dmarc`` other than ``pass`` wins over any pass. A ``dmarc=pass`` for ``header.from``
or a ``dkim=pass`` for ``header.d``/``header.i`` counts only if that domain is in the
sender's *organisation*: the same registrable domain by the Public Suffix List (the
``publicsuffixlist`` package's bundled copy; no network), so ``no`` or ``co.uk`` are
never anyone's parent and ``evil-tromso-hk.no`` is not ``tromso-hk.no``.
"""

from __future__ import annotations

from email.message import EmailMessage
from functools import cache

import authres
from publicsuffixlist import PublicSuffixList

from mail.message import clean

_DOMAIN_OF = {"dmarc": ("header.from",), "dkim": ("header.d", "header.i")}


@cache
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()


def organisation(domain: str) -> str | None:
    """The registrable domain (``a.tromso-hk.no`` → ``tromso-hk.no``); None for a suffix."""
    found = _suffixes().privatesuffix(domain.strip().strip(".").lower())
    return str(found) if found else None


def _topmost(message: EmailMessage) -> str:
    try:
        values = message.get_all("Authentication-Results") or []
    except Exception:  # unparseable: nothing proven
        return ""
    return clean(str(values[0]), 4000) if values else ""


def authenticated(message: EmailMessage, address: str, authserv_id: str) -> bool:
    """Whether our server's topmost verdict proves ``address``'s organisation sent it."""
    header = _topmost(message)
    if not authserv_id or not header:
        return False
    try:
        parsed = authres.AuthenticationResultsHeader.parse(f"Authentication-Results: {header}")
    except Exception:  # a header our parser cannot read proves nothing
        return False
    if str(parsed.authserv_id).lower() != authserv_id.lower():
        return False
    sender_org = organisation(address.rpartition("@")[2])
    results = [r for r in parsed.results if str(r.method).lower() in _DOMAIN_OF]
    if sender_org is None or any(str(r.method).lower() == "dmarc" and str(r.result).lower()
                                 != "pass" for r in results):
        return False
    for result in results:
        if str(result.result).lower() != "pass":
            continue
        names = _DOMAIN_OF[str(result.method).lower()]
        for prop in result.properties:
            if f"{prop.type}.{prop.name}".lower() in names:
                domain = str(prop.value).rpartition("@")[2]
                if organisation(domain) == sender_org:
                    return True
    return False
