"""Norwegian bank account and national id numbers: checked, normalised, masked.

Both are personal data: they are stored for the payer who pays, and shown
anywhere else only masked (logs, emails to people who do not pay, the bot's
echo back to the claimant).
"""

from __future__ import annotations

from domain.errors import InvalidValue
from domain.text import Text

_ACCOUNT_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_ID_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_ID_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch not in " .-\u00a0")


def _mod11(digits: str, weights: tuple[int, ...]) -> int | None:
    """The MOD11 check digit, or None where none exists (remainder 1)."""
    rest = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    if rest == 0:
        return 0
    return None if rest == 1 else 11 - rest


def normalise_bank_account(text: str) -> str:
    """Check a Norwegian 11-digit account (``1234.56.78903`` or spaced) and return digits.

    Raises:
        InvalidValue: not 11 digits, or the MOD11 check digit does not match.
    """
    digits = _digits(text)
    if len(digits) != 11 or not digits.isdigit():
        raise InvalidValue(Text(
            "Kontonummeret må ha 11 siffer, f.eks. 1234 56 78903.",
            "The account number must have 11 digits, e.g. 1234 56 78903."))
    if _mod11(digits[:10], _ACCOUNT_WEIGHTS) != int(digits[10]):
        raise InvalidValue(Text(
            "Kontonummeret er ikke gyldig (kontrollsifferet stemmer ikke). Sjekk det igjen.",
            "The account number is not valid (the check digit does not match). Check it."))
    return digits


def normalise_national_id(text: str) -> str:
    """Check an 11-digit national id number (fødselsnummer / D-nummer), both check digits.

    Raises:
        InvalidValue: not 11 digits, or a check digit does not match.
    """
    digits = _digits(text)
    bad = InvalidValue(Text(
        "Fødselsnummeret må ha 11 siffer og gyldige kontrollsiffer.",
        "The national id number must have 11 digits with valid check digits."))
    if len(digits) != 11 or not digits.isdigit():
        raise bad
    if _mod11(digits[:9], _ID_WEIGHTS_1) != int(digits[9]):
        raise bad
    if _mod11(digits[:10], _ID_WEIGHTS_2) != int(digits[10]):
        raise bad
    return digits


def mask_bank_account(digits: str) -> str:
    """Show only the last four digits: ``**** ** *8903``."""
    if len(digits) != 11:
        return "***"
    return f"**** ** *{digits[-4:]}"


def format_bank_account(digits: str) -> str:
    """The usual grouping for the payer who pays: ``1234 56 78903``."""
    return f"{digits[:4]} {digits[4:6]} {digits[6:]}"
