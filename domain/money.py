"""Money as ``Decimal`` NOK, rounded half-up to øre per line.

Why a module of its own: every calculator, the fee-fraction split and the payroll
export must round the same way, and a total is always the sum of rounded lines,
never a rounded sum (so the claimant's summary, the approver's PDF and payroll
agree to the øre).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain.text import Text

ORE = Decimal("0.01")
ZERO = Decimal("0.00")
NOK = "NOK"


class MoneyError(ValueError):
    """A value cannot be read as money; ``field`` names it, ``text`` says why (nb, en)."""

    def __init__(self, text: Text | str, field: str = "") -> None:
        self.text = text if isinstance(text, Text) else Text(text, text)
        self.field = field
        super().__init__(f"{field}: {self.text.en}" if field else self.text.en)


def to_decimal(value: object) -> Decimal:
    """Read ``value`` (str, int or Decimal; never float) as an exact ``Decimal``.

    Floats are refused because ``0.1`` as a float is not one tenth, and a claim
    must be computed from exactly what was typed.
    """
    if isinstance(value, (bool, float)):
        raise MoneyError(f"not an exact number: {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise MoneyError(f"not a number: {value!r}") from exc
    else:
        raise MoneyError(f"not a number: {value!r}")
    if not result.is_finite():
        raise MoneyError(f"not a finite number: {value!r}")
    return result


def round_ore(amount: Decimal) -> Decimal:
    """Round to øre, half-up (0.005 → 0.01), as payroll and the state do."""
    return amount.quantize(ORE, rounding=ROUND_HALF_UP)


def format_nok(amount: Decimal) -> str:
    """Format for machines and logs: two decimals, dot, no grouping (``1234.50``)."""
    return f"{round_ore(amount):.2f}"


def number_text(value: Decimal) -> Text:
    """A number as people read it: ``12,5`` in Norwegian, ``12.5`` in English, no zeros."""
    normal = value.normalize()
    plain = f"{normal:f}" if normal != normal.to_integral_value() else f"{normal:.0f}"
    return Text(plain.replace(".", ","), plain)


def format_kr(amount: Decimal) -> str:
    """Format for people in Norway: ``1 234,50`` (non-breaking space groups)."""
    text = f"{round_ore(amount):,.2f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def format_amount(amount: Decimal, currency: str) -> str:
    """An amount with its currency for people: ``345,00 kr``, ``45,00 EUR``."""
    return f"{format_kr(amount)} {'kr' if currency == NOK else currency}"


@dataclass(frozen=True, slots=True)
class ForeignAmount:
    """An amount paid in another currency, kept with the rate used to convert it.

    ``nok_rate`` is NOK per one unit of ``currency``; ``nok`` is the converted
    amount rounded to øre. For NOK itself the rate is 1.
    """

    currency: str
    amount: Decimal
    nok_rate: Decimal

    def __post_init__(self) -> None:
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise MoneyError(Text("valuta må være en kode på tre store bokstaver, som EUR",
                                  "currency must be a three-letter code like EUR"), "currency")
        if self.amount < 0:
            raise MoneyError(Text("beløpet kan ikke være negativt",
                                  "the amount must not be negative"), "amount")
        if self.nok_rate <= 0:
            raise MoneyError(Text("kursen må være positiv", "the rate must be positive"),
                             "nok_rate")
        if self.currency == NOK and self.nok_rate != 1:
            raise MoneyError(Text("kursen for NOK må være 1", "the rate for NOK must be 1"),
                             "nok_rate")

    @property
    def nok(self) -> Decimal:
        """The amount in NOK, rounded half-up to øre."""
        return round_ore(self.amount * self.nok_rate)
