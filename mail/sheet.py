"""The claim as the approval mail and the PDF show it: one set of rows, in one language.

The mail templates and the PDF form read the same ``Sheet``, so what an approver reads
in the mail body and in the attached *reiseregningsskjema* cannot differ. Amounts are
already formatted (``1 234,50``); the last breakdown line of a result (its tax split) is
left out because the tax-free and taxable columns say the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.calc import Totals
from domain.calendar import OSLO
from domain.claim import ClaimEvent, ClaimLine
from domain.events import ClaimApproved, Paid, Returned, StageApproved, Submitted, Withdrawn
from domain.lines import LINE_KINDS
from domain.money import format_amount, format_kr
from domain.text import Text
from service.summary import ClaimSummary, LineView

SPLIT = Text("honorarbrøk", "split by fees")
TYPED = Text("oppgitt av den reisende", "typed by the claimant")
ROUND = Text("runde", "round")
_CHANNEL = {"telegram": Text("Telegram", "Telegram"), "email": Text("e-post", "email"),
            "cli": Text("kommandolinjen", "command line"), "system": Text("Kvitt", "Kvitt")}

# the approval log shows the decisions; drafting and notices are in the claim's own log
LOGGED = (Submitted, StageApproved, Returned, Withdrawn, ClaimApproved, Paid)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount with its tax-free and taxable parts, formatted for people."""

    amount: str
    taxfree: str
    taxable: str

    @classmethod
    def of(cls, amount: Decimal, taxfree: Decimal) -> Money:
        """Format an amount and its tax-free part."""
        return cls(format_kr(amount), format_kr(taxfree), format_kr(amount - taxfree))


@dataclass(frozen=True, slots=True)
class Row:
    """One claim line: date, kind, what it is (first item) and how it was computed."""

    number: int
    date: str
    kind: str
    details: tuple[str, ...]
    payer: str
    money: Money | None
    receipt: bool


@dataclass(frozen=True, slots=True)
class Share:
    """One payer's part of the claim."""

    slug: str
    name: str
    money: Money


@dataclass(frozen=True, slots=True)
class Sheet:
    """Everything about a claim that a mail or the PDF prints, in one language."""

    reference: str
    title: str
    purpose: str
    route: str
    period: str
    status: str
    claimant: str
    payers: tuple[str, ...]
    rows: tuple[Row, ...]
    total: Money
    shares: tuple[Share, ...]
    allocation: tuple[tuple[str, str], ...]
    warnings: tuple[str, ...]
    log: tuple[str, ...]
    bank_account: str | None


def _indent(text: str) -> str:
    """Keep a breakdown line's indent (a sub-item) where layouts collapse spaces."""
    body = text.lstrip(" ")
    return "\u00a0" * (len(text) - len(body)) * 2 + body.rstrip()


def _row(number: int, view: LineView, summary: ClaimSummary, lang: str) -> Row:
    line = view.line
    if line.payer is not None:
        payer = summary.payer_names.get(line.payer, line.payer)
    else:
        payer = SPLIT.in_(lang) if len(summary.claim.payers) > 1 else ""
    details: tuple[str, ...]
    if view.result is None:
        details = (view.error.in_(lang) if view.error else "?",)
    else:
        details = tuple(_indent(t.in_(lang)) for t in view.result.breakdown[:-1])
    why, no_receipt = line.justification, line.no_receipt_reason
    extra = [line.remark,
             Text(f"Begrunnelse: {why}", f"Justification: {why}").in_(lang) if why else "",
             Text(f"Uten kvittering: {no_receipt}", f"No receipt: {no_receipt}").in_(lang)
             if no_receipt else "", *receipt_notes(line, lang)]
    money = None if view.result is None else Money.of(view.result.amount, view.result.taxfree)
    return Row(number, f"{line.body.date:%d.%m.%Y}", LINE_KINDS[line.kind].in_(lang),
               details + tuple(e for e in extra if e), payer, money, bool(line.attachments))


def receipt_notes(line: ClaimLine, lang: str) -> list[str]:
    """The exchange rate's source and day, and an amount changed from what the receipt said."""
    notes = []
    if (rate := line.rate_note(TYPED)) is not None:
        notes.append(rate)
    if line.corrected_from is not None:
        currency = line.read.currency if line.read is not None else ""
        known = format_amount(line.corrected_from, currency) if currency else None
        read = Text(known or f"{format_kr(line.corrected_from)} (valuta ukjent)",
                    known or f"{format_kr(line.corrected_from)} (currency unknown)")
        notes.append(Text(f"⚠ Lest av kvitteringen: {read.nb}; endret av den reisende",
                          f"⚠ Read from the receipt: {read.en}; changed by the claimant"))
    return [note.in_(lang) for note in notes]


def log_line(event: ClaimEvent, summary: ClaimSummary, claimant: str, lang: str) -> str:
    """One entry of the approval log, e.g. *Godkjent elektronisk av … via e-post*."""
    at = event.at.astimezone(OSLO) if event.at.tzinfo else event.at
    when = f"{at:%d.%m.%Y %H:%M}"
    who = claimant if event.actor.kind == "claimant" else event.actor.id
    via = _CHANNEL[event.actor.channel].in_(lang)
    payer = summary.payer_names.get(event.payer or "", event.payer or "")
    for_ = f" for {payer} ({event.text})" if isinstance(event, StageApproved) else ""
    words: dict[type[ClaimEvent], Text] = {
        Submitted: Text(f"Sendt inn av {who}", f"Submitted by {who}"),
        StageApproved: Text(f"Godkjent elektronisk av {who}{for_}",
                            f"Approved electronically by {who}{for_}"),
        Returned: Text(f"Sendt i retur av {who} ({payer}): {event.text}",
                       f"Returned by {who} ({payer}): {event.text}"),
        Withdrawn: Text(f"Innsending angret av {who}", f"Withdrawn by {who}"),
        ClaimApproved: Text("Kravet er godkjent av alle betalere",
                            "The claim is approved by every payer"),
        Paid: Text(f"Utbetalt {event.text}".strip(), f"Paid {event.text}".strip()),
    }
    return f"{when}  {words[type(event)].in_(lang)} · {via} · {ROUND.in_(lang)} {event.round}"


def _period(summary: ClaimSummary) -> str:
    lines = summary.claim.lines
    if not lines:
        return ""
    first = min(line.body.date for line in lines)
    last = max(line.last_date for line in lines)
    return f"{first:%d.%m.%Y}" if first == last else f"{first:%d.%m.%Y} – {last:%d.%m.%Y}"


def make_sheet(summary: ClaimSummary, claimant: str, bank_account: str | None,
               lang: str) -> Sheet:
    """The claim in ``lang``; ``bank_account`` is shown as given (full or masked) or not."""
    claim, names = summary.claim, summary.payer_names
    notes = [w.text.in_(lang) for w in summary.warnings]
    notes += [p.text.in_(lang) for p in summary.problems]
    total: Totals = summary.totals
    return Sheet(
        reference=claim.reference, title=claim.title, purpose=claim.purpose,
        route=claim.route, period=_period(summary), status=summary.status.in_(lang),
        claimant=claimant, payers=tuple(names.get(p, p) for p in claim.payers),
        rows=tuple(_row(n, v, summary, lang) for n, v in enumerate(summary.lines, start=1)),
        total=Money.of(total.amount, total.taxfree),
        shares=tuple(Share(slug, names.get(slug, slug), Money.of(t.amount, t.taxfree))
                     for slug, t in summary.payers.items()),
        allocation=tuple((k.capitalize(), v) for k, v in claim.allocation.items() if v),
        warnings=tuple(dict.fromkeys(notes)),
        log=tuple(log_line(e, summary, claimant, lang) for e in claim.events
                  if isinstance(e, LOGGED)),
        bank_account=bank_account,
    )
