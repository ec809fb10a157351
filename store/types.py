"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC everywhere.

    SQLite has no time zones and PostgreSQL's ``timestamptz`` would convert to the
    session zone; storing naive UTC keeps both identical and comparisons exact.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """To naive UTC; a naive datetime is refused rather than guessed."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None,
                             dialect: Dialect) -> datetime | None:
        """Back to an aware UTC datetime."""
        return None if value is None else value.replace(tzinfo=UTC)


class Hundredths(TypeDecorator[Decimal]):
    """A ``Decimal`` with two places (kroner and øre, or a count) as a whole number of 1/100.

    Integers add up exactly in SQL on both databases (SQLite has no decimal type), so the
    reports' ``SUM`` is the sum of the rounded lines to the øre.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        """To hundredths; a value with more places is refused rather than rounded."""
        if value is None:
            return None
        scaled = value * 100
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than two decimal places")
        return int(scaled)

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        """Back to a ``Decimal`` with two places."""
        # the same Decimal as (value / 100).quantize(CENT), a third of the cost: the reports
        # read hundreds of thousands of these (inline: a call more per value costs)
        return None if value is None else Decimal(int(value)).scaleb(-2)


def from_hundredths(value: int) -> Decimal:
    """A whole number of hundredths as ``Hundredths`` reads it: a ``Decimal``, two places."""
    return Decimal(int(value)).scaleb(-2)
