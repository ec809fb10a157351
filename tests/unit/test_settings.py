"""Settings: one clear line naming a wrong setting; the environment wins over .env."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, get_args, get_origin

import pytest

from app.settings import MailSettings, Settings, SettingsError, TelegramSettings

ROOT = Path(__file__).resolve().parents[2]


def load(tmp_path: Path, env_file: str = "", **environ: str) -> Settings:
    path = tmp_path / ".env"
    path.write_text(env_file)
    return Settings.load({f"KVITT_{k}": v for k, v in environ.items()}, env_file=path)


def test_defaults_are_sqlite_in_the_data_folder_and_telegrams_api(tmp_path):
    settings = load(tmp_path)
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.database_url.endswith("kvitt-data/kvitt.sqlite3")
    assert settings.telegram.api_url == "https://api.telegram.org/bot"
    assert settings.mail.reply_pattern == "krav+{key}@example.no"
    assert settings.mail.sender == "Kvitt <krav@example.no>"
    assert settings.mail.domain == "example.no"


def test_the_environment_wins_over_the_env_file(tmp_path):
    settings = load(tmp_path, 'KVITT_SMTP_HOST="smtp.fil.no"\n# comment\nKVITT_LANG=en\n',
                    SMTP_HOST="smtp.env.no")
    assert settings.mail.smtp_host == "smtp.env.no"
    assert settings.lang == "en"


def test_an_inline_comment_in_the_env_file_is_not_part_of_the_value(tmp_path):
    settings = load(tmp_path, "KVITT_SMTP_PORT=2525  # the relay\n"
                              "KVITT_IMAP_FOLDER=Kvitt # where replies land\n"
                              "export KVITT_MAIL_FROM='Kvitt <k@x.no>' # quoted\n"
                              "KVITT_DATABASE_URL=\n")
    assert settings.mail.smtp_port == 2525
    assert settings.mail.imap_folder == "Kvitt"
    assert settings.mail.sender == "Kvitt <k@x.no>"
    assert settings.database_url.startswith("sqlite+aiosqlite:///")  # empty: the default


def test_the_authentication_server_id_reaches_the_reply_gateway(tmp_path):
    settings = load(tmp_path, REQUIRE_DMARC="true", AUTHSERV_ID="mx.kvitt.example.no")
    gateway = settings.mail.gateway()
    assert gateway.authserv_id == "mx.kvitt.example.no"
    assert gateway.require_authentication is True


def _choice(name: str) -> str | None:
    """For a setting of fixed choices, the last one (not the default)."""
    for model in (Settings, TelegramSettings, MailSettings):
        for field, info in model.model_fields.items():
            alias = info.validation_alias if isinstance(info.validation_alias, str) else field
            if f"KVITT_{alias.upper()}" == name and get_origin(info.annotation) is Literal:
                return str(get_args(info.annotation)[-1])
    return None


def test_every_field_has_its_variable_and_each_is_read(tmp_path):
    """Each variable set to a distinct valid value shows up under its own name."""
    names = load(tmp_path).masked()
    assert "KVITT_AUTHSERV_ID" in names
    assert "KVITT_TELEGRAM_MAX_CONCURRENT_UPDATES" in names
    valid = {"KVITT_DATA_DIR": "d", "KVITT_DATABASE_URL": "postgresql+asyncpg://k@h/db",
             "KVITT_LANG": "en", "KVITT_WORKER_INTERVAL": "2.5", "KVITT_OUTBOX_LEASE": "90.0",
             "KVITT_DIGEST_AT": "06:30",
             "KVITT_DIGEST_WEEKDAY": "mon", "KVITT_TELEGRAM_MAX_CONCURRENT_UPDATES": "3",
             "KVITT_WEBHOOK_LISTEN": "0.0.0.0:9000", "KVITT_SMTP_PORT": "25",
             "KVITT_SMTP_SECURITY": "tls", "KVITT_IMAP_PORT": "143",
             "KVITT_IMAP_SECURITY": "plain", "KVITT_REQUIRE_DMARC": "True",
             "KVITT_REPLY_ADDRESS": "svar+{key}@kvitt.no", "KVITT_WEBHOOK_URL": "https://k.no/t",
             "KVITT_WEBHOOK_SECRET": "s" * 16, "KVITT_OCR_ENGINE": "tesseract",
             "KVITT_OCR_WORKERS": "3", "KVITT_RECEIPT_TIME_LIMIT": "15.0",
             "KVITT_RATES_URL": "http://127.0.0.1:9/api", "KVITT_RATES_TIMEOUT": "2.5"}
    environ = {name: valid.get(name) or _choice(name) or f"v-{name.lower()}" for name in names}
    shown = Settings.load(environ, env_file=None).masked()
    for name, value in environ.items():
        assert shown[name] in (value, "***"), name


@pytest.mark.parametrize(("name", "value"), [
    ("SMTP_PORT", "tjuefem"), ("SMTP_SECURITY", "ssl3"), ("IMAP_PORT", "70000"),
    ("REPLY_ADDRESS", "krav@example.no"), ("DATABASE_URL", "mysql://x"), ("LANG", "sv"),
    ("REQUIRE_DMARC", "kanskje"), ("WORKER_INTERVAL", "0"), ("OUTBOX_LEASE", "14"),
    ("DIGEST_AT", "25:00"),
    ("DIGEST_WEEKDAY", "someday"), ("WEBHOOK_LISTEN", "8443"),
    ("TELEGRAM_MAX_CONCURRENT_UPDATES", "many"), ("OCR_ENGINE", "tesseract4"),
    ("RATES_URL", "ftp://x"), ("RATES_TIMEOUT", "0"),
])
def test_a_wrong_setting_is_one_line_naming_it(tmp_path, name, value):
    with pytest.raises(SettingsError) as wrong:
        load(tmp_path, **{name: value})
    assert str(wrong.value).startswith(f"KVITT_{name}: ")
    assert repr(value) in str(wrong.value)
    assert "\n" not in str(wrong.value)


def test_a_wrong_setting_in_the_env_file_is_named_too(tmp_path):
    with pytest.raises(SettingsError, match=r"^KVITT_SMTP_PORT: "):
        load(tmp_path, "KVITT_SMTP_PORT=tjuefem # a comment\n")


def test_a_broken_env_file_line_is_named_with_its_line_number(tmp_path):
    with pytest.raises(SettingsError, match=r"\.env:2"):
        load(tmp_path, "KVITT_LANG=nb\nthis is not a setting\n")


def test_printing_the_settings_hides_every_secret(tmp_path):
    settings = load(tmp_path, DATABASE_URL="postgresql+asyncpg://kvitt:hemmelig@db/kvitt",
                    SMTP_PASSWORD="pw1", IMAP_PASSWORD="pw2", TELEGRAM_TOKEN="123:ABC",
                    WEBHOOK_URL="https://k.no/t", WEBHOOK_SECRET="w" * 20)
    shown = str(settings.masked())
    for secret in ("hemmelig", "pw1", "pw2", "123:ABC", "w" * 20):
        assert secret not in shown
    assert "kvitt:***@db/kvitt" in shown
    assert "123:ABC" not in repr(settings)


def test_webhook_mode_without_a_secret_is_refused(tmp_path):
    with pytest.raises(SettingsError, match=r"^KVITT_WEBHOOK_SECRET"):
        load(tmp_path, WEBHOOK_URL="https://kvitt.example.no/telegram")
    ok = load(tmp_path, WEBHOOK_URL="https://kvitt.example.no/telegram",
              WEBHOOK_SECRET="s" * 16)
    assert ok.telegram.webhook_secret == "s" * 16


def test_the_readme_and_env_example_name_exactly_the_settings(tmp_path):
    names = set(load(tmp_path).masked())
    example = set(re.findall(r"^#? ?(KVITT_[A-Z_]+)=", (ROOT / ".env.example").read_text(),
                             re.M))
    assert example == names
    table = (ROOT / "README.md").read_text().split("## Configuration")[1].split("\n## ")[0]
    documented = set()
    for row in re.findall(r"^\| (`KVITT_.*?) \|", table, re.M):
        cells = re.findall(r"`(_?[A-Z_]+)`", row)
        stem = cells[0].rsplit("_", 1)[0]
        documented |= {c if c.startswith("KVITT_") else stem + c for c in cells}
    assert documented == names
