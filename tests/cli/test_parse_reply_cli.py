"""``kvitt mail parse-reply``: the support tool for "why did my reply not count?"."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "email"


def test_a_norwegian_iphone_approval_is_read_as_approve(kvitt):
    ran = kvitt("mail", "parse-reply", FIXTURES / "iphone_godkjent_nb.eml")
    assert ran.status == 0, ran.err
    assert ran.json() == {"auto_reply": False, "bounce": False, "intent": "approve",
                          "reason": "takk!", "text": "Godkjent, takk!"}


def test_an_out_of_office_says_so_even_when_its_text_looks_like_an_approval(kvitt):
    ran = kvitt("mail", "parse-reply", FIXTURES / "exchange_fravaer_nb.eml")
    assert ran.status == 0, ran.err
    assert (ran.json()["auto_reply"], ran.json()["bounce"]) == (True, False)
    assert ran.json()["intent"] == "none"  # the contract: nothing is to be done


def test_an_unreadable_file_is_exit_2_with_an_error(kvitt, tmp_path):
    ran = kvitt("mail", "parse-reply", tmp_path / "missing.eml")
    assert ran.status == 2
    assert "missing.eml" in ran.json()["error"]
