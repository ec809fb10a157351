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


def test_a_poison_message_is_recorded_with_exit_0_and_no_traceback(kvitt):
    from tests.support import hostile_mail as hostile

    kvitt("db", "upgrade")
    for raw in (hostile.nested(1000), hostile.nul_subject(), hostile.long_from(),
                hostile.many_addresses(5000)):
        done = kvitt("mail", "ingest", stdin=raw)
        assert done.status == 0, done.err
        assert "Traceback" not in done.err
        assert json.loads(done.out)["processed"] is False


def test_a_database_that_is_down_exits_75_so_the_mta_tries_again(kvitt):
    done = kvitt("mail", "ingest", stdin=MESSAGE, env={
        "KVITT_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:9/kvitt"})
    assert done.status == 75, (done.out, done.err)
    assert "Traceback" not in done.err + done.out
