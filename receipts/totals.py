"""The total paid, and the VAT, from a receipt's rows.

A receipt prints many amounts; the total is the one its labels agree on. Each
row's label is looked up in ``LABELS`` (compared without spaces or punctuation,
because OCR glues words: ``TOTALAMT.``). Rows that are never the total —
subtotals, change (``Veksel``), tips, discounts, VAT (``MVA``, ``GST``) unless
the row says the total includes it — are ignored. An amount with no label of
its own belongs to the label on the row above (``Å betale`` / ``345,00``).

Every labelled amount is a vote weighted by its label; cash handed over minus
the change is a vote too. The confidence is high when the winner has a strong
label or several votes and no other amount comes close, because a wrongly
offered total is worse than none.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from receipts.rows import Row

_AMOUNT = re.compile(
    r"(?<![\d.,%])-?(\d{1,3}(?:[ .,]\d{3})+|\d{1,6})\s?[.,]\s?(\d{2})(?![\d%])|"
    r"(?<![\d.,])(\d{1,6}),-|"
    r"(?:(?<=\s)|(?<=RM))[.,](\d{2})(?![\d%])")
_DATE = re.compile(r"(?<!\d)\d{1,4}[./-]\d{1,2}[./-]\d{2,4}(?!\d)")
# Label → weight. Stronger labels name the amount payable; card and cash lines confirm it.
# Words are compared after ``_key``'s OCR confusions (i/l/1/!, o/0), so ``Totai`` is a total.
STRONG: tuple[tuple[str, float], ...] = (
    ("roundedtotal", 4), ("totalrounded", 4), ("afterrounding", 4), ("grandtotal", 4),
    ("nettotal", 4), ("netttotal", 4), ("åbetale", 4), ("abetale", 4), ("tilbetaling", 4),
    ("amountdue", 4), ("amtdue", 4), ("totaldue", 4), ("payable", 4), ("afteradj", 4),
)
LABELS: tuple[tuple[str, float], ...] = (
    ("totalamount", 3), ("totalamt", 3), ("totalsales", 3), ("totalt", 3), ("otal", 3),
    ("beløp", 2), ("belop", 2), ("sum", 2), ("bankaxept", 2), ("bankkort", 2), ("visa", 2),
    ("mastercard", 2), ("kort", 1.5), ("card", 1.5), ("bank", 1.5), ("betalt", 1.5),
    ("paid", 1.5), ("nok", 1), ("kr", 1), ("cash", 1), ("kontant", 1), ("amount", 1),
)
NEVER = ("subtotal", "subtot", "totalqty", "totalquantity", "totalitem", "qty", "antall",
         "change", "veksel", "tips", "tip", "discount", "rabatt", "saving", "adj",
         "excl", "ekskl", "exclusive", "before", "grunnlag", "deposit", "pant", "points",
         "poeng", "balance", "supplies", "promotion")
_ROUNDING = ("rounding", "avrunding", "öresavrunding")
_TENDERED = ("cash", "kontant", "tendered", "paid", "betalt")
_CHANGE = ("change", "veksel", "tilbake")
_TAX = ("gst", "mva", "vat", "tax", "moms")
_INCLUDING = ("incl", "inkl", "inclusive", "including")
_TAX_TABLE = ("summary", "sumary", "grunnlag", "analysis", "spesifikasjon")
STRONGEST = 4.0
ROUNDING_AT_MOST = Decimal("0.50")  # a rounding row above this is the rounded total
_CONFUSED = str.maketrans({"0": "o", "1": "l", "!": "l", "|": "l", "i": "l"})


@dataclass(frozen=True, slots=True)
class FoundAmount:
    """An amount chosen from the receipt and how sure the reader is of it."""

    value: Decimal
    confidence: float


def amounts_in(text: str) -> list[Decimal]:
    """Every money amount in ``text``: ``60.30``, ``1 234,50``, ``1,234.50``, ``345,-``."""
    found: list[Decimal] = []
    for match in _AMOUNT.finditer(_DATE.sub(" ", text)):
        if match[3]:
            found.append(Decimal(match[3]))
            continue
        if match[4]:
            found.append(Decimal(f"0.{match[4]}"))
            continue
        whole = re.sub(r"[ .,]", "", match[1])
        found.append(Decimal(f"{whole}.{match[2]}"))
    return found


def _key(text: str) -> str:
    """The words of ``text`` without its amounts, lower case, OCR confusions evened out."""
    words = _AMOUNT.sub(" ", text).lower().translate(_CONFUSED)
    return re.sub(r"[^a-zæøå]", "", words)


def _is_tax(text: str) -> bool:
    """Whether a word of ``text`` is or starts or ends with MVA, GST, VAT, tax (not *sumvarer*)."""
    words = re.split(r"[^a-zæøå]+", _AMOUNT.sub(" ", text).lower())
    return any(word.startswith(_TAX) or word.endswith(_TAX) for word in words if word)


def _words(table: tuple[tuple[str, float], ...]) -> tuple[tuple[str, float], ...]:
    return tuple((_key(word), weight) for word, weight in table)


_STRONG, _LABELS = _words(STRONG), _words(LABELS)
_NEVER = tuple(_key(word) for word in NEVER)
_ROUNDING_KEYS = tuple(_key(word) for word in _ROUNDING)
_TENDERED_KEYS = tuple(_key(word) for word in _TENDERED)


def _has(key: str, words: tuple[str, ...]) -> bool:
    return any(_key(word) in key for word in words)


def _label(key: str, percent: bool, tax: bool) -> float:
    """The weight of a row's label as a total: 0 for rows that never hold one."""
    including = _has(key, _INCLUDING) and not _has(key, ("excl", "ekskl"))
    if tax and not including:
        return 0.0  # the VAT itself: GST payable, MVA 25 %
    strong = next((weight for word, weight in _STRONG if word in key), 0.0)
    if strong:
        return strong
    if including and _has(key, ("otal",)):
        return 3.0  # Total Sales Incl GST, Totalt inkl. mva
    if percent or any(word in key for word in _NEVER):
        return 0.0
    return next((weight for word, weight in _LABELS if word in key), 0.0)


@dataclass(frozen=True, slots=True)
class _Line:
    key: str
    amounts: list[Decimal]
    confidence: float
    percent: bool
    tax: bool


def _lines(rows: list[Row]) -> list[_Line]:
    """Each row's label key and amounts; a bare amount takes the label of the row above."""
    out: list[_Line] = []
    previous = ""
    for row in rows:
        amounts = amounts_in(row.text)
        key = _key(row.text)
        if amounts and len(key) <= 3 and previous:
            key = previous + key
        out.append(_Line(key, amounts, row.confidence, "%" in _AMOUNT.sub(" ", row.text),
                         _is_tax(row.text)))
        previous = key if not amounts else ""
    return out


def _weight(line: _Line, value: Decimal, change: bool) -> float:
    """How much ``line`` votes for ``value`` being the total."""
    if any(word in line.key for word in _ROUNDING_KEYS) and not any(
            word in line.key for word, _ in _STRONG):
        return 3.0 if value > ROUNDING_AT_MOST else 0.0  # a rounded total, not an adjustment
    if change and any(word in line.key for word in _TENDERED_KEYS):
        return 0.0  # cash handed over, more than the total
    return _label(line.key, line.percent, line.tax)


def find_total(rows: list[Row]) -> FoundAmount | None:
    """The total paid, or None if no labelled amount is found."""
    lines = [line for line in _lines(rows) if line.amounts]
    changes = [line.amounts[-1] for line in lines if _has(line.key, _CHANGE)]
    tendered = [line.amounts[-1] for line in lines if _has(line.key, _TENDERED)]
    votes: dict[Decimal, float] = defaultdict(float)
    sure: dict[Decimal, float] = defaultdict(float)
    in_tax_table = False
    for line in _lines(rows):
        if not line.amounts:
            in_tax_table = in_tax_table or (line.tax and _has(line.key, _TAX_TABLE))
            continue
        value = line.amounts[-1]
        weight = _weight(line, value, bool(changes and changes[0] > 0))
        if in_tax_table and weight < STRONGEST:
            continue  # the VAT table's own "Total" row sums the VAT, not the purchase
        if len(set(line.amounts)) > 1:
            weight /= 2  # a table row (price, VAT, amount): which column is the total is unclear
        if weight and value > 0:
            votes[value] += weight
            sure[value] = max(sure[value], line.confidence)
    if changes and tendered and tendered[0] - changes[0] > 0:
        value = tendered[0] - changes[0]
        votes[value] += 2
        sure[value] = max(sure[value], 0.9)
    if not votes:
        return None
    ranked = sorted(votes.items(), key=lambda item: (item[1], item[0]), reverse=True)
    value, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    margin = (score - runner_up) / score
    confidence = min(1.0, score / STRONGEST) * (0.5 + 0.5 * margin) * sure[value]
    return FoundAmount(value, round(confidence, 3))


def find_vat(rows: list[Row]) -> FoundAmount | None:
    """The VAT (``MVA``, ``GST``, ``VAT``) amount, if one row states it."""
    for row in rows:
        amounts = amounts_in(row.text)
        if amounts and _is_tax(row.text) and "%" not in row.text[-3:]:
            return FoundAmount(amounts[-1], round(0.7 * row.confidence, 3))
    return None
