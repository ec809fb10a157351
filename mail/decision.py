"""What an approver's reply asks for, read from the first line of the visible reply.

The approval request tells the approver to write ``GODKJENT`` / ``APPROVE`` on the first
line, or ``RETUR`` / ``RETURN`` followed by the reason; anything else is a comment for the
claimant. Only the first non-empty line that is not ``>``-quoted decides, so a decision word
in the quoted request ("Svar GODKJENT eller RETUR …") never counts. A negated word
("ikke godkjent", "Godkjenner ikke", "not approved") never approves or returns: such a
reply is a comment, and a person reads it.

Zero false approvals (issue 9): a negation or retraction anywhere else in the decision
paragraph (the first paragraph: "Godkjent, men ikke før …", "Godkjent - men nei, ikke
likevel", "Godkjent... eller nei", "GODKJENT!!! (ikke)", "not yet", "men vent") makes an
approval ``unclear``: the service keeps the text as a comment and asks the approver to
answer again. A missed approval costs one more mail; a false one costs money. Returns
are not affected: a reason often says what is *not* right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Intent = Literal["approve", "return", "comment", "unclear", "none"]

_APPROVE = r"godkjent|godkjenner|godkjennes|godkjend|approve|approved"
_RETURN = r"retur|returner|returneres|avvist|avvis|avvises|return|returned|reject|rejected"
_NEGATION = r"ikke|ikkje|not|nei|no|never|aldri"
_WORD = re.compile(rf"^[^\w>]*(?P<word>{_APPROVE}|{_RETURN})\b(?!-\w)(?P<rest>.*)$", re.IGNORECASE)
# "Godkjenner ikke", "Approved? No", "Retur ikke nødvendig": the word is negated or asked
_DOUBT = re.compile(rf"^\s*(\?|\W{{0,3}}\b({_NEGATION})\b)", re.IGNORECASE)
# anywhere in the approval's paragraph: a negation, a retraction, a "wait" or a question
_RETRACTION = re.compile(rf"\b({_NEGATION}|ikkje|vent|wait|hold|actually|likevel|yet)\b|\?",
                         re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Decision:
    """The reply's intent, and its reason.

    ``reason`` is, for a return, the rest of the first line and the paragraphs after it
    (empty when the approver gave none: the caller refuses that); for a comment, the whole
    visible reply; for an approval, any words written after the approval (often empty).
    """

    intent: Intent
    reason: str = ""


def _written(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return [line for line in lines if not line.lstrip().startswith(">")]


def _paragraphs(first: str, following: list[str]) -> str:
    """The reason: the rest of the first line, then the following lines kept whole."""
    rest = first.strip().lstrip(":-–—,.;!*").strip()
    return "\n".join([rest if re.search(r"\w", rest) else "", *following]).strip()


def _first_paragraph(following: list[str]) -> list[str]:
    """The lines after the decision line up to the first blank one."""
    paragraph: list[str] = []
    for line in following:
        if not line.strip():
            break
        paragraph.append(line)
    return paragraph


def decide(text: str) -> Decision:
    """Read the visible reply ``text`` (quotes and signatures already removed)."""
    lines = _written(text)
    index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if index is None:
        return Decision("none")
    found = _WORD.match(lines[index].strip())
    if found is None or _DOUBT.match(found["rest"]):
        return Decision("comment", text.strip())
    reason = _paragraphs(found["rest"], lines[index + 1:])
    if re.fullmatch(_APPROVE, found["word"], re.IGNORECASE):
        paragraph = " ".join([found["rest"], *_first_paragraph(lines[index + 1:])])
        if _RETRACTION.search(paragraph):
            return Decision("unclear", text.strip())
        return Decision("approve", reason)
    return Decision("return", reason)
