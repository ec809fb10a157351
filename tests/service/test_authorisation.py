"""Who may do what: claimants their own claims, approvers their stage, admins their org."""

import pytest

from domain.claim import Status
from domain.errors import (
    InviteInvalid,
    NotAllowed,
    NotAMember,
    NotAnApprover,
    NotFound,
    NotYourClaim,
    StageNotOpen,
)
from service import admin, approvals, claims, members
from service.approvals import Target
from tests.service.conftest import BERGVIK_ALLOCATION, World
from tests.service.fakes import FakeDatabase

CLUBS = ("ik-fjell", "sk-dal")
KASSERER = "kasserer@ikfjell.no"
LEDER = "leder@skdal.no"
ATTESTANT = "attestant@bergvik.kommune.no"
ANVISER = "leder@bergvik.kommune.no"


# Claimants: their own claims only -------------------------------------------------------


async def test_a_claimant_lists_only_their_own_claims(clubs: World, referee: str):
    other = await clubs.member("Nils Nabo", "ik-fjell")
    mine = await clubs.draft(referee, CLUBS, title="Mine")
    theirs = await clubs.draft(other, ("ik-fjell",), title="Hans")
    assert [c.id for c in await claims.my_claims(clubs.env, referee)] == [mine.id]
    assert [c.id for c in await claims.my_claims(clubs.env, other)] == [theirs.id]


async def test_my_claims_are_listed_newest_first(clubs: World, referee: str):
    first = await clubs.draft(referee, CLUBS, title="Januar")
    second = await clubs.draft(referee, CLUBS, title="Februar")
    assert [c.reference for c in await claims.my_claims(clubs.env, referee)] == [
        second.reference, first.reference]
    assert (first.reference, second.reference) == ("K-2026-000001", "K-2026-000002")


OPERATIONS = {
    "summary": lambda env, who, c: claims.summary(env, who, c.id),
    "add_line": lambda env, who, c: claims.add_line(env, who, c.id, c.lines[0]),
    "change_line": lambda env, who, c: claims.change_line(env, who, c.id, c.lines[0]),
    "remove_line": lambda env, who, c: claims.remove_line(env, who, c.id, c.lines[0].id),
    "attach": lambda env, who, c: claims.attach(env, who, c.id, c.lines[0].id, "sha256-x"),
    "submit": lambda env, who, c: claims.submit(env, who, c.id),
    "withdraw": lambda env, who, c: claims.withdraw(env, who, c.id),
    "comment": lambda env, who, c: claims.comment(env, who, c.id, "Hei"),
}


@pytest.mark.parametrize("operation", list(OPERATIONS.values()), ids=list(OPERATIONS))
async def test_another_claimants_claim_is_not_yours(clubs: World, referee: str, operation):
    other = await clubs.member("Nils Nabo", "ik-fjell")
    theirs = await clubs.draft(other, ("ik-fjell",), clubs.fee("ik-fjell", "565"))
    before = clubs.stored(theirs.id)
    with pytest.raises(NotYourClaim):
        await operation(clubs.env, referee, theirs)
    assert clubs.stored(theirs.id) == before


async def test_an_unknown_claim_id_looks_the_same_as_another_claimants(
        clubs: World, referee: str):
    with pytest.raises(NotYourClaim):
        await claims.summary(clubs.env, referee, "no-such-claim")


async def test_a_claim_against_an_organisation_without_membership_is_refused(
        clubs: World, db: FakeDatabase):
    only_fjell = await clubs.member("Nils Nabo", "ik-fjell")
    with pytest.raises(NotAMember):
        await claims.create_claim(clubs.env, only_fjell, CLUBS, "Kamp")
    with pytest.raises(NotAMember):
        await claims.create_claim(clubs.env, only_fjell, ("sk-dal",), "Kamp")
    with pytest.raises(NotAMember):
        await claims.create_claim(clubs.env, only_fjell, (), "Kamp")
    assert db.claims == {}


# Invites --------------------------------------------------------------------------------


async def test_joining_by_invite_makes_a_member(clubs: World, db: FakeDatabase):
    invite = await admin.create_invite(clubs.env, "sk-dal")
    claimant, org = await members.join(clubs.env, 4242, "Kari", f"  {invite.code} ")
    assert org == "sk-dal"
    assert db.claimants[claimant.id].memberships == {"sk-dal"}
    assert db.invites[invite.code].uses == 1


async def test_joining_a_second_organisation_keeps_the_same_claimant(
        clubs: World, db: FakeDatabase):
    first = await admin.create_invite(clubs.env, "ik-fjell")
    second = await admin.create_invite(clubs.env, "sk-dal")
    one, _ = await members.join(clubs.env, 4242, "Kari", first.code)
    two, _ = await members.join(clubs.env, 4242, "Kari", second.code)
    assert one.id == two.id
    assert db.claimants[one.id].memberships == {"ik-fjell", "sk-dal"}


async def test_an_unknown_invite_code_is_refused(clubs: World, db: FakeDatabase):
    with pytest.raises(InviteInvalid):
        await members.join(clubs.env, 4242, "Kari", "no-such-code")
    assert db.claimants == {}


async def test_a_used_invite_code_is_refused(clubs: World, db: FakeDatabase):
    invite = await admin.create_invite(clubs.env, "ik-fjell")
    await members.join(clubs.env, 4242, "Kari", invite.code)
    with pytest.raises(InviteInvalid):
        await members.join(clubs.env, 4343, "Nils", invite.code)
    assert [c.telegram_id for c in db.claimants.values()] == [4242]


async def test_an_expired_invite_code_is_refused(clubs: World, db: FakeDatabase):
    invite = await admin.create_invite(clubs.env, "ik-fjell")
    clubs.clock.advance(days=clubs.env.invite_days, seconds=1)
    with pytest.raises(InviteInvalid):
        await members.join(clubs.env, 4242, "Kari", invite.code)
    assert db.invites[invite.code].uses == 0


async def test_an_invite_is_valid_until_it_expires(clubs: World, db: FakeDatabase):
    invite = await admin.create_invite(clubs.env, "ik-fjell", max_uses=2)
    clubs.clock.advance(days=clubs.env.invite_days)  # the last moment it is valid
    kari, _ = await members.join(clubs.env, 4242, "Kari", invite.code)
    nils, _ = await members.join(clubs.env, 4343, "Nils", invite.code)
    assert "ik-fjell" in kari.memberships and "ik-fjell" in nils.memberships
    assert db.invites[invite.code].uses == 2


async def test_an_invite_for_an_unknown_organisation_is_refused(clubs: World):
    with pytest.raises(NotFound):
        await admin.create_invite(clubs.env, "no-such-club")


# Approvers: their stage of their payer ---------------------------------------------------


async def referee_claim(world: World, referee: str):
    return await world.submitted(referee, CLUBS, world.fee("ik-fjell", "565"),
                                 world.fee("sk-dal", "310"))


async def test_a_reply_from_another_sender_than_the_approver_is_refused(
        clubs: World, referee: str, db: FakeDatabase):
    claim = await referee_claim(clubs, referee)
    fjell = Target(claim.id, "ik-fjell", 0, 1)
    for decision in ("approve", "return", "comment"):
        with pytest.raises(NotAnApprover):
            await approvals.decide(clubs.env, fjell, LEDER, decision, "Ser greit ut")
    assert clubs.stored(claim.id).approvals[0].state == "open"
    assert db.messages("commented") == []


async def test_a_reply_key_used_by_another_approver_is_refused(clubs: World, referee: str):
    claim = await referee_claim(clubs, referee)
    with pytest.raises(NotAnApprover):
        await approvals.target_of_key(clubs.env, clubs.key(claim.id, KASSERER), LEDER)


async def test_a_reply_key_works_for_its_approver_whatever_the_case_of_the_address(
        clubs: World, referee: str):
    claim = await referee_claim(clubs, referee)
    target = await approvals.target_of_key(clubs.env, clubs.key(claim.id, KASSERER),
                                           " Kasserer@IKFjell.no ")
    assert target == Target(claim.id, "ik-fjell", 0, 1)
    claim = await approvals.decide(clubs.env, target, "Kasserer@IKFjell.no", "approve")
    assert claim.approvals[0].decided_by == KASSERER


async def test_an_unknown_reply_key_is_refused(clubs: World):
    with pytest.raises(StageNotOpen):
        await approvals.target_of_key(clubs.env, "no-such-key", KASSERER)


async def test_the_anvisning_approver_cannot_decide_the_attestasjon_stage(
        bergvik: World, db: FakeDatabase):
    worker = await bergvik.member("Per Avlaster", "bergvik")
    hours = bergvik.fee("bergvik", "95", quantity="48", code="avlaster-lav")
    claim = await bergvik.submitted(worker, ("bergvik",), hours, allocation=BERGVIK_ALLOCATION)
    attestation = Target(claim.id, "bergvik", 0, 1)
    with pytest.raises(NotAnApprover):
        await approvals.decide(bergvik.env, attestation, ANVISER, "approve")
    with pytest.raises(StageNotOpen):
        await approvals.decide(bergvik.env, Target(claim.id, "bergvik", 1, 1), ANVISER,
                               "approve")
    assert bergvik.stored(claim.id).status is Status.AWAITING


async def test_an_approver_comment_through_an_old_rounds_key_is_refused(
        clubs: World, referee: str, db: FakeDatabase):
    """DESIGN.md, Security: a token dies when its round ends."""
    claim = await referee_claim(clubs, referee)
    old = clubs.key(claim.id, KASSERER)
    await clubs.decide(claim.id, LEDER, "return", "Feil kamp")
    await claims.submit(clubs.env, referee, claim.id)
    with pytest.raises(StageNotOpen):
        await clubs.decide(claim.id, KASSERER, "comment", "Gammel tråd", key=old)
    assert db.messages("commented") == []


# Admins: their organisation only ---------------------------------------------------------


async def test_an_admin_sees_the_claims_their_organisation_pays(
        clubs: World, referee: str):
    shared = await clubs.draft(referee, CLUBS)
    only_dal = await clubs.draft(referee, ("sk-dal",))
    fjell = await admin.claims_of(clubs.env, "ik-fjell", "okonomi@ikfjell.no")
    dal = await admin.claims_of(clubs.env, "sk-dal", "Styret@SKDal.no")
    assert [c.id for c in fjell] == [shared.id]
    assert [c.id for c in dal] == [only_dal.id, shared.id]


@pytest.mark.parametrize("who", ["styret@skdal.no", "kasserer@ikfjell.no", "ukjent@example.no"])
async def test_an_admin_of_another_organisation_or_a_non_admin_is_not_allowed(
        clubs: World, referee: str, who: str):
    await clubs.draft(referee, CLUBS)
    with pytest.raises(NotAllowed):
        await admin.claims_of(clubs.env, "ik-fjell", who)


async def test_an_admin_finds_a_claim_by_reference_only_if_their_organisation_pays(
        clubs: World, referee: str):
    only_dal = await clubs.draft(referee, ("sk-dal",))
    found = await admin.claim_for_admin(clubs.env, only_dal.reference, "styret@skdal.no")
    assert found.id == only_dal.id
    with pytest.raises(NotAllowed):
        await admin.claim_for_admin(clubs.env, only_dal.reference, "okonomi@ikfjell.no")
    with pytest.raises(NotFound):
        await admin.claim_for_admin(clubs.env, "K-2026-999999", "styret@skdal.no")


async def test_the_local_operator_sees_every_organisations_claims(clubs: World, referee: str):
    shared = await clubs.draft(referee, CLUBS)
    assert [c.id for c in await admin.claims_of(clubs.env, "ik-fjell")] == [shared.id]
