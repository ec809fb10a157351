"""``kvitt mail ingest``: one message from an MTA pipe, recorded once, exit 0."""

from __future__ import annotations

import json

MESSAGE = (b"From: someone@example.no\r\nTo: krav+abcdef@example.no\r\n"
           b"Subject: Re: noe\r\nMessage-ID: <pipe-1@example.no>\r\n\r\nGodkjent\r\n")


def test_a_piped_message_is_recorded_and_a_second_delivery_is_a_duplicate(kvitt):
    kvitt("db", "upgrade")
    first = kvitt("mail", "ingest", stdin=MESSAGE)
    assert first.status == 0, first.err
    assert json.loads(first.out) == {"outcome": "unknown_key", "processed": False}
    again = kvitt("mail", "ingest", stdin=MESSAGE)
    assert json.loads(again.out) == {"outcome": "duplicate", "processed": False}
