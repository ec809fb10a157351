"""Real databases for the store tests: SQLite in a temporary folder, and PostgreSQL.

PostgreSQL runs on 127.0.0.1:5432 with trust auth on the project's machines and
in CI. Each test session creates its own database (``kvitt_test_<random>``) and
drops it afterwards, so runs never see each other's rows. Without a server a
PostgreSQL test skips on a laptop, but fails in CI (``CI=true``): a skipped
service test there would hide a failure.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from mail.sources import ImapSettings, ImapSource
from store import tables
from store.engine import make_engine, sqlite_url
from store.migrate import upgrade
from tests.support.unavailable import unavailable

PG_ADMIN_URL = os.environ.get(
    "KVITT_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def _run(coro):
    """Run a coroutine to completion on its own loop, even inside a running one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _pg_available() -> str | None:
    engine = make_engine(PG_ADMIN_URL)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # any failure means: no server here
        return f"{type(exc).__name__}: {exc}"
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this session; its URL."""
    problem = _run(_pg_available())
    if problem is not None:
        unavailable(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {problem}")
    name = f"kvitt_test_{secrets.token_hex(4)}"
    base = PG_ADMIN_URL.rsplit("/", 1)[0]

    async def create() -> None:
        admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        await admin.dispose()
        engine = make_engine(f"{base}/{name}")
        await upgrade(engine)
        await engine.dispose()

    async def drop() -> None:
        admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()

    _run(create())
    yield f"{base}/{name}"
    _run(drop())


async def truncate(engine: AsyncEngine) -> None:
    names = ", ".join(f'"{t.name}"' for t in tables.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


async def empty_database(kind: str, request: pytest.FixtureRequest,
                         tmp_path: Path) -> AsyncEngine:
    """A migrated, empty database of ``kind`` (sqlite or postgresql)."""
    if kind == "sqlite":
        made = make_engine(sqlite_url(tmp_path))
        await upgrade(made)
    else:
        made = make_engine(request.getfixturevalue("pg_database"))
        await truncate(made)
    return made


@pytest.fixture(params=["sqlite", "postgresql"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated, empty database of each kind, for one test."""
    made = await empty_database(request.param, request, tmp_path)
    yield made
    await made.dispose()


@pytest.fixture
def imap(imap_account):
    settings = ImapSettings(imap_account.host, imap_account.port, imap_account.user,
                            imap_account.password, security="plain")
    source = ImapSource(settings)
    yield imap_account, source
    source.close()
