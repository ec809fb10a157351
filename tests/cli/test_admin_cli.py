"""The admin commands through the installed ``kvitt`` script, on the embedded SQLite."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from app.settings import Settings
from app.wiring import service_env
from domain.claim import ClaimLine
from domain.lines import ItemLine
from service import admin, claims, members

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_an_unmigrated_database_is_refused_with_the_command_to_run(kvitt):
    ran = kvitt("org", "show", "tromso-hk")
    assert ran.status == 1
    assert "kvitt db upgrade" in ran.err
    assert "Traceback" not in ran.err


def test_db_upgrade_then_the_examples_apply_once_and_a_second_time_change_nothing(kvitt):
    assert kvitt("db", "upgrade").status == 0
    assert (kvitt.cwd / "kvitt-data" / "kvitt.sqlite3").exists()
    files = sorted(EXAMPLES.glob("*.toml"))
    assert len(files) == 3
    first = kvitt("org", "apply", *files)
    assert first.status == 0, first.err
    assert first.out.count(": oppdatert (") == 5
    again = kvitt("org", "apply", *files)
    assert again.out.count(": uendret (") == 5
    shown = kvitt("org", "show", "eksempel-kommune")
    assert "trinn 1: attestasjon: koordinator@eksempel-kommune.no" in shown.out
    assert "Avlaster lav sats 95,00 kr/time" in shown.out


def test_a_broken_organisation_file_names_the_file_and_the_field(kvitt, tmp_path):
    kvitt("db", "upgrade")
    broken = tmp_path / "broken.toml"
    broken.write_text((EXAMPLES / "forening-kvann.toml").read_text().replace(
        'org_number = "922334455"', 'org_number = "922334456"'))
    ran = kvitt("org", "apply", broken)
    assert ran.status == 2
    assert "broken.toml: org_number" in ran.err
    assert "Traceback" not in ran.err


def test_invite_create_prints_the_deep_link_with_the_bot_username(kvitt):
    kvitt("db", "upgrade")
    kvitt("org", "apply", EXAMPLES / "handball-region-nord.toml")
    ran = kvitt("invite", "create", "bodo-hk", "--uses", "5",
                env={"KVITT_TELEGRAM_BOT_USERNAME": "@kvitt_test_bot"})
    assert ran.status == 0, ran.err
    code = ran.out.split("Kode: ")[1].split()[0]
    assert f"https://t.me/kvitt_test_bot?start={code}" in ran.out
    assert kvitt("invite", "create", "no-such-club").status == 2


def test_claims_list_and_show_give_status_lines_and_log(kvitt):
    kvitt("db", "upgrade")
    kvitt("org", "apply", EXAMPLES / "kommune-avlastning.toml")

    async def file_a_claim() -> str:
        settings = Settings.load({"KVITT_DATA_DIR": str(kvitt.cwd / "kvitt-data")},
                                 env_file=Path("/nonexistent"))
        async with service_env(settings) as env:
            invite = await admin.create_invite(env, "eksempel-kommune")
            claimant, _ = await members.join(env, 77, "Aina Avlaster", invite.code)
            claim = await claims.create_claim(
                env, claimant.id, ["eksempel-kommune"], "Januar 2026",
                allocation={"stilling": "Avlaster", "organisasjonsenhet": "3010 Avlastning",
                            "ansvar": "30100", "funksjon": "254", "prosjekt": "-",
                            "objekt": "-"})
            line = ItemLine(date(2026, 1, 31), Decimal(48), Decimal("95.00"), True,
                            "Avlaster lav sats", "avlaster-lav")
            await claims.add_line(env, claimant.id, claim.id, ClaimLine("l1", line))
            return claim.reference

    reference = asyncio.run(file_a_claim())
    listed = kvitt("claims", "list", "eksempel-kommune")
    assert listed.status == 0, listed.err
    assert reference in listed.out and "Kladd" in listed.out and "4\u00a0560,00" in listed.out
    shown = kvitt("claims", "show", reference, env={"KVITT_LANG": "en"})
    assert shown.status == 0, shown.err
    assert "Avlaster lav sats: 48 × 95,00 = 4\u00a0560,00" in shown.out
    assert "Draft" in shown.out
    assert "line added (claimant in Telegram)" in shown.out
    assert "line_added" not in shown.out and "claimant/" not in shown.out
    # the log's times are Oslo time, and say so
    assert re.search(r"^  \d{4}-\d\d-\d\d \d\d:\d\d \(Oslo\) created ", shown.out, re.M)
    assert kvitt("claims", "show", "K-2026-999999").status == 2


def test_an_invite_for_no_one_is_refused(kvitt):
    kvitt("db", "upgrade")
    kvitt("org", "apply", EXAMPLES / "forening-kvann.toml")
    ran = kvitt("invite", "create", "eksempel-forening", "--uses", "0")
    assert ran.status == 2 and "1 eller mer" in ran.err  # KVITT_LANG defaults to nb
