"""A later "no" never approves (issue 9, seen 5): zero false approvals.

A negation or retraction anywhere in the decision paragraph makes an approval unclear:
the reply becomes a comment and the approver is asked to answer again.
"""

from __future__ import annotations

import pytest

from mail.decision import decide

UNCLEAR = [
    "Godkjent, men ikke før dere har rettet kjøringen",
    "Godkjent - men nei, ikke likevel",
    "Godkjent... eller nei",
    "GODKJENT!!! (ikke)",
    "Godkjent\nmen vent, jeg må sjekke kilometerne",
    "Approved, but not yet: fix the mileage first",
    "Approve. Actually no.",
]


@pytest.mark.parametrize("text", UNCLEAR)
def test_a_negation_or_retraction_in_the_decision_paragraph_never_approves(text):
    assert decide(text).intent == "unclear"


@pytest.mark.parametrize("text", ["Godkjent?", "Godkjenner ikke", "ikke godkjent"])
def test_a_negated_decision_word_is_a_plain_comment(text):
    assert decide(text).intent == "comment"


@pytest.mark.parametrize("text", ["Godkjent", "GODKJENT, takk!", "Approved.\n\nKari",
                                  "Godkjent\n\nIkke glem kvitteringen neste gang."])
def test_a_plain_approval_still_approves(text):
    assert decide(text).intent == "approve"


def test_a_return_keeps_its_negated_reason():
    decision = decide("RETUR: kvitteringen er ikke vedlagt")
    assert decision.intent == "return" and decision.reason == "kvitteringen er ikke vedlagt"
