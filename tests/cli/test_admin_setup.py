"""The admin's command line tried as a new admin would: setup mistakes, help, org files.

Through the installed ``kvitt`` script. A setup mistake is one line saying what is
wrong and what to do, exit 1; a refusal of what was asked is exit 2 (README).
"""

from __future__ import annotations

import os
import re
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.cli import COMMANDS
from tests.support.unavailable import unavailable

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PG = os.environ.get("KVITT_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def one_line(ran) -> str:
    assert "Traceback" not in ran.err
    lines: list[str] = ran.err.strip().splitlines()
    assert len(lines) == 1, ran.err
    return lines[0]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the block ends


def test_a_database_that_does_not_exist_is_one_line_naming_it(kvitt):
    url = PG.rsplit("/", 1)[0] + "/kvitt_no_such_db"
    ran = kvitt("db", "upgrade", env={"KVITT_DATABASE_URL": url})
    if "Cannot reach" in ran.err or "Får ikke kontakt" in ran.err:
        unavailable(f"PostgreSQL not reachable at {PG}")
    assert ran.status == 1
    line = one_line(ran)
    assert "«kvitt_no_such_db» finnes ikke" in line and "createdb kvitt_no_such_db" in line
    assert "KVITT_DATABASE_URL" in line


def test_a_closed_port_is_one_line_saying_to_start_the_server(kvitt):
    port = closed_port()
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/kvitt"
    for command in (("db", "upgrade"), ("claims", "list", "x"), ("org", "show", "x")):
        ran = kvitt(*command, env={"KVITT_DATABASE_URL": url, "KVITT_LANG": "en"})
        assert ran.status == 1
        line = one_line(ran)
        assert f"Cannot reach the database server on 127.0.0.1:{port}" in line
        assert "Start it" in line and "KVITT_DATABASE_URL" in line


@pytest.mark.parametrize("command", [("run", "--only", "scheduler"), ("chat",)])
def test_run_and_chat_meet_a_closed_port_with_one_line_too(kvitt, command):
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/kvitt"
    ran = kvitt(*command, env={"KVITT_DATABASE_URL": url})
    assert ran.status == 1
    assert "Får ikke kontakt med databasetjeneren" in ran.err.strip().splitlines()[-1]
    assert "Traceback" not in ran.err


@pytest.mark.parametrize("folder", ["/proc/nope", "/proc"])
def test_a_data_folder_that_cannot_be_written_is_one_line_naming_the_setting(kvitt, folder):
    ran = kvitt("db", "upgrade", env={"KVITT_DATA_DIR": folder})
    assert ran.status == 1
    line = one_line(ran)
    assert f"datamappen {folder}" in line and "KVITT_DATA_DIR" in line


def test_a_wrong_setting_is_one_line_and_exit_1(kvitt):
    ran = kvitt("claims", "list", "x", env={"KVITT_SMTP_PORT": "tjuefem"})
    assert ran.status == 1
    assert one_line(ran).startswith("kvitt: KVITT_SMTP_PORT: ")


def test_read_only_commands_do_not_create_an_empty_database(kvitt):
    for command in (("claims", "list", "x"), ("claims", "show", "K-2026-000001"),
                    ("org", "show", "x"), ("digest", "x", "--print"),
                    ("export", "payroll", "x", "--period", "2026-03")):
        ran = kvitt(*command)
        assert ran.status == 1, command
        assert "kvitt db upgrade" in one_line(ran)
    assert not (kvitt.cwd / "kvitt-data").exists()


def test_org_apply_refuses_an_unknown_rate_set_naming_the_file_and_field(kvitt, tmp_path):
    kvitt("db", "upgrade")
    broken = tmp_path / "kommune.toml"
    broken.write_text((EXAMPLES / "kommune-avlastning.toml").read_text("utf-8").replace(
        'rate_set = "state"', 'rate_set = "statens-2025"'), "utf-8")
    ran = kvitt("org", "apply", broken)
    assert ran.status == 2
    assert re.search(r"kommune\.toml: rate_set: ingen satssett heter 'statens-2025'; kjente: "
                     r".*state", ran.err)
    assert "Traceback" not in ran.err
    english = kvitt("org", "apply", broken, env={"KVITT_LANG": "en"})
    assert re.search(r"kommune\.toml: rate_set: no rate set named 'statens-2025'; known: .*state",
                     english.err)
    assert kvitt("org", "show", "eksempel-kommune").status == 2  # nothing was stored


def test_org_apply_refuses_an_unknown_key_suggesting_the_known_one(kvitt, tmp_path):
    kvitt("db", "upgrade")
    text = (EXAMPLES / "forening-kvann.toml").read_text("utf-8")
    broken = tmp_path / "forening.toml"
    broken.write_text(text.replace("admins =", "admins_list =", 1), "utf-8")
    ran = kvitt("org", "apply", broken, env={"KVITT_LANG": "en"})
    assert ran.status == 2
    assert "forening.toml: admins_list: not a known key (did you mean admins?)" in ran.err
    nested = tmp_path / "policy.toml"
    nested.write_text(text.replace("payroll_day =", "payroll_dag =", 1), "utf-8")
    assert "policy.payroll_dag: ukjent nøkkel (mente du payroll_day?)" in kvitt(
        "org", "apply", nested).err


def test_org_file_mistakes_are_told_in_norwegian_or_english_by_kvitt_lang(kvitt, tmp_path):
    kvitt("db", "upgrade")
    text = (EXAMPLES / "forening-kvann.toml").read_text("utf-8")
    broken = tmp_path / "forening.toml"
    broken.write_text(text.replace("payroll_day = 12", "payroll_day = 31", 1), "utf-8")
    assert "payroll_day = 31" in broken.read_text("utf-8")
    norwegian = kvitt("org", "apply", broken)
    assert norwegian.status == 2
    assert norwegian.err == (f"kvitt: {broken}: policy.payroll_day: en dag i måneden 1–28\n"
                             "kvitt: ingenting er endret; rett filen og kjør på nytt.\n")
    english = kvitt("org", "apply", broken, env={"KVITT_LANG": "en"})
    assert english.status == 2
    assert english.err == (f"kvitt: {broken}: policy.payroll_day: a day of the month 1–28\n"
                           "kvitt: nothing was changed; correct the file and run again.\n")
    not_toml = tmp_path / "ikke.toml"
    not_toml.write_text("slug = \n", "utf-8")
    assert "ikke.toml: ikke gyldig TOML: " in kvitt("org", "apply", not_toml).err


def test_several_files_are_applied_all_or_nothing(kvitt, tmp_path):
    kvitt("db", "upgrade")
    broken = tmp_path / "broken.toml"
    broken.write_text((EXAMPLES / "forening-kvann.toml").read_text("utf-8").replace(
        'org_number = "922334455"', 'org_number = "922334456"'), "utf-8")
    ran = kvitt("org", "apply", EXAMPLES / "kommune-avlastning.toml", broken)
    assert ran.status == 2
    assert "broken.toml: org_number" in ran.err and "nothing was changed" not in ran.err
    assert "ingenting er endret" in ran.err
    assert ran.out == ""
    assert kvitt("org", "show", "eksempel-kommune").status == 2  # the good file waited too
    both = kvitt("org", "apply", EXAMPLES / "kommune-avlastning.toml",
                 EXAMPLES / "forening-kvann.toml")
    assert both.status == 0 and both.out.count(": oppdatert (") == 2


def test_help_lists_every_command_with_its_line_and_the_version(kvitt):
    ran = kvitt("--help")
    assert ran.status == 0
    for command in COMMANDS:
        assert re.search(rf"^  {re.escape(command.name)} +{re.escape(command.help[:30])}",
                         ran.out, re.M), command.name
    assert "--version" in ran.out
    assert "upgrade" in kvitt("db", "--help").out
    version = kvitt("--version")
    assert version.status == 0 and re.fullmatch(r"kvitt \d+\.\d+\.\d+\n", version.out)


def test_claims_list_says_when_there_is_nothing(kvitt):
    kvitt("db", "upgrade")
    kvitt("org", "apply", EXAMPLES / "forening-kvann.toml")
    ran = kvitt("claims", "list", "eksempel-forening")
    assert ran.status == 0 and ran.out == "eksempel-forening har ingen krav.\n"
    english = kvitt("claims", "list", "eksempel-forening", "--status", "paid",
                    env={"KVITT_LANG": "en"})
    assert english.out == "eksempel-forening has no claims with status paid.\n"


def test_invite_expiry_is_oslo_time_marked_and_messages_follow_kvitt_lang(kvitt):
    kvitt("db", "upgrade")
    applied = kvitt("org", "apply", EXAMPLES / "forening-kvann.toml", env={"KVITT_LANG": "en"})
    assert applied.out == "eksempel-forening: applied (Eksempelforeningen)\n"
    before = datetime.now(UTC)
    ran = kvitt("invite", "create", "eksempel-forening", env={"KVITT_LANG": "en"})
    assert ran.status == 0, ran.err
    assert "Kode" not in ran.out and "/" not in ran.out.split("Link:")[0]  # English only
    until = re.search(r"Valid until (\d{4}-\d\d-\d\d \d\d:\d\d) \(Oslo\), 1 use", ran.out)
    assert until is not None, ran.out
    shown = datetime.strptime(until[1], "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo("Europe/Oslo"))
    assert abs((shown - before) - timedelta(days=14)) < timedelta(minutes=2)
