"""A bounded fuzz run (issue 9, must show): 1,000 malformed messages, none stuck, none fatal.

Through a real Dovecot into the real store (SQLite and PostgreSQL); 1,000 through
``kvitt mail ingest``'s entry function (``app.ingest_cli.ingest_message``, the real store,
one process: ``tests/support/ingest_fuzz.py``); and a sample of every kind through
``kvitt mail ingest`` as its own process: truncated MIME, wrong and unknown
charsets, 8-bit headers, NUL bytes, huge headers, nesting to 2,000 levels, a 20 MB
attachment, a From with 5,000 addresses, binary garbage, over-long From. Every message
ends in Processed, Rejected or Failed; 0 stay in the inbox; then a valid approval placed
after them all is applied. Time per message and peak memory are printed (``-s``) and
kept in the README's table.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from domain.claim import Status
from harness.dovecot import deliver, folder_counts
from mail.inbound_worker import RetryPolicy, imap_pass
from store.engine import make_engine, sqlite_url
from store.migrate import upgrade
from tests.integration.helpers import Clock, sql_env
from tests.integration.test_inbound import _claim, _keys, _submitted, reply
from tests.support import hostile_mail as hostile

COUNT = 1000
KVITT = str(Path(sys.executable).parent / "kvitt")
ROOT = Path(__file__).resolve().parents[2]


def _counts(account) -> dict[str, int]:
    return folder_counts(account, ("INBOX", "Processed", "Rejected", "Failed"))


async def test_a_thousand_malformed_messages_are_all_filed_and_the_approval_after_applies(
        engine, imap):
    account, source = imap
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    _, claim = await _submitted(env)
    (key,) = await _keys(env)
    corpus = list(hostile.fuzz_corpus(COUNT, f"krav+{key}@kvitt.example.no"))
    deliver(account, *[raw for _, raw in corpus], reply(key, "Godkjent"))
    from tests.integration.test_inbound import GATEWAY

    started, passes = time.perf_counter(), 0
    while _counts(account)["INBOX"] and passes < 60:
        await imap_pass(env, source, GATEWAY, RetryPolicy(attempts=1), limit=100)
        passes += 1
    seconds = time.perf_counter() - started
    counts = _counts(account)
    assert counts["INBOX"] == 0  # nothing stuck
    assert sum(counts.values()) == COUNT + 1
    assert (await _claim(env, claim.id)).status is Status.APPROVED
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nfuzz imap[{engine.dialect.name}]: {COUNT + 1} messages, {counts}, "
          f"{1000 * seconds / (COUNT + 1):.1f} ms/message, peak RSS {peak:.0f} MB")


async def test_a_thousand_malformed_messages_through_the_ingest_entry_then_an_approval_applies(
        tmp_path):
    """``kvitt mail ingest``'s entry function, 1,000 times in one process (a process each
    is the test below, with one message of each kind): every one recorded with exit 0."""
    data = tmp_path / "data"
    data.mkdir()
    engine = make_engine(sqlite_url(data))
    await upgrade(engine)
    env = sql_env(engine, Clock(datetime(2026, 3, 10, 12, tzinfo=UTC)))
    _, claim = await _submitted(env)
    (key,) = await _keys(env)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KVITT_")}
    environ.update({"KVITT_DATA_DIR": str(data),
                    "KVITT_REPLY_ADDRESS": "krav+{key}@kvitt.example.no"})
    done = subprocess.run([sys.executable, "-m", "tests.support.ingest_fuzz", str(COUNT), key],
                          env=environ, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout)
    assert figures["crashes"] == []  # nothing an MTA would see as a traceback
    assert figures["statuses"] == {"0": COUNT}  # every one recorded: nothing to try again
    assert sum(figures["outcomes"].values()) == COUNT
    assert figures["approval"] == {"outcome": "approved", "processed": True}
    assert (await _claim(env, claim.id)).status is Status.APPROVED
    await engine.dispose()
    print(f"\nfuzz ingest entry: {COUNT} messages, {figures['outcomes']}, "
          f"{figures['ms_per_message']} ms/message, peak RSS {figures['peak_rss_mb']} MB")


def test_every_kind_of_malformed_message_through_kvitt_mail_ingest_exits_0(tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KVITT_")}
    environ["KVITT_DATA_DIR"] = str(tmp_path / "data")
    subprocess.run([KVITT, "db", "upgrade"], env=environ, cwd=tmp_path, check=True,
                   capture_output=True, timeout=60)
    sample = list(hostile.fuzz_corpus(len(hostile.BUILDERS), "krav+abc@example.no",
                                      seed=11))
    outcomes: Counter[str] = Counter()
    started = time.perf_counter()
    for kind, raw in sample:
        done = subprocess.run([KVITT, "mail", "ingest"], input=raw, env=environ, cwd=tmp_path,
                              capture_output=True, timeout=120, check=False)
        assert done.returncode == 0, (kind, done.stdout, done.stderr)
        assert b"Traceback" not in done.stderr, kind
        outcomes[json.loads(done.stdout)["outcome"]] += 1
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\nfuzz ingest: {len(sample)} messages, {dict(outcomes)}, "
          f"{1000 * seconds / len(sample):.0f} ms/message (a process each), "
          f"peak RSS {peak:.0f} MB")
