"""Joining by invite and keeping one's profile (name, email, bank account, language)."""

from __future__ import annotations

from domain.claimant import Claimant
from domain.errors import InvalidValue, InviteInvalid, NotFound
from domain.service.context import Env
from domain.service.ports import UnitOfWork
from domain.text import Text


async def join_in(env: Env, uow: UnitOfWork, telegram_id: int, name: str, code: str,
                  language: str = "nb") -> tuple[Claimant, str]:
    """Join the invite's organisation inside ``uow``, creating the claimant on first use."""
    invite = await uow.invites.get(code.strip())
    if invite is None:
        raise InviteInvalid()
    org = invite.use(env.clock())
    claimant = await uow.claimants.by_telegram(telegram_id)
    if claimant is None:
        claimant = Claimant(env.new_id(), name.strip(), telegram_id=telegram_id,
                            language="en" if language == "en" else "nb")
        claimant.memberships.add(org)
        await uow.claimants.add(claimant)
    else:
        claimant.memberships.add(org)
        await uow.claimants.save(claimant)
    await uow.invites.save(invite)
    return claimant, org


async def join(env: Env, telegram_id: int, name: str, code: str, language: str = "nb"
               ) -> tuple[Claimant, str]:
    """Join the invite's organisation, creating the claimant on first use.

    Returns:
        The claimant and the organisation slug joined.
    """
    async with env.uow() as uow:
        joined = await join_in(env, uow, telegram_id, name, code, language)
        await uow.commit()
        return joined


async def update_profile_in(uow: UnitOfWork, claimant_id: str, *, name: str | None = None,
                            email: str | None = None, bank_account: str | None = None,
                            national_id: str | None = None, language: str | None = None
                            ) -> Claimant:
    """Change profile fields inside ``uow``; account and national id are checked first."""
    claimant = await uow.claimants.get(claimant_id)
    if claimant is None:
        raise NotFound()
    if name is not None:
        if not name.strip():
            raise InvalidValue(Text("Skriv navnet ditt.", "Write your name."))
        claimant.name = name.strip()
    if email is not None:
        claimant.email = check_email(email)
    if bank_account is not None:
        claimant.set_bank_account(bank_account)
    if national_id is not None:
        claimant.set_national_id(national_id)
    if language is not None:
        claimant.language = "en" if language == "en" else "nb"
    await uow.claimants.save(claimant)
    return claimant


async def update_profile(env: Env, claimant_id: str, *, name: str | None = None,
                         email: str | None = None, bank_account: str | None = None,
                         national_id: str | None = None, language: str | None = None
                         ) -> Claimant:
    """Change profile fields; the account and national id are checked first."""
    async with env.uow() as uow:
        claimant = await update_profile_in(uow, claimant_id, name=name, email=email,
                                           bank_account=bank_account,
                                           national_id=national_id, language=language)
        await uow.commit()
        return claimant


def check_email(text: str) -> str:
    """A plausible email address, lowercased; else a refusal with an example."""
    value = text.strip().lower()
    local, _, domain = value.partition("@")
    if not local or "." not in domain or " " in value or domain.startswith("."):
        raise InvalidValue(Text("Skriv en e-postadresse, f.eks. ola@example.no.",
                                "Write an email address, e.g. ola@example.com."))
    return value
