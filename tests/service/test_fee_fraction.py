"""Honorarbrøk: a split line is divided among the payers in proportion to their fees.

Worked by hand. Fees: IK Fjell 565.00, SK Dal 310.00 (sum 875). The split leg is
120 km by car with one passenger, all of it on forest road, 2026 rates:
120 × 5.30 + 120 × 1.00 + 120 × 1.00 = 876.00 paid; tax-free
120 × 3.50 + 120 × 1.00 + 120 × 1.00 = 660.00.

Paid: 876 × 565/875 = 565.6457… → 565.64 (rest 0.57 øre);
      876 × 310/875 = 310.3542… → 310.35 (rest 0.43 øre); the øre left goes to the
      largest rest: IK Fjell 565.65, SK Dal 310.35 (sum 876.00).
Tax-free: 660 × 565/875 = 426.1714… → 426.17 (rest 0.14 øre);
          660 × 310/875 = 233.8285… → 233.82 (rest 0.86 øre) → SK Dal 233.83.
Per payer: IK Fjell 565.00 + 565.65 = 1130.65 (tax-free 426.17);
           SK Dal 310.00 + 310.35 = 620.35 (tax-free 233.83); total 1751.00.
"""

from decimal import Decimal as D

import pytest

from domain.errors import PolicyRefused
from service import claims
from tests.service.conftest import World

CLUBS = ("ik-fjell", "sk-dal")


def split_leg(world: World):
    return world.drive("120", passengers=("Ola Linjedommer",), forest_road_km="120")


def amounts(summary) -> dict[str, tuple[D, D]]:
    return {slug: (t.amount, t.taxfree) for slug, t in summary.payers.items()}


async def test_a_split_line_is_divided_in_proportion_to_each_clubs_fees(
        clubs: World, referee: str):
    leg = split_leg(clubs)
    claim = await clubs.draft(referee, CLUBS, clubs.fee("ik-fjell", "565"),
                              clubs.fee("sk-dal", "310"), leg)
    summary = await claims.summary(clubs.env, referee, claim.id)
    assert summary.lines[2].result is not None
    assert (summary.lines[2].result.amount, summary.lines[2].result.taxfree) == (
        D("876.00"), D("660.00"))
    assert amounts(summary) == {"ik-fjell": (D("1130.65"), D("426.17")),
                                "sk-dal": (D("620.35"), D("233.83"))}
    assert (summary.totals.amount, summary.totals.taxfree) == (D("1751.00"), D("660.00"))


async def test_the_split_is_the_same_after_submit_when_lines_are_frozen(
        clubs: World, referee: str):
    claim = await clubs.submitted(referee, CLUBS, clubs.fee("ik-fjell", "565"),
                                  clubs.fee("sk-dal", "310"), split_leg(clubs))
    summary = await claims.summary(clubs.env, referee, claim.id)
    assert amounts(summary) == {"ik-fjell": (D("1130.65"), D("426.17")),
                                "sk-dal": (D("620.35"), D("233.83"))}


async def test_a_line_for_one_payer_is_that_payers_alone(clubs: World, referee: str):
    parking = clubs.outlay("parking", "60.00", payer="sk-dal", type_code="parkering")
    claim = await clubs.draft(referee, CLUBS, clubs.fee("ik-fjell", "565"),
                              clubs.fee("sk-dal", "310"), parking)
    summary = await claims.summary(clubs.env, referee, claim.id)
    assert amounts(summary) == {"ik-fjell": (D("565.00"), D("0.00")),
                                "sk-dal": (D("370.00"), D("60.00"))}


async def test_a_split_line_is_divided_equally_when_no_payer_has_fees(
        clubs: World, referee: str):
    ticket = clubs.outlay("ticket", "100.01", no_receipt_reason="Billett i app")
    claim = await clubs.draft(referee, CLUBS, ticket)
    summary = await claims.summary(clubs.env, referee, claim.id)
    # 50.005 each: rounding both half-up would pay 100.02; the øre goes to one (by slug)
    assert amounts(summary) == {"ik-fjell": (D("50.01"), D("50.01")),
                                "sk-dal": (D("50.00"), D("50.00"))}


@pytest.mark.parametrize(("fee_a", "fee_b", "line"), [
    ("1", "2", "0.01"), ("1", "2", "0.02"), ("333", "667", "1000.01"), ("0.01", "999", "7.77"),
    ("565", "310", "0.05"), ("95", "95", "123.45"),
])
async def test_split_shares_always_add_up_to_the_line_to_the_ore(
        clubs: World, referee: str, fee_a, fee_b, line):
    ticket = clubs.outlay("ticket", line, no_receipt_reason="App")
    claim = await clubs.draft(referee, CLUBS, clubs.fee("ik-fjell", fee_a),
                              clubs.fee("sk-dal", fee_b), ticket)
    summary = await claims.summary(clubs.env, referee, claim.id)
    paid = {slug: t.amount for slug, t in summary.payers.items()}
    assert paid["ik-fjell"] + paid["sk-dal"] == D(fee_a) + D(fee_b) + D(line)
    assert sum(t.taxfree for t in summary.payers.values()) == D(line)


async def test_a_single_payer_gets_the_whole_split_line(bergvik: World, respite_worker: str):
    claim = await bergvik.draft(respite_worker, ("bergvik",), bergvik.drive("100"),
                                allocation={"ansvar": "1100", "funksjon": "254"})
    summary = await claims.summary(bergvik.env, respite_worker, claim.id)
    assert amounts(summary) == {"bergvik": (D("530.00"), D("350.00"))}


async def test_a_line_for_a_payer_not_on_the_claim_is_shown_as_a_problem(
        clubs: World, referee: str):
    stray = clubs.fee("kvann", "100")
    claim = await clubs.draft(referee, ("ik-fjell",), clubs.fee("ik-fjell", "565"), stray)
    with pytest.raises(PolicyRefused) as refused:
        await claims.submit(clubs.env, referee, claim.id)
    assert [p.code for p in refused.value.problems] == ["payer_unknown"]
    summary = await claims.summary(clubs.env, referee, claim.id)
    assert [p.code for p in summary.problems] == ["payer_unknown"]
