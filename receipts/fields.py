"""The merchant and the currency: the fields a receipt states without a label.

The merchant is a known chain's name read in one of the top rows (``receipts.chains``:
``CIRCLEKLYSAKER`` is offered as ``Circle K``), else the first row at the top that reads
like a name (not a greeting, not ``KVITTERING`` / ``TAX INVOICE``, not an address line of
digits); shops print their name first. A name as printed is offered less surely than the
amounts: a logo OCR'd as letters is common.

The currency comes from a code (``NOK``, ``EUR``) or a symbol (``€``, ``£``,
``kr``); ``kr`` on its own is Norwegian unless the receipt names another
krone. With no sign at all, Norwegian words (``MVA``, ``Org.nr``, ``BankAxept``)
make it NOK; otherwise the reader does not guess. A ``kr`` on a receipt with Swedish
words (``Att betala``, ``Summa``, ``Växel``, ``Kvitto``) is SEK, with Danish ones
(``At betale``, ``Dankort``, ``Byttepenge``; not ``I alt``, which Norwegian tills print
too) DKK, and with ``Moms`` alone (both countries' VAT, never Norway's) unknown, unless
Norway's own words (``MVA``, ``BankAxept``) are there: Norwegians shop across both
borders, and 245 kr taken for kroner when it was Swedish is a wrong amount.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from receipts.chains import chain_of
from receipts.rows import Row

CODES = ("NOK", "EUR", "USD", "GBP", "SEK", "DKK", "CHF", "PLN", "ISK", "JPY", "MYR", "CAD",
         "AUD", "THB", "CZK", "HUF")
_SIGNS = {"€": "EUR", "£": "GBP", "US$": "USD", "RM": "MYR", "KR": "NOK", "KR.": "NOK",
          "NKR": "NOK", ",-": "NOK", "EURO": "EUR"}
_CODE = re.compile(r"(?<![A-Z])(" + "|".join(CODES) + r")(?![A-Z])")
# ``ZU ZAHLEN EURO 24,23``: a German till names the euro in full
_SIGN = re.compile(r"€|£|US\$|(?<![A-Za-z])(?:RM|[Kk]r\.?|NKR|nkr|EURO|Euro)(?![A-Za-z])|\d,-")
# what only a Norwegian receipt prints: it wins over a Swedish- or Danish-looking word
_NORWAY_ONLY = r"\bmva\b|bankaxept|å betale|foretaksregisteret"
_ONLY_NORWEGIAN = re.compile(_NORWAY_ONLY, re.IGNORECASE)
_NORWEGIAN = re.compile(_NORWAY_ONLY + r"|org\.?\s?nr|totalt", re.IGNORECASE)
# ``kr`` in Sweden and Denmark too: what only a Swedish or a Danish receipt prints
_SWEDISH = re.compile(r"att betala|\bsumma\b|växel|\bkvitto\b|\bswish\b", re.IGNORECASE)
_DANISH = re.compile(r"\bat betale|dankort|byttepenge", re.IGNORECASE)
_NORDIC_VAT = re.compile(r"\bmoms\b", re.IGNORECASE)  # Swedish or Danish, never Norwegian
_NOT_A_NAME = re.compile(
    r"kvittering|receipt|invoice|faktura|velkommen|welcome|kopi|copy|org\.?\s?nr|www|http|@|"
    r"\b(?:tel|tlf|dato|date)\b", re.IGNORECASE)


TOP = 6  # the rows a shop's name is looked for in


@dataclass(frozen=True, slots=True)
class Found:
    """A text field and how sure the reader is of it."""

    value: str
    confidence: float


def find_currency(rows: list[Row]) -> Found | None:
    """The currency as an ISO 4217 code, or None if the receipt gives no sign of one."""
    seen: Counter[str] = Counter()
    named: set[str] = set()  # the codes printed, not the signs
    for row in rows:
        codes = _CODE.findall(row.text.upper())
        seen.update(codes)
        named.update(codes)
        for sign in _SIGN.findall(row.text):
            seen[_SIGNS.get(sign.upper(), "NOK" if sign.endswith(",-") else "")] += 1
    seen.pop("", None)
    if not seen:
        norwegian = any(_NORWEGIAN.search(row.text) for row in rows)
        krone = _krone(rows) if norwegian else None  # Org.nr and Totalt are Swedish too
        return Found(krone, 0.6) if krone is not None else None
    code, count = seen.most_common(1)[0]
    if code == "NOK" and "NOK" not in named:
        krone = _krone(rows)
        if krone is None:
            return None  # MOMS and kr: Swedish or Danish, the claimant picks
        code = krone
    share = count / sum(seen.values())
    return Found(code, round(min(1.0, 0.5 + 0.2 * count) * share, 3))


def _krone(rows: list[Row]) -> str | None:
    """Which krone a receipt's ``kr`` is: Swedish or Danish words say so, MOMS alone not."""
    text = "\n".join(row.text for row in rows)
    if _ONLY_NORWEGIAN.search(text):
        return "NOK"
    swedish, danish = bool(_SWEDISH.search(text)), bool(_DANISH.search(text))
    if swedish != danish:
        return "SEK" if swedish else "DKK"
    if swedish or _NORDIC_VAT.search(text):
        return None
    return "NOK"


def find_merchant(rows: list[Row]) -> Found | None:
    """The shop's name: a known chain's among the top few rows, else the first name-like row.

    A chain told by its name (``receipts.chains``) is as sure as the row it was read in;
    a row offered as printed is less sure (a logo read as letters is common).
    """
    for row in rows[:TOP]:
        chain = chain_of(row.text)
        if chain is not None:
            return Found(chain, round(row.confidence, 3))
    for row in rows[:TOP]:
        text = row.text.strip(" *-=#")
        letters = sum(ch.isalpha() for ch in text)
        if letters >= 3 and letters >= 0.6 * len(text.replace(" ", "")) \
                and not _NOT_A_NAME.search(text):
            return Found(text, round(0.6 * row.confidence, 3))
    return None
