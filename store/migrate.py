"""Schema migrations from code, and the check that refuses an unmigrated database.

``upgrade`` runs Alembic on a connection of our async engine (through
``run_sync``), so ``kvitt db upgrade``, the app and the tests all migrate the
same way; there is no separate alembic.ini to keep in step.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.text import Text

_SCRIPTS = Path(__file__).parent / "migrations"


class SchemaNotCurrent(RuntimeError):
    """The database is not at the newest migration; says which command fixes it."""

    def __init__(self, current: str | None, head: str) -> None:
        self.text = Text(
            f"Databasen er ikke oppdatert (revisjon {current}, trenger {head}). "
            "Kjør: kvitt db upgrade",
            f"The database is not up to date (revision {current}, needs {head}). "
            "Run: kvitt db upgrade") if current else Text(
            "Databasen er ikke opprettet ennå. Kjør: kvitt db upgrade",
            "The database has not been created yet. Run: kvitt db upgrade")
        super().__init__(self.text.en)


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest migration's revision id."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    if revision is None:
        raise RuntimeError("no migrations found")
    return revision


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (default: the newest)."""
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.upgrade(_config(sync), revision))


async def current(engine: AsyncEngine) -> str | None:
    """The database's migration revision, or None for an empty database."""
    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision())


async def check_current(engine: AsyncEngine) -> None:
    """Raise ``SchemaNotCurrent`` unless the database is at the newest migration."""
    found, wanted = await current(engine), head()
    if found != wanted:
        raise SchemaNotCurrent(found, wanted)
