"""The referee's second claim through the real PTB Application and the local Bot API.

The same scenario as tests/integration/test_tap_counts.py (tests/scenarios/claims.toml),
played by a Telegram user: photos as photos, buttons as callback queries. It takes the
same number of messages and taps, and comes to the same money as the first claim.
"""

from __future__ import annotations

from decimal import Decimal

from domain.calc import Totals
from domain.claim import Status
from harness.telegram_user import TelegramUser
from service import admin
from tests.e2e import test_telegram_claims as claims_e2e
from tests.e2e.test_telegram_claims import JPEG, Bot, _join
from tests.integration.test_tap_counts import SCENARIOS, money

bot = claims_e2e.bot  # the same bot: the real PTB Application on the local Bot API


async def play(user: TelegramUser, steps: list[str]) -> int:
    """Play a scenario's steps as a Telegram user; the messages and taps they took."""
    taps = 0
    for step in steps:
        if step.startswith("= "):
            assert step[2:] in user.text, f"expected {step[2:]!r} in:\n{user.text}"
            continue
        taps += 1
        if step == "📎":
            await user.send_photo(JPEG)
        elif step.startswith("[") and step.endswith("]"):
            await user.press(step[1:-1])
        else:
            await user.type(step)
        assert "Beklager" not in user.text, f"{step!r} crashed:\n{user.text}"
    return taps


async def test_the_referees_second_claim_takes_the_same_taps_through_telegram(bot: Bot):
    scenario = SCENARIOS["referee"]
    per = await _join(bot, 6101, *scenario["payers"])
    await play(per, scenario["first"])
    taps = await play(per, scenario["second"])
    assert taps == scenario["taps"] <= scenario["goal"]
    found = {c.id: c for slug in scenario["payers"] for c in await admin.claims_of(bot.env, slug)}
    first, second = sorted(found.values(), key=lambda c: c.reference)
    assert [first.status, second.status] == [Status.AWAITING, Status.AWAITING]
    assert money(second) == money(first)
    totals = Totals.of(line.computed for line in second.lines if line.computed)
    assert (totals.amount, totals.taxfree) == (Decimal(scenario["total"]),
                                               Decimal(scenario["taxfree"]))
    assert bot.errors == []
