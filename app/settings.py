"""Settings from the environment and an optional ``.env`` file, all prefixed ``KVITT_``.

One pydantic-settings model, nested by part (``telegram``, ``mail``), each field
declared once with its default and its check. The variables stay flat, as the
README and ``.env.example`` name them: a field's variable is ``KVITT_`` and its
name in capitals, or its ``validation_alias`` where the documented name differs
(``mail.reply_pattern`` is ``KVITT_REPLY_ADDRESS``). The environment wins over
``.env``; ``.env`` is read by python-dotenv, so quotes, ``export`` and an inline
``# comment`` behave as in a shell. An empty value means the default.

A wrong setting is one line naming the variable (``SettingsError``), never a
traceback. A new setting is one field here, a row in the README's Configuration
table and a line in ``.env.example``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from dotenv.parser import parse_stream
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings import SettingsError as SourceError

from store.engine import sqlite_url

if TYPE_CHECKING:
    from mail.gateway import GatewaySettings
    from mail.outbound import SmtpSettings
    from mail.sources import ImapSettings

PREFIX = "KVITT_"
TELEGRAM_API = "https://api.telegram.org/bot"
DEFAULT_REPLY_ADDRESS = "krav+{key}@example.no"
NORGES_BANK_API = "https://data.norges-bank.no/api/data"
SECRET = "***"


class SettingsError(ValueError):
    """A setting is missing or wrong; the message names it and says what fits."""


def _listen(text: str) -> str:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("HOST:PORT like 127.0.0.1:8443")
    return text


def _clock_time(text: str) -> str:
    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", text):
        raise ValueError("a time like 07:00")
    return text


Port = Annotated[int, Field(gt=0, lt=65536)]
Listen = Annotated[str, AfterValidator(_listen)]
ClockTime = Annotated[str, AfterValidator(_clock_time)]
Weekday = Literal["daily", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SECTION = ConfigDict(frozen=True, validate_by_name=True, validate_by_alias=True)


class TelegramSettings(BaseModel):
    """The bot: token, and the Bot API's address (a self-hosted server, or a test's)."""

    model_config = SECTION

    token: str = Field(default="", validation_alias="TELEGRAM_TOKEN", repr=False)
    api_url: str = Field(default=TELEGRAM_API, validation_alias="TELEGRAM_API_URL")
    username: str = Field(default="", validation_alias="TELEGRAM_BOT_USERNAME")
    max_concurrent_updates: int = Field(default=8, ge=1, le=256,
                                        validation_alias="TELEGRAM_MAX_CONCURRENT_UPDATES")
    webhook_url: str = ""  # empty: long polling
    webhook_listen: Listen = "127.0.0.1:8443"
    webhook_secret: str = Field(default="", repr=False)

    @field_validator("username")
    @classmethod
    def _without_at(cls, name: str) -> str:
        return name.strip().lstrip("@")

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> TelegramSettings:
        if self.webhook_url and len(self.webhook_secret) < 16:
            raise ValueError(f"{PREFIX}WEBHOOK_SECRET: webhook mode needs a secret of at least "
                             "16 characters (A-Z, a-z, 0-9, _ and -), or anyone could post "
                             "updates as any user")
        return self


class MailSettings(BaseModel):
    """Sending (SMTP), the reply addresses, and receiving (IMAP or a Maildir)."""

    model_config = SECTION

    reply_pattern: str = Field(default=DEFAULT_REPLY_ADDRESS, validation_alias="REPLY_ADDRESS")
    # empty: the reply address's domain, and "Kvitt <the reply address without the key>"
    domain: str = Field(default="", validation_alias="MAIL_DOMAIN", validate_default=True)
    sender: str = Field(default="", validation_alias="MAIL_FROM", validate_default=True)
    smtp_host: str = ""
    smtp_port: Port = 587
    smtp_security: Literal["starttls", "tls", "plain"] = "starttls"
    smtp_user: str = ""
    smtp_password: str = Field(default="", repr=False)
    imap_host: str = ""
    imap_port: Port = 993
    imap_security: Literal["tls", "starttls", "plain"] = "tls"
    imap_user: str = ""
    imap_password: str = Field(default="", repr=False)
    imap_folder: str = "INBOX"
    maildir: str = ""
    require_authentication: bool = Field(default=False, validation_alias="REQUIRE_DMARC")
    authserv_id: str = ""  # our receiving server's name in its Authentication-Results

    @model_validator(mode="after")
    def _dmarc_needs_our_server(self) -> MailSettings:
        if self.require_authentication and not self.authserv_id.strip():
            raise ValueError(f"{PREFIX}AUTHSERV_ID: with {PREFIX}REQUIRE_DMARC=true, set the "
                             "name our receiving server writes in its Authentication-Results "
                             "(e.g. mx.example.no); without it any sender could vouch for "
                             "itself")
        return self

    @field_validator("reply_pattern")
    @classmethod
    def _key_before_the_at(cls, pattern: str) -> str:
        if "@" not in pattern or "{key}" not in pattern.partition("@")[0]:
            raise ValueError("like krav+{key}@example.no, with {key} before the @")
        return pattern

    @field_validator("domain")
    @classmethod
    def _domain(cls, domain: str, info: ValidationInfo) -> str:
        return domain or str(info.data.get("reply_pattern", "")).rpartition("@")[2]

    @field_validator("sender")
    @classmethod
    def _sender(cls, sender: str, info: ValidationInfo) -> str:
        pattern = str(info.data.get("reply_pattern", DEFAULT_REPLY_ADDRESS))
        return sender or f"Kvitt <{pattern.replace('+{key}', '').replace('{key}', 'kvitt')}>"

    def smtp(self, host: str = "", port: int = 0) -> SmtpSettings:
        """The outbox's ``SmtpSettings`` (another host and port for a local relay)."""
        from mail.outbound import SmtpSettings

        return SmtpSettings(
            host=host or self.smtp_host, port=port or self.smtp_port,
            security="plain" if host else self.smtp_security, user=self.smtp_user,
            password=self.smtp_password, sender=self.sender,
            reply_pattern=self.reply_pattern, domain=self.domain)

    def imap(self) -> ImapSettings:
        """The reply mailbox's ``ImapSettings``."""
        from mail.sources import ImapSettings

        return ImapSettings(host=self.imap_host, port=self.imap_port, user=self.imap_user,
                            password=self.imap_password, security=self.imap_security,
                            folder=self.imap_folder)

    def gateway(self) -> GatewaySettings:
        """How replies are read: ``GatewaySettings``."""
        from mail.gateway import GatewaySettings

        return GatewaySettings(reply_pattern=self.reply_pattern, domain=self.domain,
                               require_authentication=self.require_authentication,
                               authserv_id=self.authserv_id)


class ReceiptSettings(BaseModel):
    """Reading receipts (OCR, ``receipts/``) and fetching exchange rates (``exchange/``)."""

    model_config = SECTION

    # none: never OCR (a PDF's text is still read; photos are answered "could not read")
    ocr_engine: Literal["rapidocr", "tesseract", "none"] = "rapidocr"
    ocr_workers: int = Field(default=2, ge=1, le=16)  # processes; one receipt per core
    receipt_time_limit: float = Field(default=20.0, ge=0.1, le=600)  # seconds per receipt
    rates_url: str = NORGES_BANK_API
    rates_timeout: float = Field(default=5.0, ge=0.1, le=120)  # seconds per request

    @field_validator("rates_url")
    @classmethod
    def _http(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"an http(s) address like {NORGES_BANK_API}")
        return url.rstrip("/")


def _env_names(model: type[BaseModel]) -> Iterator[tuple[str, str, FieldInfo]]:
    """(field name, its ``KVITT_`` variable, field) for each plain field of ``model``."""
    for name, info in model.model_fields.items():
        if not (isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)):
            alias = info.validation_alias if isinstance(info.validation_alias, str) else name
            yield name, PREFIX + alias.upper(), info


def _sections(model: type[BaseModel]) -> Iterator[tuple[str, type[BaseModel]]]:
    for name, info in model.model_fields.items():
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
            yield name, info.annotation


_ENVIRON: ContextVar[Mapping[str, str] | None] = ContextVar("kvitt_environ", default=None)


class _Flat(PydanticBaseSettingsSource):
    """Flat ``KVITT_*`` variables (as read by a pydantic-settings source) into the sections."""

    def __init__(self, settings_cls: type[BaseSettings], variables: Mapping[str, str | None]):
        super().__init__(settings_cls)
        self.variables = {k.upper(): v for k, v in variables.items() if v is not None}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Unused: ``__call__`` reads every field at once."""
        return None, field_name, False

    def _of(self, model: type[BaseModel]) -> dict[str, str]:
        return {(info.validation_alias if isinstance(info.validation_alias, str) else name):
                self.variables[env] for name, env, info in _env_names(model)
                if env in self.variables}

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = self._of(self.settings_cls)
        for name, section in _sections(self.settings_cls):
            if part := self._of(section):
                values[name] = part
        return values


class _GivenEnviron(EnvSettingsSource):
    """The process environment, or the mapping ``Settings.load`` was given."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        given = _ENVIRON.get()
        return super()._load_env_vars() if given is None else {
            k.lower(): v for k, v in given.items() if v != ""}


def _check_env_file(path: Path | None) -> None:
    """A line python-dotenv cannot read is named (it would skip it with a warning)."""
    if path is None or not path.is_file():
        return
    with path.open(encoding="utf-8") as stream:
        for binding in parse_stream(stream):
            if binding.error:
                raise SettingsError(f"{path}:{binding.original.line}: expected KEY=VALUE, "
                                    f"got {binding.original.string.strip()!r}")


class Settings(BaseSettings):
    """The effective settings of one process."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, env_file=".env", env_ignore_empty=True,
                                      frozen=True, extra="ignore")

    data_dir: Path = Path("kvitt-data")
    database_url: str = Field(default="", validate_default=True)  # "": SQLite in data_dir
    lang: Literal["nb", "en"] = "nb"
    log_format: Literal["logfmt", "json"] = "logfmt"  # one line per event either way
    worker_interval: float = Field(default=5.0, ge=0.1, le=3600)
    # seconds an outbox row taken for sending is the taker's (renewed while it sends): a
    # worker killed mid-send gives its row to another after this. At least 15: a sent
    # row is recorded within a third of it once the database is back (``_mark_sent``),
    # and clocks of several hosts must agree to well within it
    outbox_lease: float = Field(default=60.0, ge=15, le=3600)
    digest_at: ClockTime = "07:00"
    digest_weekday: Weekday = "daily"
    telegram: TelegramSettings = TelegramSettings()
    mail: MailSettings = MailSettings()
    receipts: ReceiptSettings = ReceiptSettings()

    @field_validator("database_url")
    @classmethod
    def _database(cls, url: str, info: ValidationInfo) -> str:
        if not url:
            return sqlite_url(info.data.get("data_dir", Path("kvitt-data")))
        if not url.startswith(("sqlite+aiosqlite://", "postgresql://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DB")
        return url

    @classmethod
    def settings_customise_sources(
            cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Given values, then the environment, then ``.env``; each flat, as documented."""
        assert isinstance(env_settings, EnvSettingsSource)
        assert isinstance(dotenv_settings, EnvSettingsSource)
        return (init_settings, _Flat(settings_cls, _GivenEnviron(settings_cls).env_vars),
                _Flat(settings_cls, dotenv_settings.env_vars))

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None,
             env_file: Path | None = Path(".env")) -> Settings:
        """Read and check the settings: ``environ`` (default the process's) over ``env_file``."""
        _check_env_file(env_file)
        token = _ENVIRON.set(environ)
        try:
            return cls(_env_file=env_file)  # type: ignore[call-arg]
        except ValidationError as exc:
            raise SettingsError(_one_line(exc)) from None
        except SourceError as exc:
            raise SettingsError(str(exc).splitlines()[0]) from None
        finally:
            _ENVIRON.reset(token)

    def masked(self) -> dict[str, str]:
        """Every setting by its variable, for printing: secrets and passwords hidden."""
        shown: dict[str, str] = {}
        for model, part in [(self, type(self)), *((getattr(self, name), section)
                                                  for name, section in _sections(type(self)))]:
            for name, env, info in _env_names(part):
                value = getattr(model, name)
                shown[env] = (SECRET if value else "") if not info.repr else str(value)
        shown[f"{PREFIX}DATABASE_URL"] = _without_password(self.database_url)
        return shown


def _without_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not (sep and at and ":" in credentials):
        return url
    return f"{scheme}://{credentials.split(':', 1)[0]}:{SECRET}@{host}"


def _one_line(error: ValidationError) -> str:
    """The first wrong setting, by its variable: what was wrong and what fits."""
    first = error.errors()[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    if message.startswith(PREFIX):
        return message
    loc = [str(part) for part in first["loc"]]
    name = PREFIX + (loc[-1].upper() if loc else "?")
    given = first.get("input")
    return f"{name}: {message}" + (f", not {given!r}" if isinstance(given, str) else "")

