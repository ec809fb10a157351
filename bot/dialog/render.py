"""Claims as the claimant reads them in chat: status, lines, totals, tax, per payer."""

from __future__ import annotations

from domain.calendar import OSLO
from domain.claim import Claim, ClaimEvent
from domain.events import EVENT_TEXT, Commented, Returned
from domain.lines import LINE_KINDS
from domain.money import format_kr
from domain.text import Text
from service.summary import ClaimSummary

SPLIT = Text("honorarbrøk", "split")
CHECK = Text("Merk:", "Check:")
BY_YOU = Text("oppgitt av deg", "entered by you")

def summary_text(view: ClaimSummary, lang: str) -> str:
    """The whole claim in one message."""
    claim = view.claim
    out = [f"{claim.reference} «{claim.title}»", f"Status: {view.status.in_(lang)}", ""]
    for number, line in enumerate(view.lines, start=1):
        kind = LINE_KINDS[line.line.kind].in_(lang)
        payer = view.payer_names.get(line.line.payer or "", "") if line.line.payer else (
            SPLIT.in_(lang) if len(claim.payers) > 1 else "")
        to = f" → {payer}" if payer else ""
        if line.result is None:
            problem = line.error.in_(lang) if line.error else "?"
            out.append(f"{number}. {kind}{to}: {problem}")
            continue
        receipt = " 📎" if line.line.attachments else ""
        out.append(f"{number}. {kind}{to}: {format_kr(line.result.amount)} kr{receipt}")
        out.extend(f"    {text.in_(lang)}" for text in line.result.breakdown[:-1])
        if (rate := line.line.rate_note(BY_YOU)) is not None:
            out.append(f"    {rate.in_(lang)}")
    total, free, taxed = (format_kr(v) for v in (view.totals.amount, view.totals.taxfree,
                                                   view.totals.taxable))
    out += ["", Text(f"Sum: {total} kr", f"Total: {total} kr").in_(lang),
            Text(f"Trekkfritt: {free} kr, trekkpliktig: {taxed} kr",
                 f"Tax-free: {free} kr, taxable: {taxed} kr").in_(lang)]
    if len(claim.payers) > 1:
        out += [f"  {view.payer_names[slug]}: {format_kr(share.amount)} kr"
                for slug, share in view.payers.items()]
    notes = list(dict.fromkeys(  # each once; "rates are provisional" is for approvers
        [w.text.in_(lang) for w in view.warnings if w.code != "provisional_rates"]
        + [p.text.in_(lang) for p in view.problems]))
    if notes:
        out += ["", "⚠️ " + CHECK.in_(lang)] + [f"• {n}" for n in notes]
    return "\n".join(out)


def log_text(claim: Claim, lang: str) -> str:
    """The claim's history, newest last."""
    return "\n".join(_event(e, lang) for e in claim.events)


def _event(event: ClaimEvent, lang: str) -> str:
    what = EVENT_TEXT[type(event)].in_(lang)
    note = f": {event.text}" if event.text and isinstance(event, Returned | Commented) else ""
    return f"{event.at.astimezone(OSLO) if event.at.tzinfo else event.at:%d.%m %H.%M} {what}{note}"
