"""``kvitt demo`` through the installed script: offline, exits 0, ends approved."""

from __future__ import annotations


def test_the_demo_runs_the_workflow_to_approved_and_keeps_the_database(kvitt, tmp_path):
    ran = kvitt("demo", "--keep", tmp_path / "demo")
    assert ran.status == 0, ran.err
    assert "Status: Til godkjenning hos Bodø Håndballklubb. Godkjent av Tromsø" in ran.out
    assert "Status: Sendt i retur av Bodø Håndballklubb" in ran.out
    assert ran.out.rstrip().endswith("Ferdig. / Done.")
    assert "Status: Godkjent" in ran.out
    # 565 + 310 fees, 184 km × (3.50 + 1.00), per diem 1012 + 397 (handball-nord, 2026)
    assert "Sum 3\u00a0112,00 kr: trekkfritt 1\u00a0918,00, trekkpliktig 1\u00a0194,00" in ran.out
    assert (tmp_path / "demo" / "kvitt.sqlite3").exists()
    assert "Traceback" not in ran.err
