"""Honest DMARC/DKIM (issue 9, seen 3): the three bypasses, each refused.

Only the topmost ``Authentication-Results``, and only when it is our server's
(``KVITT_AUTHSERV_ID``), counts; it is parsed by a real RFC 8601 parser (``authres``),
and "same organisation" is decided with the Public Suffix List.
"""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from mail.authentication import authenticated
from mail.message import parse_message

OURS = "mx.kvitt.example.no"
SENDER = "kasserer@tromso-hk.no"


def message(*results: str) -> EmailMessage:
    head = "".join(f"Authentication-Results: {r}\r\n" for r in results)
    return parse_message(f"{head}From: {SENDER}\r\nSubject: Re\r\n\r\nGodkjent\r\n".encode())


def test_our_servers_pass_for_the_senders_domain_counts():
    assert authenticated(message(f"{OURS}; dmarc=pass header.from=tromso-hk.no"), SENDER, OURS)
    assert authenticated(message(f"{OURS}; dkim=pass header.d=mail.tromso-hk.no"), SENDER, OURS)


def test_a_header_the_sender_wrote_is_not_trusted_without_ours_above_it():
    forged = f"{OURS}; dmarc=pass header.from=tromso-hk.no"
    # our server added nothing (or something else) on top: the sender's own header is below
    assert not authenticated(message("other.example; spf=none", forged), SENDER, OURS)
    assert not authenticated(message(f"{OURS}; dmarc=fail header.from=tromso-hk.no", forged),
                             SENDER, OURS)


def test_pass_words_inside_another_propertys_value_are_not_a_pass():
    assert not authenticated(message(
        f'{OURS}; spf=fail smtp.mailfrom="dkim=pass header.d=tromso-hk.no"'), SENDER, OURS)
    assert not authenticated(message(
        f'{OURS}; dkim=fail reason="dkim=pass header.d=tromso-hk.no" header.d=tromso-hk.no'),
        SENDER, OURS)


@pytest.mark.parametrize("domain", ["no", "evil-tromso-hk.no", "hk.no", "co.uk"])
def test_a_public_suffix_or_a_lookalike_is_not_the_senders_organisation(domain):
    assert not authenticated(message(f"{OURS}; dkim=pass header.d={domain}"), SENDER, OURS)


def test_without_an_authserv_id_nothing_is_proven():
    assert not authenticated(message(f"{OURS}; dmarc=pass header.from=tromso-hk.no"), SENDER, "")


def test_dmarc_required_without_an_authserv_id_refuses_to_start():
    from app.settings import Settings, SettingsError

    with pytest.raises(SettingsError, match="KVITT_AUTHSERV_ID"):
        Settings.load({"KVITT_REQUIRE_DMARC": "true"}, env_file=None)
    assert Settings.load({"KVITT_REQUIRE_DMARC": "true", "KVITT_AUTHSERV_ID": OURS},
                         env_file=None).mail.authserv_id == OURS
