"""The admin digest in words: a subject, plain text and HTML, in Norwegian or English.

Both bodies come from one list of sections, so the text and the HTML never say
different things. Flagged lines (a stage waiting too long) start with a warning sign
and are bold in HTML.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from typing import TYPE_CHECKING

from domain.calc import Totals
from domain.calendar import OSLO
from domain.money import format_kr
from domain.text import Text

if TYPE_CHECKING:
    from service.digest_model import Digest

Line = tuple[str, bool]
Section = tuple[str, list[Line]]
NONE = Text("Ingen.", "None.")


def _day(at: datetime) -> str:
    return f"{at.astimezone(OSLO):%d.%m.%Y}"


def _moment(at: datetime) -> str:
    return f"{at.astimezone(OSLO):%d.%m.%Y %H:%M}"


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _kr(totals: Totals, lang: str) -> str:
    free, taxed = format_kr(totals.taxfree), format_kr(totals.taxable)
    return (f"{format_kr(totals.amount)} kr (tax-free {free}, taxable {taxed})" if lang == "en"
            else f"{format_kr(totals.amount)} kr (trekkfritt {free}, trekkpliktig {taxed})")


def _waiting(d: Digest, en: bool) -> Section:
    lines = []
    for w in d.waiting:
        who = ", ".join(w.approvers)
        text = (f"{w.reference} «{w.title}» from {w.claimant}: {w.stage_name} at {w.payer} "
                f"({who}), {w.days} days" if en else
                f"{w.reference} «{w.title}» fra {w.claimant}: {w.stage_name} hos {w.payer} "
                f"({who}), {w.days} dager")
        if w.reminders:
            text += (f", reminded {_n(w.reminders, 'time', 'times')}" if en
                     else f", påminnet {_n(w.reminders, 'gang', 'ganger')}")
        lines.append((f"⚠ {text}" if w.flagged else text, w.flagged))
    title = (f"Waiting for approval ({len(lines)}; ⚠ = more than {d.flag_days} days)" if en
             else f"Venter på godkjenning ({len(lines)}; ⚠ = mer enn {d.flag_days} dager)")
    return title, lines


def _returned(d: Digest, en: bool) -> Section:
    lines = [(f"{r.reference} «{r.title}» from {r.claimant}: returned by {r.returned_by} "
              f"{r.days} days ago: «{r.reason}»" if en else
              f"{r.reference} «{r.title}» fra {r.claimant}: sendt i retur av {r.returned_by} "
              f"for {r.days} dager siden: «{r.reason}»", False) for r in d.returned]
    return (f"Returned, waiting for the claimant ({len(lines)})" if en
            else f"Sendt i retur, venter på innsender ({len(lines)})"), lines


def _approved(d: Digest, lang: str) -> Section:
    en = lang == "en"
    lines = [(f"{a.reference} «{a.title}» {'from' if en else 'fra'} {a.claimant}: "
              f"{_kr(a.share, lang)}", False) for a in d.approved]
    if d.approved:
        lines.append(("Per payer:" if en else "Per betaler:", False))
        lines += [(f"  {payer}: {_kr(t, lang)}", False) for payer, t in d.per_payer.items()]
    for name, values in d.per_dimension.items():
        lines.append((f"Per {name}:", False))
        lines += [(f"  {value or ('(not set)' if en else '(ikke satt)')}: {_kr(t, lang)}", False)
                  for value, t in sorted(values.items())]
    return (f"Approved since {_moment(d.since)} ({len(d.approved)})" if en
            else f"Godkjent siden {_moment(d.since)} ({len(d.approved)})"), lines


def _payroll(d: Digest, lang: str, attached: bool) -> Section:
    en, p = lang == "en", d.payroll
    people = len({r.claimant_id for r in p.rows})
    span = f"{_day(p.run.start)}–{_day(p.run.end - timedelta(days=1))}"
    command = f"kvitt export payroll {d.slug} --period {p.run.payroll_date:%Y-%m}"
    file = ("The payroll file is attached (CSV)." if en else "Lønnsfilen er vedlagt (CSV).") \
        if attached else (f"The payroll file: {command}" if en else f"Lønnsfilen: {command}")
    lines = [(f"Approved {span}: {_n(len(p.claims), 'claim', 'claims')} to "
              f"{_n(people, 'person', 'people')}, {_kr(p.totals, lang)}. {file}" if en else
              f"Godkjent {span}: {len(p.claims)} krav til {_n(people, 'mottaker', 'mottakere')}"
              f", {_kr(p.totals, lang)}. {file}", False)]
    if p.outlays:
        lines.append((f"Of which outlays on receipt, paid but not in the file (not income): "
                      f"{format_kr(p.outlays)} kr" if en else
                      f"Av dette utlegg på kvittering, som betales men ikke står i filen "
                      f"(ikke inntekt): {format_kr(p.outlays)} kr", False))
    if p.missing_accounts:
        names = ", ".join(p.missing_accounts)
        lines.append((f"⚠ No bank account: {names}" if en
                      else f"⚠ Mangler kontonummer: {names}", True))
    if d.unpaid_earlier:
        refs = ", ".join(d.unpaid_earlier)
        lines.append((f"⚠ Approved for an earlier run but not marked paid: {refs}" if en else
                      f"⚠ Godkjent til en tidligere lønnskjøring, ikke markert utbetalt: {refs}",
                      True))
    day = f"{p.run.payroll_date:%d.%m.%Y}"
    return (f"Next payroll run {day}" if en else f"Neste lønnskjøring {day}"), lines


def _trouble(d: Digest, en: bool) -> list[Section]:
    failures = [(f"{f.channel} → {f.recipient} ({', '.join(filter(None, (f.kind, f.reference)))}"
                 f"): {f.error}", True) for f in d.failures]
    bounces = [(f"{b.address} {'since' if en else 'siden'} {_day(b.since)}: {b.detail}", True)
               for b in d.bouncing]
    return [((f"Messages given up ({len(failures)})" if en
              else f"Meldinger som ikke kom fram ({len(failures)})"), failures),
            ((f"Addresses that bounce ({len(bounces)})" if en
              else f"Adresser som avviser e-post ({len(bounces)})"), bounces)]


def _sections(d: Digest, lang: str, attached: bool) -> list[Section]:
    en = lang == "en"
    return [_waiting(d, en), _returned(d, en), _approved(d, lang), _payroll(d, lang, attached),
            *_trouble(d, en)]


def render_digest(d: Digest, lang: str = "nb", *, attached: bool = True,
                  ) -> tuple[str, str, str]:
    """The digest's subject, plain text and HTML in ``lang`` (``nb`` or ``en``).

    ``attached=False`` (``kvitt digest --print``, which attaches nothing) names the
    command that writes the payroll file instead of saying it is attached.
    """
    en = lang == "en"
    counts = (len(d.waiting), len(d.returned), len(d.approved))
    subject = (f"Kvitt: {d.name} {_day(d.at)}: {counts[0]} awaiting approval, "
               f"{counts[1]} returned, {counts[2]} approved" if en else
               f"Kvitt: {d.name} {_day(d.at)}: {counts[0]} til godkjenning, "
               f"{counts[1]} i retur, {counts[2]} godkjent")
    heading = (f"Digest for {d.name}, {_moment(d.at)}" if en
               else f"Oversikt for {d.name}, {_moment(d.at)}")
    sections = _sections(d, lang, attached)
    text = [heading]
    html = [f"<html><body><h1>{escape(heading)}</h1>"]
    for title, lines in sections:
        text += ["", title, *(f"  {line}" for line, _ in lines or [(NONE.in_(lang), False)])]
        items = "".join(f"<li><strong>{escape(line)}</strong></li>" if strong
                        else f"<li>{escape(line)}</li>" for line, strong in lines)
        html.append(f"<h2>{escape(title)}</h2>"
                    + (f"<ul>{items}</ul>" if lines else f"<p>{NONE.in_(lang)}</p>"))
    html.append("</body></html>")
    return subject, "\n".join(text) + "\n", "\n".join(html) + "\n"
