"""One conversational turn in one transaction: load the chat's state, act, save, commit.

The bot (and ``kvitt chat``) give ``dialog_turn`` a handler; the handler reads
and changes ``turn.state`` and calls the claimant's operations on ``turn``; all
of it, the state included, is committed together or not at all. If another
worker saved the same claim meanwhile, the whole turn runs again on fresh data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from domain.claim import Channel
from domain.claimant import Claimant
from domain.errors import InviteInvalid, NotFound
from domain.organisation import Organisation
from domain.text import Text
from service import members
from service.context import Env, organisations, retrying
from service.ports import DialogState, UnitOfWork
from service.session import ClaimantSession

T = TypeVar("T")


@dataclass(slots=True)
class DialogTurn:
    """What a front end may do during one turn."""

    env: Env
    uow: UnitOfWork
    state: DialogState
    user_id: int
    claimant: Claimant | None
    channel: Channel = "telegram"

    def session(self) -> ClaimantSession:
        """The claimant's operations; refuses a user who has not joined yet."""
        if self.claimant is None:
            raise NotFound(Text("Du må bli med via en invitasjonslenke først.",
                                "You need to join through an invite link first."))
        return ClaimantSession(self.env, self.uow, self.claimant.id, self.channel)

    async def invite_org(self, code: str) -> Organisation:
        """The organisation a still-valid invite code leads to; ``InviteInvalid`` if none."""
        invite = await self.uow.invites.get(code.strip())
        if invite is None or not invite.valid_at(self.env.clock()):
            raise InviteInvalid()
        return (await organisations(self.uow, (invite.org,)))[invite.org]

    async def join(self, code: str, name: str, language: str) -> str:
        """Join by invite code; returns the organisation's slug."""
        self.claimant, org = await members.join_in(self.env, self.uow, self.user_id, name,
                                                   code, language)
        return org

    async def update_profile(self, **fields: str) -> Claimant:
        """Change the claimant's profile (``name``, ``email``, ``bank_account`` …)."""
        claimant = self.session().claimant_id
        self.claimant = await members.update_profile_in(self.uow, claimant, **fields)
        return self.claimant

    async def export_data(self) -> dict[str, object]:
        """The claimant's data (GDPR export)."""
        return await members.export_data(self.uow, self.session().claimant_id)

    async def erase(self) -> None:
        """Erase the claimant's personal data (refused while a claim is in approval)."""
        await members.erase(self.uow, self.session().claimant_id)
        self.claimant = None
        self.state.data.clear()

    async def organisations(self, slugs: tuple[str, ...]) -> Mapping[str, Organisation]:
        """Organisations by slug."""
        return await organisations(self.uow, slugs)


async def dialog_turn(env: Env, chat_id: int, user_id: int,
                      handler: Callable[[DialogTurn], Awaitable[T]], *,
                      channel: Channel = "telegram") -> T:
    """Run ``handler`` on the chat's state and save everything it did in one commit."""
    async def once() -> T:
        async with env.uow() as uow:
            stored, claimant = await uow.dialogs.open(chat_id, user_id)
            state = stored or DialogState(chat_id)
            turn = DialogTurn(env, uow, state, user_id, claimant, channel)
            result = await handler(turn)
            state.updated_at = env.clock()
            await uow.dialogs.put(state)
            await uow.commit()
            return result
    return await retrying(env, once)
