"""Settings from the environment and an optional ``.env`` file, all prefixed ``KVITT_``.

The environment wins over ``.env``. A wrong setting is one clear line naming
it (``SettingsError``), never a traceback. Later parts (Telegram, mail) add
their settings here in the same style.

Every setting, with its default and meaning, is listed in the README
(Configuration) and in ``.env.example``; keep the three in step.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from store.engine import sqlite_url

PREFIX = "KVITT_"
TELEGRAM_API = "https://api.telegram.org/bot"
DEFAULT_REPLY_ADDRESS = "krav+{key}@example.no"


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


def _choice(values: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = values.get(PREFIX + name, "") or default
    if value not in allowed:
        raise SettingsError(f"{PREFIX}{name}: one of {', '.join(allowed)}, not {value!r}")
    return value


def _port(values: Mapping[str, str], name: str, default: int) -> int:
    text = values.get(PREFIX + name, "") or str(default)
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise SettingsError(f"{PREFIX}{name}: a port number 1–65535, not {text!r}")
    return int(text)


def _listen(values: Mapping[str, str]) -> str:
    text = values.get(f"{PREFIX}WEBHOOK_LISTEN", "") or "127.0.0.1:8443"
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingsError(f"{PREFIX}WEBHOOK_LISTEN: HOST:PORT like 127.0.0.1:8443, "
                            f"not {text!r}")
    return text


def _flag(values: Mapping[str, str], name: str) -> bool:
    text = (values.get(PREFIX + name, "") or "false").lower()
    if text not in ("true", "false", "1", "0", "yes", "no"):
        raise SettingsError(f"{PREFIX}{name}: true or false, not {text!r}")
    return text in ("true", "1", "yes")


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    """The bot: token, and the Bot API's address (a self-hosted server, or a test's)."""

    token: str = ""
    api_url: str = TELEGRAM_API
    username: str = ""
    max_concurrent_updates: int = 8
    webhook_url: str = ""  # empty: long polling
    webhook_listen: str = "127.0.0.1:8443"
    webhook_secret: str = ""


@dataclass(frozen=True, slots=True)
class MailSettings:
    """Sending (SMTP), the reply addresses, and receiving (IMAP or a Maildir)."""

    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    sender: str = "Kvitt <krav@example.no>"
    reply_pattern: str = DEFAULT_REPLY_ADDRESS
    domain: str = "example.no"
    imap_host: str = ""
    imap_port: int = 993
    imap_security: str = "tls"
    imap_user: str = ""
    imap_password: str = ""
    imap_folder: str = "INBOX"
    maildir: str = ""
    require_authentication: bool = False

    @classmethod
    def load(cls, values: Mapping[str, str]) -> MailSettings:
        """Read ``KVITT_SMTP_*``, ``KVITT_IMAP_*``, ``KVITT_MAIL_*``, ``KVITT_REPLY_ADDRESS``."""
        pattern = values.get(f"{PREFIX}REPLY_ADDRESS", "") or DEFAULT_REPLY_ADDRESS
        if "{key}" not in pattern.partition("@")[0] or "@" not in pattern:
            raise SettingsError(f"{PREFIX}REPLY_ADDRESS: like krav+{{key}}@example.no, "
                                f"with {{key}} before the @, not {pattern!r}")
        domain = values.get(f"{PREFIX}MAIL_DOMAIN", "") or pattern.rpartition("@")[2]
        plain_address = pattern.replace("+{key}", "").replace("{key}", "kvitt")
        return cls(
            smtp_host=values.get(f"{PREFIX}SMTP_HOST", ""),
            smtp_port=_port(values, "SMTP_PORT", 587),
            smtp_security=_choice(values, "SMTP_SECURITY", ("starttls", "tls", "plain"),
                                  "starttls"),
            smtp_user=values.get(f"{PREFIX}SMTP_USER", ""),
            smtp_password=values.get(f"{PREFIX}SMTP_PASSWORD", ""),
            sender=values.get(f"{PREFIX}MAIL_FROM", "") or f"Kvitt <{plain_address}>",
            reply_pattern=pattern, domain=domain,
            imap_host=values.get(f"{PREFIX}IMAP_HOST", ""),
            imap_port=_port(values, "IMAP_PORT", 993),
            imap_security=_choice(values, "IMAP_SECURITY", ("tls", "starttls", "plain"), "tls"),
            imap_user=values.get(f"{PREFIX}IMAP_USER", ""),
            imap_password=values.get(f"{PREFIX}IMAP_PASSWORD", ""),
            imap_folder=values.get(f"{PREFIX}IMAP_FOLDER", "") or "INBOX",
            maildir=values.get(f"{PREFIX}MAILDIR", ""),
            require_authentication=_flag(values, "REQUIRE_DMARC"),
        )


@dataclass(frozen=True, slots=True)
class Settings:
    """The effective settings of one process."""

    data_dir: Path
    database_url: str
    telegram_bot_username: str = ""
    lang: str = "nb"
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    worker_interval: float = 5.0
    digest_at: str = "07:00"
    digest_weekday: str = ""

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
        telegram = TelegramSettings(
            token=values.get(f"{PREFIX}TELEGRAM_TOKEN", ""),
            api_url=values.get(f"{PREFIX}TELEGRAM_API_URL", "") or TELEGRAM_API,
            username=bot, webhook_url=values.get(f"{PREFIX}WEBHOOK_URL", ""),
            webhook_listen=_listen(values),
            webhook_secret=values.get(f"{PREFIX}WEBHOOK_SECRET", ""))
        interval = values.get(f"{PREFIX}WORKER_INTERVAL", "") or "5"
        try:
            seconds = float(interval)
        except ValueError:
            seconds = -1.0
        if not 0.1 <= seconds <= 3600:
            raise SettingsError(f"{PREFIX}WORKER_INTERVAL: seconds between 0.1 and 3600, "
                                f"not {interval!r}")
        digest_at = values.get(f"{PREFIX}DIGEST_AT", "") or "07:00"
        hour, _, minute = digest_at.partition(":")
        if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
            raise SettingsError(f"{PREFIX}DIGEST_AT: a time like 07:00, not {digest_at!r}")
        weekday = _choice(values, "DIGEST_WEEKDAY",
                          ("daily", "mon", "tue", "wed", "thu", "fri", "sat", "sun"), "daily")
        if telegram.webhook_url and len(telegram.webhook_secret) < 16:
            raise SettingsError(f"{PREFIX}WEBHOOK_SECRET: webhook mode needs a secret of at "
                                "least 16 characters (A-Z, a-z, 0-9, _ and -), or anyone "
                                "could post updates as any user")
        return cls(data_dir, url, bot, lang, telegram, MailSettings.load(values), seconds,
                   digest_at, "" if weekday == "daily" else weekday)

    def masked(self) -> dict[str, str]:
        """The settings for printing, with any password in the URL hidden."""
        url = self.database_url
        scheme, sep, rest = url.partition("://")
        if sep and "@" in rest:
            credentials, _, host = rest.rpartition("@")
            user = credentials.split(":", 1)[0]
            url = f"{scheme}://{user}:***@{host}" if ":" in credentials else url
        secret = "***"
        return {"KVITT_DATA_DIR": str(self.data_dir), "KVITT_DATABASE_URL": url,
                "KVITT_TELEGRAM_BOT_USERNAME": self.telegram_bot_username,
                "KVITT_LANG": self.lang,
                "KVITT_TELEGRAM_TOKEN": secret if self.telegram.token else "",
                "KVITT_TELEGRAM_API_URL": self.telegram.api_url,
                "KVITT_WEBHOOK_URL": self.telegram.webhook_url,
                "KVITT_WEBHOOK_SECRET": secret if self.telegram.webhook_secret else "",
                "KVITT_SMTP_HOST": self.mail.smtp_host,
                "KVITT_SMTP_PASSWORD": secret if self.mail.smtp_password else "",
                "KVITT_IMAP_HOST": self.mail.imap_host,
                "KVITT_IMAP_PASSWORD": secret if self.mail.imap_password else "",
                "KVITT_REPLY_ADDRESS": self.mail.reply_pattern}
