"""Outbound mail for a referee's claim that two clubs pay: headers, parts, escaping, language.

The claim: a match fee for each club, a split driving leg with a passenger, a split
per diem and a toll receipt for Bodø. Tromsø has approved; Bodø's approver gets the
request.
"""

import io
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal as D
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from domain import workflow
from domain.claim import Actor, Claim, ClaimLine
from domain.lines import Expense, ItemLine, MileageLeg, PerDiem
from domain.money import ForeignAmount, format_kr
from domain.organisation import organisations_from_toml
from domain.rates import default_book
from mail import compose
from mail.addresses import key_from_address, key_from_references, message_id
from service import inbound
from service.messages import AdminDigest
from service.summary import ClaimSummary, summarise
from tests.support.samples import SAMPLES

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "kvitt.example.no"
PATTERN = "krav+{key}@kvitt.example.no"
SENDER = "Kvitt <krav@kvitt.example.no>"
ACCOUNT = "12345678903"
RECEIPT = ("bompenger.jpg", b"\xff\xd8\xff\xe0 a jpeg", "image/jpeg")
PAYERS = ("tromso-hk", "bodo-hk")


@cache
def referee_summary(title: str = "Dommeroppdrag <script>alert(1)</script>") -> ClaimSummary:
    """The two-club referee claim, submitted and approved by Tromsø (read only)."""
    text = (ROOT / "examples" / "handball-region-nord.toml").read_text()
    orgs = {org.slug: org for org, _ in organisations_from_toml(text)}
    book = default_book().with_tables([t for org in orgs.values() for t in org.rate_tables])
    claim = Claim("c-1", "K-2026-000123", "u-1", PAYERS, title, rate_set="handball-nord",
                  purpose="Kamper i 4. og 5. divisjon", route="Tromsø – Bodø – Tromsø",
                  allocation={"prosjekt": "Dommere 2026"})
    claim.lines = [
        ClaimLine("1", ItemLine(date(2026, 3, 14), D(1), D("360.00"), True,
                                "Kamphonorar 4. divisjon", "kamp-4div"), payer="tromso-hk"),
        ClaimLine("2", ItemLine(date(2026, 3, 15), D(1), D("310.00"), True,
                                "Kamphonorar 5. divisjon", "kamp-5div"), payer="bodo-hk"),
        ClaimLine("3", MileageLeg(date(2026, 3, 14), D(120), passengers=("Ola Linjedommer",)),
                  remark="Tromsø–Bodø"),
        ClaimLine("4", PerDiem(datetime(2026, 3, 14, 8), datetime(2026, 3, 15, 19), D(120))),
        ClaimLine("5", Expense(date(2026, 3, 14), "toll", ForeignAmount("NOK", D(45), D(1))),
                  payer="bodo-hk", type_code="bom", attachments=("sha-1",)),
    ]
    workflow.submit(claim, orgs, book, Actor("claimant", "u-1", "telegram"),
                    datetime(2026, 3, 16, 9, 30, tzinfo=UTC))
    workflow.approve(claim, "tromso-hk", 0, 1,
                     Actor("approver", "dommer@tromso-hk.no", "email"),
                     datetime(2026, 3, 17, 14, 5, tzinfo=UTC))
    return summarise(claim, orgs, book, date(2026, 3, 17))


def request(view: ClaimSummary | None = None, *, lang: str = "nb",
            account: str | None = None) -> EmailMessage:
    return compose.approval_request(
        view or referee_summary(), payer="bodo-hk", stage_name="godkjenning",
        approver="dommer@bodo-hk.no", reply_key="k3y0001", lang=lang, sender=SENDER,
        reply_pattern=PATTERN, domain=DOMAIN, claimant_name="Kari Dommer",
        bank_account_for_payer=account, receipts=[RECEIPT], masked_account="**** ** *8903")


def parts(message: EmailMessage) -> tuple[str, str]:
    """The text and HTML bodies, as a receiving client sees them (after a round-trip)."""
    received = BytesParser(policy=policy.default).parsebytes(message.as_bytes())
    assert isinstance(received, EmailMessage)
    plain, html = received.get_body(("plain",)), received.get_body(("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


def pdf_text(message: EmailMessage) -> str:
    attached = next(p for p in message.iter_attachments()
                    if p.get_content_type() == "application/pdf")
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(
        attached.get_content())).pages)


def reply_from_approver(to_message: EmailMessage, body: str = "RETUR") -> EmailMessage:
    reply = EmailMessage()
    reply["From"] = "dommer@bodo-hk.no"
    reply["To"] = str(to_message["Reply-To"])
    reply["Subject"] = f"Re: {to_message['Subject']}"
    reply["Message-ID"] = "<CAF+reply-1@mail.gmail.com>"
    reply["In-Reply-To"] = str(to_message["Message-ID"])
    reply["References"] = f"{to_message['References']} {to_message['Message-ID']}"
    reply.set_content(body)
    return reply


def test_the_request_has_the_reference_title_and_claimant_in_the_subject():
    assert request()["Subject"] == (
        "[K-2026-000123] Til godkjenning: Dommeroppdrag <script>alert(1)</script> (Kari Dommer)")
    assert request(lang="en")["Subject"].startswith("[K-2026-000123] For approval: Dommer")


def test_the_request_is_addressed_so_the_reply_finds_its_key():
    message = request()
    assert (message["To"], message["From"]) == ("dommer@bodo-hk.no", SENDER)
    assert message["Reply-To"] == "krav+k3y0001@kvitt.example.no"
    assert key_from_address(str(message["Reply-To"]), PATTERN) == "k3y0001"
    assert message["Message-ID"] == message_id(DOMAIN, "approval_request", "k3y0001")
    assert message_id(DOMAIN, "key", "k3y0001") in str(message["References"])
    assert key_from_references(str(message["References"]), DOMAIN) == "k3y0001"
    assert message["Auto-Submitted"] == "auto-generated"


def test_the_same_request_composed_twice_has_the_same_message_id():
    assert request()["Message-ID"] == request()["Message-ID"]


def test_the_request_has_text_and_html_and_the_pdf_and_receipts_attached():
    message = request()
    assert message.get_content_type() == "multipart/mixed"
    text, html = parts(message)
    assert text.startswith("Hei,") and html.lstrip().startswith("<!DOCTYPE html>")
    attached = {p.get_filename(): (p.get_content_type(), p.get_content())
                for p in message.iter_attachments()}
    assert set(attached) == {"K-2026-000123.pdf", "bompenger.jpg"}
    assert attached["bompenger.jpg"] == ("image/jpeg", RECEIPT[1])
    kind, pdf = attached["K-2026-000123.pdf"]
    assert kind == "application/pdf" and pdf.startswith(b"%PDF")


def test_the_html_escapes_what_people_typed_and_the_text_keeps_it():
    text, html = parts(request())
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Dommeroppdrag <script>alert(1)</script>" in text


@pytest.mark.parametrize(("lang", "words"), [
    ("nb", ["GODKJENT", "RETUR <begrunnelse>", "Alt annet du skriver, sendes som en kommentar",
            "på første linje"]),
    ("en", ["APPROVE", "RETURN <reason>", "Anything else you write is sent to Kari Dommer as "
            "a comment", "On the first line"]),
])
def test_the_request_says_exactly_what_to_write(lang, words):
    text, html = parts(request(lang=lang))
    for word in words:
        assert word in text
    assert ">GODKJENT<" in html and ">RETUR<" in html and ">APPROVE<" in html


def test_the_request_shows_this_payers_share_the_whole_claim_and_every_line():
    view = referee_summary()
    text, html = parts(request(view))
    share, total = view.payers["bodo-hk"], view.totals
    for body in (text, html):
        assert f"Bodø Håndballklubb: {format_kr(share.amount)} kr" in body.replace(
            "</th><td class=\"n\"><b>", ": ").replace("TIL BETALING FRA ", "")
        assert format_kr(total.amount) in body and format_kr(total.taxable) in body
        assert "Bil: 120 km × 3,50 = 420,00" in body
        assert "Passasjerer: Ola Linjedommer" in body
        assert "Reisen går over midnatt" in body
        assert "Dommere 2026" in body
        assert "Godkjent elektronisk av dommer@tromso-hk.no" in body
    assert "trekkfritt 572,46 kr, trekkpliktig 556,61 kr" in text


def test_the_bank_account_is_masked_for_an_approver_whose_payer_does_not_pay_it():
    message = request(account=None)
    text, html = parts(message)
    for body in (text, html):
        assert "**** ** *8903" in body and "vises i sin helhet bare for betaleren" in body
        assert "1234 56 78903" not in body and ACCOUNT not in body
    assert "**** ** *8903" in pdf_text(message) and "78903" not in pdf_text(message)


def test_the_bank_account_is_in_full_for_the_payer_who_pays_it():
    message = request(account=ACCOUNT)
    text, html = parts(message)
    for body in (text, html):
        assert "1234 56 78903" in body and "*8903" not in body
    assert "1234 56 78903" in pdf_text(message)


def test_a_newline_in_a_title_cannot_add_a_header():
    message = request(referee_summary("Tur\r\nBcc: alle@example.com"))
    assert message["Subject"] == "[K-2026-000123] Til godkjenning: Tur Bcc: alle@example.com " \
                                 "(Kari Dommer)"
    assert message["Bcc"] is None


def test_the_return_notice_tells_the_claimant_the_reason_and_what_to_do():
    notice = compose.return_notice(
        referee_summary(), to="kari@example.no", payer="bodo-hk", returned_by="dommer@bodo-hk.no",
        reason="Kvittering for bompenger er uleselig.\n- ta nytt bilde", lang="nb",
        sender=SENDER, domain=DOMAIN, message_key="c-1:9:returned:email")
    text, html = parts(notice)
    assert notice["Subject"].startswith("[K-2026-000123] Sendt i retur: Dommeroppdrag")
    assert "Kvittering for bompenger er uleselig.\n- ta nytt bilde" in text
    assert "send det inn på nytt" in text and "&lt;script&gt;" in html
    assert notice["Auto-Submitted"] == "auto-generated" and notice["Reply-To"] is None


def test_a_comment_reaches_the_claimant_escaped_in_html():
    mail = compose.comment_to_claimant(
        referee_summary(), to="kari@example.no", author="dommer@bodo-hk.no", payer="bodo-hk",
        text="Hvor er <b>kvitteringen</b>?", lang="en", sender=SENDER, domain=DOMAIN,
        message_key="c-1:9:commented:email")
    text, html = parts(mail)
    assert "Hvor er <b>kvitteringen</b>?" in text and "&lt;b&gt;kvitteringen" in html
    assert mail["Subject"].startswith("[K-2026-000123] A comment on your claim")


def test_the_claimants_comment_gives_the_approver_a_fresh_key_to_answer_with():
    mail = compose.claimant_comment_to_approver(
        referee_summary(), approver="dommer@bodo-hk.no", claimant_name="Kari Dommer",
        text="Kvitteringen er lagt ved nå.", reply_key="fresh22", lang="nb", sender=SENDER,
        reply_pattern=PATTERN, domain=DOMAIN)
    assert key_from_address(str(mail["Reply-To"]), PATTERN) == "fresh22"
    assert key_from_references(str(mail["Message-ID"]), DOMAIN) == "fresh22"
    text, _ = parts(mail)
    assert "Kvitteringen er lagt ved nå." in text and "GODKJENT" in text


@pytest.mark.parametrize(("lang", "decision", "subject"), [
    ("nb", "approve", "Godkjent: K-2026-000123. Takk."),
    ("en", "approve", "Approved: K-2026-000123. Thank you."),
    ("nb", "return", "Sendt i retur: K-2026-000123. Takk."),
    ("en", "comment", "Comment sent: K-2026-000123"),
])
def test_the_approver_gets_a_confirmation_threaded_to_their_reply(lang, decision, subject):
    original = reply_from_approver(request(), "GODKJENT")
    mail = compose.decision_confirmation(
        referee_summary(), decision=decision, to="dommer@bodo-hk.no",
        in_reply_to=str(original["Message-ID"]), references=str(original["References"]),
        claimant_name="Kari Dommer", text="Mangler kvittering", lang=lang, sender=SENDER,
        domain=DOMAIN)
    assert mail["Subject"] == subject
    assert mail["In-Reply-To"] == "<CAF+reply-1@mail.gmail.com>"
    assert str(mail["References"]).endswith("<CAF+reply-1@mail.gmail.com>")
    assert mail["Auto-Submitted"] == "auto-replied"
    text, _ = parts(mail)
    assert "K-2026-000123" in text and "Kari Dommer" in text
    if decision == "approve":
        assert subject.split(". ")[0] in text  # "Godkjent: K-2026-000123"


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("kind", sorted(compose.REFUSALS))
def test_every_refusal_has_its_own_template_in_both_languages(kind, lang):
    original = reply_from_approver(request())
    mail = compose.refusal(kind, to="dommer@bodo-hk.no", in_reply_to=str(original["Message-ID"]),
                           references=str(original["References"]), lang=lang, sender=SENDER,
                           domain=DOMAIN, reference="K-2026-000123", reply_key="k3y0001",
                           reply_pattern=PATTERN)
    text, html = parts(mail)
    assert mail["Auto-Submitted"] == "auto-replied"
    assert mail["In-Reply-To"] == "<CAF+reply-1@mail.gmail.com>"
    assert str(mail["References"]).endswith("<CAF+reply-1@mail.gmail.com>")
    assert ("Slik gjør du" if lang == "nb" else "What to do") in text
    assert ("Svaret ditt ble ikke registrert" if lang == "nb"
            else "Your reply was not recorded") in mail["Subject"]
    assert "<p>" in html
    others = {k for k in compose.REFUSALS if k != kind}
    assert all(text != parts(compose.refusal(k, to="a@b.no", in_reply_to="<x@y>", lang=lang,
                                             sender=SENDER, domain=DOMAIN))[0] for k in others)


def test_the_refusal_templates_on_disk_are_exactly_the_table():
    on_disk = {p.name for p in (ROOT / "mail" / "templates").glob("refusal_*")}
    assert on_disk == {f"{r.template}.{lang}.txt.j2"
                       for r in compose.REFUSALS.values() for lang in ("nb", "en")}


def test_every_refusal_the_service_can_queue_has_a_template():
    assert set(compose.REFUSALS) == set(inbound.REFUSALS)


def test_only_a_refusal_the_approver_may_simply_answer_again_keeps_the_key():
    def refused(kind: str) -> EmailMessage:
        return compose.refusal(kind, to="x@y.no", in_reply_to="<CAF+1@x>", sender=SENDER,
                               domain=DOMAIN, reply_key="k3y0001", reply_pattern=PATTERN)

    assert refused("return_without_reason")["Reply-To"] == "krav+k3y0001@kvitt.example.no"
    assert refused("wrong_sender")["Reply-To"] is None
    assert refused("unknown_key")["Reply-To"] is None


def test_an_unknown_refusal_kind_is_a_programming_error():
    with pytest.raises(KeyError):
        compose.refusal("no_such_kind", to="x@y.no", in_reply_to="<x@y>", sender=SENDER,
                        domain=DOMAIN)


def test_a_reply_without_a_message_id_is_answered_without_threading_headers():
    mail = compose.refusal("unknown_key", to="x@y.no", in_reply_to="sha256:0badc0de",
                           sender=SENDER, domain=DOMAIN)
    assert mail["In-Reply-To"] is None and mail["References"] is None
    assert mail["Message-ID"] != compose.refusal(
        "unknown_key", to="x@y.no", in_reply_to="sha256:1badc0de", sender=SENDER,
        domain=DOMAIN)["Message-ID"]


def test_a_language_we_do_not_have_gets_norwegian():
    assert request(lang="de")["Subject"] == request(lang="nb")["Subject"]


def test_every_refusal_is_a_class_with_one_template_in_the_table():
    assert {cls.kind for cls in inbound.REFUSED} == set(compose.REFUSALS)
    assert all(issubclass(cls, inbound.Refused) and cls.__doc__ for cls in inbound.REFUSED)



def _digest_message(**changes: Any) -> AdminDigest:
    sample = SAMPLES[AdminDigest]
    assert isinstance(sample, AdminDigest)
    return replace(sample, **changes)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_digest_has_every_section_in_both_languages_with_the_same_text_and_html(lang):
    texts = compose.render_digest(_digest_message(lang=lang))
    titles = [line for line in texts.text.splitlines()[1:] if line and not line[0].isspace()]
    assert len(titles) == len(compose.DIGEST_SECTIONS)
    assert all(f"<h2>{title}</h2>" in texts.html for title in titles)
    assert "(approval_request, K-2026-000001)" in texts.text


def test_a_value_with_a_line_break_stays_one_item_of_the_digest():
    d = _digest_message().digest
    returned = (replace(d.returned[0], reason="Feil dato\n* ⚠ falsk linje"),)
    texts = compose.render_digest(_digest_message(digest=replace(d, returned=returned)))
    assert "«Feil dato * ⚠ falsk linje»" in texts.text
    assert texts.html.count("<strong>") == 7  # the sample's own: the reason added none


def test_the_digest_mail_attaches_the_payroll_file_only_when_it_has_one():
    with_csv = compose.digest_mail(_digest_message(lang="en"), to="okonomi@ikfjell.no",
                                   sender=SENDER, domain=DOMAIN, message_key="k")
    assert [p.get_filename() for p in with_csv.iter_attachments()] == [
        "lonn-ik-fjell-2026-03.csv"]
    assert with_csv["Content-Language"] == "en"
    body = with_csv.get_body(("plain",))
    assert body is not None and "payroll file is attached (CSV)" in body.get_content()
    without = compose.digest_mail(_digest_message(payroll_csv=""), to="okonomi@ikfjell.no",
                                  sender=SENDER, domain=DOMAIN, message_key="k")
    assert list(without.iter_attachments()) == []
    plain = without.get_body(("plain",))
    assert plain is not None and "kvitt export payroll ik-fjell --period" in plain.get_content()
