"""Mistakes a new admin makes, tried through the installed ``kvitt`` as the README says.

Each is one clear line naming what is wrong and what to do, with the README's exit status
(2: a refusal of what was asked; 1: a setup problem), in ``KVITT_LANG``, never a
traceback, and nothing half-stored.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _broken(tmp_path: Path, example: str, old: str, new: str) -> Path:
    text = (EXAMPLES / example).read_text("utf-8")
    assert old in text
    path = tmp_path / f"broken-{example}"
    path.write_text(text.replace(old, new, 1), "utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "said"), [
    ('car = "3.50"', 'car = "abc"', "km.car"),
    ('car = "3.50"', 'cars = "3.50"', "km.cars"),
    ('passenger = "1.00"', 'passenger = "-1"', "km.passenger"),
])
def test_a_wrong_rate_in_an_organisations_own_rate_table_is_refused_at_apply(
        kvitt, tmp_path, old, new, said):
    # a table on a base set was checked only when a claimant's line first looked it up:
    # the file was applied, and every claimant of the clubs then met a traceback
    kvitt("db", "upgrade")
    broken = _broken(tmp_path, "handball-region-nord.toml", old, new)
    ran = kvitt("org", "apply", broken)
    assert ran.status == 2, ran.out + ran.err
    assert "Traceback" not in ran.err
    first = ran.err.splitlines()[0]
    assert f"{broken.name}: rate_tables[0]: ugyldig satstabell" in first and said in first
    assert "ingenting er endret" in ran.err
    assert kvitt("org", "show", "tromso-hk").status == 2  # nothing was stored


def test_the_example_files_still_apply(kvitt):
    kvitt("db", "upgrade")
    ran = kvitt("org", "apply", *sorted(EXAMPLES.glob("*.toml")))
    assert ran.status == 0, ran.err


@pytest.mark.parametrize("address", ["regnskap@@eksempelforeningen.no", "@eksempelforeningen.no",
                                     "regnskap@", "regnskap@eksempelforeningen",
                                     "regnskap@eksempelforeningen.no>"])
def test_a_malformed_admin_or_approver_address_is_refused(kvitt, tmp_path, address):
    kvitt("db", "upgrade")
    admins = _broken(tmp_path, "forening-kvann.toml", "regnskap@eksempelforeningen.no", address)
    ran = kvitt("org", "apply", admins)
    assert ran.status == 2, ran.out
    assert f"admins: ikke en e-postadresse: '{address}'" in ran.err.splitlines()[0]
    approver = _broken(tmp_path, "forening-kvann.toml", "daglig.leder@eksempelforeningen.no",
                       address.replace("regnskap", "daglig.leder"))
    english = kvitt("org", "apply", approver, env={"KVITT_LANG": "en"})
    assert english.status == 2
    assert "stages[0].approvers: not an email address" in english.err


def test_a_file_that_is_not_there_is_told_in_the_admins_language(kvitt):
    kvitt("db", "upgrade")
    ran = kvitt("org", "apply", "nothere.toml")
    assert ran.status == 2
    assert ran.err.splitlines()[0] == "kvitt: nothere.toml: filen finnes ikke"
    english = kvitt("org", "apply", "nothere.toml", env={"KVITT_LANG": "en"})
    assert english.err.splitlines()[0] == "kvitt: nothere.toml: no such file"
    folder = kvitt("org", "apply", ".")
    assert folder.status == 2
    assert folder.err.splitlines()[0] == "kvitt: .: er en mappe, ikke en fil"


def test_check_blames_the_mail_servers_not_the_database_for_their_own_failures(kvitt):
    kvitt("db", "upgrade")
    smtp, imap = _closed_port(), _closed_port()
    ran = kvitt("check", "--only", "outbox,inbound,scheduler",
                env={"KVITT_SMTP_HOST": "127.0.0.1", "KVITT_SMTP_PORT": str(smtp),
                     "KVITT_IMAP_HOST": "127.0.0.1", "KVITT_IMAP_PORT": str(imap),
                     "KVITT_IMAP_SECURITY": "plain"})
    assert ran.status == 1
    lines = {line.split()[0]: line for line in ran.out.splitlines() if line[:4] in
             ("data", "smtp", "imap")}
    assert lines["database"].split()[1] == "ok"
    assert "databasetjeneren" not in lines["smtp"] and "databasetjeneren" not in lines["imap"]
    assert f"SMTP-tjeneren på 127.0.0.1:{smtp}" in lines["smtp"]
    assert "KVITT_SMTP_HOST" in lines["smtp"]
    assert f"IMAP-tjeneren på 127.0.0.1:{imap}" in lines["imap"]
    assert "KVITT_IMAP_HOST" in lines["imap"]
    unknown = kvitt("check", env={"KVITT_SMTP_HOST": "smtp.invalid", "KVITT_LANG": "en"})
    smtp_line = next(line for line in unknown.out.splitlines() if line.startswith("smtp"))
    assert "Cannot reach the SMTP server at smtp.invalid:587" in smtp_line


def test_a_payroll_file_to_a_folder_that_is_not_there_is_told_in_the_admins_language(kvitt):
    kvitt("db", "upgrade")
    kvitt("org", "apply", EXAMPLES / "forening-kvann.toml")
    out = "/nonexistent/lonn.csv"
    ran = kvitt("export", "payroll", "eksempel-forening", "--period", "2026-12", "--out", out)
    assert ran.status == 2
    assert ran.err.splitlines()[0] == f"kvitt: {out}: mappen finnes ikke"
    english = kvitt("export", "payroll", "eksempel-forening", "--period", "2026-12", "--out",
                    out, env={"KVITT_LANG": "en"})
    assert english.err.splitlines()[0] == f"kvitt: {out}: the folder does not exist"


def test_claims_show_names_the_kind_of_line_in_the_admins_language(kvitt):
    # the log said "linje lagt til (…): item" / "mileage": the code's word, in English
    kvitt("db", "upgrade")
    kvitt("org", "apply", EXAMPLES / "kommune-avlastning.toml")
    code = kvitt("invite", "create", "eksempel-kommune").out.split("Kode: ")[1].split()[0]
    script = "\n".join([f"/start {code}", "Aina Avlaster", "#1", "1234 56 78903",
                        "/ny", "November 2026", "#1", "Avlaster", "#1", "#1", "#1", "-", "-",
                        "#4", "#1", "48"]) + "\n"
    assert kvitt("chat", "--user", "42", stdin=script).status == 0
    shown = kvitt("claims", "show", "K-2026-000001")
    assert "linje lagt til (kravstiller på kommandolinjen): Timer/honorar" in shown.out
    assert ": item" not in shown.out
    english = kvitt("claims", "show", "K-2026-000001", env={"KVITT_LANG": "en"})
    assert "line added (claimant on the command line): Hours/fee" in english.out


def test_a_database_not_made_yet_is_called_that(kvitt):
    # it said "ikke oppdatert (versjon tom, trenger 0008)": a revision called "tom"
    ran = kvitt("org", "show", "tromso-hk")
    assert ran.status == 1
    assert ran.err.strip() == "kvitt: Databasen er ikke opprettet ennå. Kjør: kvitt db upgrade"
    english = kvitt("claims", "list", "tromso-hk", env={"KVITT_LANG": "en"})
    assert english.err.strip() == ("kvitt: The database has not been created yet. "
                                   "Run: kvitt db upgrade")


def test_check_speaks_one_language(kvitt):
    # "roles ingen kvitt run i gang her / no kvitt run running here" and an English-only
    # "unknown role": the README promises KVITT_LANG, one language
    kvitt("db", "upgrade")
    ran = kvitt("check", "--only", "scheduler")
    assert "roles     ingen kvitt run i gang her\n" in ran.out
    assert "no kvitt run" not in ran.out
    english = kvitt("check", "--only", "scheduler", env={"KVITT_LANG": "en"})
    assert "roles     no kvitt run running here\n" in english.out
    wrong = kvitt("check", "--only", "bott")
    assert wrong.status == 2
    assert wrong.err.startswith("kvitt: ukjent rolle bott; rollene er: bot, ")


def test_a_digest_flagging_stages_older_than_minus_three_days_is_refused(kvitt):
    # it printed "⚠ = mer enn -3 dager" and flagged every waiting stage
    kvitt("db", "upgrade")
    kvitt("org", "apply", EXAMPLES / "forening-kvann.toml")
    for days in ("-3", "0"):
        ran = kvitt("digest", "eksempel-forening", "--print", "--older-than", days)
        assert ran.status == 2, ran.out
        assert "--older-than" in ran.err and "Traceback" not in ran.err


def test_a_wrongly_typed_command_is_told_in_the_admins_language(kvitt):
    # argparse's own words were English whatever KVITT_LANG said
    cases = [
        (("invite", "create", "tromso-hk", "--uses", "0"),
         "kvitt invite create: feil: --uses: et helt tall, 1 eller mer, ikke '0'",
         "kvitt invite create: error: argument --uses: a whole number of 1 or more, not '0'"),
        (("export", "payroll", "tromso-hk"),
         "kvitt export payroll: feil: dette mangler: --period",
         "kvitt export payroll: error: the following arguments are required: --period"),
        (("claims", "list", "tromso-hk", "--status", "foo"),
         "kvitt claims list: feil: --status: 'foo' er ikke et av valgene (velg blant "
         "'draft', 'awaiting', 'returned', 'approved', 'paid')", None),
        (("digest", "tromso-hk"),
         "kvitt digest: feil: ett av disse må være med: --send --print", None),
        (("claims", "list", "tromso-hk", "--bogus"),
         "kvitt: feil: ukjente argumenter: --bogus", None),
    ]
    for args, nb, en in cases:
        ran = kvitt(*args)
        assert ran.status == 2
        assert ran.err.strip().splitlines()[-1] == nb
        assert ran.err.startswith("usage: ")
        if en:
            english = kvitt(*args, env={"KVITT_LANG": "en"})
            assert english.status == 2 and english.err.strip().splitlines()[-1] == en
