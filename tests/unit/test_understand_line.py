"""A whole claim line in one message: what is read, and what is no line at all."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from bot.understand import Amount, NotUnderstood, When
from bot.understand_line import Drive, Outlay, Trip, understand_line

NOW = datetime(2026, 3, 16, 10, 0)  # Monday


def read(text: str, kind: str | None = None):
    return understand_line(text, NOW, "nb", kind)


def test_a_drive_with_route_passengers_and_date():
    assert read("180 km bil Tromsø–Bodø med Ola og Kari 14.3") == Drive(
        Decimal(180), "car", ("Tromsø", "Bodø"), ("Ola", "Kari"), date(2026, 3, 14))


def test_a_drive_via_and_til_and_a_passenger_named_like_a_weekday_abbreviation():
    assert read("42 km Tromsø til Bodø via Narvik med Tor") == Drive(
        Decimal(42), None, ("Tromsø", "Bodø via Narvik"), ("Tor",), None)


@pytest.mark.parametrize(("text", "kind", "amount", "day", "remark"), [
    ("taxi 450 kr 3.11", "taxi", "450.00", date(2025, 11, 3), ""),
    ("bom 44", "toll", "44.00", None, ""),
    ("hotell 3 200 kr 11.3", "hotel", "3200.00", date(2026, 3, 11), ""),
    ("taxi 12.05", "taxi", "12.05", None, ""),  # no other number: the amount, not 12 May
    ("taxi 45,50 flyplass–hotell i går", "taxi", "45.50", date(2026, 3, 15), "flyplass–hotell"),
])
def test_an_outlay(text, kind, amount, day, remark):
    found = read(text)
    assert isinstance(found, Outlay)
    assert (found.type, found.amount, found.day, found.remark) == (
        kind, Amount(Decimal(amount), "NOK"), day, remark)


def test_a_foreign_outlay_keeps_its_currency():
    found = read("taxi EUR 45 forrige fredag")
    assert isinstance(found, Outlay)
    assert (found.amount, found.day) == (Amount(Decimal("45.00"), "EUR"), date(2026, 3, 13))


def test_a_per_diem_of_bare_times_and_one_with_days_lodging_and_meals():
    assert read("diett 8–17 lunsj") == Trip(time(8), time(17), ("lunch",))
    assert read("diett 9.3 kl 7 – 11.3 kl 18 hotell frokost") == Trip(
        When(date(2026, 3, 9), time(7)), When(date(2026, 3, 11), time(18)), ("breakfast",),
        "hotel")


def test_at_the_departure_question_a_range_is_a_per_diem_without_the_word():
    assert read("14.3 kl 8-17", "per_diem") == Trip(When(date(2026, 3, 14), time(8)), time(17))
    assert read("14.3 kl 08.00", "per_diem") is None  # a departure alone: the question's


@pytest.mark.parametrize("text", ["7.3", "Styret", "i går", "Ola og Kari", "48"])
def test_what_names_no_kind_of_line_is_left_to_the_question(text):
    assert read(text) is None


@pytest.mark.parametrize(("text", "says"), [
    ("taxi", "Skriv beløpet også"),
    ("diett 8", "Skriv avreise og hjemkomst"),
    ("diett 9.3 – 10.3", "Skriv også klokkeslettet"),
])
def test_a_line_with_a_part_missing_says_which(text, says):
    with pytest.raises(NotUnderstood) as refused:
        read(text)
    assert says in refused.value.text.nb


def test_an_outlay_with_a_dotted_amount_and_a_day_takes_the_amount_not_a_time_today():
    # "12.50" was read as 12:50 today, so the taxi cost 3,11 kr on the wrong day
    said = read("taxi 12.50 3.11")
    assert said == Outlay("taxi", Amount(Decimal("12.50"), "NOK"), date(2025, 11, 3), "", "taxi")


@pytest.mark.parametrize("text", ["taxi 450 kr 31.11", "450 km bil Oslo–Bergen 31.11",
                                  "bom 44 30.2"])
def test_a_day_that_does_not_exist_is_refused_for_its_day(text):
    with pytest.raises(NotUnderstood) as refused:
        read(text)
    assert "finnes ikke" in refused.value.text.nb


@pytest.mark.parametrize(("text", "km"), [("45.5 km bil", Decimal("45.5")),
                                          ("12.5 km bil 3.3", Decimal("12.5"))])
def test_a_dotted_km_is_still_km(text, km):
    said = read(text)
    assert isinstance(said, Drive) and said.km == km
