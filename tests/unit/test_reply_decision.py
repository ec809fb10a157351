"""Reading an approver's reply: the visible text, then the decision on its first line."""

from __future__ import annotations

from pathlib import Path

import pytest

from mail.decision import Decision, decide
from mail.message import html_to_text, parse_message
from mail.visible import visible_reply, visible_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "email"

REQUEST = ("GODKJENT eller RETUR? Svar på første linje.\n\n"
           "Ola Nordmann har sendt reiseregning K-2026-000123 (4 250,00 kr) til godkjenning.\n"
           "Svar GODKJENT for å godkjenne, eller RETUR og grunnen.")


def _quoted(text: str = REQUEST) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.splitlines())


def _read(text: str) -> Decision:
    return decide(visible_text(text))


# How real clients quote our request under a reply, in Norwegian and English.
QUOTES = {
    "apple": f"Den 3. mar. 2026 kl. 10:00 skrev Kvitt <krav+k7q2@kvitt.example>:\n\n{_quoted()}",
    "apple quoted header": f"> Den 3. mar. 2026 kl. 10.00 skrev Kvitt <krav@kvitt.example>:\n"
                           f">\n{_quoted()}",
    "gmail wrapped": f"tir. 3. mar. 2026 kl. 10:00 skrev Kvitt <krav+k7q2@kvitt.example\n>:\n\n"
                     f"{_quoted()}",
    "gmail weekday": f"torsdag 5. mars 2026 skrev Kvitt følgende:\n\n{_quoted()}",
    "old gmail": f"2026/3/3 Kvitt <krav+k7q2@kvitt.example>\n\n{_quoted()}",
    "thunderbird": f"Den 03.03.2026 10:00, skrev Kvitt:\n{_quoted()}",
    "yahoo": f"   Den Tirsdag, 3. mars 2026 10.00 skrev Kvitt <krav@kvitt.example>:\n\n{REQUEST}",
    "outlook": "-----Opprinnelig melding-----\nFra: Kvitt [mailto:krav@kvitt.example]\n"
               f"Sendt: 3. mars 2026 10:00\nTil: Kari\nEmne: [K-2026-000123]\n\n{REQUEST}",
    "outlook bold": "________________________________\n*Fra:* Kvitt <krav@kvitt.example>\n"
                    f"*Sendt:* tirsdag 3. mars 2026 10:00\n*Til:* Kari\n\n{REQUEST}",
    "english": f"On Tue, Mar 3, 2026 at 10:00 AM Kvitt <krav@kvitt.example> wrote:\n{_quoted()}",
    "bare quote": _quoted(),
}


@pytest.mark.parametrize("client", QUOTES)
@pytest.mark.parametrize("written", ["", "Hva gjelder dette?", "Sendt fra min iPhone"])
def test_an_approve_word_only_in_the_quoted_request_never_approves(client, written):
    decision = _read(f"{written}\n\n{QUOTES[client]}")
    assert decision.intent != "approve"
    assert decision.intent == ("comment" if written.startswith("Hva") else "none")


@pytest.mark.parametrize("client", QUOTES)
def test_the_answer_above_any_quote_decides(client):
    assert _read(f"Godkjent\n\n{QUOTES[client]}") == Decision("approve", "")
    assert _read(f"RETUR: feil dato\n\n{QUOTES[client]}") == Decision("return", "feil dato")


def test_a_reply_below_the_quote_is_read_too():
    text = f"Den 3. mar. 2026 kl. 10:00 skrev Kvitt <krav@kvitt.example>:\n{_quoted()}\n\nGodkjent"
    assert _read(text) == Decision("approve", "")


@pytest.mark.parametrize("html", [
    "<div dir=ltr><br></div><div class=gmail_quote>tir. 3. mar. 2026 kl. 10:00 skrev Kvitt "
    "&lt;krav@kvitt.example&gt;:<blockquote class=gmail_quote><p>GODKJENT eller RETUR?</p>"
    "</blockquote></div>",
    "<p>&nbsp;</p><hr><div id=divRplyFwdMsg><b>Fra:</b> Kvitt<br><b>Sendt:</b> 3. mars 2026"
    "<br><b>Til:</b> Kari</div><p>GODKJENT eller RETUR?</p>",
])
def test_an_html_only_reply_with_nothing_written_decides_nothing(html):
    assert decide(visible_text(html_to_text(html))) == Decision("none", "")


def test_an_empty_gmail_reply_decides_nothing():
    message = parse_message((FIXTURES / "gmail_tomt_svar_nb.eml").read_bytes())
    assert decide(visible_reply(message)) == Decision("none", "")


@pytest.mark.parametrize("text", [
    "Ikke godkjent", "IKKE GODKJENT.", "Ikke godkjent før kvitteringene er med",
    "ikke godkjenn", "Kan ikke godkjennes", "Godkjenner ikke", "Godkjent? Nei.", "Godkjent?",
    "not approved", "Not approved yet", "Approved? No", "Jeg har ikke godkjent dette",
])
def test_a_negated_or_asked_approval_never_approves_and_is_a_comment(text):
    assert decide(text) == Decision("comment", text)


@pytest.mark.parametrize("text", [
    "Godkjent", "GODKJENT", "godkjent.", "Godkjenner", "Godkjend", "Approve", "APPROVED!",
    "*Godkjent*",
])
def test_an_approve_word_on_the_first_line_approves(text):
    assert decide(text) == Decision("approve", "")


def test_words_after_the_approval_are_kept_as_a_note():
    assert decide("Godkjent, takk!") == Decision("approve", "takk!")


def test_a_return_reason_keeps_list_lines_whole():
    text = ("RETUR: kvitteringene mangler for\n"
            "- hotell i Bergen 12.–13. mai (1 850 kr)\n"
            "- taxi fra Flesland 12. mai\n\n"
            "Last dem opp og send inn på nytt.\n\n"
            "Med vennlig hilsen\nKari Nordmann\n\n" + QUOTES["apple"])
    assert _read(text) == Decision("return", "kvitteringene mangler for\n"
                                             "- hotell i Bergen 12.–13. mai (1 850 kr)\n"
                                             "- taxi fra Flesland 12. mai\n\n"
                                             "Last dem opp og send inn på nytt.")


def test_a_return_reason_may_start_on_the_next_line():
    assert _read("Retur\n\nFeil sats for kilometergodtgjørelse.\n\nMvh Kari") == Decision(
        "return", "Feil sats for kilometergodtgjørelse.")


def test_a_return_written_as_html_list_keeps_its_items():
    message = parse_message((FIXTURES / "outlook_html_retur_liste_nb.eml").read_bytes())
    assert decide(visible_reply(message)) == Decision(
        "return", "kvitteringene mangler for\n- hotell i Bergen 12.–13. mai (1 850 kr)\n"
                  "- taxi fra Flesland 12. mai\nLast dem opp og send inn på nytt.")


@pytest.mark.parametrize("word", ["RETUR", "Retur:", "Avvist", "Return", "Reject"])
def test_a_return_without_a_reason_has_an_empty_reason_for_the_caller_to_refuse(word):
    assert _read(f"{word}\n\nSendt fra min iPhone\n\n{QUOTES['apple']}") == Decision("return")


def test_anything_else_is_a_comment_with_the_whole_visible_text():
    text = "Hvorfor er hotellet så dyrt?\n\nJeg godkjenner når jeg har hørt fra deg."
    assert _read(f"{text}\n\n{QUOTES['outlook']}") == Decision("comment", text)


def test_sendt_fra_min_iphone_is_removed():
    assert visible_text(f"Godkjent\n\nSendt fra min iPhone\n\n{QUOTES['apple quoted header']}") \
        == "Godkjent"
    message = parse_message((FIXTURES / "iphone_godkjent_nb.eml").read_bytes())
    assert visible_reply(message) == "Godkjent, takk!"


@pytest.mark.parametrize("sign_off", ["Med vennlig hilsen", "Vennlig hilsen", "Mvh", "Hilsen",
                                      "Best regards", "Hent Outlook for iOS", "-- "])
def test_sign_offs_and_what_follows_them_are_removed(sign_off):
    text = f"Retur: mangler kvittering for parkering.\n\n{sign_off}\nKari Nordmann\nØkonomi"
    assert visible_text(text) == "Retur: mangler kvittering for parkering."


def test_a_sign_off_that_is_the_whole_reply_is_kept():
    assert visible_text("Hilsen Kari") == "Hilsen Kari"
