"""Approvers changed by the admin mid-round; approvers on two payers' stages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select

from domain.claim import Claim, ClaimLine, Status
from domain.lines import ItemLine
from service import admin, claims, members
from service.inbound import ReadReply, handle_reply
from service.ports import UnitOfWork
from store import tables as t
from tests.integration.helpers import EXAMPLES, Clock, sql, sql_env

KOMMUNE = (EXAMPLES / "kommune-avlastning.toml").read_text()
OLD = '["enhetsleder@eksempel-kommune.no", "nestleder@eksempel-kommune.no"]'
ALLOCATION = {"stilling": "Avlaster", "organisasjonsenhet": "3010 Avlastning",
              "ansvar": "30100", "funksjon": "254", "prosjekt": "-", "objekt": "-"}


async def _respite_claim(env):
    await admin.apply_organisations(env, KOMMUNE)
    invite = await admin.create_invite(env, "eksempel-kommune")
    claimant, _ = await members.join(env, 11, "Aina", invite.code)
    claim = await claims.create_claim(env, claimant.id, ["eksempel-kommune"], "Mars 2026",
                                      allocation=ALLOCATION)
    await claims.add_line(env, claimant.id, claim.id, ClaimLine("h", ItemLine(
        date(2026, 3, 9), Decimal(10), Decimal("95.00"), True, "Avlaster", "avlaster-lav")))
    return await claims.submit(env, claimant.id, claim.id)


async def _stored(uow: UnitOfWork, claim_id: str) -> Claim:
    claim = await uow.claims.get(claim_id)
    assert claim is not None
    return claim


async def _requests(env) -> dict[str, str]:
    async with env.uow() as uow:
        rows = (await sql(uow).connection.execute(select(t.outbox).where(
            t.outbox.c.kind == "approval_request"))).mappings().all()
    return {r["recipient"]: r["payload"]["reply_key"] for r in rows}


async def _decide(env, sender: str, key: str, message_id: str) -> str:
    return (await handle_reply(env, ReadReply(message_id, sender, key=key,
                                              intent="approve"))).kind


async def test_a_replaced_approver_is_asked_and_counts_and_the_removed_one_no_longer(engine):
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    claim = await _respite_claim(env)
    await admin.apply_organisations(env, KOMMUNE.replace(OLD, '["ny-leder@eksempel-kommune.no"]'))
    keys = await _requests(env)
    assert await _decide(env, "koordinator@eksempel-kommune.no",
                         keys["koordinator@eksempel-kommune.no"], "<1@x>") == "approved"
    keys = await _requests(env)
    assert "ny-leder@eksempel-kommune.no" in keys  # the anvisning went to the new approver
    assert "enhetsleder@eksempel-kommune.no" not in keys
    assert await _decide(env, "ny-leder@eksempel-kommune.no",
                         keys["ny-leder@eksempel-kommune.no"], "<2@x>") == "approved"
    async with env.uow() as uow:
        assert (await _stored(uow, claim.id)).status is Status.APPROVED


async def test_a_removed_approver_with_a_key_from_before_is_refused(engine):
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    claim = await _respite_claim(env)
    keys = await _requests(env)
    await _decide(env, "koordinator@eksempel-kommune.no",
                  keys["koordinator@eksempel-kommune.no"], "<1@x>")
    old_key = (await _requests(env))["enhetsleder@eksempel-kommune.no"]
    await admin.apply_organisations(env, KOMMUNE.replace(OLD, '["ny-leder@eksempel-kommune.no"]'))
    assert await _decide(env, "enhetsleder@eksempel-kommune.no", old_key, "<3@x>") == (
        "wrong_sender")
    async with env.uow() as uow:
        assert (await _stored(uow, claim.id)).status is Status.AWAITING


async def test_a_stage_removed_mid_round_does_not_stop_the_round(engine):
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    claim = await _respite_claim(env)
    one_stage = KOMMUNE.split("[[stages]]\nname = \"anvisning\"")[0] + KOMMUNE.split(
        '"nestleder@eksempel-kommune.no"]', 1)[1]
    await admin.apply_organisations(env, one_stage)
    keys = await _requests(env)
    assert await _decide(env, "koordinator@eksempel-kommune.no",
                         keys["koordinator@eksempel-kommune.no"], "<1@x>") == "approved"
    keys = await _requests(env)  # the stage the claim was sent with still asks its approvers
    assert await _decide(env, "enhetsleder@eksempel-kommune.no",
                         keys["enhetsleder@eksempel-kommune.no"], "<2@x>") == "approved"
    async with env.uow() as uow:
        assert (await _stored(uow, claim.id)).status is Status.APPROVED


async def test_an_approver_on_two_payers_stages_gets_a_claimants_comment_for_each(engine):
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    region = (EXAMPLES / "handball-region-nord.toml").read_text().replace(
        "dommer@tromso-hk.no", "felles@dommere.no").replace("dommer@bodo-hk.no",
                                                            "felles@dommere.no")
    await admin.apply_organisations(env, region)
    codes = [(await admin.create_invite(env, s)).code for s in ("tromso-hk", "bodo-hk")]
    for code in codes:
        claimant, _ = await members.join(env, 12, "Kari", code)
    claim = await claims.create_claim(env, claimant.id, ["tromso-hk", "bodo-hk"], "Cup")
    for n, slug in enumerate(("tromso-hk", "bodo-hk")):
        await claims.add_line(env, claimant.id, claim.id, ClaimLine(f"f{n}", ItemLine(
            date(2026, 3, 9), Decimal(1), Decimal("310.00"), True, "Kamp", "kamp-5div"),
            payer=slug))
    await claims.submit(env, claimant.id, claim.id)
    await claims.comment(env, claimant.id, claim.id, "Kamp 2 ble flyttet.")
    async with env.uow() as uow:
        rows = (await sql(uow).connection.execute(select(t.outbox).where(
            t.outbox.c.kind == "claimant_comment"))).mappings().all()
    assert sorted(r["payload"]["stage_payer"] for r in rows) == ["bodo-hk", "tromso-hk"]
    assert len({r["payload"]["reply_key"] for r in rows}) == 2  # each answers its own stage
