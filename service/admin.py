"""Admin use cases: organisations from files, invites, claims per organisation, payment."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import timedelta

from domain import workflow
from domain.claim import Actor, Claim
from domain.claimant import Invite
from domain.errors import NotAllowed, NotFound
from domain.organisation import (
    Organisation,
    OrganisationError,
    organisation_from_toml,
    organisations_from_toml,
)
from domain.rates import NoRateSetError, RateSetError
from domain.text import Text
from service.context import Env, organisations
from service.notify import publish
from service.ports import StoredOrganisation


async def apply_organisations(env: Env, source: str) -> list[tuple[Organisation, bool]]:
    """Create or update the organisations in an admin's TOML file.

    Returns:
        Each organisation and whether it changed; applying the same file twice
        changes nothing.
    """
    return await apply_organisation_files(env, [("", source)])


def _checked(env: Env, source: str) -> list[tuple[Organisation, str]]:
    """The file's organisations, each with a rate set this installation has."""
    found = organisations_from_toml(source)
    for organisation, _ in found:
        known = env.book.with_tables(organisation.rate_tables).names()
        if organisation.rate_set not in known:
            name, names = organisation.rate_set, ", ".join(sorted(known))
            raise OrganisationError("rate_set", Text(
                f"ingen satssett heter {name!r}; kjente: {names} (eller definer det under "
                f"[[rate_tables]])",
                f"no rate set named {name!r}; known: {names} (or define it under "
                f"[[rate_tables]])"))
        book = env.book.with_tables(organisation.rate_tables)
        for i, table in enumerate(organisation.rate_tables):
            try:
                book.check(table)
            except (RateSetError, NoRateSetError) as exc:
                # the rate table's own check names the field; its words are English only
                raise OrganisationError(f"rate_tables[{i}]", Text(
                    f"ugyldig satstabell: {exc}", str(exc))) from exc
    return found


async def apply_organisation_files(env: Env, files: Sequence[tuple[str, str]],
                                   ) -> list[tuple[Organisation, bool]]:
    """Apply several files (name, text) all or nothing.

    Every file is read and checked before anything is stored, and all are stored in one
    unit of work, so a mistake in the third file leaves the first two unapplied too; the
    error names the file. A slug in two files is refused rather than one silently winning.
    """
    found: list[tuple[Organisation, str]] = []
    origin: dict[str, str] = {}
    for name, source in files:
        try:
            orgs = _checked(env, source)
        except OrganisationError as exc:
            if not name:
                raise
            raise exc.within(name) from exc
        for organisation, _ in orgs:
            if organisation.slug in origin:
                slug, other = organisation.slug, origin[organisation.slug]
                twice = OrganisationError("slug", Text(f"{slug!r} står også i {other}",
                                                       f"{slug!r} is also in {other}"))
                raise twice.within(name) if name else twice
            origin[organisation.slug] = name
        found += orgs
    results = []
    async with env.uow() as uow:
        for organisation, canonical in found:
            digest = hashlib.sha256(canonical.encode()).hexdigest()
            current = await uow.organisations.get(organisation.slug)
            if current is not None and current.source_hash == digest:
                results.append((current.organisation, False))
                continue
            await uow.organisations.put(StoredOrganisation(organisation, canonical, digest))
            results.append((organisation, True))
        await uow.commit()
    return results


async def apply_organisation(env: Env, source: str) -> tuple[Organisation, bool]:
    """Apply a file holding exactly one organisation."""
    organisation_from_toml(source)  # refuses a file of several, naming the problem
    return (await apply_organisations(env, source))[0]


async def all_organisations(env: Env) -> list[Organisation]:
    """Every organisation, by slug."""
    async with env.uow() as uow:
        return [stored.organisation for stored in await uow.organisations.all()]


async def organisation(env: Env, slug: str) -> Organisation:
    """One organisation by slug."""
    async with env.uow() as uow:
        return (await organisations(uow, (slug,)))[slug]


async def create_invite(env: Env, slug: str, *, max_uses: int = 1) -> Invite:
    """A new invite code for ``slug``, valid ``env.invite_days`` days."""
    async with env.uow() as uow:
        await organisations(uow, (slug,))
        at = env.clock()
        invite = Invite(env.new_key(), slug, at, at + timedelta(days=env.invite_days), max_uses)
        await uow.invites.add(invite)
        await uow.commit()
        return invite


async def _check_admin(env: Env, slug: str, admin: str | None) -> None:
    """``admin=None`` is the local operator at the CLI; an email must be an admin."""
    if admin is None:
        return
    org = await organisation(env, slug)
    if not org.is_admin(admin):
        raise NotAllowed()


async def claims_of(env: Env, slug: str, admin: str | None = None) -> Sequence[Claim]:
    """Claims where ``slug`` pays, newest first."""
    await _check_admin(env, slug, admin)
    async with env.uow() as uow:
        return await uow.claims.for_payer(slug)


async def claim_for_admin(env: Env, reference: str, admin: str | None = None) -> Claim:
    """One claim by reference, for an admin of one of its payers."""
    async with env.uow() as uow:
        claim = await uow.claims.by_reference(reference)
    if claim is None:
        raise NotFound(Text(f"Fant ikke kravet {reference}.", f"Claim {reference} not found."))
    if admin is not None:
        for slug in claim.payers:
            try:
                await _check_admin(env, slug, admin)
                break
            except NotAllowed:
                continue
        else:
            raise NotAllowed()
    return claim


async def mark_paid(env: Env, claim_id: str, payroll_date: str, actor: Actor) -> Claim:
    """Mark an approved claim as paid and tell the claimant."""
    async with env.uow() as uow:
        claim = await uow.claims.get(claim_id)
        if claim is None:
            raise NotFound()
        workflow.mark_paid(claim, actor, env.clock(), payroll_date=payroll_date)
        claimant = await uow.claimants.get(claim.claimant_id)
        if claimant is not None:
            await publish(env, uow, claim, claimant, await organisations(uow, claim.payers))
        await uow.claims.save(claim)
        await uow.commit()
        return claim
