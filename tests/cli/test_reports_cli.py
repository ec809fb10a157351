"""``kvitt export payroll`` and ``kvitt digest`` through the installed script, on SQLite."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import pty
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl

from app.settings import Settings
from app.wiring import service_env
from domain.claim import ClaimLine
from domain.lines import ItemLine, MileageLeg
from service import admin, approvals, claims, members
from service.messages import ApprovalRequest
from service.payroll import next_run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
APPROVERS = ("dommer@tromso-hk.no", "dommer@bodo-hk.no")


def _settings(kvitt) -> Settings:
    return Settings.load({"KVITT_DATA_DIR": str(kvitt.cwd / "kvitt-data")},
                         env_file=Path("/nonexistent"))


async def _approved_referee_claim(kvitt) -> tuple[str, str]:
    """A referee claim for two clubs, approved by both now; its reference and payroll period."""
    async with service_env(_settings(kvitt)) as env:
        joined = None
        for slug in ("tromso-hk", "bodo-hk"):
            invite = await admin.create_invite(env, slug)
            joined, _ = await members.join(env, 4242, "Kari Dommer", invite.code)
        assert joined is not None
        await members.update_profile(env, joined.id, bank_account="1234.56.78903")
        claim = await claims.create_claim(env, joined.id, ["tromso-hk", "bodo-hk"], "Mars")
        for line in (
                ClaimLine("l1", ItemLine(date(2026, 3, 7), Decimal(1), Decimal("565.00"), True,
                                         "Kamphonorar 3. div", "kamp-3div"), "tromso-hk"),
                ClaimLine("l2", ItemLine(date(2026, 3, 8), Decimal(1), Decimal("310.00"), True,
                                         "Kamphonorar 5. div", "kamp-5div"), "bodo-hk"),
                ClaimLine("l3", MileageLeg(date(2026, 3, 7), Decimal(120)))):
            await claims.add_line(env, joined.id, claim.id, line)
        await claims.submit(env, joined.id, claim.id, confirm_late=True)
        async with env.uow() as uow:
            requests = await uow.outbox.queued(ApprovalRequest)
        for request in requests:
            approver, key = request.message.recipient, request.message.payload["reply_key"]
            target = await approvals.target_of_key(env, key, approver)
            await approvals.decide(env, target, approver, "approve")
        org = await admin.organisation(env, "tromso-hk")
        return claim.reference, next_run(org, datetime.now(UTC)).period


def _outbox_kinds(kvitt) -> list[str]:
    async def read() -> list[str]:
        async with service_env(_settings(kvitt)) as env, env.uow() as uow:
            return [q.message.kind for q in await uow.outbox.queued()]
    return asyncio.run(read())


def test_export_payroll_writes_the_run_marks_it_paid_once_and_repeats_byte_for_byte(kvitt):
    kvitt("db", "upgrade")
    kvitt("org", "apply", EXAMPLES / "handball-region-nord.toml")
    reference, period = asyncio.run(_approved_referee_claim(kvitt))
    out = kvitt.cwd / "lonn.csv"
    first = kvitt("export", "payroll", "tromso-hk", "--period", period, "--out", out,
                  "--mark-paid")
    assert first.status == 0, first.err
    assert f"Markert utbetalt: {reference}" in first.err
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert [(r["claimant"], r["bank_account"], r["code"], r["claim_references"])
            for r in rows] == [
        ("Kari Dommer", "12345678903", "honorar", reference),
        ("Kari Dommer", "12345678903", "kilometergodtgjoerelseBil", reference)]
    assert rows[0]["taxable"] == "565.00"
    # 120 km at the region's 3.50 split 565:310 between the clubs
    assert sum(Decimal(r["taxfree"]) + Decimal(r["taxable"]) for r in rows[1:]) == Decimal(
        "271.20")

    again = kvitt("export", "payroll", "tromso-hk", "--period", period, "--mark-paid")
    assert again.status == 0, again.err
    assert again.out.encode("utf-8") == out.read_bytes()
    assert "Markert utbetalt: -; allerede utbetalt: 1" in again.err
    other = kvitt("export", "payroll", "bodo-hk", "--period", period, "--mark-paid")
    assert "honorar" in other.out and "Markert utbetalt: -" in other.err
    assert _outbox_kinds(kvitt).count("paid") == 1
    assert "Utbetalt" in kvitt("claims", "show", reference).out


def test_export_payroll_refuses_a_bad_period_and_an_unknown_club_in_one_line(kvitt):
    kvitt("db", "upgrade")
    kvitt("org", "apply", EXAMPLES / "handball-region-nord.toml")
    ran = kvitt("export", "payroll", "tromso-hk", "--period", "2026-13")
    assert ran.status == 2 and ran.out == ""
    assert len(ran.err.strip().splitlines()) == 1 and "Traceback" not in ran.err
    assert kvitt("export", "payroll", "no-club", "--period", "2026-03").status == 2


def test_export_payroll_as_xlsx_has_the_csvs_rows_as_numbers(kvitt, tmp_path):
    kvitt("db", "upgrade")
    kvitt("org", "apply", EXAMPLES / "handball-region-nord.toml")
    _, period = asyncio.run(_approved_referee_claim(kvitt))
    csv_rows = list(csv.DictReader(io.StringIO(
        kvitt("export", "payroll", "tromso-hk", "--period", period).out)))
    for name in ("a.xlsx", "b.xlsx"):
        ran = kvitt("export", "payroll", "tromso-hk", "--period", period, "--format", "xlsx",
                    "--out", tmp_path / name)
        assert ran.status == 0, ran.err
    sheets = []
    for name in ("a.xlsx", "b.xlsx"):
        sheet = openpyxl.load_workbook(tmp_path / name).active
        assert sheet is not None
        sheets.append(list(sheet.iter_rows(values_only=True)))
    assert sheets[0] == sheets[1]  # the same run gives the same workbook
    header, *rows = sheets[0]
    assert list(header) == list(csv_rows[0])
    assert [(r[3], Decimal(str(r[5])), Decimal(str(r[6]))) for r in rows] == [
        (c["code"], Decimal(c["taxfree"]), Decimal(c["taxable"])) for c in csv_rows]


def test_an_xlsx_export_is_not_written_to_a_terminal(kvitt):
    kvitt("db", "upgrade")
    kvitt("org", "apply", EXAMPLES / "handball-region-nord.toml")
    command = [kvitt.script, "export", "payroll", "tromso-hk", "--period", "2026-03",
               "--format", "xlsx"]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KVITT_")}
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(command, stdout=terminal, stderr=subprocess.PIPE, cwd=kvitt.cwd,
                              timeout=30, check=False, env=environ)
        os.set_blocking(controller, False)
        try:
            written = os.read(controller, 65536)
        except BlockingIOError:
            written = b""
    finally:
        os.close(controller)
        os.close(terminal)
    assert done.returncode == 2
    assert b"PK" not in written  # no ZIP bytes on the screen
    assert "--out" in done.stderr.decode() and "Traceback" not in done.stderr.decode()
    piped = subprocess.run(command, capture_output=True, cwd=kvitt.cwd, timeout=30,
                           check=False, env=environ)
    assert piped.returncode == 0 and piped.stdout.startswith(b"PK")  # a pipe gets the workbook


def test_digest_prints_in_the_chosen_language_and_is_queued_once_a_day(kvitt):
    kvitt("db", "upgrade")
    kvitt("org", "apply", EXAMPLES / "handball-region-nord.toml")
    reference, _ = asyncio.run(_approved_referee_claim(kvitt))
    printed = kvitt("digest", "tromso-hk", "--print")
    assert printed.status == 0, printed.err
    assert printed.out.startswith("Oversikt for Tromsø Håndballklubb")
    assert f"{reference} «Mars» fra Kari Dommer" in printed.out
    # printing attaches nothing, so it names the command that writes the payroll file
    assert "vedlagt" not in printed.out
    assert "Lønnsfilen: kvitt export payroll tromso-hk --period " in printed.out
    english = kvitt("digest", "tromso-hk", "--print", env={"KVITT_LANG": "en"})
    assert "Next payroll run" in english.out and "attached" not in english.out
    sent = kvitt("digest", "tromso-hk", "--send", env={"KVITT_LANG": "en"})
    assert sent.status == 0, sent.err
    assert sent.err.strip() == "Queued for 1 of 1 admin(s)."  # one language, not "nb / en"
    again = kvitt("digest", "tromso-hk", "--send")
    assert "lagt i køen til 0 av 1 administrator(er). (De andre har fått dagens.)" in again.err
    assert _outbox_kinds(kvitt).count("admin_digest") == 1
    assert kvitt("digest", "tromso-hk").status == 2  # --send or --print is required
    assert kvitt("digest", "no-club", "--print").status == 2
