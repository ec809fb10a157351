""""Som sist": the defaults a claimant's newest claims give, and a new line's default day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.claim import Claim, ClaimLine
from domain.lines import Expense, ItemLine, MileageLeg
from domain.money import ForeignAmount
from domain.remembered import SPLIT, default_day, month_of, remember


def claim(ref: str, payers: tuple[str, ...], *lines: ClaimLine, title: str = "Reise") -> Claim:
    return Claim(id=ref, reference=ref, claimant_id="c", payers=payers, title=title,
                 lines=list(lines))


def drive(km: str, payer: str | None, route: str = "Tromsø – Bodø", *names: str) -> ClaimLine:
    return ClaimLine(id=f"d{km}", body=MileageLeg(date(2026, 3, 7), Decimal(km),
                                                  passengers=names), payer=payer, remark=route)


def fee(payer: str) -> ClaimLine:
    return ClaimLine(id=f"f{payer}", body=ItemLine(date(2026, 3, 8), Decimal(1), Decimal(565)),
                     payer=payer)


def taxi(why: str) -> ClaimLine:
    return ClaimLine(id="t", body=Expense(date(2026, 3, 8), "taxi", ForeignAmount(
        "NOK", Decimal(450), Decimal(1))), type_code="taxi", justification=why)


def test_the_newest_claim_wins_and_fees_do_not_set_the_shared_payer():
    newest = claim("K2", ("a", "b"), drive("180", None, "Tromsø – Bodø", "Ola", "Kari"),
                   fee("a"))
    older = claim("K1", ("a", "b"), drive("90", "a", "Tromsø – Narvik"), taxi("Sent"))
    found = remember([newest, older])
    assert found.payers == ("a", "b")
    assert found.shared_payer(("b", "a")) == SPLIT
    assert found.shared_payer(("a",)) is None
    assert found.passengers == ("Ola", "Kari")
    assert found.places == ("Tromsø", "Bodø", "Narvik")
    assert found.justifications == {"taxi": "Sent"}


def test_nothing_remembered_without_claims():
    assert remember([]).payers == ()


def test_the_default_day_is_the_last_lines_else_the_titles_month_end_not_after_today():
    today = date(2026, 4, 2)
    assert default_day(claim("K", ("a",), drive("10", None)), today) == (date(2026, 3, 7),
                                                                         "same_day")
    assert default_day(claim("K", ("a",), title="Mars 2026"), today) == (date(2026, 3, 31),
                                                                          "period_end")
    assert default_day(claim("K", ("a",), title="April 2026"), today) == (date(2026, 4, 2),
                                                                          "period_end")
    assert default_day(claim("K", ("a",), title="Mai 2026"), today) is None
    assert default_day(claim("K", ("a",), title="Styremøte"), today) is None


def test_a_month_title_in_either_language():
    assert month_of("Mars 2026") == (2026, 3)
    assert month_of("december 2025") == (2025, 12)
    assert month_of("Cup 2026") is None
