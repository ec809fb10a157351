"""Issue 10's defects, each driven through the real dialog engine on the real store.

Every test here failed on the code before the fix: the claimant got a crash, a wrong
answer or silence where they now get the question again with the reason.
"""

from __future__ import annotations

from bot.dialog.core import Incoming
from domain.lines import MileageLeg
from service import admin
from tests.integration.chat import Chat
from tests.integration.test_dialog import _env, _joined, association_claim


async def start_claim(chat: Chat, *payers: str) -> None:
    """Open a claim for ``payers`` (default Tromsø) and stand at the claim menu."""
    await chat.type("/ny")
    for payer in payers or ("Tromsø",):
        await chat.press(payer)
    await chat.press("Ferdig")
    await chat.type("Cup")
    await chat.press("Hopp over")
    assert "Hva vil du legge til?" in chat.text


async def test_a_date_in_the_future_or_without_rates_is_refused_when_typed(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=1001)
    await start_claim(chat)
    await chat.press("Kjøring")
    await chat.type("1.1.2030")
    assert "01.01.2030 er fram i tid" in chat.text
    assert "Dato for kjøringen?" in chat.text  # still at the question, nothing saved
    await chat.type("1.6.2025")  # the region's own rate set starts 1.1.2026
    assert "ingen satser (handball-nord) for 01.06.2025" in chat.text
    assert "Dato for kjøringen?" in chat.text
    await chat.type("i går")
    assert "Kjøretøy?" in chat.text


async def test_a_future_departure_is_refused_and_nothing_crashes_at_saving(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=1002)
    await start_claim(chat)
    await chat.press("Diett")
    await chat.type("1.1.2030 kl 08")
    assert "fram i tid" in chat.text
    await chat.type("14.3 kl 08")
    await chat.type("1.1.2030 kl 17")
    assert "fram i tid" in chat.text
    assert "Beklager" not in chat.text
    (claim,) = await admin.claims_of(env, "tromso-hk")
    assert claim.lines == []


async def test_9999_hours_are_refused_and_an_unusual_figure_is_asked_about(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=1003)
    await start_claim(chat)
    await chat.press("Kjøring")
    for answer in ("i går", "Bil", "Tromsø", "Kirkenes", "2400"):
        await chat.type(answer)
    await chat.press("Ingen")
    await chat.press("Nei")
    assert "Er du sikker? 2400 km på én strekning er mye." in chat.text
    await chat.press("Nei, endre")
    assert "Antall km" in chat.text
    await chat.type("240")
    await chat.press("Ingen")
    await chat.press("Nei")
    assert "Lagret" in chat.text and "Er du sikker" not in chat.text
    await chat.press("Timer/honorar")
    await chat.press("3. divisjon")
    await chat.type("9999")  # the count, typed at the keyboard
    assert "kan ikke stemme" in chat.text and "744" in chat.text
    await chat.type("40")
    assert "Er du sikker? 40 kamp i én linje er mye." in chat.text
    await chat.press("Ja, det stemmer")
    assert "Lagret" in chat.text


async def test_a_bare_return_time_is_the_departure_day_or_the_next(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=1004)
    await start_claim(chat)
    await chat.press("Diett")
    await chat.type("12.3 kl 08.00")
    await chat.type("kl 17")
    assert "Torsdag 12. mars 2026 kl. 17:00" in chat.text  # not today, 16 March
    assert "✏️ Endre forrige svar" in chat.labels  # echoed with a one-tap way to change it
    await chat.type("/avbryt")
    await chat.press("Diett")
    await chat.type("12.3 kl 20.00")
    await chat.type("02.30")
    assert "Fredag 13. mars 2026 kl. 02:30" in chat.text


async def test_a_command_mid_question_asks_it_again_and_a_number_is_no_passenger(
        engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=1005)
    await start_claim(chat)
    await chat.press("Kjøring")
    for answer in ("i går", "Bil", "Tromsø", "Bodø", "180"):
        await chat.type(answer)
    await chat.type("/hjelp")
    assert chat.replies[-1].text.startswith("Passasjerer?")  # the open question, last
    await chat.type("/oppsummering")
    assert chat.replies[-1].text.startswith("Passasjerer?")
    for not_names in ("42", "#3"):
        await chat.type(not_names)
        assert f"«{not_names}» er ikke navn" in chat.text
    await chat.type("Ola og Kari")
    await chat.press("Nei")
    (claim,) = await admin.claims_of(env, "tromso-hk")
    leg = claim.lines[0].body
    assert isinstance(leg, MileageLeg) and leg.passengers == ("Ola", "Kari")


async def test_the_claim_history_shows_oslo_time(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=1006)
    await start_claim(chat)
    await chat.type("/mine")
    await chat.press("K-2026")
    assert "16.03 10.00 opprettet" in chat.text  # 09:00 UTC is 10.00 in Oslo in March


async def test_a_sticker_or_other_update_is_answered_with_what_is_expected(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=1007)
    await start_claim(chat)
    await chat.press("Kjøring")
    replies = await chat._send(Incoming("other", "et klistremerke"))
    assert "Det kan jeg ikke bruke (et klistremerke)" in replies[0].text
    assert replies[-1].text.startswith("Dato for kjøringen?")


async def test_new_with_a_draft_open_asks_and_lines_sees_what_send_would_send(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=1008)
    await start_claim(chat)
    await chat.type("/avbryt")
    assert "Avbrutt. Kravet" in chat.text
    await chat.type("/ny")
    assert "Fortsette kladden K-2026-000001 eller starte et nytt?" in chat.text
    await chat.type("/avbryt")
    await chat.type("/linjer")  # used to say "no open claim" while /send sent the draft
    assert "Du har ikke et krav åpent" not in chat.text
    assert "K-2026-000001" in chat.text
    await chat.type("/ny")
    await chat.press("Fortsett K-2026-000001")
    assert "Hva vil du legge til?" in chat.text
    await chat.type("/ny")
    await chat.press("Start et nytt")
    assert "Hvem skal betale?" in chat.text


async def test_the_smaller_wording_items(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=1009)
    await chat.type("/ny")
    await chat.press("Tromsø")
    await chat.press("Ferdig")
    assert chat.labels[:2] == ["Mars 2026", "Februar 2026"]  # last month is offered too
    await chat.press("Mars 2026")
    await chat.press("Hopp over")
    await chat.press("Kjøring")
    for answer in ("i går", "Bil", "Tromsø", "Bodø", "12,5"):
        await chat.type(answer)
    assert "🛣 12,5 km" in chat.text
    await chat.press("Ingen")
    await chat.press("Nei")
    assert "Bil: 12,5 km × 3,50" in chat.text  # a decimal comma
    assert "Km-satsen er fra satssettet handball-nord, ikke statens sats" in chat.text
    await chat.press("Diett")
    await chat.type("14.3 kl 08.00")
    await chat.type("kl 17")
    await chat.type("180")
    meals = chat.labels
    assert "▫️ 14.03 lunsj" in meals
    assert "▫️ 14.03 frokost" not in meals and "▫️ 14.03 middag" not in meals
    await chat.press("14.03 lunsj")
    await chat.press("Ferdig")
    await chat.press("Lagre")
    assert chat.text.count("Trekkfritt") == 1  # the edited prompt shows it; the save does not
    assert "Noen satser er foreløpige" not in chat.text
    await chat.press("Timer/honorar")
    assert "Dato: Lørdag 14. mars 2026 (samme dag som forrige linje)" in chat.text
    await chat.press("Annen dato")
    assert "Dato?" in chat.text and "siste dag i perioden" not in chat.text
    await chat.type("/oppsummering")
    assert "Noen satser er foreløpige" not in chat.text


async def test_a_required_receipt_cannot_be_skipped_by_default(engine, tmp_path):
    chat = await association_claim(await _env(engine, tmp_path), 1010)
    await chat.type("taxi 450 14.3")
    await chat.press("Har ikke kvittering")
    assert "Eksempelforeningen krever kvittering for taxi" in chat.text  # said when skipped
    assert "Hvorfor mangler" not in chat.text  # a reason would not stand in for it
    await chat.type("Ingen buss etter kl 23")
    await chat.press("Lagre")
    await chat.type("/send")
    assert ("Linje 1: Eksempelforeningen krever kvittering for taxi. Send bildet av "
            "kvitteringen, eller slett linjen.") in chat.text
    await chat.press("Fiks 1")
    assert "Har ikke kvittering" not in chat.labels and "🗑 Slett linjen" in chat.labels
    await chat.send_file(b"\xff\xd8\xff\xe0" + b"taxi 450 kr " * 30)
    assert "sendt til godkjenning" in chat.text


async def test_with_the_taxable_policy_the_line_is_sent_and_the_tax_is_shown(engine, tmp_path):
    chat = await association_claim(await _env(engine, tmp_path), 1011, "taxable")
    await chat.type("taxi 450 14.3")
    await chat.press("Har ikke kvittering")
    assert "Uten kvittering blir hele beløpet trekkpliktig" in chat.text
    await chat.type("Sjåføren hadde ikke skriver")
    await chat.type("Ingen buss etter kl 23")
    assert "Trekkfritt 0,00, trekkpliktig 450,00" in chat.text  # in the echo, before saving
    await chat.press("Lagre")
    await chat.type("/send")
    assert "sendt til godkjenning" in chat.text
    await chat.type("/mine")
    await chat.press("K-2026")
    assert "Linje 1 mangler kvittering: 450,00 kr er trekkpliktig" in chat.text


async def test_a_per_diem_under_15_km_is_refused_once_before_the_meals(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=1009)
    await start_claim(chat)
    await chat.press("Diett")
    await chat.type("14.3 kl 08")
    await chat.type("14.3 kl 17")
    await chat.type("10")
    assert chat.text.count("Ingen diett") == 1
    assert "under 15 km" in chat.text
    assert "Trykk på måltidene" not in chat.text  # no meals asked for nothing
    assert "Kjøring" in chat.text  # what to do instead
    await chat.press("Endre avstanden")  # a typo is one tap away
    assert "Hvor langt fra hjemmet" in chat.text
    await chat.type("40")
    assert "Trykk på måltidene" in chat.text
    await chat.type("/avbryt")
    await chat.press("Diett")
    await chat.type("14.3 kl 08")
    await chat.type("14.3 kl 17")
    await chat.type("3")
    await chat.press("Til menyen")
    assert "Hva vil du legge til?" in chat.text
    (claim,) = await admin.claims_of(env, "tromso-hk")
    assert claim.lines == []  # no zero line saved


async def test_a_per_diem_under_6_hours_is_refused_before_the_distance(engine, tmp_path):
    env = await _env(engine, tmp_path)
    chat = await _joined(env, user_id=1010)
    await start_claim(chat)
    await chat.press("Diett")
    await chat.type("14.3 kl 08")
    await chat.type("14.3 kl 11.30")
    assert chat.text.count("Ingen diett") == 1
    assert "3 t 30 min, under 6 timer" in chat.text
    assert "Hvor langt fra hjemmet" not in chat.text
    await chat.press("Endre tidene")
    assert "Når reiste du?" in chat.text
    await chat.type("/avbryt")
    await chat.type("diett 14.3 kl 8–10")  # the whole line at once: the same answer
    assert chat.text.count("Ingen diett") == 1
    assert "Trykk på måltidene" not in chat.text and "Hvor langt" not in chat.text
