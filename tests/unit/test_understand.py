"""Reading typed dates, times, amounts and km the Norwegian way (bot/understand.py).

Every date is relative to a fixed moment: Thursday 5 March 2026 at 10:00 in Oslo, unless
a test says otherwise.
"""

import sys
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from bot.understand import (
    Amount,
    NotUnderstood,
    When,
    echo_when,
    parse_amount,
    parse_km,
    parse_time,
    parse_when,
)
from domain.errors import UserError

NOW = datetime(2026, 3, 5, 10, 0)  # a Thursday
NBSP, THIN, NARROW = "\u00a0", "\u2009", "\u202f"


def day(month: int, number: int, year: int = 2026) -> date:
    return date(year, month, number)


NORWEGIAN = [
    ("05.03", When(day(3, 5))),
    ("5.3", When(day(3, 5))),
    ("5.3.", When(day(3, 5))),
    ("04.03.26", When(day(3, 4))),
    ("04.03.2026", When(day(3, 4))),
    ("4/3", When(day(3, 4))),
    ("2026-03-04", When(day(3, 4))),
    ("2026-03-04T07:30", When(day(3, 4), time(7, 30))),
    ("5.3 kl 7.30", When(day(3, 5), time(7, 30))),
    ("04.03.2026 07:30", When(day(3, 4), time(7, 30))),
    ("kl 7.30 i går", When(day(3, 4), time(7, 30))),
    ("i dag", When(day(3, 5))),
    ("I dag", When(day(3, 5))),
    ("i går", When(day(3, 4))),
    ("igår", When(day(3, 4))),
    ("i går, kl. 14", When(day(3, 4), time(14, 0))),
    ("i forgårs", When(day(3, 3))),
    ("mandag", When(day(3, 2))),
    ("på mandag", When(day(3, 2))),
    ("fredag", When(day(2, 27))),
    ("lør.", When(day(2, 28))),
    ("i mandags", When(day(3, 2))),
    ("3. mars", When(day(3, 3))),
    ("den 3. mars", When(day(3, 3))),
    ("3 mars 2026", When(day(3, 3))),
    ("mars 3", When(day(3, 3))),
    ("3. mars kl 18", When(day(3, 3), time(18, 0))),
    ("3. des.", When(day(12, 3, 2025))),
]


@pytest.mark.parametrize(("typed", "expected"), NORWEGIAN, ids=[row[0] for row in NORWEGIAN])
def test_norwegian_dates_are_read_without_asking_dateparser(typed, expected, monkeypatch):
    monkeypatch.setitem(sys.modules, "dateparser.date", None)  # importing it now fails

    assert parse_when(typed, NOW) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("kl 7.30", time(7, 30)),
        ("kl. 07:30", time(7, 30)),
        ("klokka 7", time(7, 0)),
        ("07.30", time(7, 30)),
        ("07:30", time(7, 30)),
        ("18.00", time(18, 0)),
    ],
)
def test_a_time_alone_means_today(typed, expected):
    assert parse_when(typed, NOW) == When(day(3, 5), expected)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("today", When(day(3, 5))),
        ("yesterday", When(day(3, 4))),
        ("the day before yesterday", When(day(3, 3))),
        ("last friday", When(day(2, 27))),
        ("on Monday", When(day(3, 2))),
        ("3 March", When(day(3, 3))),
        ("3rd of March 2026", When(day(3, 3))),
        ("March 3, 2026", When(day(3, 3))),
        ("yesterday at 7:30", When(day(3, 4), time(7, 30))),
        ("yesterday at 7 pm", When(day(3, 4), time(19, 0))),
    ],
)
def test_english_dates_are_read_too(typed, expected):
    assert parse_when(typed, NOW, "en") == expected


def test_05_03_is_the_fifth_of_march_never_five_past_five():
    assert parse_when("05.03", NOW) == When(day(3, 5), None)


def test_mandag_kl_18_is_last_monday_at_six_in_the_evening_never_18_march():
    assert parse_when("mandag kl. 18", NOW) == When(day(3, 2), time(18, 0))


def test_i_forgars_is_the_day_before_yesterday():
    assert parse_when("i forgårs", NOW) == When(day(3, 3))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 3, 5, 10, 0), day(2, 27)),  # Thursday
        (datetime(2026, 3, 6, 10, 0), day(2, 27)),  # a Friday: not today, last week's
        (datetime(2026, 3, 7, 10, 0), day(2, 27)),  # Saturday: yesterday is "fredag"
        (datetime(2026, 3, 9, 10, 0), day(3, 6)),  # Monday: the Friday three days ago
    ],
)
def test_forrige_fredag_is_the_friday_of_the_week_before(now, expected):
    assert parse_when("forrige fredag", now).date == expected


def test_a_weekday_name_is_the_most_recent_one_and_today_counts():
    assert parse_when("torsdag", NOW).date == day(3, 5)
    assert parse_when("onsdag", NOW).date == day(3, 4)
    assert parse_when("fredag", NOW).date == day(2, 27)


def test_i_torsdags_on_a_thursday_is_last_week():
    assert parse_when("i torsdags", NOW).date == day(2, 26)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("28.12", day(12, 28, 2025)),
        ("5.1", day(1, 5, 2026)),
        ("6.1", day(1, 6, 2025)),
        ("3. mars", day(3, 3, 2025)),
        ("i går", day(1, 4, 2026)),
        ("forrige fredag", day(1, 2, 2026)),  # a Monday: the Friday three days ago
    ],
)
def test_a_date_without_a_year_is_never_in_the_future_across_new_year(typed, expected):
    assert parse_when(typed, datetime(2026, 1, 5, 9, 0)).date == expected


def test_on_new_years_day_yesterday_and_last_friday_are_last_year():
    new_years_day = datetime(2026, 1, 1, 8, 0)  # a Thursday

    assert parse_when("i går", new_years_day).date == date(2025, 12, 31)
    assert parse_when("fredag", new_years_day).date == date(2025, 12, 26)
    assert parse_when("forrige fredag", new_years_day).date == date(2025, 12, 26)


def test_29_february_is_a_date_only_in_a_leap_year():
    assert parse_when("29.02.2024", NOW).date == date(2024, 2, 29)
    assert parse_when("29.02", datetime(2024, 3, 1, 12, 0)).date == date(2024, 2, 29)
    for typed in ("29.02.2025", "29.02"):
        with pytest.raises(NotUnderstood, match="no date"):
            parse_when(typed, NOW)


@pytest.mark.parametrize("typed", ["31.02", "32.13", "0.5", "2026-02-30", "31. april"])
def test_impossible_dates_are_refused_naming_what_was_typed(typed):
    with pytest.raises(NotUnderstood) as refused:
        parse_when(typed, NOW)
    assert f"«{typed}» finnes ikke" in refused.value.text.nb
    assert "05.03" in refused.value.text.nb


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "hei", "banan kl 7", "7", "18", "mandag 18", "i går 18", "mars", "kl 25",
     "kl 7.61", "05.03.1926", "sist fredag", "1000"],
)
def test_nonsense_and_guesses_are_refused_with_the_form_to_use(typed):
    with pytest.raises(NotUnderstood) as refused:
        parse_when(typed, NOW)
    assert "Skriv" in refused.value.text.nb
    assert "Write" in refused.value.text.en


def test_a_refusal_is_a_user_error_so_the_bot_answers_it_politely():
    assert issubclass(NotUnderstood, UserError)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("for 2 dager siden", When(day(3, 3))),  # dateparser would carry now's 10:00
        ("2 days ago", When(day(3, 3))),
        ("for 2 dager siden kl 14", When(day(3, 3), time(14, 0))),  # it would drop kl 14
    ],
)
def test_dateparser_reads_the_rest_without_inventing_a_time(typed, expected):
    assert parse_when(typed, NOW) == expected


def test_an_aware_now_is_taken_as_the_day_in_oslo():
    half_past_midnight_in_oslo = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)

    assert parse_when("i dag", half_past_midnight_in_oslo).date == day(3, 5)


@pytest.mark.parametrize(
    ("when", "lang", "echo"),
    [
        (When(day(3, 3), time(7, 30)), "nb", "Tirsdag 3. mars 2026 kl. 07:30"),
        (When(day(3, 3), time(7, 30)), "en", "Tuesday 3 March 2026 at 07:30"),
        (When(day(12, 28, 2025)), "nb", "Søndag 28. desember 2025"),
        (When(day(12, 28, 2025)), "en", "Sunday 28 December 2025"),
        (When(day(3, 5), time(0, 0)), "nb", "Torsdag 5. mars 2026 kl. 00:00"),
    ],
)
def test_what_was_understood_is_echoed_in_full(when, lang, echo):
    assert echo_when(when, lang) == echo


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("kl 7.30", time(7, 30)), ("07:30", time(7, 30)), ("7", time(7, 0)),
     ("18.00", time(18, 0)), ("kl. 18", time(18, 0)), ("7 pm", time(19, 0)),
     ("12 am", time(0, 0)), ("00:00", time(0, 0))],
)
def test_times_are_read_with_or_without_kl(typed, expected):
    assert parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["24:00", "7.60", "kl", "13 pm", "7.5", "halv åtte"])
def test_impossible_times_are_refused(typed):
    with pytest.raises(NotUnderstood, match="07:30"):
        parse_time(typed)


@pytest.mark.parametrize(
    ("typed", "amount", "currency"),
    [
        ("1 234,50", "1234.50", "NOK"),
        (f"1{NBSP}234,50", "1234.50", "NOK"),
        (f"1{THIN}234,50", "1234.50", "NOK"),
        (f"1{NARROW}234,50 kr", "1234.50", "NOK"),
        ("1.234,50", "1234.50", "NOK"),
        ("1234.50", "1234.50", "NOK"),
        ("1,234.50", "1234.50", "NOK"),
        ("1.234.567,89", "1234567.89", "NOK"),
        ("kr 250", "250.00", "NOK"),
        ("Kr 250", "250.00", "NOK"),
        ("250 Euro", "250.00", "EUR"),
        ("kr. 250,-", "250.00", "NOK"),
        ("250,-", "250.00", "NOK"),
        ("250 kr", "250.00", "NOK"),
        ("99,9 kr", "99.90", "NOK"),
        ("NOK 1 200", "1200.00", "NOK"),
        ("EUR 45", "45.00", "EUR"),
        ("eur 45", "45.00", "EUR"),
        ("45 €", "45.00", "EUR"),
        ("$12", "12.00", "USD"),
        ("12 USD", "12.00", "USD"),
        ("350 THB", "350.00", "THB"),
        ("10 000 000", "10000000.00", "NOK"),
    ],
)
def test_amounts_are_read_as_typed_in_norway(typed, amount, currency):
    assert parse_amount(typed) == Amount(Decimal(amount), currency)
    assert str(parse_amount(typed).amount) == amount


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("-250", "negativt"),
        ("kr −250", "negativt"),
        ("", "Skriv beløpet"),
        ("0", "mer enn null"),
        ("1,234,5", "Skriv beløpet"),
        ("12 34", "Skriv beløpet"),
        ("1.234", "to desimaler"),
        ("12,345", "to desimaler"),
        ("10 000 000,01", "for stort"),
        ("250 for", "Skriv beløpet"),
        ("NOK 250 EUR", "Skriv beløpet"),
        ("tusen", "Skriv beløpet"),
    ],
)
def test_amounts_that_are_negative_empty_ambiguous_or_huge_are_refused(typed, reason):
    with pytest.raises(NotUnderstood) as refused:
        parse_amount(typed)
    assert reason in refused.value.text.nb


@pytest.mark.parametrize(
    ("typed", "km"),
    [("12,5", "12.5"), ("12.5 km", "12.5"), ("ca 40 km", "40"), ("ca. 40", "40"),
     ("cirka 40 km", "40"), ("1 200", "1200"), ("40km", "40"), ("12,50", "12.5"),
     ("10 000", "10000")],
)
def test_km_are_read_with_ca_and_km_left_out(typed, km):
    assert f"{parse_km(typed):f}" == km


@pytest.mark.parametrize("typed", ["-5", "-5 km", "0", "10001", "abc", "12,555", "ca", ""])
def test_km_that_are_negative_nonsense_or_too_far_are_refused(typed):
    with pytest.raises(NotUnderstood):
        parse_km(typed)
