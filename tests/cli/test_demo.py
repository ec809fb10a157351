"""``kvitt demo`` through the installed script: offline, under a minute, ends approved.

The expected amounts are worked out by hand from RATES.md and the handball region's
rate table (examples/handball-region-nord.toml), not taken from the code:

* driving 184 km: car 184 × 3.50 = 644.00; after the fix two passengers,
  2 × 184 × 1.00 = 368.00 (first round one passenger: 184.00); all tax-free
  (the tax-free rates are the same 3.50 and 1.00)
* per diem, 08:00 day 1 to 19:30 day 2 with a hotel night (2026 state rates): one døgn
  at rate a 1012 + 11 h 30 at rate b 397 = 1409.00; tax-free døgn 1 at most 693 (hotel),
  døgn 2 counts whole for tax (6 h or more) so all 397 free: 1090.00 free, 319.00 taxable
* toll 44.00 on receipt, tax-free
* match fees, taxable: Tromsø 3. div 565.00, Bodø 5. div 310.00

Total 1012 + 1409 + 44 + 875 = 3340.00; tax-free 1012 + 1090 + 44 = 2146.00; taxable
319 + 875 = 1194.00. Honorarbrøk 565 : 310 per shared line, largest remainder to the øre:
driving 653.46 / 358.54, per diem 909.81 / 499.19, toll 28.41 / 15.59, so Tromsø
565 + 1591.68 = 2156.68 and Bodø 310 + 873.32 = 1183.32.
"""

from __future__ import annotations

import csv
import io
import mailbox
import os
import re
import subprocess
import time
from decimal import Decimal
from email import message_from_bytes, policy


def _kr(text: str) -> str:
    """Amounts as the demo prints them: thousands separated by a no-break space."""
    return re.sub(r"(?<=\d) (?=\d{3},)", "\u00a0", text)


def _run_demo(kvitt, folder):
    started = time.monotonic()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KVITT_")}
    # the demo runs on its embedded default, whatever the settings say
    environ["KVITT_DATABASE_URL"] = "postgresql+asyncpg://nobody@192.0.2.1/nowhere"
    done = subprocess.run([kvitt.script, "demo", "--keep", str(folder)], capture_output=True,
                          cwd=kvitt.cwd, timeout=120, check=False, env=environ)
    return done, time.monotonic() - started


def _mails(folder, address):
    box = mailbox.Maildir(folder / "mail" / address, create=False)
    return [message_from_bytes(box.get_bytes(key), policy=policy.default)
            for key in box.iterkeys()]


def test_the_demo_runs_the_whole_product_offline_to_approved_in_under_a_minute(
        kvitt, tmp_path):
    folder = tmp_path / "demo"
    done, seconds = _run_demo(kvitt, folder)
    out, err = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    assert done.returncode == 0, err
    assert seconds < 60, f"the demo took {seconds:.1f} s"
    assert "Traceback" not in err

    # the claimant's side went through the bot's dialog
    assert "Kari > /send" in out
    assert "[💾 Lagre]" in out
    assert "📤 K-2026-000001 er sendt til godkjenning" in out
    assert _kr("Lagret = 828,00 kr") in out  # one passenger in the first round
    assert _kr("Lagret = 1 012,00 kr") in out  # two after the fix
    assert _kr("= 1 409,00 kr") in out
    assert "Kari > [Åpne kravet]" in out  # the button of the return notice
    # the mails, shortened, and the replies read back (from a Maildir, and it says so)
    assert "Maildir (ikke IMAP / not IMAP)" in out
    assert "To: dommer@tromso-hk.no" in out and "To: dommer@bodo-hk.no" in out
    assert "📎 K-2026-000001.pdf (application/pdf" in out
    assert ("Status: Til godkjenning hos Bodø Håndballklubb. "
            "Godkjent av Tromsø Håndballklubb") in out
    assert "Status: Sendt i retur av Bodø Håndballklubb" in out
    assert "«Passasjeren Ola Nordmann mangler på kjøringen.»" in out  # the Telegram notice
    assert "er godkjent av alle og går til utbetaling" in out
    # per payer (in each club's digest) and final
    assert _kr("Tromsø Håndballklubb: 2 156,68 kr (trekkfritt 1 385,70, "
               "trekkpliktig 770,98)") in out
    assert _kr("Bodø Håndballklubb: 1 183,32 kr (trekkfritt 760,30, "
               "trekkpliktig 423,02)") in out
    assert "Lønnsfil / payroll CSV lonn-tromso-hk-" in out
    assert "Status: Godkjent / Approved" in out
    assert _kr("Sum 3 340,00 kr: trekkfritt 2 146,00, trekkpliktig 1 194,00") in out
    assert out.rstrip().endswith("Ferdig. / Done.")

    # each club's payroll file adds up to its share, to the øre
    for slug, share in (("tromso-hk", Decimal("2156.68")), ("bodo-hk", Decimal("1183.32"))):
        (path,) = folder.glob(f"lonn-{slug}-*.csv")
        rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))
        assert sum(Decimal(r["taxfree"]) + Decimal(r["taxable"]) for r in rows) == share
    assert (folder / "kvitt.sqlite3").exists()
    assert any((folder / "attachments").rglob("*"))
    for approver in ("dommer@tromso-hk.no", "dommer@bodo-hk.no"):
        requests = [m for m in _mails(folder, approver) if "Til godkjenning" in m["Subject"]]
        assert len(requests) == 2  # the first round and the one after the resubmit
        for request in requests:
            files = {p.get_filename(): p.get_content_type() for p in request.iter_attachments()}
            assert files["K-2026-000001.pdf"] == "application/pdf"
            assert bytes(next(p for p in request.iter_attachments()
                              if p.get_filename().endswith(".pdf")).get_content()
                         ).startswith(b"%PDF")
            assert "image/jpeg" in files.values()
    processed = mailbox.Maildir(folder / "mail" / "krav@example.no",
                                create=False).get_folder("Processed")
    assert len(list(processed.iterkeys())) == 4  # every reply handled, none rejected


def test_the_demo_will_not_write_into_a_folder_that_holds_something(kvitt, tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "kvitt.sqlite3").write_bytes(b"")
    ran = kvitt("demo", "--keep", tmp_path / "busy")
    assert ran.status == 2
    assert "not empty" in ran.err
