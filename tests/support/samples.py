"""One filled-in instance of every outbox message class, for codec and table tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D
from typing import Any

from domain.calc import Totals
from service.digest_model import (
    ApprovedClaim,
    BouncingAddress,
    Digest,
    FailedInbound,
    Failure,
    NextPayroll,
    ReturnedClaim,
    Strangers,
    WaitingStage,
)
from service.messages import (
    AdminDigest,
    ApprovalRequest,
    ApproverComment,
    ApproverReminder,
    ClaimantComment,
    ClaimantReminder,
    ClaimApprovedNotice,
    DeadlineWarning,
    DecisionConfirmation,
    IdleClaim,
    Message,
    PaidNotice,
    PayerApprovedNotice,
    Refusal,
    ReturnedNotice,
    WaitingClaim,
    WithdrawnNotice,
)

NOTICE: dict[str, Any] = {"claim_id": "c1", "reference": "K-2026-000001", "title": "Kamp 3. mars",
          "round": 1, "payer": "ik-fjell", "payer_name": "IK Fjell", "stage": 0,
          "text": "Kamp 2 var ikke vår kamp", "actor": "kasserer@ikfjell.no", "lang": "nb"}
WAITING: dict[str, Any] = {"claim_id": "c1", "reference": "K-2026-000001", "title": "Kamp 3. mars",
           "payer": "ik-fjell", "payer_name": "IK Fjell", "stage": 0, "stage_name": "attest",
           "round": 1, "days_open": 6, "reply_key": "k1"}


def paid(text: str = "2026-03-12", claim_id: str = "c1") -> PaidNotice:
    """A Telegram notice, the simplest message to queue in store tests."""
    return PaidNotice(**{**NOTICE, "text": text, "claim_id": claim_id})


def _digest() -> Digest:
    """A digest with one item in every section."""
    at = datetime(2026, 3, 10, 8, tzinfo=UTC)
    kr = Totals(D("565.00"), D("0.00"))
    return Digest(
        "ik-fjell", "IK Fjell", ("okonomi@ikfjell.no",), at, datetime(2026, 3, 5, tzinfo=UTC), 7,
        (WaitingStage("K-2026-000001", "Kamp", "Kari", "IK Fjell", "godkjenning",
                      ("kasserer@ikfjell.no",), 8, True, 1),),
        (ReturnedClaim("K-2026-000002", "Reise", "Kari", "IK Fjell", "Feil dato", 4),),
        (ApprovedClaim("K-2026-000003", "Kamp", "Kari", kr),),
        {"IK Fjell": kr}, {"ansvar": {"1100": kr, "": kr}},
        NextPayroll("2026-03", date(2026, 3, 12), datetime(2026, 2, 11, 23, tzinfo=UTC),
                    datetime(2026, 3, 11, 23, tzinfo=UTC), ("K-2026-000003",), 1, kr,
                    D("120.50"), ("Kari",), ("K-2026-000009",)),
        (Failure("approval_request", "email", "leder@skdal.no", "K-2026-000001", "550"),),
        (BouncingAddress("kasserer@ikfjell.no", at, "550 mailbox full"),),
        (FailedInbound("<svar-7@ikfjell.no>", at, 5, "RuntimeError: a bug of ours"),),
        Strangers(wrong_sender=2, unknown_key=1))


SAMPLES: dict[type[Message], Message] = {type(m): m for m in (
    ApprovalRequest(**NOTICE, reply_key="k1"),
    ReturnedNotice(**NOTICE),
    PayerApprovedNotice(**NOTICE),
    ClaimApprovedNotice(**NOTICE),
    paid(),
    ApproverComment(**NOTICE),
    ClaimantComment(**NOTICE, reply_key="k2", stage_payer="ik-fjell"),
    WithdrawnNotice(**NOTICE, stage_payer="ik-fjell"),
    DecisionConfirmation(claim_id="c1", reference="K-2026-000001", decision="return",
                         text="Feil kamp", in_reply_to="<a@x>", subject="Re: K-2026-000001",
                         payer="ik-fjell"),
    Refusal(refusal="unknown_key", in_reply_to="<b@x>", subject="Re: krav"),
    AdminDigest(org="ik-fjell", lang="nb", digest=_digest(), payroll_csv="YQ==",
                payroll_csv_name="lonn-ik-fjell-2026-03.csv"),
    ApproverReminder(**WAITING, lang="nb", also=(WaitingClaim(**{**WAITING, "claim_id": "c2"}),)),
    ClaimantReminder(claim_id="c1", reference="K-2026-000001", title="Kamp", lang="en",
                     message="You have claims", claims=(
                         IdleClaim(claim_id="c1", reference="K-2026-000001", title="Kamp",
                                   status="draft", idle_days=3),)),
    DeadlineWarning(claim_id="c1", reference="K-2026-000001", title="Kamp",
                    deadline="2026-03-14", lang="nb", message="Fristen er 14.03.2026"),
)}
