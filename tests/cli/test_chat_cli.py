"""``kvitt chat`` driven through stdin, on the embedded SQLite, as support staff use it."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _chat(kvitt, example: str, slug: str, *lines: str):
    """A new claimant joins ``slug`` (from its example file) and types ``lines``."""
    kvitt("db", "upgrade")
    kvitt("org", "apply", EXAMPLES / example)
    code = kvitt("invite", "create", slug).out.split("Kode: ")[1].split()[0]
    return kvitt("chat", "--user", "42", stdin="\n".join([f"/start {code}", *lines]) + "\n")


def test_a_month_of_respite_hours_is_filed_through_the_terminal(kvitt, tmp_path):
    kvitt("db", "upgrade")
    kvitt("org", "apply", EXAMPLES / "kommune-avlastning.toml")
    code = kvitt("invite", "create", "eksempel-kommune").out.split("Kode: ")[1].split()[0]
    script = "\n".join([
        f"/start {code}", "Aina Avlaster", "aina@example.no", "1234 56 78903",
        "/ny", "Januar 2026", "#1",  # title, skip the purpose (button 1)
        "Avlaster", "#1", "#1", "#1", "-", "-",  # stilling, org.enhet, ansvar, funksjon, …
        "#4",  # ⏱ Timer/honorar
        "#1",  # Avlaster lav sats
        "48",  # the count, typed at the keyboard: dated the end of January (the title's)
        "/oppsummering",
    ]) + "\n"
    ran = kvitt("chat", "--user", "42", stdin=script)
    assert ran.status == 0, ran.err
    assert "Kravet K-2026-000001 er opprettet" in ran.out
    assert "Avlaster lav sats: 48 × 95,00 = 4\u00a0560,00" in ran.out
    assert "Trekkfritt: 0,00 kr, trekkpliktig: 4\u00a0560,00 kr" in ran.out
    assert "Traceback" not in ran.err


def test_counts_refused_for_one_entry_are_asked_again_for_every_entry(kvitt):
    # "800 2" was refused (a month has at most 744 hours) but both counts were kept, so
    # the question came back as "Antall for ?" and refused every answer ("Skriv 0 tall")
    ran = _chat(kvitt, "kommune-avlastning.toml", "eksempel-kommune",
                "Aina Avlaster", "aina@example.no", "1234 56 78903",
                "/ny", "November 2026", "#1",
                "Avlaster", "#1", "#1", "#1", "-", "-",
                "#4", "#1", "#2", "#3",  # both entries, then Ferdig
                "800 2",  # refused
                "48 2",  # asked again for both, taken
                "/oppsummering")
    assert ran.status == 0, ran.err
    assert "a month has at most 744" in ran.out or "744 timer" in ran.out
    assert "Antall for ?" not in ran.out and "Skriv 0 tall" not in ran.out
    again = ran.out.split("800 2", 1)[1].split("> 48 2", 1)[0]
    assert "Antall for Avlaster lav sats (time), Godtgjøring over 10 år (døgn)?" in again
    assert "Avlaster lav sats: 48 × 95,00 = 4\u00a0560,00" in ran.out
    assert "Godtgjøring over 10 år: 2 × 290,00 = 580,00" in ran.out
    assert "Traceback" not in ran.err


def test_a_whole_line_with_a_day_that_does_not_exist_is_refused_for_its_day(kvitt):
    # "taxi 450 kr 31.11" was refused for its amount ("Skriv beløpet som …"), and
    # "450 km bil Oslo–Bergen 31.11" was kept as a drive to "Bergen 31.11" on another day
    ran = _chat(kvitt, "forening-kvann.toml", "eksempel-forening",
                "Frida Frivillig", "#1", "1234 56 78903", "/ny", "Styremøte", "#1", "-",
                "taxi 450 kr 31.11", "450 km bil Oslo–Bergen 31.11")
    assert ran.status == 0, ran.err
    taxi = ran.out.split("> taxi 450 kr 31.11", 1)[1].split("\n> ", 1)[0]
    assert "Datoen «31.11» finnes ikke" in taxi and "Skriv beløpet" not in taxi
    drive = ran.out.split("> 450 km bil Oslo–Bergen 31.11", 1)[1].split("\n> ", 1)[0]
    assert "Datoen «31.11» finnes ikke" in drive and "Bergen 31.11" not in drive
