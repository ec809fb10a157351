"""Outbound mail: pure functions from a claim's summary to ``EmailMessage`` objects.

Every message has a stable ``Message-ID`` (the same input gives the same id, so the
delivery worker can store it and a retry is recognised), the claim reference in the
subject, text and HTML alternatives rendered from Jinja2 templates in ``nb`` and ``en``
(HTML autoescaped, so user data cannot inject markup), and ``Auto-Submitted`` (RFC 3834):
``auto-generated`` for what we start, ``auto-replied`` for answers to an approver's mail.
The delivery worker adds ``Date`` when it sends.

Refusals are one table, ``REFUSALS``: each kind of refused reply has exactly one
template, and says whether the approver may answer again with the same key.

The admin digest's words are one template per language with a macro per section
(``DIGEST_SECTIONS``); one text and one HTML layout lay the sections out, so the two
bodies never say different things.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from functools import cache
from typing import Any, Literal, NamedTuple

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from domain.calendar import OSLO
from domain.identity import format_bank_account, mask_bank_account
from domain.money import format_kr
from mail.addresses import DEFAULT_PATTERN, message_id, reply_address, token
from mail.pdf import claim_pdf
from mail.sheet import Money, make_sheet
from service.messages import AdminDigest
from service.summary import ClaimSummary

Decision = Literal["approve", "return", "comment"]


@dataclass(frozen=True, slots=True)
class Refusal:
    """How one kind of refused reply is answered."""

    template: str
    answer_again: bool  # Reply-To keeps the key: the same approver may simply try again


REFUSALS: dict[str, Refusal] = {
    "unknown_key": Refusal("refusal_unknown_key", answer_again=False),
    "wrong_sender": Refusal("refusal_wrong_sender", answer_again=False),
    "stage_closed": Refusal("refusal_stage_closed", answer_again=False),
    "no_answer": Refusal("refusal_no_answer", answer_again=True),
    "return_without_reason": Refusal("refusal_return_without_reason", answer_again=True),
    "unclear_decision": Refusal("refusal_unclear_decision", answer_again=True),
}


def _day(at: date) -> str:
    """``10.03.2026``: an instant's day in Oslo, or a calendar day."""
    return f"{at.astimezone(OSLO) if isinstance(at, datetime) else at:%d.%m.%Y}"


def _moment(at: datetime) -> str:
    return f"{at.astimezone(OSLO):%d.%m.%Y %H:%M}"


@cache
def _env() -> Environment:
    env = Environment(loader=PackageLoader("mail", "templates"), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html.j2"], default_for_string=False,
                                                   default=False),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(kr=format_kr, day=_day, moment=_moment)
    return env


def _flat(value: Any) -> Any:
    """A value shown on one line: its line breaks become spaces."""
    return " ".join(value.splitlines()) if isinstance(value, str) else value


@cache
def _lines_env() -> Environment:
    """For templates whose every line is one item: no value may start another."""
    return _env().overlay(finalize=_flat)


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "nb"


class Rendered(NamedTuple):
    """A message's subject and bodies, before the envelope."""

    subject: str
    text: str
    html: str


def _render(name: str, lang: str, **context: Any) -> Rendered:
    """Subject, text and HTML of template ``name``; short mails share one HTML layout."""
    module = _env().get_template(f"{name}.{lang}.txt.j2").make_module(context)
    text = str(module).strip() + "\n"
    if name == "approval_request":
        html = _env().get_template(f"{name}.{lang}.html.j2").render(context, lang=lang)
    else:
        paragraphs = [p.splitlines() for p in re.split(r"\n\s*\n", text.strip())]
        html = _env().get_template("short.html.j2").render(lang=lang, paragraphs=paragraphs)
    return Rendered(_one_line(str(vars(module)["subject"])), text, html)


def _message(texts: Rendered, *, to: str, sender: str, lang: str, msg_id: str,
             auto: str = "auto-generated", reply_to: str | None = None, references: str = "",
             in_reply_to: str = "") -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = texts.subject
    message["From"] = sender
    message["To"] = to
    if reply_to:
        message["Reply-To"] = reply_to
    message["Message-ID"] = msg_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    message["Auto-Submitted"] = auto
    message["X-Auto-Response-Suppress"] = "All"  # no out-of-office replies to us, please
    message.set_content(texts.text)
    message.add_alternative(texts.html, subtype="html")
    message["Content-Language"] = lang  # after the content: set_content clears Content-*
    return message


def _thread(view: ClaimSummary, domain: str) -> str:
    """A root id every mail about one claim refers to, so clients group them."""
    return message_id(domain, "claim", token(view.claim.id))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def approval_request(view: ClaimSummary, *, payer: str, stage_name: str, approver: str,
                     reply_key: str, lang: str, sender: str, reply_pattern: str, domain: str,
                     claimant_name: str, bank_account_for_payer: str | None,
                     receipts: list[tuple[str, bytes, str]],
                     masked_account: str = "") -> EmailMessage:
    """The request to one approver of ``payer``'s open stage, with the PDF and receipts.

    Args:
        view: the claim's summary.
        payer: the slug of the payer whose stage is open.
        stage_name: that stage's name (``attestasjon``, ``godkjenning``).
        approver: the approver's address; the reply must come from it.
        reply_key: the key issued to this approver for this stage and round.
        lang: ``nb`` or ``en``.
        sender: the ``From`` address.
        reply_pattern: the plus-addressing pattern, e.g. ``krav+{key}@example.no``.
        domain: the domain of our Message-IDs.
        claimant_name: the claimant's name.
        bank_account_for_payer: the claimant's account (11 digits) when this approver's
            payer pays it and needs it in full; None shows it masked.
        receipts: the receipts as (file name, bytes, MIME type).
        masked_account: what to show instead (``**** ** *8903``) when the account is not
            given in full.
    """
    lang = _lang(lang)
    account = (format_bank_account(bank_account_for_payer) if bank_account_for_payer
               else masked_account or mask_bank_account(""))
    sheet = make_sheet(view, claimant_name, account, lang)
    totals = view.payers.get(payer)
    share = Money.of(totals.amount, totals.taxfree) if totals else sheet.total
    pdf_name = f"{view.claim.reference}.pdf"
    texts = _render("approval_request", lang, sheet=sheet, title=_one_line(view.claim.title),
                    payer_name=view.payer_names.get(payer, payer), share=share,
                    stage_name=stage_name, approver=approver, pdf_name=pdf_name,
                    receipts=[name for name, _, _ in receipts],
                    in_full=bank_account_for_payer is not None)
    key_id = message_id(domain, "key", reply_key)
    message = _message(texts, to=approver, sender=sender, lang=lang,
                       msg_id=message_id(domain, "approval_request", reply_key),
                       reply_to=reply_address(reply_key, reply_pattern),
                       references=f"{_thread(view, domain)} {key_id}")
    message.add_attachment(claim_pdf(view, claimant_name, account, lang),
                           maintype="application", subtype="pdf", filename=pdf_name)
    for name, data, mime in receipts:
        maintype, _, subtype = mime.partition("/")
        message.add_attachment(data, maintype=maintype or "application",
                               subtype=subtype or "octet-stream", filename=name)
    message["Content-Language"] = lang  # attaching moved the first one into the body part
    return message


def return_notice(view: ClaimSummary, *, to: str, payer: str, returned_by: str, reason: str,
                  lang: str, sender: str, domain: str, message_key: str) -> EmailMessage:
    """Tell the claimant their claim came back, with the reason and what to do."""
    lang = _lang(lang)
    texts = _render("return_notice", lang, reference=view.claim.reference,
                    title=_one_line(view.claim.title), returned_by=returned_by, reason=reason,
                    payer_name=view.payer_names.get(payer, payer))
    return _message(texts, to=to, sender=sender, lang=lang,
                    msg_id=message_id(domain, "return_notice", token(message_key)),
                    references=_thread(view, domain))


def withdrawn_notice(view: ClaimSummary, *, approver: str, claimant_name: str, lang: str,
                     sender: str, domain: str, message_key: str) -> EmailMessage:
    """Tell an approver that a claim they were asked about was withdrawn."""
    lang = _lang(lang)
    texts = _render("withdrawn_notice", lang, reference=view.claim.reference,
                    title=_one_line(view.claim.title), claimant=claimant_name)
    return _message(texts, to=approver, sender=sender, lang=lang,
                    msg_id=message_id(domain, "withdrawn", token(message_key)),
                    references=_thread(view, domain))


def comment_to_claimant(view: ClaimSummary, *, to: str, author: str, payer: str | None,
                        text: str, lang: str, sender: str, domain: str,
                        message_key: str) -> EmailMessage:
    """Forward an approver's comment to the claimant."""
    lang = _lang(lang)
    texts = _render("comment_to_claimant", lang, reference=view.claim.reference,
                    title=_one_line(view.claim.title), author=author, text=text,
                    payer_name=view.payer_names.get(payer or "", payer or ""))
    return _message(texts, to=to, sender=sender, lang=lang,
                    msg_id=message_id(domain, "comment", token(message_key)),
                    references=_thread(view, domain))


def claimant_comment_to_approver(view: ClaimSummary, *, approver: str, claimant_name: str,
                                 text: str, reply_key: str, lang: str, sender: str,
                                 reply_pattern: str, domain: str) -> EmailMessage:
    """Forward the claimant's comment to an approver, with a fresh key to answer with."""
    lang = _lang(lang)
    texts = _render("claimant_comment", lang, reference=view.claim.reference,
                    title=_one_line(view.claim.title), claimant=claimant_name, text=text,
                    approver=approver)
    return _message(texts, to=approver, sender=sender, lang=lang,
                    msg_id=message_id(domain, "claimant_comment", reply_key),
                    reply_to=reply_address(reply_key, reply_pattern),
                    references=f"{_thread(view, domain)} {message_id(domain, 'key', reply_key)}")


def _answer(in_reply_to: str, references: str, kind: str, domain: str) -> dict[str, str]:
    """Our Message-ID and the threading headers of an answer to the approver's message.

    ``in_reply_to`` is the Message-ID the inbound side recorded; when the message had none
    it is a hash of the bytes, which still names our answer but is no header value.
    """
    theirs = _one_line(in_reply_to)
    thread = theirs if theirs.startswith("<") and theirs.endswith(">") else ""
    return {"in_reply_to": thread, "references": _one_line(f"{references} {thread}"),
            "msg_id": message_id(domain, kind, token(f"{kind}|{theirs}"))}


def decision_confirmation(view: ClaimSummary, *, decision: Decision, to: str, in_reply_to: str,
                          claimant_name: str, references: str = "", text: str = "",
                          lang: str = "nb", sender: str, domain: str) -> EmailMessage:
    """Confirm to an approver that their reply was applied (*Godkjent: K-… . Takk.*).

    ``in_reply_to`` and ``references`` are the approver's Message-ID and References.
    """
    lang = _lang(lang)
    answer = _answer(in_reply_to, references, "confirmation", domain)
    texts = _render("decision_confirmation", lang, decision=decision, text=text,
                    reference=view.claim.reference, title=_one_line(view.claim.title),
                    claimant=claimant_name, status=view.status.in_(lang))
    return _message(texts, to=to, sender=sender, lang=lang,
                    msg_id=answer["msg_id"], auto="auto-replied",
                    in_reply_to=answer["in_reply_to"], references=answer["references"])


def refusal(kind: str, *, to: str, in_reply_to: str, references: str = "", lang: str = "nb",
            sender: str, domain: str, reference: str | None = None,
            reply_key: str | None = None, reply_pattern: str = DEFAULT_PATTERN) -> EmailMessage:
    """Explain why a reply was not applied and what to do; ``kind`` is a key of REFUSALS.

    ``in_reply_to`` and ``references`` are the approver's Message-ID and References.
    ``reply_key`` becomes Reply-To only for kinds where the same approver may simply
    answer again (no answer found, a return without a reason, an unclear decision).

    Raises:
        KeyError: ``kind`` is not in ``REFUSALS``.
    """
    lang, how = _lang(lang), REFUSALS[kind]
    answer = _answer(in_reply_to, references, f"refusal_{kind}", domain)
    again = how.answer_again and reply_key is not None
    texts = _render(how.template, lang, reference=reference or "", to=to, answer_again=again)
    return _message(texts, to=to, sender=sender, lang=lang,
                    msg_id=answer["msg_id"], auto="auto-replied",
                    reply_to=reply_address(reply_key, reply_pattern) if again and reply_key
                    else None, in_reply_to=answer["in_reply_to"],
                    references=answer["references"])


def approver_reminder(*, to: str, reply_key: str, reference: str, title: str,
                      payer_name: str, stage_name: str, days_open: int,
                      also: list[dict[str, Any]], lang: str, sender: str, reply_pattern: str,
                      domain: str, day: str) -> EmailMessage:
    """Remind an approver of a waiting stage; a reply decides it, like the request."""
    lang = _lang(lang)
    texts = _render("approver_reminder", lang, reference=reference, title=_one_line(title),
                    payer_name=payer_name, stage_name=stage_name, days_open=days_open,
                    also=also)
    return _message(texts, to=to, sender=sender, lang=lang,
                    msg_id=message_id(domain, "reminder", token(f"{reply_key}:{day}")),
                    reply_to=reply_address(reply_key, reply_pattern),
                    references=message_id(domain, "key", reply_key))


DIGEST_SECTIONS = ("waiting", "returned", "approved", "payroll", "failures", "bouncing",
                   "failed_inbound", "strangers")
_MARKS = {"- ": False, "* ": True}  # an item; one that needs the admin's attention


class DigestItem(NamedTuple):
    """One line of a digest section."""

    text: str
    strong: bool
    sub: bool


class DigestSection(NamedTuple):
    """A digest section's title and items, as its template macro wrote them."""

    title: str
    items: list[DigestItem]

    @classmethod
    def read(cls, written: str) -> DigestSection:
        """The section from its macro's lines (their form: ``admin_digest.nb.txt.j2``)."""
        title, *lines = [line for line in written.splitlines() if line.strip()]
        items = []
        for line in lines:
            mark, text = line.lstrip()[:2], line.lstrip()[2:]
            if mark not in _MARKS:
                raise ValueError(f"a digest item with no mark: {line!r}")
            items.append(DigestItem(text, _MARKS[mark], line.startswith("  ")))
        return cls(title, items)


def render_digest(m: AdminDigest) -> Rendered:
    """The digest's subject, text and HTML in its language.

    Without a payroll CSV (``kvitt digest --print``) it names the command that writes the
    file instead of saying the file is attached.
    """
    lang = _lang(m.lang)
    words = _lines_env().get_template(f"admin_digest.{lang}.txt.j2").make_module(
        {"d": m.digest, "attached": bool(m.payroll_csv)})
    said = vars(words)
    context = {"lang": lang, "heading": said["heading"], "nothing": said["nothing"],
               "sections": [DigestSection.read(str(said[key]())) for key in DIGEST_SECTIONS]}
    return Rendered(_one_line(str(said["subject"])),
                    _env().get_template("admin_digest.txt.j2").render(context),
                    _env().get_template("admin_digest.html.j2").render(context))


def digest_mail(m: AdminDigest, *, to: str, sender: str, domain: str,
                message_key: str) -> EmailMessage:
    """An admin digest to one admin, with the payroll CSV attached when it has one."""
    lang = _lang(m.lang)
    message = _message(render_digest(m), to=to, sender=sender, lang=lang,
                       msg_id=message_id(domain, "digest", token(message_key)))
    if m.payroll_csv:
        message.add_attachment(base64.b64decode(m.payroll_csv), maintype="text",
                               subtype="csv", filename=m.payroll_csv_name)
        message["Content-Language"] = lang  # attaching moved the first one into the body
    return message
