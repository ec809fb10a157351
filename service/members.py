"""Joining by invite and keeping one's profile (name, email, bank account, language)."""

from __future__ import annotations

from domain.claim import Status
from domain.claimant import Claimant
from domain.codec import line_to_dict
from domain.errors import ErasureRefused, InvalidValue, InviteInvalid, NotFound
from domain.text import Text
from service.context import Env
from service.ports import UnitOfWork


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


async def export_data(uow: UnitOfWork, claimant_id: str) -> dict[str, object]:
    """Everything Kvitt holds about a claimant, as JSON-able data (GDPR art. 15 and 20)."""
    claimant = await uow.claimants.get(claimant_id)
    if claimant is None:
        raise NotFound()
    claims = await uow.claims.for_claimant(claimant_id)
    return {
        "name": claimant.name, "email": claimant.email, "telegram_id": claimant.telegram_id,
        "bank_account": claimant.bank_account, "national_id": claimant.national_id,
        "language": claimant.language, "memberships": sorted(claimant.memberships),
        "claims": [{"reference": c.reference, "title": c.title, "status": c.status.value,
                    "purpose": c.purpose, "route": c.route, "allocation": c.allocation,
                    "lines": [{**line_to_dict(line.body), "remark": line.remark,
                               "justification": line.justification, "payer": line.payer}
                              for line in c.lines],
                    "log": [{"at": e.at.isoformat(), "event": e.kind, "text": e.text}
                            for e in c.events]}
                   for c in claims],
    }


async def erase(uow: UnitOfWork, claimant_id: str) -> None:
    """Remove the person from Kvitt: profile emptied, Telegram link cut, memberships gone.

    Claims stay, as the payers' accounting must keep them (bokføringsloven: five
    years), but they no longer lead to a name, an account or a chat. Refused while
    a claim is in approval, so no approver is left deciding on someone who is gone.
    """
    claimant = await uow.claimants.get(claimant_id)
    if claimant is None:
        raise NotFound()
    if any(c.status is Status.AWAITING for c in await uow.claims.for_claimant(claimant_id)):
        raise ErasureRefused()
    claimant.name, claimant.email = "Slettet bruker", ""
    claimant.bank_account, claimant.national_id = "", ""
    claimant.telegram_id = None
    claimant.memberships.clear()
    claimant.allocation_defaults.clear()
    await uow.claimants.save(claimant)
