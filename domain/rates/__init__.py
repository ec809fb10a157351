"""Rate sets: versioned tables of rates, looked up by the line's date.

A *paid* set says what the payer pays (the state agreement, or a federation's
own set that overrides it); the *taxfree* set holds Skatteetaten's limits, above
which a payment is taxable. Each set is a data file per validity period; the
values a line was computed with are frozen on the line as a snapshot.
"""

from domain.rates.book import NoRateSetError, RateBook, default_book, parse_table
from domain.rates.model import (
    LODGINGS,
    MEALS,
    VEHICLES,
    PaidRates,
    RateSetError,
    RateTable,
    TaxFreeLimits,
)

__all__ = [
    "LODGINGS",
    "MEALS",
    "VEHICLES",
    "NoRateSetError",
    "PaidRates",
    "RateBook",
    "RateSetError",
    "RateTable",
    "TaxFreeLimits",
    "default_book",
    "parse_table",
]
