"""Issue 10's table: a whole second claim in few taps, to the same money as the long way.

Each scenario of ``tests/scenarios/claims.toml`` is filed twice by one claimant through
the real dialog engine on the real SQLite store: the first claim the long way (setup),
the second the short way, counted from ``/ny`` to "sendt til godkjenning". The second
must come to the same lines and money as the first, and to the figures worked out by hand.
"""

from __future__ import annotations

import tomllib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.calc import Totals
from domain.claim import Claim, Status
from service import admin
from service.context import Env
from store.blobs import FileBlobs
from tests.integration.chat import Chat
from tests.integration.conftest import empty_database
from tests.integration.helpers import EXAMPLES, Clock, sql_env

SCENARIOS = tomllib.loads(
    (Path(__file__).resolve().parents[1] / "scenarios" / "claims.toml").read_text())
PHOTO = b"\xff\xd8\xff\xe0" + b"kvittering " * 40


class Counted(Chat):
    """A chat that counts what the person does and can play a scenario's steps."""

    taps = 0
    said: list[str]

    async def step(self, step: str) -> None:
        """One step of a scenario (see the scenario file for the notation)."""
        if step.startswith("= "):
            assert step[2:] in self.text, f"expected {step[2:]!r} in:\n{self.text}"
            return
        self.taps += 1
        self.said.append(step)
        if step == "📎":
            await self.send_file(PHOTO)
        elif step.startswith("[") and step.endswith("]"):
            await self.press(step[1:-1])
        else:
            await self.type(step)
        assert "Beklager" not in self.text, f"{step!r} crashed:\n{self.text}"

    async def play(self, steps: list[str]) -> int:
        """Play ``steps``; the number of messages and taps they took."""
        self.taps, self.said = 0, []
        for step in steps:
            await self.step(step)
        return self.taps


@dataclass
class Run:
    """A scenario's environment, its claimant's chat and its clock."""

    env: Env
    chat: Counted
    clock: Clock


@pytest.fixture
async def sqlite(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    made = await empty_database("sqlite", request, tmp_path)
    yield made
    await made.dispose()


async def joined(engine: AsyncEngine, tmp_path: Path, scenario: dict[str, Any],
                 user_id: int) -> Run:
    """The scenario's organisations, and its claimant joined to each payer."""
    clock = Clock(datetime.fromisoformat(scenario["clock"]))
    env = replace(sql_env(engine, clock), blobs=FileBlobs(tmp_path / "blobs"))
    for name in scenario["organisations"]:
        await admin.apply_organisations(env, (EXAMPLES / name).read_text())
    chat = Counted(env, user_id)
    for n, slug in enumerate(scenario["payers"]):
        await chat.type(f"/start {(await admin.create_invite(env, slug)).code}")
        if n == 0:
            await chat.type("Per Dommer")
            await chat.press("Hopp over")
            await chat.type("1234 56 78903")
    return Run(env, chat, clock)


def money(claim: Claim) -> list[tuple[str, Decimal, Decimal, str | None]]:
    """Each line's kind, amount, tax-free part and payer, in a fixed order."""
    found = []
    for line in claim.lines:
        assert line.computed is not None
        found.append((line.kind, line.computed.amount, line.computed.taxfree, line.payer))
    return sorted(found, key=lambda x: (x[0], x[1], x[3] or ""))


async def claims(env: Env, scenario: dict[str, Any]) -> list[Claim]:
    """The claimant's claims, oldest first."""
    found = {c.id: c for slug in scenario["payers"] for c in await admin.claims_of(env, slug)}
    return sorted(found.values(), key=lambda c: c.reference)


async def file_both(engine: AsyncEngine, tmp_path: Path, name: str,
                    user_id: int) -> tuple[int, list[Claim], Run]:
    """The first claim the long way, then the second the short way; the second's count."""
    scenario = SCENARIOS[name]
    run = await joined(engine, tmp_path, scenario, user_id)
    await run.chat.play(scenario["first"])
    if "second_clock" in scenario:
        run.clock.now = datetime.fromisoformat(scenario["second_clock"])
    taps = await run.chat.play(scenario["second"])
    return taps, await claims(run.env, scenario), run


@pytest.mark.parametrize(("name", "user_id"),
                         [("referee", 7001), ("respite", 7002), ("association", 7003)])
async def test_a_second_claim_takes_no_more_than_the_goal_and_comes_to_the_same_money(
        sqlite, tmp_path, name, user_id):
    scenario = SCENARIOS[name]
    taps, (first, second), _ = await file_both(sqlite, tmp_path, name, user_id)
    assert [first.status, second.status] == [Status.AWAITING, Status.AWAITING]
    assert money(second) == money(first)
    totals = Totals.of(line.computed for line in second.lines if line.computed)
    assert (totals.amount, totals.taxfree) == (Decimal(scenario["total"]),
                                               Decimal(scenario["taxfree"]))
    assert taps <= scenario["goal"], f"{taps} taps: {scenario['second']}"
    assert taps == scenario["taps"], "the count changed: say so in the scenario file"
