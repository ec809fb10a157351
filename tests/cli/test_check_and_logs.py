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


def test_a_log_line_never_holds_an_address_or_an_account_number():
    record = logging.LogRecord("kvitt", logging.INFO, "x", 1,
                               "sent to kari@example.no, account 1234 56 78903", None, None)
    line = Logfmt().format(record)
    assert "kari@example.no" not in line and "78903" not in line
    assert line.startswith("time=") and 'msg="sent to ***@***' in line
