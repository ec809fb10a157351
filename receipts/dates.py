"""The purchase date on a receipt, in the ways Norwegian and English receipts print it.

``dd.mm.yy``, ``dd.mm.yyyy``, ``dd/mm/yyyy``, ``dd-mm-yy``, ``yyyy-mm-dd``, and
month names (``3. november 2026``, ``22 MAR 2018``, ``25/FEB/2017``, and the US order
``Mar 22, 2018`` with a four-digit year, or a till's ``Aug 17 '16`` and ``27 Apr '13``
with the year's apostrophe). Day comes
before month, as in Norway (and the UK, and Malaysia's SROIE receipts); a date
that only makes sense month-first is taken so: as surely when no month could be the
second number (``03/22/2014``), less surely when the day-first reading was only ruled
out by being in the future or before 2000. OCR often glues the
time to the year (``19/10/201820:49``), so a four-digit year is tried first; a
two-digit year glued to the time (``03/06/1800:23``, ``03.04.2009:53``: four digits and
then a colon are a year's two and an hour) is read as its two digits, and a time glued
to an ISO date's day (``2018-11-18165834``) is a time. (Tried and dropped,
6 December: a year followed by an apostrophe year, ``$02 MAY.21'19``,
read as a day, the date month first. It mended one date of ExpressExpense's dev part and
made one of its held part wrong, so it was taken out again.)

Abroad (6 December 2026, night, from WildReceipt's photos): the months of France, Spain,
the Netherlands, Germany and Italy (``18 DECEMBRE 2014``, ``23 juin``, ``14. März``);
a month first with a point or slash (``Feb 11.2012``, ``Jul/15/2017``); and
an ISO date with the time glued on with its colons (``2015-08-1213:15:31``). WildReceipt:
292 -> 301 right dates of 355, wrong dates the same 7; no other set changed. Then a date
that reads only month first offered as surely as any (until then 0.6 of it): 301 -> 303,
wrong dates 7 -> 6 (a right one now outweighs the other date on the receipt). And a
date given for later (``RETURNS WITH RECEIPT THRU 01/12/2011``, ``Offer ends``,
``Expires``, ``Åpent kjøp til``, ``Bytterett til``) is not when it was bought: 303 -> 304,
wrong dates 6 -> 5. A two-digit year is no year when an amount's digits follow it
(``2 SET 12.90``, ``3 MAR 12.50``, ``1 MAI 20,00`` are a quantity, a word and a price;
``set`` is Italian for September), so ``MAY08.17`` is not read either: 304 -> 302.

A date on a row that says it is one (``Dato``, ``Date``) beats others; several
different dates (a printed-at, a best-before) lower the confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import partial

from receipts.rows import Row, as_sure_as_digits

MONTHS = {
    "jan": 1, "januar": 1, "january": 1, "feb": 2, "februar": 2, "february": 2,
    "mar": 3, "mars": 3, "march": 3, "mac": 3, "apr": 4, "april": 4, "mai": 5, "may": 5,
    "mei": 5, "jun": 6, "juni": 6, "june": 6, "jul": 7, "juli": 7, "july": 7, "aug": 8,
    "august": 8, "ogos": 8, "sep": 9, "sept": 9, "september": 9, "okt": 10, "oct": 10,
    "oktober": 10, "october": 10, "nov": 11, "november": 11, "des": 12, "dec": 12,
    "desember": 12, "december": 12, "dis": 12,
    # where Norwegians travel most: French, Spanish, Dutch, German and Italian months
    "janvier": 1, "février": 2, "fevrier": 2, "avril": 4, "juin": 6, "juillet": 7,
    "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
    "decembre": 12, "enero": 1, "ene": 1, "febrero": 2, "marzo": 3, "abril": 4, "abr": 4,
    "mayo": 5, "junio": 6, "julio": 7, "agosto": 8, "ago": 8, "septiembre": 9,
    "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12, "dic": 12,
    "januari": 1, "februari": 2, "maart": 3, "mrt": 3, "augustus": 8, "märz": 3, "mär": 3,
    "dezember": 12, "dez": 12, "gennaio": 1, "gen": 1, "febbraio": 2, "aprile": 4,
    "maggio": 5, "mag": 5, "giugno": 6, "giu": 6, "luglio": 7, "lug": 7, "settembre": 9,
    "set": 9, "ottobre": 10, "ott": 10, "dicembre": 12,
}
_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})\s?([./-])\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})")
# yyyy-mm-dd, also with the time glued to the day (2018-11-18165834: 16:58:34)
_ISO = re.compile(r"(?<!\d)(20\d{2})([./-])(\d{1,2})\2"
                  r"(\d{2}(?=(?:[01]\d|2[0-3]):?[0-5]\d(?::?[0-5]\d)?(?!\d))|\d{1,2}(?!\d))")
_NAMED = re.compile(
    r"(?<!\d)(\d{1,2})\.?[\s/.-]*([a-zæøåäéû]{3,9})\.?[\s/.,'’‘`-]*(\d{4}|\d{2}(?![.,]?\d))",
    re.IGNORECASE)
# Mar 22, 2018, Feb 11.2012, Jul/15/2017; and a till's short form with the year's
# apostrophe, Aug 17 '16 (only with it: Mar 06 16:30 is a time, MAG 10.00 an amount)
_MONTH_FIRST = re.compile(
    r"(?<![a-zæøåäéû])([a-zäéû]{3,9})[./-]?\s?(\d{1,2})(?:st|nd|rd|th)?"
    r"(?:[,./-]?\s?(\d{4})|\s?['’‘`]\s?(\d{2})(?![\d:]))(?!\d)",
    re.IGNORECASE)
_LABEL = re.compile(r"dat[eo]|datum|tarikh|kjøpt|purchased", re.IGNORECASE)
# a date the receipt gives for later: returns, an offer's or a voucher's end, best before
_LATER = re.compile(r"\b(?:thru|through|until|expires?|expiry|valid|good\s?(?:thru|till?)|"
                    r"offer\s?ends|returns?|best\s?before|use\s?by|gyldig|bytte|returfrist|"
                    r"åpent\s?kjøp|innen)\b", re.IGNORECASE)
FIRST_YEAR = 2000
CONTRADICTED = 0.4  # another date on the receipt says this one is misread: not offered


@dataclass(frozen=True, slots=True)
class FoundDate:
    """The date chosen and how sure the reader is of it."""

    value: date
    confidence: float


def _year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def _make(year: int, month: int, day: int, latest: date) -> date | None:
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found if date(FIRST_YEAR, 1, 1) <= found <= latest else None


def _numeric(match: re.Match[str], latest: date) -> tuple[date, bool] | None:
    day, month, year = int(match[1]), int(match[3]), match[4]
    glued = len(year) == 4 and match.string[match.end():match.end() + 1] == ":" \
        and int(year[2:]) <= 23
    if len(year) == 4 and (glued or not year.startswith("20")):
        # a two-digit year glued to the time: 03/06/1800:23 is 2018, and 03.04.2009:53
        # (a German till's 03.04.20 09:53) is 2020; 14.03.2026:10 stays 2026 (no hour 26)
        year = year[:2]
    found = _make(_year(year), month, day, latest)
    if found is not None:
        return found, True
    found = _make(_year(year), day, month, latest)  # month first: a US receipt
    # 03/22/2014 reads only month first (no month 22): no order was guessed
    return (found, month > 12) if found is not None else None


def dates_in(text: str, latest: date) -> list[tuple[date, bool]]:
    """Every plausible date in ``text`` with whether it was read without guessing the order."""
    return [(found, ordered) for found, ordered, _, _ in date_spans(text, latest)]


def date_spans(text: str, latest: date) -> list[tuple[date, bool, int, int]]:
    """``dates_in`` with where each date is printed in ``text`` (start, end)."""
    found: list[tuple[date, bool, int, int]] = []
    for match in _ISO.finditer(text):
        iso = _make(int(match[1]), int(match[3]), int(match[4]), latest)
        if iso is not None:
            found.append((iso, True, *match.span()))
    for match in _NUMERIC.finditer(text):
        numeric = _numeric(match, latest)
        if numeric is not None:
            found.append((*numeric, *match.span()))
    for match in _NAMED.finditer(text):
        month = MONTHS.get(match[2].lower())
        named = month and _make(_year(match[3]), month, int(match[1]), latest)
        if named:
            found.append((named, True, *match.span()))
    for match in _MONTH_FIRST.finditer(text):
        month = MONTHS.get(match[1].lower())
        named = month and _make(_year(match[3] or match[4]), month, int(match[2]), latest)
        if named:
            found.append((named, True, *match.span()))
    return found


def _holds(value: date, latest: date, text: str) -> bool:
    return any(found == value for found, _ in dates_in(text, latest))


def digit_sureness(row: Row, value: date, latest: date) -> float:
    """How surely OCR read the digits of ``value`` on ``row``: its weakest digit's confidence.

    The best of the pieces that hold it; 1.0 when the engine gives no character
    confidences (a PDF's text, Tesseract) or the date spans two pieces.
    """
    best: float | None = None
    for (text, _), chars in zip(row.parts, row.chars, strict=False):
        for found, _, start, end in date_spans(text, latest):
            if found == value and len(chars) == len(text):
                weakest = min((chars[i] for i in range(start, end) if text[i].isdigit()),
                              default=1.0)
                best = weakest if best is None else max(best, weakest)
    return 1.0 if best is None else best


def find_date(rows: list[Row], latest: date) -> FoundDate | None:
    """The receipt's date, or None if no row holds a plausible one."""
    seen: list[tuple[date, float]] = []
    labelled: list[date] = []
    digits: dict[date, float] = {}
    for row in rows:
        if _LATER.search(row.text):
            continue  # RETURNS WITH RECEIPT THRU 01/12/2011: not when it was bought
        for value, ordered in dates_in(row.text, latest):
            sure = row.sureness(partial(_holds, value, latest))
            seen.append((value, sure * (1.0 if ordered else 0.6)))
            digits[value] = max(digits.get(value, 0.0), digit_sureness(row, value, latest))
            if _LABEL.search(row.text):
                labelled.append(value)
    if not seen:
        return None
    value, sureness = seen[0]
    if labelled:
        value = labelled[0]
        sureness = max(s for v, s in seen if v == value)
    distinct = {v for v, _ in seen}
    if len(distinct) > 1 and not labelled:
        sureness *= 0.8
    if any(_contradicts(value, other) for other in distinct):
        sureness = min(sureness, CONTRADICTED)
    sureness = min(sureness, as_sure_as_digits(digits[value]))
    return FoundDate(value, round(min(sureness, 1.0), 3))


def _contradicts(value: date, other: date) -> bool:
    """Whether ``other`` on the same receipt says ``value`` was misread.

    The same day and month in another year (``03/03/2016`` and ``03/03/2018``: a 6
    and an 8), one digit apart (``19/03/2018``, ``13/03/2018``), or a real date more
    than a year after it: a receipt is not printed years after the purchase.
    """
    if other == value:
        return False
    if (other.day, other.month) == (value.day, value.month):
        return True
    one, two = f"{value:%d%m%Y}", f"{other:%d%m%Y}"
    return sum(a != b for a, b in zip(one, two, strict=True)) == 1 or (
        other - value).days > 366
