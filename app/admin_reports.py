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

from app.admin_commands import EXIT_OK, EXIT_REFUSED, run
from app.settings import Settings
from app.wiring import service_env
from domain.claim import Actor
from domain.money import format_kr
from service import digest as digests
from service import payroll

CLI_ADMIN = Actor("admin", "cli", "cli")


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
    """Write one payroll run as CSV; with ``--mark-paid`` mark its claims Paid."""
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
            _note(f"kvitt: {args.out}: {exc.strerror or exc}")
            return EXIT_REFUSED
        paid = await payroll.mark_exported_paid(env, export, CLI_ADMIN) if args.mark_paid else []
        now = env.clock()
    run_ = export.run
    _note(f"Lønnskjøring / payroll run {run_.payroll_date.isoformat()}: "
          f"{len(export.claims)} krav / claims, {len(export.rows)} rader / rows")
    if args.mark_paid:
        _note(f"Markert utbetalt / marked paid: {' '.join(paid) or '-'}; allerede utbetalt / "
              f"already paid: {len(export.claims) - len(paid)}")
    if now < run_.end:
        _note(f"Merk: perioden er åpen til {run_.end:%d.%m.%Y %H:%M}; krav godkjent før da "
              "kommer med i en ny eksport. / Note: the period is open until then; claims "
              "approved before it will be in a new export.")
    if export.outlays:
        _note(f"Herav utlegg på kvittering (kode utlegg: ikke inntekt) / of which outlays on "
              f"receipt (code utlegg: not income): {format_kr(export.outlays)} kr")
    if export.missing_accounts:
        _note(f"Mangler kontonummer / no bank account: {', '.join(export.missing_accounts)}")
    return EXIT_OK


async def _digest(args: argparse.Namespace, settings: Settings) -> int:
    """Print the digest, or queue it for the organisation's admins."""
    async with service_env(settings) as env:
        found = await digests.digest(env, args.org, flag_days=args.older_than)
        if args.print_:
            _, text, _ = digests.render_digest(found, settings.lang)
            _utf8()
            sys.stdout.write(text)
            return EXIT_OK
        if not found.admins:
            _note(f"kvitt: {args.org} har ingen administratorer å sende til (admins i "
                  "organisasjonsfilen). / has no admins to send to.")
            return EXIT_REFUSED
        queued = await digests.queue_digest(env, found, settings.lang)
    already = (" (de andre har fått dagens / the others have today's)"
               if queued < len(found.admins) else "")
    _note(f"Oversikten er lagt i køen til {queued} av {len(found.admins)} administrator(er). "
          f"/ Queued for {queued} of {len(found.admins)} admin(s).{already}")
    return EXIT_OK


export_payroll = run(_export_payroll)
digest = run(_digest)
