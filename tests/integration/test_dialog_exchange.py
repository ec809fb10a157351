"""A foreign outlay's exchange rate through the dialog engine, on the real store.

A typed foreign amount gets Norges Bank's rate for the line's date without a question
(the local stand-in, harness/norges_bank.py: no test reaches the internet); the rate is
asked by hand only when Norges Bank cannot be reached, or when the organisation file
says ``[policy] exchange_rate = "manual"``. The claimant's summary, the approver's sheet
(mail and PDF) show the rate, its date and its source.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from domain.lines import Expense
from domain.organisation import OrganisationError
from exchange.norges_bank import NorgesBank
from harness.norges_bank import NorgesBankServer, published
from mail.compose import approval_request
from mail.pdf import claim_pdf
from mail.sheet import receipt_notes
from service import admin, claims
from store.blobs import FileBlobs
from store.exchange_rates import SqlExchangeRates
from tests.integration.chat import Chat
from tests.integration.helpers import EXAMPLES, Clock, sql_env
from tests.integration.test_dialog import NOW, association_claim
from tests.unit.test_pdf import text_of

FRIDAY = date(2026, 3, 13)  # the outlay is on Saturday the 14th: Friday's rate is used


@pytest.fixture
def bank():
    with NorgesBankServer().running() as server:
        yield server


async def _member(engine, tmp_path, bank, rule: str = "norges_bank") -> Chat:
    """A member of the association (its ``exchange_rate`` rule), at a new claim."""
    env = replace(sql_env(engine, Clock(NOW)), blobs=FileBlobs(tmp_path / "blobs"),
                  rates=NorgesBank(bank.url, timeout=1), rate_cache=SqlExchangeRates(engine))
    assert 'exchange_rate = "norges_bank"' in (EXAMPLES / "forening-kvann.toml").read_text()
    return await association_claim(env, 601, exchange_rate=rule)


async def _euro_outlay(chat: Chat) -> str:
    """An outlay of EUR 45 on 14 March, typed step by step; the answer to the amount."""
    await chat.press("Utlegg")
    await chat.press("Har ikke kvittering")
    await chat.type("14.3")
    await chat.press("Annet")
    await chat.type("EUR 45")
    return chat.text


async def _save(chat: Chat) -> None:
    await chat.press("Hopp over")  # remark
    await chat.type("Mistet den på flyet")  # why there is no receipt
    if any("Lagre" in label for label in chat.labels):
        await chat.press("Lagre")


async def _line(chat: Chat):
    claims = await admin.claims_of(chat.env, "eksempel-forening")
    (line,) = [line for claim in claims for line in claim.lines
               if isinstance(line.body, Expense)]
    return line


async def test_a_typed_foreign_amount_gets_norges_banks_rate_without_a_question(
        engine, tmp_path, bank):
    chat = await _member(engine, tmp_path, bank)
    answer = await _euro_outlay(chat)
    rate = published("EUR", FRIDAY)
    assert "Kurs: hvor mange kroner" not in answer and "Henter" not in answer
    assert f"kurs {str(rate.normalize()).replace('.', ',')} (Norges Bank, 13.03.2026)" in answer
    assert "Merknad" in answer  # straight on to the remark
    await _save(chat)
    line = await _line(chat)
    assert line.body.amount.nok_rate == rate
    assert (line.read.rate_source, line.read.rate_date) == ("Norges Bank", FRIDAY)
    note = f"Kurs {str(rate.normalize()).replace('.', ',')} (Norges Bank, 13.03.2026)"
    assert note in receipt_notes(line, "nb")
    (claim,) = await admin.claims_of(chat.env, "eksempel-forening")
    view = await claims.summary(chat.env, claim.claimant_id, claim.id)
    mail = approval_request(view, payer="eksempel-forening", stage_name="attestasjon",
                            approver="leder@example.no", sender="krav@example.no",
                            reply_key="k1", reply_pattern="krav+{key}@example.no",
                            domain="example.no", claimant_name="Per Reise",
                            bank_account_for_payer=None, receipts=[], lang="nb")
    body = mail.get_body(("plain",))
    assert body is not None and note in body.get_content()  # the approver's mail
    assert note in text_of(claim_pdf(view, "Per Reise", None, "nb"))  # and its PDF
    await chat.type("/oppsummering")
    assert note in chat.text
    assert len(bank.requests) == 1  # fetched once, then cached


async def test_the_rate_is_asked_by_hand_when_norges_bank_cannot_be_reached(
        engine, tmp_path, bank):
    chat = await _member(engine, tmp_path, bank)
    bank.fail_with = 500
    answer = await _euro_outlay(chat)
    assert "Fikk ikke kursen fra Norges Bank" in answer and "per EUR" in answer
    await chat.type("11,2")
    assert "oppgitt av deg" in chat.text and "Merknad" in chat.text
    await _save(chat)
    line = await _line(chat)
    assert line.body.amount.nok_rate == Decimal("11.2") and line.read is None
    assert "Kurs 11,2 (oppgitt av den reisende)" in receipt_notes(line, "nb")
    assert "Rate 11.2 (typed by the claimant)" in receipt_notes(line, "en")
    await chat.type("/oppsummering")
    assert "Kurs 11,2 (oppgitt av deg)" in chat.text


async def test_an_organisation_may_want_the_card_companys_rate_typed(engine, tmp_path, bank):
    chat = await _member(engine, tmp_path, bank, rule="manual")
    answer = await _euro_outlay(chat)
    assert "Kurs fra kortselskapet" in answer and "per EUR" in answer
    assert bank.requests == []  # Norges Bank is not asked at all
    await chat.type("11,61")
    await _save(chat)
    line = await _line(chat)
    assert line.body.amount.nok_rate == Decimal("11.61")
    await chat.type("/oppsummering")
    assert "Kurs 11,61 (oppgitt av deg)" in chat.text


async def test_an_unknown_exchange_rate_rule_is_refused_naming_the_field(engine, tmp_path, bank):
    env = sql_env(engine, Clock(NOW))
    text = (EXAMPLES / "forening-kvann.toml").read_text().replace(
        'exchange_rate = "norges_bank"', 'exchange_rate = "card"')
    with pytest.raises(OrganisationError) as caught:
        await admin.apply_organisations(env, text)
    assert "policy.exchange_rate" in str(caught.value) and "manual" in str(caught.value)


async def test_a_whole_line_in_one_message_gets_the_rate_too(engine, tmp_path, bank):
    chat = await _member(engine, tmp_path, bank)
    await chat.press("Utlegg")
    await chat.press("Har ikke kvittering")
    answer = "\n".join(r.text for r in await chat.type("taxi EUR 45 14.3"))
    assert "kurs 11,513 (Norges Bank, 13.03.2026): EUR 45,00 = 518,09 kr" in answer
    assert "hvor mange kroner" not in answer


async def _edit_date(chat: Chat, day: str) -> str:
    """Change the saved outlay's date from /linjer; the answers to the new date."""
    await chat.type("/linjer")
    (edit,) = [label for label in chat.labels if label.startswith("✏️")]
    await chat.press(edit)
    await chat.press("Dato")
    return "\n".join(r.text for r in await chat.type(day))


async def test_a_saved_foreign_outlays_new_date_gets_norges_banks_rate_for_that_date(
        engine, tmp_path, bank):
    chat = await _member(engine, tmp_path, bank)
    await _euro_outlay(chat)
    await _save(chat)
    answer = await _edit_date(chat, "2.3")
    monday = date(2026, 3, 2)
    rate = published("EUR", monday)
    assert rate != published("EUR", FRIDAY)
    assert f"kurs {str(rate.normalize()).replace('.', ',')} (Norges Bank, 02.03.2026)" in answer
    assert "✅ Endret" in answer and "hvor mange kroner" not in answer
    line = await _line(chat)
    assert line.body.date == monday and line.body.amount.nok_rate == rate
    assert (line.read.rate_source, line.read.rate_date) == ("Norges Bank", monday)
    assert f"Kurs {str(rate.normalize()).replace('.', ',')} (Norges Bank, 02.03.2026)" \
        in receipt_notes(line, "nb")


async def test_a_new_dates_rate_is_asked_by_hand_when_norges_bank_cannot_be_reached(
        engine, tmp_path, bank):
    chat = await _member(engine, tmp_path, bank)
    await _euro_outlay(chat)
    await _save(chat)
    bank.fail_with = 500
    answer = await _edit_date(chat, "2.3")
    assert "Fikk ikke kursen fra Norges Bank" in answer and "per EUR" in answer
    line = await _line(chat)
    assert line.body.date == date(2026, 3, 14)  # nothing changes until the rate is given
    await chat.type("11,3")
    assert "✅ Endret" in chat.text
    line = await _line(chat)
    assert line.body.date == date(2026, 3, 2) and line.body.amount.nok_rate == Decimal("11.3")
    assert not line.read or not line.read.rate_source  # not Norges Bank's any more
    assert "Kurs 11,3 (oppgitt av den reisende)" in receipt_notes(line, "nb")


async def test_an_organisation_that_wants_the_card_rate_keeps_it_when_the_date_changes(
        engine, tmp_path, bank):
    chat = await _member(engine, tmp_path, bank, rule="manual")
    await _euro_outlay(chat)
    await chat.type("11,61")
    await _save(chat)
    answer = await _edit_date(chat, "2.3")
    assert "✅ Endret" in answer and bank.requests == []
    line = await _line(chat)
    assert line.body.date == date(2026, 3, 2) and line.body.amount.nok_rate == Decimal("11.61")
