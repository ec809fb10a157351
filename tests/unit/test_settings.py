"""Settings: one clear line naming a wrong setting; the environment wins over .env."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import Settings, SettingsError


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


def test_the_environment_wins_over_the_env_file(tmp_path):
    settings = load(tmp_path, 'KVITT_SMTP_HOST="smtp.fil.no"\n# comment\nKVITT_LANG=en\n',
                    SMTP_HOST="smtp.env.no")
    assert settings.mail.smtp_host == "smtp.env.no"
    assert settings.lang == "en"


@pytest.mark.parametrize(("name", "value"), [
    ("SMTP_PORT", "tjuefem"), ("SMTP_SECURITY", "ssl3"), ("IMAP_PORT", "70000"),
    ("REPLY_ADDRESS", "krav@example.no"), ("DATABASE_URL", "mysql://x"), ("LANG", "sv"),
    ("REQUIRE_DMARC", "kanskje"),
])
def test_a_wrong_setting_is_one_line_naming_it(tmp_path, name, value):
    with pytest.raises(SettingsError) as wrong:
        load(tmp_path, **{name: value})
    assert f"KVITT_{name}" in str(wrong.value)
    assert "\n" not in str(wrong.value)


def test_a_broken_env_file_line_is_named_with_its_line_number(tmp_path):
    with pytest.raises(SettingsError, match=r"\.env:2"):
        load(tmp_path, "KVITT_LANG=nb\nthis is not a setting\n")


def test_printing_the_settings_hides_every_secret(tmp_path):
    settings = load(tmp_path, DATABASE_URL="postgresql+asyncpg://kvitt:hemmelig@db/kvitt",
                    SMTP_PASSWORD="pw1", IMAP_PASSWORD="pw2", TELEGRAM_TOKEN="123:ABC")
    shown = str(settings.masked())
    for secret in ("hemmelig", "pw1", "pw2", "123:ABC"):
        assert secret not in shown
    assert "kvitt:***@db/kvitt" in shown


def test_webhook_mode_without_a_secret_is_refused(tmp_path):
    with pytest.raises(SettingsError, match="KVITT_WEBHOOK_SECRET"):
        load(tmp_path, WEBHOOK_URL="https://kvitt.example.no/telegram")
    ok = load(tmp_path, WEBHOOK_URL="https://kvitt.example.no/telegram",
              WEBHOOK_SECRET="s" * 16)
    assert ok.telegram.webhook_secret == "s" * 16
