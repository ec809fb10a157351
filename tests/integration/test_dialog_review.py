"""The wizard's answers to the review's scenarios: never the wrong claim, nothing silently lost."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.claim import Status
from domain.lines import Expense, ItemLine
from domain.organisation import OrganisationError, organisations_from_toml
from service import admin
from tests.integration.chat import Chat
from tests.integration.helpers import EXAMPLES
from tests.integration.test_dialog import _env, _joined, association_claim


async def _fee_claim(chat: Chat, title: str) -> None:
    await chat.type("/ny")
    if "Fortsette kladden" in chat.text:  # a draft is open: this test wants a second one
        await chat.press("Start et nytt")
    await chat.press("Tromsø")
    await chat.press("Ferdig")
    await chat.type(title)
    await chat.press("Hopp over")
    await chat.press("Timer/honorar")
    await chat.press("3. divisjon")
    await chat.press("Ferdig")
    await chat.type("14.3")
    assert "Lagret" in chat.text


async def _claims(env) -> dict[str, Status]:
    return {c.title: c.status for c in await admin.claims_of(env, "tromso-hk")}


async def test_send_asks_which_claim_when_two_could_be_meant(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=901)
    await _fee_claim(chat, "Første")
    await _fee_claim(chat, "Andre")  # now two drafts; "Andre" is the current one
    await chat.type("/send")
    assert "Hvilket krav vil du sende?" in chat.text
    await chat.press("Første")
    assert "sendt til godkjenning" in chat.text
    assert await _claims(env) == {"Første": Status.AWAITING, "Andre": Status.DRAFT}


async def test_withdraw_and_comment_ask_which_claim_when_two_are_in_approval(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=902)
    for title in ("Første", "Andre"):
        await _fee_claim(chat, title)
        await chat.type("/send")
        if "Hvilket krav" in chat.text:
            await chat.press(title)
    await chat.type("/kommentar Kamp 2 ble flyttet")
    assert "Hvilket krav gjelder kommentaren?" in chat.text
    await chat.press("Første")
    assert "sendt til godkjennerne av" in chat.text
    await chat.type("/angre")
    assert "Hvilket krav vil du trekke tilbake?" in chat.text
    await chat.press("Andre")
    assert await _claims(env) == {"Første": Status.AWAITING, "Andre": Status.DRAFT}


async def test_send_in_the_middle_of_a_line_is_refused_and_cancel_says_what_was_dropped(
        engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=903)
    await _fee_claim(chat, "Cup")
    await chat.press("Diett")
    await chat.type("14.3 kl 08.00")
    await chat.type("/send")
    assert "som ikke er lagret" in chat.text
    assert await _claims(env) == {"Cup": Status.DRAFT}
    await chat.type("/avbryt")
    assert "Linjen du holdt på med ble ikke lagret" in chat.text


async def test_typing_the_change_previous_answer_label_goes_back(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=904)
    await _fee_claim(chat, "Cup")
    await chat.press("Kjøring")
    await chat.type("i går")
    await chat.type("Endre forrige svar")
    assert "Dato for kjøringen?" in chat.text


async def test_a_used_up_invite_at_the_last_step_lets_the_person_start_over(engine, tmp_path):
    env = await _env(engine, tmp_path)
    code = (await admin.create_invite(env, "tromso-hk")).code
    first, second = Chat(env, 905), Chat(env, 906)
    for chat in (first, second):
        await chat.type(f"/start {code}")
        await chat.type("Navn")
        await chat.press("Hopp over")
    await first.type("1234 56 78903")
    await second.type("1234 56 78903")
    assert "ukjent eller utløpt" in second.text
    await second.type("1234 56 78903")  # once more: a clear answer, not a crash
    assert "Traceback" not in second.text
    second_code = (await admin.create_invite(env, "tromso-hk")).code
    await second.type(f"/start {second_code}")
    assert "Velkommen" in second.text


async def test_a_payer_without_hours_or_fees_has_no_such_button(engine, tmp_path):
    chat = await association_claim(await _env(engine, tmp_path), 907)
    assert "⏱ Timer/honorar" not in chat.labels and "🧾 Utlegg" in chat.labels


def test_a_catalogue_code_that_cannot_travel_in_a_button_is_refused():
    text = (EXAMPLES / "forening-kvann.toml").read_text().replace('code = "taxi"',
                                                                  'code = "taxi og bil"')
    with pytest.raises(OrganisationError, match=r"catalogue\[1\]\.code"):
        organisations_from_toml(text)


async def test_changing_an_outlay_keeps_its_receipt_unless_a_new_one_is_sent(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=908)
    await _fee_claim(chat, "Cup")
    await chat.press("Utlegg")
    await chat.send_file(b"\xff\xd8\xff\xe0" + b"bom" * 30)
    await chat.type("14.3")
    await chat.press("Bompenger")
    await chat.type("44")
    await chat.press("Hopp over")
    await chat.type("/linjer")
    await chat.press("✏️ 2")
    await chat.press("Hele linjen på nytt")
    assert "Behold kvitteringen" in chat.labels
    await chat.press("Behold kvitteringen")
    await chat.type("14.3")
    await chat.press("Bompenger")
    await chat.type("54")
    await chat.press("Hopp over")
    (claim,) = await admin.claims_of(env, "tromso-hk")
    (toll,) = [line for line in claim.lines if line.kind == "expense"]
    assert isinstance(toll.body, Expense)
    assert toll.attachments and toll.body.amount.amount == Decimal(54)


async def test_one_field_of_a_saved_line_is_changed_and_the_rest_kept(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=909)
    await _fee_claim(chat, "Cup")
    await chat.send_file(b"\xff\xd8\xff\xe0" + b"bom" * 30)  # an outlay begins with its photo
    await chat.type("taxi 440 14.3")
    await chat.press("Lagre")
    await chat.type("/linjer")
    await chat.press("✏️ 2")
    assert chat.labels == ["📅 Dato", "💰 Beløp", "Hele linjen på nytt"]
    await chat.press("Beløp")
    await chat.type("44")
    assert "✅ Endret = 44,00 kr" in chat.text
    await chat.press("✏️ 2")
    await chat.press("Dato")
    await chat.type("13.3")
    await chat.press("✏️ 1")
    await chat.press("Antall")
    await chat.type("2")
    assert "✅ Endret = 1\u00a0130,00 kr" in chat.text  # 2 × 565
    (claim,) = await admin.claims_of(env, "tromso-hk")
    fee, outlay = claim.lines
    assert isinstance(outlay.body, Expense) and isinstance(fee.body, ItemLine)
    assert (outlay.body.amount.amount, outlay.body.date.day) == (Decimal(44), 13)
    assert len(outlay.attachments) == 1 and outlay.body.type == "taxi"
    assert fee.body.quantity == 2
