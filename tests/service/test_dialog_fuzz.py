"""A seeded fuzz of the claim wizard: 10 000 updates over 50 chats (issue 10).

Random Norwegian and English texts, numbers, dates and amounts, every command in the
middle of every question, buttons that are current, stale, forged or random, photos,
documents, stickers, voice notes and updates of unknown kinds, interleaved across 50
chats (most joined by invite, some strangers). It checks that no update raises, that
every update is answered, that no chat sees another chat's claims, and that every saved
line is inside the plausibility limits. The fake store keeps it fast and the seed keeps
it repeatable; the same engine runs on the real stores in tests/integration.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from pathlib import Path

from bot.dialog.commands import ALIASES, COMMANDS
from bot.dialog.core import Incoming, Reply
from bot.dialog.run import converse
from domain.calc import MAX_LINE_AMOUNT, compute_line
from domain.calendar import local_date
from domain.plausibility import refuse_impossible
from service import admin
from service.context import book_for
from tests.service.conftest import World

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
UPDATES, CHATS, SEED = 10_000, 50, 20261204
JPEG = b"\xff\xd8\xff\xe0" + b"kvittering " * 30
WORDS = ("Tromsø", "Bodø", "i går", "i dag", "forrige fredag", "mandag kl 18", "12.3",
         "1.1.2030", "28.02 kl 08.00", "kl 17", "07:30", "180", "12,5", "1 234,50", "EUR 45",
         "kr 44,-", "9999", "0", "-5", "ca 40 km", "Ola og Kari", "#3", "42", "mange", "ja",
         "nei", "1", "2", "i dag", "Bil", "Hotell", "Ferdig", "Hopp over", "Lagre", "Ingen",
         "yesterday",
         "last Friday", "Send anyway", "Done", "Skip", "1234 56 78903", "Kari Nordmann",
         "kari@example.no", "", "   ", "x" * 1200, "🙂", "DROP TABLE claims;", "2.3", "3")
OTHER = ("et klistremerke", "en talemelding", "en posisjon", "en kontakt", "en avstemning",
         "en melding av en annen type")


def _random_text(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return rng.choice(WORDS)
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 4)))


def _incoming(rng: random.Random, shown: list[Reply], codes: list[str]) -> Incoming:
    roll = rng.random()
    current = [b.value for r in shown for row in r.buttons for b in row]
    if roll < 0.50 and current:
        return Incoming("button", rng.choice(current), message_id=rng.randint(1, 50))
    if roll < 0.55:
        stale = f"{rng.randint(0, 500)}:{rng.choice(['yes', 'done', 'save', 'x', 'e:1'])}"
        return Incoming("button", rng.choice([stale, "o:id-999", "0:stale", "garbage",
                                              f"o:id-{rng.randint(1, 60)}"]))
    if roll < 0.63:
        name = rng.choice([*COMMANDS, *ALIASES, "foo", "START"])
        arg = rng.choice(["", rng.choice(codes), _random_text(rng)])
        return Incoming("command", arg, command=name)
    if roll < 0.67:
        return Incoming("file", file=rng.choice([JPEG, b"%PDF-1.4 x", b"\x00\x01rubbish", b""]))
    if roll < 0.70:
        return Incoming("other", rng.choice(OTHER))
    return Incoming("text", _random_text(rng))


async def test_ten_thousand_random_updates_over_fifty_chats(world: World):
    env = world.env
    for name in ("handball-region-nord", "kommune-avlastning", "forening-kvann"):
        await admin.apply_organisations(env, (EXAMPLES / f"{name}.toml").read_text())
    slugs = ("tromso-hk", "bodo-hk", "eksempel-kommune", "eksempel-forening")
    codes = [(await admin.create_invite(env, slugs[i % 4], max_uses=3)).code
             for i in range(40)]
    rng = random.Random(SEED)
    chats = [9000 + n for n in range(CHATS)]
    shown: dict[int, list[Reply]] = defaultdict(list)
    references: dict[int, set[str]] = defaultdict(set)
    identities: dict[int, set[str]] = defaultdict(set)  # who the chat has been (erasure ends it)
    for n, chat in enumerate(chats[:40]):  # most chats have joined by an invite link
        for incoming in (Incoming("command", codes[n], command="start"),
                         Incoming("text", f"Person {n}"), Incoming("text", "p@example.no"),
                         Incoming("text", "1234 56 78903")):
            shown[chat] = await converse(env, chat, chat, incoming)
    for _ in range(UPDATES):
        chat = rng.choice(chats)
        incoming = _incoming(rng, shown[chat], codes)
        replies = await converse(env, chat, chat, incoming,
                                 language_code=rng.choice(["nb", "en", None]))
        assert replies, f"no answer to {incoming} in chat {chat}"
        shown[chat] = replies
        for reply in replies:
            references[chat] |= set(re.findall(r"K-\d{4}-\d{6}", reply.text))
        identities[chat] |= {c.id for c in world.db.claimants.values() if c.telegram_id == chat}

    claims = list(world.db.claims.values())
    owner = {c.reference: c.claimant_id for c in claims}
    for chat, seen in references.items():  # no chat is ever shown another's claim
        assert {owner[r] for r in seen if r in owner} <= identities[chat]
    for chat, state in world.db.dialogs.items():
        claim_id = state.data.get("claim_id")
        if claim_id:
            assert world.db.claims[claim_id].claimant_id in identities[chat]
    today = local_date(env.clock())
    lines = 0
    for claim in claims:
        orgs = {s: world.db.organisations[s].organisation for s in claim.payers}
        for line in claim.lines:
            lines += 1
            unit = next((e.unit for o in orgs.values()
                         if (e := o.entry(line.type_code or getattr(line.body, "code", "")))),
                        "")
            refuse_impossible(line.body, today, unit)
            result = compute_line(line.body, book_for(env, orgs), claim.rate_set)
            assert result.amount <= MAX_LINE_AMOUNT
    assert len(claims) >= 5 and lines >= 5  # the fuzz got deep enough to save lines
