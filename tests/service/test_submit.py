"""Submit runs the policy checks; a refused submit changes nothing and sends nothing."""

from decimal import Decimal

import pytest

from domain.claim import Status
from domain.errors import InvalidValue, LateSubmitNotConfirmed, PolicyRefused
from domain.lines import ItemLine
from service import claims
from tests.service.conftest import BERGVIK_ALLOCATION, World, day
from tests.service.fakes import FakeDatabase

CLUBS = ("ik-fjell", "sk-dal")


def codes(refused: pytest.ExceptionInfo[PolicyRefused]) -> list[str]:
    return [p.code for p in refused.value.problems]


async def refused_codes(world: World, claimant: str, payers: tuple[str, ...], *lines,
                        allocation=None) -> list[str]:
    claim = await world.draft(claimant, payers, *lines, allocation=allocation)
    with pytest.raises(PolicyRefused) as refused:
        await claims.submit(world.env, claimant, claim.id)
    assert world.stored(claim.id).status is Status.DRAFT
    assert world.db.messages() == []
    return codes(refused)


async def test_a_claim_without_lines_is_refused(clubs: World, referee: str):
    assert await refused_codes(clubs, referee, CLUBS) == ["no_lines"]


async def test_an_outlay_without_a_receipt_is_refused(clubs: World, referee: str):
    taxi = clubs.outlay("other", "120.00", payer="ik-fjell")
    assert await refused_codes(clubs, referee, CLUBS, taxi) == ["receipt_missing"]


async def test_a_catalogue_type_that_requires_a_receipt_is_refused_without_one(
        clubs: World, referee: str):
    taxi = clubs.outlay("taxi", "240.00", payer="ik-fjell", type_code="taxi",
                        justification="Siste buss var gått")
    assert await refused_codes(clubs, referee, CLUBS, taxi) == ["receipt_required"]


async def test_an_outlay_with_a_reason_for_the_missing_receipt_is_accepted(
        clubs: World, referee: str):
    ticket = clubs.outlay("ticket", "89.00", payer="sk-dal",
                          no_receipt_reason="Billettautomaten ga ingen kvittering")
    claim = await clubs.submitted(referee, CLUBS, ticket)
    assert claim.status is Status.AWAITING


async def test_an_outlay_with_an_attached_receipt_is_accepted(clubs: World, referee: str):
    ticket = clubs.outlay("ticket", "89.00", payer="sk-dal")
    claim = await clubs.draft(referee, CLUBS, ticket)
    await claims.attach(clubs.env, referee, claim.id, ticket.id, "sha256-abc")
    claim = await claims.submit(clubs.env, referee, claim.id)
    assert claim.status is Status.AWAITING
    assert claim.lines[0].attachments == ("sha256-abc",)


async def test_a_catalogue_type_that_needs_no_receipt_is_accepted_without_one(
        clubs: World, referee: str):
    parking = clubs.outlay("parking", "60.00", payer="ik-fjell", type_code="parkering")
    claim = await clubs.submitted(referee, CLUBS, parking)
    assert claim.status is Status.AWAITING


@pytest.mark.parametrize(("kind", "code"), [("taxi", "taxi"), ("flight", "fly")])
async def test_taxi_and_flight_need_a_justification(kvann: World, traveller: str, kind, code):
    line = kvann.outlay(kind, "1450.00", type_code=code, attachments=("sha256-r",))
    assert await refused_codes(kvann, traveller, ("kvann",), line) == ["justification_missing"]


@pytest.mark.parametrize(("kind", "code"), [("taxi", "taxi"), ("flight", "fly")])
async def test_taxi_and_flight_with_a_justification_are_accepted(
        kvann: World, traveller: str, kind, code):
    line = kvann.outlay(kind, "1450.00", type_code=code, attachments=("sha256-r",),
                        justification="Tog ville ikke nådd møtet i tide")
    claim = await kvann.submitted(traveller, ("kvann",), line)
    assert claim.status is Status.AWAITING


async def test_own_car_needs_a_justification_where_the_policy_says_so(
        kvann: World, traveller: str):
    leg = kvann.drive("120")
    assert await refused_codes(kvann, traveller, ("kvann",), leg) == ["justification_missing"]


async def test_own_car_with_a_justification_is_accepted_where_the_policy_asks_for_one(
        kvann: World, traveller: str):
    leg = kvann.drive("120", justification="Ingen kollektivtransport til hytta")
    claim = await kvann.submitted(traveller, ("kvann",), leg)
    assert claim.status is Status.AWAITING


async def test_own_car_needs_no_justification_by_default(clubs: World, referee: str):
    claim = await clubs.submitted(referee, CLUBS, clubs.drive("120"))
    assert claim.status is Status.AWAITING


async def test_a_leg_longer_than_the_policy_allows_needs_a_justification(
        clubs: World, referee: str):
    leg = clubs.drive("1501")
    assert await refused_codes(clubs, referee, CLUBS, leg) == ["km_implausible"]


async def test_a_leg_of_exactly_the_policy_maximum_is_accepted(clubs: World, referee: str):
    claim = await clubs.submitted(referee, CLUBS, clubs.drive("1500"))
    assert claim.status is Status.AWAITING


async def test_a_leg_longer_than_the_policy_allows_is_accepted_with_a_justification(
        kvann: World, traveller: str):
    leg = kvann.drive("801", justification="Kjøring Oslo–Trondheim, ingen fly samme dag")
    claim = await kvann.submitted(traveller, ("kvann",), leg)
    assert claim.status is Status.AWAITING


async def test_a_long_leg_without_justification_gets_both_problems_where_cars_need_one(
        kvann: World, traveller: str):
    found = await refused_codes(kvann, traveller, ("kvann",), kvann.drive("801"))
    assert found == ["justification_missing", "km_implausible"]


async def test_per_diem_under_15_km_from_home_is_refused(clubs: World, referee: str):
    trip = clubs.per_diem("2026-02-14T08:00", "2026-02-14T20:00", km="14")
    assert await refused_codes(clubs, referee, CLUBS, trip) == ["per_diem_not_qualified"]


async def test_per_diem_under_6_hours_is_refused(clubs: World, referee: str):
    trip = clubs.per_diem("2026-02-14T08:00", "2026-02-14T13:59", km="80")
    assert await refused_codes(clubs, referee, CLUBS, trip) == ["per_diem_not_qualified"]


async def test_per_diem_of_15_km_and_6_hours_is_accepted(clubs: World, referee: str):
    trip = clubs.per_diem("2026-02-14T08:00", "2026-02-14T14:00", km="15")
    claim = await clubs.submitted(referee, CLUBS, trip)
    assert claim.status is Status.AWAITING
    assert claim.lines[0].computed is not None and claim.lines[0].computed.amount > 0


async def test_a_missing_cost_allocation_dimension_is_refused(
        bergvik: World, respite_worker: str):
    hours = bergvik.fee("bergvik", "95", quantity="48", code="avlaster-lav")
    found = await refused_codes(bergvik, respite_worker, ("bergvik",), hours,
                                allocation={"ansvar": "1100"})
    assert found == ["allocation_missing"]


async def test_every_problem_is_listed_at_once(bergvik: World, respite_worker: str):
    hours = bergvik.fee("bergvik", "95", quantity="48", code="avlaster-lav")
    receipt = bergvik.outlay("other", "100.00", payer="bergvik")
    found = await refused_codes(bergvik, respite_worker, ("bergvik",), hours, receipt)
    assert found == ["receipt_missing", "allocation_missing", "allocation_missing"]


async def test_a_complete_cost_allocation_is_accepted(bergvik: World, respite_worker: str):
    hours = bergvik.fee("bergvik", "95", quantity="48", code="avlaster-lav")
    claim = await bergvik.submitted(respite_worker, ("bergvik",), hours,
                                    allocation=BERGVIK_ALLOCATION)
    assert claim.status is Status.AWAITING
    assert claim.allocation == BERGVIK_ALLOCATION


async def test_a_cost_allocation_value_not_in_the_list_is_refused_at_once(
        bergvik: World, respite_worker: str):
    with pytest.raises(InvalidValue):
        await bergvik.draft(respite_worker, ("bergvik",), allocation={"ansvar": "9999"})


# Deadline: one month after the trip ends (policy default), the last day included.


async def test_submit_on_the_deadline_day_is_on_time(clubs: World, referee: str):
    claim = await clubs.draft(referee, CLUBS, clubs.fee("ik-fjell", "565", "2026-02-14"))
    clubs.clock.set("2026-03-14T22:59")
    claim = await claims.submit(clubs.env, referee, claim.id)
    assert claim.status is Status.AWAITING
    submitted = next(e for e in claim.events if e.kind == "submitted")
    assert submitted.text == ""


async def test_submit_the_day_after_the_deadline_must_be_confirmed(
        clubs: World, referee: str, db: FakeDatabase):
    claim = await clubs.draft(referee, CLUBS, clubs.fee("ik-fjell", "565", "2026-02-14"))
    clubs.clock.set("2026-03-15T08:00")
    with pytest.raises(LateSubmitNotConfirmed):
        await claims.submit(clubs.env, referee, claim.id)
    assert clubs.stored(claim.id).status is Status.DRAFT
    assert db.messages() == []


async def test_a_late_submit_goes_through_when_confirmed_and_is_marked_late(
        clubs: World, referee: str):
    claim = await clubs.draft(referee, CLUBS, clubs.fee("ik-fjell", "565", "2026-02-14"))
    clubs.clock.set("2026-03-15T08:00")
    claim = await claims.submit(clubs.env, referee, claim.id, confirm_late=True)
    assert claim.status is Status.AWAITING
    submitted = next(e for e in claim.events if e.kind == "submitted")
    assert submitted.text == "etter fristen"


async def test_the_deadline_counts_from_the_last_day_of_the_trip(clubs: World, referee: str):
    early = clubs.fee("ik-fjell", "565", "2026-01-10")
    trip = clubs.per_diem("2026-01-30T08:00", "2026-01-31T18:00", km="80")
    claim = await clubs.draft(referee, CLUBS, early, trip)
    clubs.clock.set("2026-02-28T12:00")
    summary = await claims.summary(clubs.env, referee, claim.id)
    assert str(summary.deadline) == "2026-02-28"
    claim = await claims.submit(clubs.env, referee, claim.id)
    assert claim.status is Status.AWAITING


async def test_the_deadline_after_a_trip_ending_on_the_31st_is_the_months_last_day(
        clubs: World, referee: str):
    trip = clubs.per_diem("2026-01-30T08:00", "2026-01-31T18:00", km="80")
    claim = await clubs.draft(referee, CLUBS, trip)
    clubs.clock.set("2026-03-01T08:00")
    with pytest.raises(LateSubmitNotConfirmed):
        await claims.submit(clubs.env, referee, claim.id)


async def test_the_deadline_day_ends_at_midnight_in_norway(clubs: World, referee: str):
    claim = await clubs.draft(referee, CLUBS, clubs.fee("ik-fjell", "565", "2026-02-14"))
    clubs.clock.set("2026-03-14T23:30")  # 00:30 on 15 March in Oslo: the deadline has passed
    with pytest.raises(LateSubmitNotConfirmed):
        await claims.submit(clubs.env, referee, claim.id)


async def test_submit_freezes_each_line_with_the_rates_used(clubs: World, referee: str):
    claim = await clubs.submitted(referee, CLUBS, clubs.drive("100", "2026-02-14"))
    computed = claim.lines[0].computed
    assert computed is not None
    assert str(computed.amount) == "530.00"
    assert computed.rates_used["paid.km.car"] == "5.30"


async def test_an_item_is_paid_at_its_catalogue_rate_and_tax_flag_whatever_the_line_said(
        clubs: World, referee: str):
    wrong = clubs.line(ItemLine(day("2026-02-14"), Decimal(2), Decimal("5650.00"), False,
                                "Kamp", "kamphonorar"), "ik-fjell", type_code="kamphonorar")
    claim = await clubs.submitted(referee, ("ik-fjell",), wrong)
    computed = claim.lines[0].computed
    assert computed is not None
    assert (computed.amount, computed.taxable) == (Decimal("1130.00"), Decimal("1130.00"))
