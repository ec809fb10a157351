"""A receipt is stored by its hash and attached to its line; bad files are refused."""

import pytest

from domain.errors import InvalidValue, NotYourClaim
from service import claims
from tests.service.conftest import World

JPEG = b"\xff\xd8\xff\xe0" + b"receipt" * 10


async def test_a_receipt_is_attached_by_its_hash_and_satisfies_the_receipt_rule(
        kvann: World, traveller: str):
    taxi = kvann.outlay("taxi", "250", justification="Sent tog")
    claim = await kvann.draft(traveller, ("kvann",), taxi)
    claim = await claims.attach_file(kvann.env, traveller, claim.id, taxi.id, JPEG)
    (content_hash,) = claim.line(taxi.id).attachments
    assert kvann.env.blobs is not None and kvann.env.blobs.get(content_hash) == JPEG
    assert kvann.db.attachments[content_hash] == ("image/jpeg", len(JPEG))
    again = await claims.attach_file(kvann.env, traveller, claim.id, taxi.id, JPEG)
    assert again.line(taxi.id).attachments == (content_hash,)  # the same file once
    await claims.submit(kvann.env, traveller, claim.id)


@pytest.mark.parametrize("data", [b"", b"MZ\x90 not a receipt", b"\xff\xd8\xff" + b"x" * (
    20 * 1024 * 1024)])
async def test_an_empty_oversized_or_foreign_file_is_refused_and_nothing_is_kept(
        kvann: World, traveller: str, data: bytes):
    taxi = kvann.outlay("taxi", "250")
    claim = await kvann.draft(traveller, ("kvann",), taxi)
    with pytest.raises(InvalidValue) as refused:
        await claims.attach_file(kvann.env, traveller, claim.id, taxi.id, data)
    assert refused.value.text.nb and refused.value.text.en
    assert kvann.stored(claim.id).line(taxi.id).attachments == ()
    assert kvann.db.attachments == {}


async def test_a_file_cannot_be_attached_to_someone_elses_claim(kvann: World, traveller: str):
    taxi = kvann.outlay("taxi", "250")
    claim = await kvann.draft(traveller, ("kvann",), taxi)
    stranger = await kvann.member("Fremmed", "kvann")
    with pytest.raises(NotYourClaim):
        await claims.attach_file(kvann.env, stranger, claim.id, taxi.id, JPEG)
    assert kvann.db.attachments == {}
