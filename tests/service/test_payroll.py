"""The payroll export, checked line by line against the claims it pays."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calc import Totals, compute_line
from domain.claim import Actor, Claim, ClaimLine, Status
from domain.errors import InvalidValue, NotFound
from domain.fee_fraction import per_payer
from domain.income import payer_share
from domain.lines import ItemLine, MileageLeg, Night, PerDiem
from domain.money import ZERO
from domain.rates import default_book
from service import admin, members
from service.payroll import (
    COLUMNS,
    mark_exported_paid,
    payroll_export,
    payroll_run,
    render_csv,
)
from service.summary import summarise
from tests.service.conftest import IK_FJELL, day

APPROVERS = {"ik-fjell": "kasserer@ikfjell.no", "sk-dal": "leder@skdal.no"}
ADMIN = Actor("admin", "lonn@example.no", "cli")


async def approved(world, claimant, payers, *lines, at="2026-03-05T10:00"):
    claim = await world.submitted(claimant, payers, *lines)
    world.clock.set(at)
    for slug in payers:
        claim = await world.approve(claim.id, APPROVERS[slug])
    assert claim.status is Status.APPROVED
    return claim


def hotel_trip(world, payer=None):
    return world.line(PerDiem(datetime(2026, 2, 14, 8), datetime(2026, 2, 15, 18), D(120),
                              (Night(day("2026-02-14"), "hotel"),)), payer)


def parsed(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


async def test_a_run_takes_approvals_from_the_last_payroll_day_to_midnight_before_this_one(
        clubs, referee):
    org = await admin.organisation(clubs.env, "ik-fjell")
    run = payroll_run(org, "2026-03")
    assert run.payroll_date == day("2026-03-12")
    assert (run.start, run.end) == (datetime(2026, 2, 11, 23, tzinfo=UTC),
                                    datetime(2026, 3, 11, 23, tzinfo=UTC))
    assert payroll_run(org, "2026-1").start == datetime(2025, 12, 11, 23, tzinfo=UTC)
    # 23:30 on the 11th in Oslo is in March's run; 00:10 on the 12th waits for April's
    late = await approved(clubs, referee, ("ik-fjell",), clubs.fee("ik-fjell", "565"),
                          at="2026-03-11T22:30")
    after = await approved(clubs, referee, ("ik-fjell",), clubs.fee("ik-fjell", "565"),
                           at="2026-03-11T23:10")
    march = await payroll_export(clubs.env, "ik-fjell", "2026-03")
    april = await payroll_export(clubs.env, "ik-fjell", "2026-04")
    assert [c.reference for c in march.claims] == [late.reference]
    assert [c.reference for c in april.claims] == [after.reference]


async def test_claims_not_yet_approved_are_not_paid(clubs, referee):
    await clubs.submitted(referee, ("ik-fjell",), clubs.fee("ik-fjell", "565"))
    await clubs.draft(referee, ("ik-fjell",), clubs.fee("ik-fjell", "565"))
    returned = await clubs.submitted(referee, ("ik-fjell",), clubs.fee("ik-fjell", "565"))
    await clubs.decide(returned.id, APPROVERS["ik-fjell"], "return", "Feil dato")
    export = await payroll_export(clubs.env, "ik-fjell", "2026-03")
    assert export.rows == () and len(export.claims) == 0


async def test_one_row_per_claimant_and_code_with_counts_amounts_and_references(
        clubs, referee):
    await members.update_profile(clubs.env, referee, bank_account="1234.56.78903")
    first = await approved(clubs, referee, ("ik-fjell",), clubs.fee("ik-fjell", "565"),
                           clubs.drive("100", passengers=("Ola", "Per")), hotel_trip(clubs),
                           clubs.outlay("parking", "80", type_code="parkering"))
    second = await approved(clubs, referee, ("ik-fjell",), clubs.drive("20"))
    export = await payroll_export(clubs.env, "ik-fjell", "2026-03")
    rows = parsed(render_csv(export))
    assert list(rows[0]) == list(COLUMNS)
    got = {r["code"]: (r["count"], r["taxfree"], r["taxable"], r["claim_references"])
           for r in rows}
    both, one = f"{first.reference} {second.reference}", first.reference
    assert got == {
        # 2026: 120 km × 5.30 paid, × 3.50 tax-free; 2 × 100 passenger km × 1.00 tax-free
        "kilometergodtgjoerelseBil": ("120", "420.00", "216.00", both),
        "kilometergodtgjoerelsePassasjertillegg": ("200", "200.00", "0.00", one),
        "kamphonorar": ("1", "0.00", "565.00", one),  # no A-melding code: the catalogue's
        "reiseKostMedOvernattingPaaHotell": ("2", got["reiseKostMedOvernattingPaaHotell"][1],
                                             "0.00", one),
        "reiseKost": ("0", "0.00", got["reiseKost"][2], one),  # døgn counted once, above
        "utlegg": ("0", "80.00", "0.00", one),  # the parking refund: paid, not income
    }
    assert {r["payroll_date"] for r in rows} == {"2026-03-12"}
    assert {(r["claimant"], r["bank_account"]) for r in rows} == {("Kari Dommer",
                                                                   "12345678903")}
    # every krone approved is in the file, the outlay refunded on receipt (80) included
    summaries = [summarise(c, {"ik-fjell": (await admin.organisation(clubs.env, "ik-fjell"))},
                           default_book(), day("2026-03-05")) for c in (first, second)]
    approved_total = sum((s.payers["ik-fjell"].amount for s in summaries), ZERO)
    in_file = sum((D(r["taxfree"]) + D(r["taxable"]) for r in rows), ZERO)
    assert in_file == approved_total
    assert export.totals.amount == approved_total
    assert export.outlays == D(80)


async def test_items_are_reported_under_the_catalogue_entrys_a_melding_code(clubs, referee):
    await admin.apply_organisation(clubs.env, IK_FJELL.replace(
        'unit = "kamp"', 'unit = "kamp"\namelding_code = "honorar"'))
    await approved(clubs, referee, ("ik-fjell",), clubs.fee("ik-fjell", "565", quantity="2"))
    export = await payroll_export(clubs.env, "ik-fjell", "2026-03")
    assert [(r.code, r.count, r.taxable) for r in export.rows] == [
        ("honorar", D(2), D("1130.00"))]


async def test_a_shared_claim_is_reported_by_each_payer_for_its_share_and_adds_up(
        clubs, referee):
    claim = await approved(clubs, referee, ("ik-fjell", "sk-dal"),
                           clubs.fee("ik-fjell", "565"), clubs.fee("sk-dal", "310"),
                           clubs.drive("120", passengers=("Ola",)), hotel_trip(clubs),
                           clubs.outlay("parking", "90", payer="ik-fjell",
                                        type_code="parkering"))
    orgs = {slug: await admin.organisation(clubs.env, slug) for slug in claim.payers}
    view = summarise(claim, orgs, default_book(), day("2026-03-05"))
    counts: dict[str, D] = defaultdict(lambda: ZERO)
    for slug in claim.payers:
        export = await payroll_export(clubs.env, slug, "2026-03")
        rows = parsed(render_csv(export))
        outlay = D(90) if slug == "ik-fjell" else ZERO
        assert Totals(sum((D(r["taxfree"]) + D(r["taxable"]) for r in rows), ZERO),
                      sum((D(r["taxfree"]) for r in rows), ZERO)) == view.payers[slug]
        assert export.totals == view.payers[slug]
        assert export.outlays == outlay
        assert {r["code"] for r in rows} == {
            "kamphonorar", "kilometergodtgjoerelseBil", "kilometergodtgjoerelsePassasjertillegg",
            "reiseKostMedOvernattingPaaHotell", "reiseKost"} | ({"utlegg"} if outlay else set())
        for r in rows:
            counts[r["code"]] += D(r["count"])
    # the shared lines' km and døgn are split between the clubs, never counted twice
    assert counts["kilometergodtgjoerelseBil"] == D(120)
    assert counts["kilometergodtgjoerelsePassasjertillegg"] == D(120)
    assert counts["reiseKostMedOvernattingPaaHotell"] == D(2)
    # the split follows the honorarbrøk: 565 / (565 + 310) of each shared line to IK Fjell
    share = payer_share(claim, "ik-fjell", default_book())
    mileage = next(p for line, p in share.parts if p.code == "kilometergodtgjoerelseBil")
    assert mileage.count == D(77)  # whole km: 77.49 by largest remainder, Bodø gets 43


async def test_exporting_twice_gives_the_same_bytes_and_pays_each_claim_once(
        clubs, referee, db):
    claim = await approved(clubs, referee, ("ik-fjell", "sk-dal"),
                           clubs.fee("ik-fjell", "565"), clubs.fee("sk-dal", "310"),
                           clubs.drive("120"))
    clubs.clock.set("2026-03-12T08:00")
    first = await payroll_export(clubs.env, "ik-fjell", "2026-03")
    assert await mark_exported_paid(clubs.env, first, ADMIN) == [claim.reference]
    stored = clubs.stored(claim.id)
    assert stored.status is Status.PAID
    assert stored.events[-1].kind == "paid" and stored.events[-1].text == "2026-03-12"
    paid_notices = db.messages("paid")
    assert [m.recipient for m in paid_notices] == [clubs.telegram_of(referee)]

    clubs.clock.set("2026-03-20T08:00")
    again = await payroll_export(clubs.env, "ik-fjell", "2026-03")
    assert render_csv(again) == render_csv(first)
    assert await mark_exported_paid(clubs.env, again, ADMIN) == []
    # the other club's export includes the claim, and pays nothing again either
    other = await payroll_export(clubs.env, "sk-dal", "2026-03")
    assert [c.status for c in other.claims] == [Status.PAID]
    assert await mark_exported_paid(clubs.env, other, ADMIN) == []
    assert db.messages("paid") == paid_notices
    assert [e.kind for e in clubs.stored(claim.id).events].count("paid") == 1


async def test_a_malformed_period_or_unknown_payer_is_refused(clubs):
    with pytest.raises(InvalidValue):
        await payroll_export(clubs.env, "ik-fjell", "mars")
    for period in ("2026-13", "0001-01", "2026-03-01", "2026"):
        with pytest.raises(InvalidValue):
            await payroll_export(clubs.env, "ik-fjell", period)
    with pytest.raises(NotFound):
        await payroll_export(clubs.env, "no-such-club", "2026-03")


@settings(max_examples=150, deadline=None)
@given(km=st.integers(1, 3000), passengers=st.integers(0, 3),
       fees=st.lists(st.integers(0, 2000), min_size=1, max_size=4))
def test_every_payers_parts_add_up_to_its_share_and_the_counts_to_the_line(
        km, passengers, fees):
    book = default_book()
    slugs = tuple(f"p{i}" for i in range(len(fees)))
    lines = [ClaimLine(f"f{i}", ItemLine(day("2026-02-14"), D(1), D(fee), code="kamp"), slug)
             for i, (slug, fee) in enumerate(zip(slugs, fees, strict=True))]
    lines.append(ClaimLine("m", MileageLeg(day("2026-02-14"), D(km),
                                           passengers=("Ola",) * passengers)))
    for line in lines:
        line.computed = compute_line(line.body, book)
    claim = Claim("c", "K-1", "x", slugs, "t", lines=lines)
    computed = [(li, li.computed) for li in lines]
    expected = per_payer([(li.payer, li.is_fee, Totals(c.amount, c.taxfree))
                          for li, c in computed if c is not None], slugs)
    assert len(computed) == len([c for _, c in computed if c is not None])
    counts: dict[str, D] = defaultdict(lambda: ZERO)
    for slug in slugs:
        share = payer_share(claim, slug, book)
        assert share.totals == expected[slug]
        assert sum((p.taxfree + p.taxable for _, p in share.parts), ZERO) == expected[slug].amount
        assert sum((p.taxfree for _, p in share.parts), ZERO) == expected[slug].taxfree
        for line, part in share.parts:
            if line.id == "m":
                counts[part.code] += part.count
    assert counts["kilometergodtgjoerelseBil"] == D(km)
    if passengers:
        assert counts["kilometergodtgjoerelsePassasjertillegg"] == D(km * passengers)


async def test_an_outlay_split_by_honorarbrok_is_paid_by_each_payer_for_its_share(
        clubs, referee):
    claim = await approved(clubs, referee, ("ik-fjell", "sk-dal"),
                           clubs.fee("ik-fjell", "565"), clubs.fee("sk-dal", "310"),
                           clubs.outlay("parking", "80", type_code="parkering",
                                        no_receipt_reason="automat uten kvittering"))
    utlegg = {}
    for slug in claim.payers:
        export = await payroll_export(clubs.env, slug, "2026-03")
        utlegg[slug] = export.outlays
    # 80 split 565:310 (the catalogue's fees): 51.657 → 51.66 and 28.343 → 28.34
    assert utlegg == {"ik-fjell": D("51.66"), "sk-dal": D("28.34")}
