"""Issue 10, defect 5: a receipt the payer requires is never skipped without a consequence.

Each payer says what a missing required receipt means (``[policy] missing_receipt``):
``refuse`` (the default) stops the claim at send, naming the line and what to do;
``taxable`` sends it marked, taxed whole (RATES.md §2: allowances without the required
documentation are taxable), and says so to the claimant and in the approver's sheet.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import PolicyRefused
from domain.organisation import OrganisationError, organisations_from_toml
from mail.sheet import make_sheet
from service import claims
from service.figures import OUTLAY, claim_figures
from tests.service.conftest import KVANN, World

TAXABLE = KVANN.replace("[policy]\n", '[policy]\nmissing_receipt = "taxable"\n')


def taxi(world: World, *, no_receipt_reason: str = "", attachments: tuple[str, ...] = ()):
    return world.outlay("taxi", "450.00", type_code="taxi", justification="Siste buss var gått",
                        no_receipt_reason=no_receipt_reason, attachments=attachments)


@pytest.fixture
async def taxed(world: World) -> World:
    await world.organisations(TAXABLE)
    return world


async def test_by_default_a_reason_does_not_stand_in_for_a_required_receipt(
        kvann: World, traveller: str):
    claim = await kvann.draft(traveller, ("kvann",), taxi(kvann, no_receipt_reason="Mistet"))
    with pytest.raises(PolicyRefused) as refused:
        await claims.submit(kvann.env, traveller, claim.id)
    (problem,) = refused.value.problems
    assert problem.code == "receipt_required"
    assert problem.line_id == claim.lines[0].id
    assert problem.text.nb == ("Linje 1: Foreningen Kvann krever kvittering for taxi. Send "
                               "bildet av kvitteringen, eller slett linjen.")
    assert kvann.db.messages() == []


async def test_with_the_taxable_policy_the_line_is_sent_taxed_whole_and_marked(taxed: World):
    traveller = await taxed.member("Ola Reise", "kvann")
    claim = await taxed.submitted(traveller, ("kvann",), taxi(taxed, no_receipt_reason="Mistet"))
    (line,) = claim.lines
    assert line.computed is not None
    assert (line.computed.amount, line.computed.taxfree) == (Decimal("450.00"), Decimal(0))
    said = [t.nb for t in line.computed.breakdown]
    assert "Uten kvittering (Foreningen Kvann krever den): hele beløpet er trekkpliktig" in said
    assert said[-1] == "Trekkfritt 0,00, trekkpliktig 450,00"
    view = await claims.summary(taxed.env, traveller, claim.id)
    assert [w.code for w in view.warnings] == ["receipt_missing_taxable"]
    sheet = make_sheet(view, "Ola Reise", None, "nb")
    assert "Linje 1 mangler kvittering: 450,00 kr er trekkpliktig" in sheet.warnings[0]
    details = [d.strip() for d in sheet.rows[0].details]
    assert "Uten kvittering (Foreningen Kvann krever den): hele beløpet er trekkpliktig" in details
    assert details[-1] == "Uten kvittering: Mistet"


async def test_the_taxed_outlay_is_income_in_the_payroll_figures_not_a_refund(taxed: World):
    traveller = await taxed.member("Ola Reise", "kvann")
    claim = await taxed.submitted(traveller, ("kvann",), taxi(taxed, no_receipt_reason="Mistet"))
    rows = {row.code: (row.taxfree, row.taxable) for row in claim_figures(claim).income}
    assert rows == {"taxi": (Decimal(0), Decimal("450.00"))}  # the catalogue names its code
    assert OUTLAY not in rows


async def test_with_the_taxable_policy_a_reason_is_still_wanted(taxed: World):
    traveller = await taxed.member("Ola Reise", "kvann")
    claim = await taxed.draft(traveller, ("kvann",), taxi(taxed))
    with pytest.raises(PolicyRefused) as refused:
        await claims.submit(taxed.env, traveller, claim.id)
    assert [p.code for p in refused.value.problems] == ["receipt_missing"]


async def test_an_attached_receipt_is_neither_refused_nor_taxed(taxed: World):
    traveller = await taxed.member("Ola Reise", "kvann")
    claim = await taxed.submitted(traveller, ("kvann",), taxi(taxed, attachments=("sha256-r",)))
    assert claim.lines[0].computed is not None
    assert claim.lines[0].computed.taxfree == Decimal("450.00")


def test_the_policy_is_read_from_the_organisation_file_and_a_wrong_value_named():
    ((org, _),) = organisations_from_toml(TAXABLE)
    assert org.policy.missing_receipt == "taxable"
    ((org, _),) = organisations_from_toml(KVANN)
    assert org.policy.missing_receipt == "refuse"
    with pytest.raises(OrganisationError, match=r"policy\.missing_receipt: refuse eller taxable"):
        organisations_from_toml(TAXABLE.replace('"taxable"', '"maybe"'))
