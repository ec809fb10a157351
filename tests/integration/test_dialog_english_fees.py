"""Hours and fees on an English phone: what the claimant reads is English everywhere.

The catalogue's English labels and English units on the keyboard, the count question,
the saved line's echo, the summary and the line list; the stored line (and so the
approver's mail) keeps the Norwegian label.
"""

from __future__ import annotations

from domain.lines import ItemLine
from service import admin
from tests.integration.chat import Chat
from tests.integration.helpers import EXAMPLES
from tests.integration.test_dialog import _env


async def _respite_worker(env, user_id: int) -> Chat:
    await admin.apply_organisations(env, (EXAMPLES / "kommune-avlastning.toml").read_text())
    chat = Chat(env, user_id, "en")
    await chat.type(f"/start {(await admin.create_invite(env, 'eksempel-kommune')).code}")
    await chat.type("Aina Helper")
    await chat.press("Skip")
    await chat.type("1234 56 78903")
    await chat.type("/new")
    await chat.press("March 2026")
    await chat.press("Skip")
    await chat.type("Respite worker")
    await chat.press("3010 Avlastning")
    await chat.press("30100")
    await chat.press("254")
    await chat.type("-")
    await chat.type("-")
    assert "What do you want to add?" in chat.text
    return chat


async def test_hours_and_days_read_in_english_from_keyboard_to_summary(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _respite_worker(env, 1101)
    await chat.press("Hours/fee")
    assert "▫️ Respite worker, low rate · 95,00 kr/hour" in chat.labels
    assert "▫️ Allowance, over 10 years · 290,00 kr/day" in chat.labels
    await chat.press("Respite worker, low rate")
    await chat.press("Allowance, over 10 years")
    await chat.press("Done")
    assert "How many for Respite worker, low rate (hours), Allowance, over 10 years (days)?" \
        in chat.text
    await chat.type("48 2")
    said = chat.text
    assert "Saved" in said and "Respite worker, low rate: 48 hours × 95,00" in said
    assert "Allowance, over 10 years: 2 days × 290,00" in said
    assert "Avlaster" not in said and "Godtgjøring" not in said
    await chat.type("/summary")
    assert "Respite worker, low rate" in chat.text and "Avlaster" not in chat.text
    await chat.type("/lines")
    assert "Respite worker, low rate" in chat.text and "Avlaster" not in chat.text
    assert " time" not in chat.text and "døgn" not in chat.text
    (claim,) = await admin.claims_of(env, "eksempel-kommune")
    bodies = [line.body for line in claim.lines]
    assert all(isinstance(body, ItemLine) for body in bodies)
    assert sorted(getattr(body, "label", "") for body in bodies) == [  # the approver's language
        "Avlaster lav sats", "Godtgjøring over 10 år"]


async def test_one_hour_is_one_hour(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _respite_worker(env, 1102)
    await chat.press("Hours/fee")
    await chat.press("Respite worker, low rate")
    await chat.type("1")
    assert "Respite worker, low rate: 1 hour × 95,00" in chat.text
