"""``kvitt check`` against real servers, and logs that keep personal data out."""

from __future__ import annotations

import logging

from app.logs import Logfmt
from harness.bot_api import BotApiServer


def test_check_reports_each_connection_and_masks_secrets(kvitt, imap_account, smtp_server):
    server = BotApiServer().start()
    try:
        kvitt("db", "upgrade")
        env = {"KVITT_TELEGRAM_TOKEN": "123:ABC", "KVITT_TELEGRAM_API_URL": server.base_url,
               "KVITT_SMTP_HOST": "127.0.0.1", "KVITT_SMTP_PORT": str(smtp_server.port),
               "KVITT_SMTP_SECURITY": "plain", "KVITT_IMAP_HOST": imap_account.host,
               "KVITT_IMAP_PORT": str(imap_account.port), "KVITT_IMAP_SECURITY": "plain",
               "KVITT_IMAP_USER": imap_account.user,
               "KVITT_IMAP_PASSWORD": imap_account.password}
        ran = kvitt("check", env=env)
        assert ran.status == 0, ran.out + ran.err
        lines = dict(line.split(None, 1) for line in ran.out.splitlines()[-4:])
        assert "roles     ingen kvitt run" in ran.out
        assert lines == {"database": "ok", "smtp": "ok",
                         "imap": "ok (Processed og Rejected finnes)",
                         "telegram": "ok (@kvitt_test_bot)"}
        assert "123:ABC" not in ran.out and imap_account.password not in ran.out
        smtp_server.stop()
        down = kvitt("check", env=env)
        assert down.status == 1
        assert "smtp      FEIL" in down.out
    finally:
        server.stop()


def test_check_lists_every_setting_and_fails_what_the_roles_need(kvitt, tmp_path):
    from app.settings import Settings

    kvitt("db", "upgrade")
    missing = tmp_path / "no-such-maildir"
    ran = kvitt("check", env={"KVITT_MAILDIR": str(missing), "KVITT_LANG": "en"})
    assert ran.status == 1
    names = Settings.load({}, env_file=None).masked()
    shown = [line.split("=", 1)[0] for line in ran.out.splitlines() if "=" in line]
    assert shown == list(names)  # every setting, not a selection
    lines = dict(line.split(None, 1) for line in ran.out.splitlines()[-4:])
    assert lines["database"] == "ok"
    assert lines["imap"].startswith(f"FAILED: the Maildir {missing} does not exist")
    assert lines["telegram"].startswith("FAILED: KVITT_TELEGRAM_TOKEN is not set, but the bot")
    assert "--only outbox,inbound,scheduler" in lines["telegram"]
    assert "FEIL" not in ran.out and "ikke satt" not in ran.out  # one language
    # without the bot role, and with the Maildir there, nothing configured fails
    for part in ("cur", "new", "tmp"):
        (missing / part).mkdir(parents=True)
    fine = kvitt("check", "--only", "outbox,inbound,scheduler",
                 env={"KVITT_MAILDIR": str(missing)})
    assert fine.status == 0, fine.out
    assert fine.out.splitlines()[-1] == "telegram  ikke satt (KVITT_TELEGRAM_TOKEN)"


def test_check_does_not_create_a_database_and_says_to_migrate(kvitt):
    ran = kvitt("check", "--only", "outbox")
    assert ran.status == 1
    assert "database  FEIL: Databasen er ikke opprettet ennå" in ran.out
    assert "kvitt db upgrade" in ran.out
    assert not (kvitt.cwd / "kvitt-data").exists()


def test_a_log_line_never_holds_an_address_or_an_account_number():
    record = logging.LogRecord("kvitt", logging.INFO, "x", 1,
                               "sent to kari@example.no, account 1234 56 78903", None, None)
    line = Logfmt().format(record)
    assert "kari@example.no" not in line and "78903" not in line
    assert line.startswith("time=") and 'msg="sent to ***@***' in line


def test_log_lines_are_one_per_event_in_utc_with_the_traceback_and_escaped_quotes():
    import json

    try:
        raise ValueError("kari@example.no sa \"nei\"")
    except ValueError as exc:
        record = logging.LogRecord("kvitt.inbound", logging.ERROR, "x", 1, 'failed "%s"',
                                   ("K-1",), (type(exc), exc, exc.__traceback__))
    line = Logfmt().format(record)
    assert "\n" not in line and line.startswith("time=") and "Z level=error" in line
    assert 'msg="failed \\"K-1\\""' in line and "Traceback" in line and "ValueError" in line
    assert "kari@example.no" not in line
    data = json.loads(Logfmt("json").format(record))
    assert data["time"].endswith("Z") and data["level"] == "error"
    assert "Traceback" in data["exception"] and "kari@" not in data["exception"]


def test_fonttools_chatter_is_kept_below_warning():
    from app.logs import configure

    configure("info")
    assert not logging.getLogger("fontTools.subset").isEnabledFor(logging.INFO)
