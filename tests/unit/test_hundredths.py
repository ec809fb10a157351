"""Amounts read back from the database are the Decimals they always were (two places)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.dialects import postgresql, sqlite

from store.types import CENT, Hundredths


def test_hundredths_read_back_as_two_place_decimals_exactly_as_before():
    column = Hundredths()
    for value in (0, 1, -1, 5, 99, 100, -150, 56500, 123456789, 10**18, -(10**18) + 7,
                  2**63 - 1, Decimal(56500)):  # PostgreSQL's SUM of a bigint is a numeric
        for dialect in (sqlite.dialect(), postgresql.dialect()):
            read = column.process_result_value(value, dialect)  # type: ignore[arg-type]
            was = (Decimal(int(value)) / 100).quantize(CENT)
            assert read is not None and read.as_tuple() == was.as_tuple(), value
            assert str(read) == str(was)
