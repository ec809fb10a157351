"""The claimant: who files claims, how to pay them, and where they may claim.

A claimant joins an organisation only through an invite made by its admin; the
membership is what lets them name that organisation as a payer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.errors import InviteInvalid
from domain.identity import mask_bank_account, normalise_bank_account, normalise_national_id


@dataclass(slots=True)
class Claimant:
    """A person who files claims. Bank account and national id are stored normalised."""

    id: str
    name: str
    telegram_id: int | None = None
    email: str = ""
    bank_account: str = ""
    national_id: str = ""
    language: str = "nb"
    memberships: set[str] = field(default_factory=set)
    allocation_defaults: dict[str, str] = field(default_factory=dict)

    def set_bank_account(self, text: str) -> None:
        """Check (MOD11) and store the account number."""
        self.bank_account = normalise_bank_account(text)

    def set_national_id(self, text: str) -> None:
        """Check both check digits and store the national id number."""
        self.national_id = normalise_national_id(text)

    @property
    def masked_account(self) -> str:
        """The account as shown back to people: last four digits only."""
        return mask_bank_account(self.bank_account)


@dataclass(slots=True)
class Invite:
    """A code an admin hands out; ``t.me/<bot>?start=<code>`` joins the organisation."""

    code: str
    org: str
    created_at: datetime
    expires_at: datetime
    max_uses: int = 1
    uses: int = 0

    def valid_at(self, at: datetime) -> bool:
        """Whether the invite can still be used at ``at``."""
        return at <= self.expires_at and self.uses < self.max_uses

    def use(self, at: datetime) -> str:
        """Spend one use and return the organisation; raises ``InviteInvalid``."""
        if not self.valid_at(at):
            raise InviteInvalid()
        self.uses += 1
        return self.org
