"""``store.joined`` on both databases: the group's strings, the separator between them.

The separator is written into the SQL as a literal (not a parameter re-rendered at each
execution), so a quote in it must be escaped there and come back as it was.
"""

from __future__ import annotations

import pytest
from sqlalchemy import literal, literal_column, select, union_all

from store.joined import joined


@pytest.mark.parametrize("separator", [",", " ", "', '"])
async def test_the_strings_of_a_group_come_back_joined_by_the_separator(engine, separator):
    values = union_all(*(select(literal(v).label("v")) for v in ("b", "a"))).subquery()
    query = select(joined(values.c.v, separator))
    async with engine.connect() as conn:
        got = (await conn.execute(query)).scalar_one()
    assert sorted(got.split(separator)) == ["a", "b"]
    assert len(got) == 2 + len(separator)


async def test_an_empty_group_is_null(engine):
    values = select(literal("a").label("v")).where(literal(1) == 0).subquery()
    async with engine.connect() as conn:
        assert (await conn.execute(select(joined(values.c.v, ",")))).scalar_one() is None


def test_a_statement_with_it_prints_without_a_database():
    assert "group_concat(v, ', ')" in str(select(joined(literal_column("v"), ", ")))
