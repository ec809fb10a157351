"""What the outbox gets: one notice per event and recipient, and the approvers kept informed."""

import pytest

from domain.errors import PolicyRefused
from service import claims
from tests.service.conftest import World
from tests.service.test_approval_workflow import KASSERER, LEDER, referee_claim


async def test_two_comments_in_the_same_instant_both_reach_the_approvers(
        clubs: World, referee: str):
    claim = await referee_claim(clubs, referee)
    await claims.comment(clubs.env, referee, claim.id, "Kamp 1 ble flyttet.")
    await claims.comment(clubs.env, referee, claim.id, "Kamp 2 også.")  # same clock reading
    texts = [m.payload["text"] for m in clubs.db.messages("claimant_comment",
                                                           recipient=KASSERER)]
    assert texts == ["Kamp 1 ble flyttet.", "Kamp 2 også."]


async def test_a_withdraw_tells_the_approvers_whose_stages_it_closed(clubs: World, referee: str):
    claim = await referee_claim(clubs, referee)
    await claims.withdraw(clubs.env, referee, claim.id)
    told = sorted(m.recipient for m in clubs.db.messages("claim_withdrawn"))
    assert told == sorted([KASSERER, LEDER])


async def test_a_taxi_without_a_catalogue_code_still_needs_its_justification(
        kvann: World, traveller: str):
    claim = await kvann.draft(traveller, ("kvann",), kvann.outlay("taxi", "250",
                                                                 no_receipt_reason="app"))
    with pytest.raises(PolicyRefused) as refused:
        await claims.submit(kvann.env, traveller, claim.id)
    assert "justification_missing" in [p.code for p in refused.value.problems]
