"""Migrations: empty to head on both databases, no drift, and the start-up check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from store import tables
from store.engine import make_engine, sqlite_url
from store.migrate import SchemaNotCurrent, check_current, current, head, upgrade


def _drift(sync_conn) -> list[Any]:
    context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
    drift: list[Any] = compare_metadata(context, tables.metadata)
    return drift


async def test_upgrade_from_empty_reaches_head_and_matches_the_model(engine):
    # the engine fixture migrated from empty; the model must match what was made
    assert await current(engine) == head()
    async with engine.connect() as conn:
        diff = await conn.run_sync(_drift)
    assert diff == []
    await check_current(engine)


async def test_an_unmigrated_database_is_refused_with_the_command_to_run(tmp_path: Path):
    engine = make_engine(sqlite_url(tmp_path))
    with pytest.raises(SchemaNotCurrent) as refused:
        await check_current(engine)
    assert "kvitt db upgrade" in refused.value.text.nb
    assert "kvitt db upgrade" in refused.value.text.en
    await upgrade(engine)
    await upgrade(engine)  # a second upgrade is a no-op
    await check_current(engine)
    await engine.dispose()
