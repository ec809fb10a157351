"""The approval workflow: submit, approve, return, withdraw, comment, pay.

Rules (DESIGN.md, issue 3): a round opens the first stage of every payer at
once; a stage done opens that payer's next; when every payer's last stage is
approved the claim is Approved and locked. Any return sends the whole claim back
with the reason. Withdraw only while nothing in the round is approved. A
resubmit starts a new round where every payer approves again; keys of an old
round are dead because their approvals are closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from domain.calendar import local_date
from domain.claim import STATUS_TEXT, Actor, Approval, Claim, Status
from domain.errors import (
    ClaimLocked,
    LateSubmitNotConfirmed,
    NotAnApprover,
    NotSubmitted,
    PolicyRefused,
    ReturnNeedsReason,
    StageNotOpen,
    WithdrawRefused,
)
from domain.events import (
    ClaimApproved,
    Commented,
    Paid,
    PayerApproved,
    Returned,
    StageApproved,
    StageOpened,
    Submitted,
    Withdrawn,
)
from domain.lines import ItemLine
from domain.organisation import Organisation
from domain.policy import check_submit, deadline, line_result
from domain.rates import RateBook
from domain.text import Text


def submit(claim: Claim, orgs: Mapping[str, Organisation], book: RateBook, actor: Actor,
           at: datetime, *, confirm_late: bool = False) -> None:
    """Compute and freeze every line, check policy, and open a new approval round.

    Raises:
        PolicyRefused: with every problem listed.
        LateSubmitNotConfirmed: the deadline has passed and ``confirm_late`` is false.
    """
    claim.check_editable()
    _catalogue_rates(claim, orgs)
    results = {line.id: line_result(line, claim, orgs, book) for line in claim.lines}
    problems = check_submit(claim, results, orgs)
    if problems:
        raise PolicyRefused(problems)
    last_day = deadline(claim, orgs)
    late = last_day is not None and local_date(at) > last_day
    if late and not confirm_late:
        raise LateSubmitNotConfirmed()
    for line in claim.lines:
        line.computed = results[line.id]
    claim.round += 1
    claim.status = Status.AWAITING
    claim.returned_by = None
    claim.submitted_at = at
    for payer in claim.payers:
        for index, stage in enumerate(orgs[payer].stages):
            claim.approvals.append(Approval(claim.round, payer, index, stage.name,
                                            stage.approvers, "open" if index == 0 else "pending"))
    note = "etter fristen" if late else ""
    claim.log(Submitted(at, actor, note, round=claim.round))
    for approval in claim.round_approvals():
        if approval.state == "open":
            _opened(claim, approval, actor, at)


def _catalogue_rates(claim: Claim, orgs: Mapping[str, Organisation]) -> None:
    """Item lines take rate and tax flag from their payer's catalogue entry as it is now.

    The catalogue is the authority: a line drafted before an admin changed a rate, or
    sent through the API with another rate, is paid at the catalogue's.
    """
    for line in claim.lines:
        if not isinstance(line.body, ItemLine) or not line.body.code:
            continue
        payers = (line.payer,) if line.payer else claim.payers
        entry = next((e for p in payers if p in orgs
                      for e in [orgs[p].entry(line.body.code)] if e is not None), None)
        if entry is not None and entry.rate is not None and (
                entry.rate, entry.taxable) != (line.body.rate, line.body.taxable):
            line.body = replace(line.body, rate=entry.rate, taxable=entry.taxable)


def refresh_approvers(claim: Claim, orgs: Mapping[str, Organisation]) -> None:
    """Stages not yet decided take their approvers from the organisation as it is now.

    An admin may replace an approver mid-round: the new one is asked when the stage
    opens, and the removed one can no longer decide. A stage the organisation no longer
    has keeps the approvers it was sent to, so the round can still finish.
    """
    for approval in claim.round_approvals():
        org = orgs.get(approval.payer)
        if approval.state in ("open", "pending") and org and approval.stage < len(org.stages):
            approval.approvers = org.stages[approval.stage].approvers


def _opened(claim: Claim, approval: Approval, actor: Actor, at: datetime) -> None:
    claim.log(StageOpened(at, actor, approval.stage_name, approval.payer,
                         approval.stage, claim.round))


def _open_approval(claim: Claim, payer: str, stage: int, round_: int,
                   approver: str) -> Approval:
    """The open approval this decision is for; checks round, state and approver."""
    if claim.status in (Status.APPROVED, Status.PAID):
        raise ClaimLocked()
    approval = claim.approval(payer, stage, round_)
    if claim.status is not Status.AWAITING or approval is None or approval.state != "open":
        raise StageNotOpen()
    if approver.strip().lower() not in approval.approvers:
        raise NotAnApprover()
    return approval


def approve(claim: Claim, payer: str, stage: int, round_: int, actor: Actor, at: datetime,
            *, source_message_id: str | None = None) -> None:
    """Approve one stage of one payer; open the next, or approve the claim when all done."""
    approval = _open_approval(claim, payer, stage, round_, actor.id)
    approval.state, approval.decided_by, approval.decided_at = "approved", actor.id, at
    claim.log(StageApproved(at, actor, approval.stage_name, payer, stage, round_,
                         source_message_id))
    following = claim.approval(payer, stage + 1, round_)
    if following is not None:
        following.state = "open"
        _opened(claim, following, actor, at)
    elif all(a.state == "approved" for a in claim.round_approvals()):
        claim.status = Status.APPROVED
        claim.log(ClaimApproved(at, actor, round=round_))
    else:
        claim.log(PayerApproved(at, actor, payer=payer, round=round_))


def return_claim(claim: Claim, payer: str, stage: int, round_: int, actor: Actor, at: datetime,
                 reason: str, *, source_message_id: str | None = None) -> None:
    """Send the whole claim back to the claimant with the reason; the round ends."""
    if not reason.strip():
        raise ReturnNeedsReason()
    approval = _open_approval(claim, payer, stage, round_, actor.id)
    approval.state, approval.decided_by, approval.decided_at = "returned", actor.id, at
    _close_round(claim)
    claim.status = Status.RETURNED
    claim.returned_by = payer
    claim.log(Returned(at, actor, reason.strip(), payer, stage, round_,
                         source_message_id))


def _close_round(claim: Claim) -> None:
    for approval in claim.round_approvals():
        if approval.state in ("open", "pending"):
            approval.state = "closed"


def withdraw(claim: Claim, actor: Actor, at: datetime) -> None:
    """The claimant pulls a submitted claim back to draft (*angre innsending*)."""
    if claim.status in (Status.APPROVED, Status.PAID):
        raise ClaimLocked()
    if claim.status is not Status.AWAITING:
        raise NotSubmitted()
    if any(a.state == "approved" for a in claim.round_approvals()):
        raise WithdrawRefused()
    _close_round(claim)
    claim.status = Status.DRAFT
    claim.log(Withdrawn(at, actor, round=claim.round))


def comment(claim: Claim, actor: Actor, at: datetime, text: str, *, payer: str | None = None,
            source_message_id: str | None = None) -> None:
    """A remark between claimant and approvers; changes no state."""
    claim.log(Commented(at, actor, text.strip(), payer, None, claim.round,
                         source_message_id))


def mark_paid(claim: Claim, actor: Actor, at: datetime, *, payroll_date: str = "") -> None:
    """Approved → Paid, after the payroll export."""
    if claim.status is Status.PAID:
        return
    if claim.status is not Status.APPROVED:
        raise NotSubmitted(Text("Bare godkjente krav kan utbetales.",
                                "Only approved claims can be paid."))
    claim.status = Status.PAID
    claim.log(Paid(at, actor, payroll_date, round=claim.round))


def status_text(claim: Claim, names: Mapping[str, str]) -> Text:
    """The status in the seed's words, e.g. *Til godkjenning hos X. Godkjent av Y*."""
    if claim.status is Status.AWAITING:
        current = claim.round_approvals()
        several = {a.payer for a in current if a.stage > 0}
        done = sorted(names.get(p, p) for p in claim.payers
                      if all(a.state == "approved" for a in current if a.payer == p))
        waiting = sorted(names.get(a.payer, a.payer)
                         + (f" ({a.stage_name})" if a.payer in several else "")
                         for a in current if a.state == "open")
        if done:
            return Text(f"Til godkjenning hos {', '.join(waiting)}. Godkjent av {', '.join(done)}",
                        f"Awaiting {', '.join(waiting)} (approved by {', '.join(done)})")
        return Text("Til godkjenning", "Awaiting approval")
    if claim.status is Status.RETURNED and claim.returned_by:
        who = names.get(claim.returned_by, claim.returned_by)
        return Text(f"Sendt i retur av {who}", f"Returned by {who}")
    return STATUS_TEXT[claim.status]

