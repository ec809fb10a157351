"""Money: exact decimals, half-up rounding to øre, Norwegian formatting, foreign amounts."""

from decimal import Decimal

import pytest

from domain.money import ForeignAmount, MoneyError, format_kr, format_nok, round_ore, to_decimal

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),
        ("2.675", "2.68"),  # the classic float trap: 2.675 as a float rounds to 2.67
        ("0.004", "0.00"),
        ("1.995", "2.00"),
        ("-0.005", "-0.01"),  # half-up means away from zero, as payroll does
        ("10", "10.00"),
    ],
)
def test_rounding_to_ore_is_half_up(value, expected):
    assert round_ore(Decimal(value)) == Decimal(expected)
    assert str(round_ore(Decimal(value))) == expected


@pytest.mark.parametrize("value", [0.1, 2.675, 1.0])
def test_floats_are_refused(value):
    with pytest.raises(MoneyError):
        to_decimal(value)


def test_booleans_are_refused_even_though_they_are_ints():
    with pytest.raises(MoneyError):
        to_decimal(True)


@pytest.mark.parametrize("value", ["abc", "", "NaN", "Infinity", "-inf", None, [1]])
def test_non_numbers_and_non_finite_numbers_are_refused(value):
    with pytest.raises(MoneyError):
        to_decimal(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12.50", Decimal("12.50")), (" 7 ", Decimal("7")), (42, Decimal("42")),
     (Decimal("0.1"), Decimal("0.1"))],
)
def test_strings_ints_and_decimals_are_read_exactly(value, expected):
    result = to_decimal(value)
    assert isinstance(result, Decimal)
    assert result == expected


def test_a_typed_tenth_stays_exactly_one_tenth():
    assert to_decimal("0.1") * 3 == Decimal("0.3")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1234.5", f"1{NBSP}234,50"),
        ("0", "0,00"),
        ("999.999", f"1{NBSP}000,00"),
        ("1234567.005", f"1{NBSP}234{NBSP}567,01"),
        ("12", "12,00"),
        ("-1234.5", f"-1{NBSP}234,50"),
    ],
)
def test_format_kr_groups_with_non_breaking_spaces_and_a_decimal_comma(amount, expected):
    assert format_kr(Decimal(amount)) == expected


def test_format_kr_never_uses_an_ordinary_space_that_could_wrap_the_number():
    assert " " not in format_kr(Decimal("1234567.89"))


def test_format_nok_is_for_machines_with_a_dot_and_no_grouping():
    assert format_nok(Decimal("1234.5")) == "1234.50"
    assert format_nok(Decimal("0.005")) == "0.01"


def test_foreign_amount_is_converted_at_its_rate_and_rounded_half_up_to_ore():
    # 100.00 EUR × 11.7234 = 1172.34 exactly
    assert ForeignAmount("EUR", Decimal("100.00"), Decimal("11.7234")).nok == Decimal("1172.34")
    # 10.01 USD × 10.555 = 105.65555 → 105.66
    assert ForeignAmount("USD", Decimal("10.01"), Decimal("10.555")).nok == Decimal("105.66")
    # 0.5 SEK × 0.01 = 0.005 → 0.01 (half-up, not banker's rounding)
    assert ForeignAmount("SEK", Decimal("0.5"), Decimal("0.01")).nok == Decimal("0.01")


def test_nok_amount_converts_at_rate_one_to_itself():
    assert ForeignAmount("NOK", Decimal("250.5"), Decimal("1")).nok == Decimal("250.50")


@pytest.mark.parametrize("currency", ["eur", "EURO", "EU", "E1R", "", "€€€"])
def test_currency_must_be_a_three_letter_upper_case_code(currency):
    with pytest.raises(MoneyError):
        ForeignAmount(currency, Decimal("10"), Decimal("11"))


def test_a_negative_foreign_amount_is_refused():
    with pytest.raises(MoneyError):
        ForeignAmount("EUR", Decimal("-0.01"), Decimal("11"))


@pytest.mark.parametrize("rate", ["0", "-11.5"])
def test_a_conversion_rate_must_be_positive(rate):
    with pytest.raises(MoneyError):
        ForeignAmount("EUR", Decimal("10"), Decimal(rate))


def test_nok_with_a_rate_other_than_one_is_refused():
    with pytest.raises(MoneyError):
        ForeignAmount("NOK", Decimal("10"), Decimal("1.01"))


def test_money_error_is_a_value_error_so_front_ends_can_treat_it_as_bad_input():
    assert issubclass(MoneyError, ValueError)
