"""Claims as the claimant reads them in chat: status, lines, totals, tax, per payer."""

from __future__ import annotations

from domain.calendar import OSLO
from domain.claim import Claim, ClaimEvent
from domain.events import EVENT_TEXT, Commented, Returned
from domain.money import format_kr
from service.summary import ClaimSummary

KIND_NB = {"mileage": "Kjøring", "per_diem": "Diett", "expense": "Utlegg", "item": "Timer/honorar"}
KIND_EN = {"mileage": "Driving", "per_diem": "Per diem", "expense": "Outlay", "item": "Hours/fee"}
def summary_text(view: ClaimSummary, lang: str) -> str:
    """The whole claim in one message."""
    en = lang == "en"
    claim = view.claim
    out = [f"{claim.reference} «{claim.title}»", f"Status: {view.status.in_(lang)}", ""]
    for number, line in enumerate(view.lines, start=1):
        kind = (KIND_EN if en else KIND_NB)[line.line.kind]
        payer = view.payer_names.get(line.line.payer or "", "") if line.line.payer else (
            "split" if en else "honorarbrøk") if len(claim.payers) > 1 else ""
        to = f" → {payer}" if payer else ""
        if line.result is None:
            problem = line.error.in_(lang) if line.error else "?"
            out.append(f"{number}. {kind}{to}: {problem}")
            continue
        receipt = " 📎" if line.line.attachments else ""
        out.append(f"{number}. {kind}{to}: {format_kr(line.result.amount)} kr{receipt}")
        out.extend(f"    {text.in_(lang)}" for text in line.result.breakdown[:-1])
    totals = view.totals
    out += ["", f"{'Total' if en else 'Sum'}: {format_kr(totals.amount)} kr",
            f"{'Tax-free' if en else 'Trekkfritt'}: {format_kr(totals.taxfree)} kr, "
            f"{'taxable' if en else 'trekkpliktig'}: {format_kr(totals.taxable)} kr"]
    if len(claim.payers) > 1:
        out += [f"  {view.payer_names[slug]}: {format_kr(share.amount)} kr"
                for slug, share in view.payers.items()]
    notes = list(dict.fromkeys(  # each once; "rates are provisional" is for approvers
        [w.text.in_(lang) for w in view.warnings if w.code != "provisional_rates"]
        + [p.text.in_(lang) for p in view.problems]))
    if notes:
        out += ["", "⚠️ " + ("Check:" if en else "Merk:")] + [f"• {n}" for n in notes]
    return "\n".join(out)


def log_text(claim: Claim, lang: str) -> str:
    """The claim's history, newest last."""
    return "\n".join(_event(e, lang) for e in claim.events)


def _event(event: ClaimEvent, lang: str) -> str:
    what = EVENT_TEXT[type(event)].in_(lang)
    note = f": {event.text}" if event.text and isinstance(event, Returned | Commented) else ""
    return f"{event.at.astimezone(OSLO) if event.at.tzinfo else event.at:%d.%m %H.%M} {what}{note}"
