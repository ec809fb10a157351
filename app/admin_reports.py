"""Admin reports: the payroll export and the digest, on the configured database.

``kvitt export payroll ORG --period YYYY-MM`` writes the run's CSV (to ``--out`` or
standard output) and, with ``--mark-paid``, marks its claims Paid afterwards, so a file
that could not be written pays nothing. What it did goes to standard error, so the CSV
on standard output stays clean. ``kvitt digest ORG --print|--send`` prints the digest or
queues it for the admins (the outbox worker sends it).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

from app.admin_commands import EXIT_OK, EXIT_REFUSED, file_problem, oslo, run, say
from app.settings import Settings
from app.wiring import service_env
from domain.claim import Actor
from domain.money import format_kr
from domain.text import Text
from mail.compose import render_digest
from service import digest as digests
from service import payroll

CLI_ADMIN = Actor("admin", "cli", "cli")
NOTES = {
    "run": Text("Lønnskjøring {day}: {claims} krav, {rows} rader",
                "Payroll run {day}: {claims} claims, {rows} rows"),
    "paid": Text("Markert utbetalt: {paid}; allerede utbetalt: {already}",
                 "Marked paid: {paid}; already paid: {already}"),
    "open": Text("Merk: perioden er åpen til {until}; krav godkjent før da kommer med i en ny "
                 "eksport.", "Note: the period is open until {until}; claims approved before "
                 "then will be in a new export."),
    "outlays": Text("Herav utlegg på kvittering (kode utlegg: ikke inntekt): {kr} kr",
                    "Of which outlays on receipt (code utlegg: not income): {kr} kr"),
    "no_account": Text("Mangler kontonummer: {names}", "No bank account: {names}"),
    "no_admins": Text("{org} har ingen administratorer å sende til; legg dem under admins i "
                      "organisasjonsfilen.", "{org} has no admins to send to; add them under "
                      "admins in the organisation file."),
    "queued": Text("Oversikten er lagt i køen til {queued} av {admins} administrator(er).",
                   "Queued for {queued} of {admins} admin(s)."),
    "already": Text(" (De andre har fått dagens.)", " (The others have today's.)"),
}
XLSX_TO_TERMINAL = Text("en xlsx-fil skrives ikke til terminalen; bruk --out FIL.xlsx.",
                        "an xlsx file is not written to the terminal; use --out FILE.xlsx.")


def _utf8() -> None:
    for stream in (sys.stdout, sys.stderr):  # texts are Norwegian, whatever the locale
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8")


def _note(text: str) -> None:
    _utf8()
    print(text, file=sys.stderr)


def _write(data: bytes, out: str | None) -> None:
    """To ``out`` (whole or not at all) or standard output."""
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = Path(out)
    partial = target.with_name(f".{target.name}.part")
    partial.write_bytes(data)
    os.replace(partial, target)


async def _export_payroll(args: argparse.Namespace, settings: Settings) -> int:
    """Write one payroll run as CSV; with ``--mark-paid`` mark its claims Paid.

    A workbook is binary: written to a terminal it is noise, so ``--format xlsx``
    without ``--out`` is refused there (a pipe or a redirect is fine).
    """
    if args.format == "xlsx" and args.out is None and sys.stdout.isatty():
        _note("kvitt: " + XLSX_TO_TERMINAL.in_(settings.lang))
        return EXIT_REFUSED
    async with service_env(settings) as env:
        export = await payroll.payroll_export(env, args.org, args.period)
        if args.format == "xlsx":
            from app.payroll_xlsx import payroll_xlsx

            data = payroll_xlsx(export)
        else:
            data = payroll.render_csv(export)
        try:
            _write(data, args.out)
        except OSError as exc:
            _note(f"kvitt: {args.out}: {file_problem(exc, writing=True).in_(settings.lang)}")
            return EXIT_REFUSED
        paid = await payroll.mark_exported_paid(env, export, CLI_ADMIN) if args.mark_paid else []
        now = env.clock()
    run_, lang = export.run, settings.lang
    _note(say(NOTES["run"], lang, day=run_.payroll_date.isoformat(), claims=len(export.claims),
              rows=len(export.rows)))
    if args.mark_paid:
        _note(say(NOTES["paid"], lang, paid=" ".join(paid) or "-",
                  already=len(export.claims) - len(paid)))
    if now < run_.end:
        _note(say(NOTES["open"], lang, until=oslo(run_.end)))
    if export.outlays:
        _note(say(NOTES["outlays"], lang, kr=format_kr(export.outlays)))
    if export.missing_accounts:
        _note(say(NOTES["no_account"], lang, names=", ".join(export.missing_accounts)))
    return EXIT_OK


async def _digest(args: argparse.Namespace, settings: Settings) -> int:
    """Print the digest, or queue it for the organisation's admins."""
    async with service_env(settings) as env:
        found = await digests.digest(env, args.org, flag_days=args.older_than)
        if args.print_:
            text = render_digest(digests.digest_mail(found, settings.lang)).text
            _utf8()
            sys.stdout.write(text)
            return EXIT_OK
        if not found.admins:
            _note("kvitt: " + say(NOTES["no_admins"], settings.lang, org=args.org))
            return EXIT_REFUSED
        queued = await digests.queue_digest(env, found, settings.lang)
    already = say(NOTES["already"], settings.lang) if queued < len(found.admins) else ""
    _note(say(NOTES["queued"], settings.lang, queued=queued, admins=len(found.admins)) + already)
    return EXIT_OK


export_payroll = run(_export_payroll)
digest = run(_digest)
