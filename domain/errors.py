"""Refusals a person can get, one class each, with the message in nb and en.

The tree (``UserError``: the sender's fault, answered politely, logged at info;
anything else is ours and is logged at error)::

    UserError
    ├── NotAllowed             the actor may not touch this claim / stage / organisation
    │   ├── NotYourClaim       a claimant asked for someone else's claim
    │   ├── NotAnApprover      the sender is not an approver of this stage
    │   └── NotAMember         the claimant has no membership of that organisation
    ├── InviteInvalid          unknown, used up or expired invite code
    ├── NotFound               no such claim / line / organisation
    ├── ClaimNotEditable       lines change only in Draft or Returned
    ├── ClaimLocked            Approved and Paid are final
    ├── NotSubmitted           approve / return / withdraw on a claim that is not in approval
    ├── WithdrawRefused        somebody already approved in this round
    ├── StageNotOpen           the stage was decided already, or the key is from an old round
    ├── ReturnNeedsReason      a return must say why
    ├── ChangedMeanwhile       someone else changed the claim first (optimistic version)
    ├── PolicyRefused          submit found problems (each one listed)
    ├── LateSubmitNotConfirmed the deadline has passed; the claimant must confirm
    ├── ErasureRefused         personal data cannot be erased while a claim is in approval
    └── InvalidValue           a bank account, national id or other value is malformed
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.text import Text


class UserError(Exception):
    """A refusal caused by what the person did; ``text`` tells them what to do."""

    text = Text("Det gikk ikke.", "That did not work.")

    def __init__(self, text: Text | None = None) -> None:
        if text is not None:
            self.text = text
        super().__init__(self.text.en)


class NotAllowed(UserError):
    """The actor may not do this."""

    text = Text("Du har ikke tilgang til dette.", "You do not have access to this.")


class NotYourClaim(NotAllowed):
    """A claimant asked for a claim that is not theirs."""

    text = Text("Fant ikke kravet blant dine krav.", "That claim is not among your claims.")


class NotAnApprover(NotAllowed):
    """The sender is not an approver of this stage of this payer."""

    text = Text("Du er ikke godkjenner for dette kravet på dette trinnet.",
                "You are not an approver of this claim at this stage.")


class NotAMember(NotAllowed):
    """The claimant has not joined the organisation by invite."""

    text = Text("Du er ikke med i denne organisasjonen. Be administrator om en invitasjon.",
                "You are not a member of this organisation. Ask the admin for an invite.")


class InviteInvalid(UserError):
    """Unknown, used or expired invite code."""

    text = Text("Invitasjonskoden er ukjent eller utløpt. Be administrator om en ny lenke.",
                "The invite code is unknown or expired. Ask the admin for a new link.")


class NotFound(UserError):
    """No such claim, line or organisation."""

    text = Text("Fant det ikke.", "Not found.")


class ClaimNotEditable(UserError):
    """Lines change only while the claim is a draft or returned."""

    text = Text("Kravet er sendt til godkjenning og kan ikke endres. Angre innsendingen først.",
                "The claim is in approval and cannot be changed. Withdraw it first.")


class ClaimLocked(UserError):
    """Approved and Paid claims are final."""

    text = Text("Kravet er godkjent og låst.", "The claim is approved and locked.")


class NotSubmitted(UserError):
    """The claim is not awaiting approval."""

    text = Text("Kravet venter ikke på godkjenning.", "The claim is not awaiting approval.")


class WithdrawRefused(UserError):
    """Withdraw is allowed only while nobody in the round has approved."""

    text = Text("Kravet kan ikke angres: det er allerede godkjent av minst én godkjenner.",
                "The claim cannot be withdrawn: at least one approver has approved it.")


class StageNotOpen(UserError):
    """The stage was decided already, or this is a key from an earlier round."""

    text = Text("Dette trinnet er allerede avgjort, eller kravet er sendt inn på nytt siden.",
                "This stage has already been decided, or the claim was resubmitted since.")


class ReturnNeedsReason(UserError):
    """A return must say why, so the claimant knows what to fix."""

    text = Text("Skriv en begrunnelse etter RETUR, f.eks. «RETUR mangler kvittering for taxi».",
                "Write a reason after RETURN, e.g. \"RETURN taxi receipt missing\".")


class ChangedMeanwhile(UserError):
    """Someone else changed the claim between reading and writing it."""

    text = Text("Kravet ble endret samtidig av noen andre. Se på det igjen og prøv på nytt.",
                "The claim was changed by someone else meanwhile. Look again and retry.")


class LateSubmitNotConfirmed(UserError):
    """The submit deadline has passed; the claimant must confirm to send anyway."""

    text = Text("Fristen for innsending er passert. Bekreft at du vil sende likevel.",
                "The submit deadline has passed. Confirm that you want to send anyway.")


class ErasureRefused(UserError):
    """Personal data cannot be erased while a claim is in approval."""

    text = Text("Dataene kan ikke slettes mens et krav er til godkjenning. Angre det først.",
                "Your data cannot be erased while a claim is in approval. Withdraw it first.")


class InvalidValue(UserError):
    """A value (bank account, national id, org number …) is malformed."""


class PolicyRefused(UserError):
    """Submit found problems; ``problems`` lists each with the line it concerns."""

    def __init__(self, problems: Sequence[PolicyProblem]) -> None:
        self.problems = tuple(problems)
        lines_nb = "; ".join(p.text.nb for p in self.problems)
        lines_en = "; ".join(p.text.en for p in self.problems)
        super().__init__(Text(f"Kravet kan ikke sendes ennå: {lines_nb}",
                              f"The claim cannot be sent yet: {lines_en}"))


class PolicyProblem:
    """One thing to fix before submit; ``line_id`` is None for the whole claim."""

    __slots__ = ("code", "line_id", "text")

    def __init__(self, code: str, text: Text, line_id: str | None = None) -> None:
        self.code = code
        self.text = text
        self.line_id = line_id

    def __repr__(self) -> str:
        return f"PolicyProblem({self.code!r}, line_id={self.line_id!r})"
