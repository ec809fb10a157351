"""Settings from the environment and an optional ``.env`` file, all prefixed ``KVITT_``.

The environment wins over ``.env``. A wrong setting is one clear line naming
it (``SettingsError``), never a traceback. Later parts (Telegram, mail) add
their settings here in the same style.

| setting | default | meaning |
|---|---|---|
| ``KVITT_DATA_DIR`` | ``./kvitt-data`` | the SQLite file and attachments |
| ``KVITT_DATABASE_URL`` | SQLite in the data folder | or ``postgresql+asyncpg://user@host/db`` |
| ``KVITT_TELEGRAM_BOT_USERNAME`` | (none) | the bot's username, for invite links |
| ``KVITT_LANG`` | ``nb`` | language of the command line's messages (``nb`` or ``en``) |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from domain.store.engine import sqlite_url

PREFIX = "KVITT_"


class SettingsError(ValueError):
    """A setting is missing or wrong; the message names it and says what fits."""


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines of a ``.env`` file; ``#`` comments and quotes allowed."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, raw in enumerate(path.read_text("utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        if not sep or not key.strip():
            raise SettingsError(f"{path}:{number}: expected KEY=VALUE, got {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


@dataclass(frozen=True, slots=True)
class Settings:
    """The effective settings of one process."""

    data_dir: Path
    database_url: str
    telegram_bot_username: str = ""
    lang: str = "nb"

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None,
             env_file: Path | None = None) -> Settings:
        """Read and check the settings (environment over ``.env``)."""
        values = read_env_file(env_file if env_file is not None else Path(".env"))
        values.update(os.environ if environ is None else environ)
        data_dir = Path(values.get(f"{PREFIX}DATA_DIR", "") or "kvitt-data")
        url = values.get(f"{PREFIX}DATABASE_URL", "") or sqlite_url(data_dir)
        if not url.startswith(("sqlite+aiosqlite://", "postgresql://", "postgresql+asyncpg://")):
            raise SettingsError(
                f"{PREFIX}DATABASE_URL: use sqlite+aiosqlite:///PATH or "
                f"postgresql+asyncpg://USER@HOST/DB, not {url.split('://')[0]}://…")
        lang = values.get(f"{PREFIX}LANG", "nb") or "nb"
        if lang not in ("nb", "en"):
            raise SettingsError(f"{PREFIX}LANG: nb or en, not {lang!r}")
        bot = values.get(f"{PREFIX}TELEGRAM_BOT_USERNAME", "").strip().lstrip("@")
        return cls(data_dir, url, bot, lang)

    def masked(self) -> dict[str, str]:
        """The settings for printing, with any password in the URL hidden."""
        url = self.database_url
        scheme, sep, rest = url.partition("://")
        if sep and "@" in rest:
            credentials, _, host = rest.rpartition("@")
            user = credentials.split(":", 1)[0]
            url = f"{scheme}://{user}:***@{host}" if ":" in credentials else url
        return {"KVITT_DATA_DIR": str(self.data_dir), "KVITT_DATABASE_URL": url,
                "KVITT_TELEGRAM_BOT_USERNAME": self.telegram_bot_username,
                "KVITT_LANG": self.lang}
