"""Auto-replies and bounces are told apart from people's replies; a message has one key."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from mail.classify import classify
from mail.message import message_key, parse_message

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "email"


def _message(name: str) -> EmailMessage:
    return parse_message((FIXTURES / name).read_bytes())


@pytest.mark.parametrize(("name", "signal"), [
    ("exchange_automatisk_svar_nb.eml", "X-Auto-Response-Suppress: All with an out-of-office"
                                        " subject"),
    ("exchange_fravaer_nb.eml", "X-Auto-Response-Suppress: All with an out-of-office subject"),
    ("icloud_ferie_nb.eml", "X-Apple-Action: VACATION"),
    ("gmail_feriesvar_nb.eml", "Auto-Submitted: auto-replied"),
])
def test_norwegian_out_of_office_replies_are_auto_replies_even_when_they_say_godkjent(
        name, signal):
    verdict = classify(_message(name))
    assert (verdict.kind, verdict.signal) == ("auto_reply", signal)


@pytest.mark.parametrize("name", ["outlook_svar_godkjent_xars_nb.eml",
                                  "outlook_html_retur_liste_nb.eml", "iphone_godkjent_nb.eml",
                                  "gmail_tomt_svar_nb.eml"])
def test_replies_from_people_are_processed(name):
    assert classify(_message(name)).kind == "reply"


def _with(headers: dict[str, str], subject: str = "SV: [K-2026-000123]") -> EmailMessage:
    lines = [f"{name}: {value}" for name, value in {"From": "kari@firma.example",
                                                    "Subject": subject, **headers}.items()]
    return parse_message(("\r\n".join(lines) + "\r\n\r\nGodkjent\r\n").encode())


def test_x_auto_response_suppress_all_alone_is_a_person_writing_from_outlook():
    assert classify(_with({"X-Auto-Response-Suppress": "All"})).kind == "reply"
    assert classify(_with({"X-Auto-Response-Suppress": "All"}, "Autosvar: Ferie")).auto_reply


@pytest.mark.parametrize(("headers", "kind"), [
    ({"Auto-Submitted": "no"}, "reply"),
    ({"Auto-Submitted": "auto-generated"}, "auto_reply"),
    ({"X-Autoreply": "yes"}, "auto_reply"),
    ({"Precedence": "junk"}, "auto_reply"),
    ({"X-MS-Exchange-Inbox-Rules-Loop": "kari@firma.example"}, "auto_reply"),
    ({"Return-Path": "<>"}, "bounce"),
    ({"Return-Path": "<>", "Auto-Submitted": "auto-replied"}, "auto_reply"),
    ({"X-Failed-Recipients": "ola@firma.example", "Auto-Submitted": "auto-replied"}, "bounce"),
    ({"From": "MAILER-DAEMON@mx.firma.example (Mail Delivery System)"}, "bounce"),
    ({"From": "Mail Delivery Subsystem <postmaster@firma.example>"}, "bounce"),
    ({"From": "no-reply@firma.example"}, "auto_reply"),
])
def test_each_header_signal(headers, kind):
    assert classify(_with(headers)).kind == kind


def test_a_delivery_status_report_is_a_bounce_and_a_read_receipt_is_not():
    report = ('Content-Type: multipart/report; report-type={}; boundary="b"\r\n\r\n'
              '--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n')
    assert classify(parse_message(report.format("delivery-status").encode())).bounce
    receipt = classify(parse_message(report.format("disposition-notification").encode()))
    assert receipt.kind == "reply"


def test_the_key_is_the_message_id_or_else_a_hash_of_the_bytes():
    with_id = b"Message-ID: <abc@firma.example>\r\nSubject: x\r\n\r\nGodkjent\r\n"
    assert message_key(parse_message(with_id), with_id) == "<abc@firma.example>"
    without = b"Subject: x\r\n\r\nGodkjent\r\n"
    key = message_key(parse_message(without), without)
    assert key.startswith("sha256:") and key == message_key(parse_message(without), without)
    assert key != message_key(parse_message(without + b"!"), without + b"!")


def test_blank_lines_before_the_headers_do_not_hide_them():
    assert parse_message(b"\r\n\r\nSubject: Hei\r\n\r\nGodkjent\r\n")["Subject"] == "Hei"
