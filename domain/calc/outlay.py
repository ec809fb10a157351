"""Expenses on receipt (*utlegg*) and catalogue items (hours, fees).

An outlay is refunded as documented and is tax-free: it is not income. An item
is quantity × rate; whether it is taxable comes from the organisation's
catalogue entry (a match fee or hourly pay is; some flat allowances are not).
"""

from __future__ import annotations

from dataclasses import replace

from domain.calc.result import IncomePart, LineResult, Notice, income_parts, kr, tax_split_text
from domain.lines import EXPENSE_NAMES, Expense, ItemLine, unit_text
from domain.money import NOK, ZERO, number_text, round_ore
from domain.text import Text


def compute_expense(expense: Expense) -> LineResult:
    """Refund an outlay as documented, converted to NOK at the rate given."""
    money = expense.amount
    label_nb, label_en = EXPENSE_NAMES[expense.type].nb, EXPENSE_NAMES[expense.type].en
    if money.currency == NOK:
        text = Text(f"{label_nb}: {kr(money.nok)}", f"{label_en}: {kr(money.nok)}")
        used: dict[str, str] = {}
    else:
        text = Text(
            f"{label_nb}: {money.currency} {kr(money.amount)} × kurs "
            f"{number_text(money.nok_rate).nb} = {kr(money.nok)}",
            f"{label_en}: {money.currency} {kr(money.amount)} × rate "
            f"{number_text(money.nok_rate).en} = {kr(money.nok)}")
        used = {"currency": money.currency, "nok_rate": str(money.nok_rate)}
    return LineResult(money.nok, money.nok, (text, tax_split_text(money.nok, money.nok)), (),
                      used)


def taxed_whole(result: LineResult, code: str, payer: str) -> LineResult:
    """An outlay without the receipt ``payer`` requires, refunded as taxable income.

    RATES.md §2: without the documentation required, the whole refund is taxable; it is
    then income under the catalogue ``code`` (its A-melding code), not a refund on receipt.
    """
    why = Text(f"Uten kvittering ({payer} krever den): hele beløpet er trekkpliktig",
               f"No receipt ({payer} requires one): the whole amount is taxable")
    notice = Notice("receipt_missing_taxable", Text(
        f"mangler kvittering: {kr(result.amount)} kr er trekkpliktig ({payer} krever "
        "kvittering)", f"has no receipt: {kr(result.amount)} kr is taxable ({payer} "
        "requires a receipt)"))
    return replace(result, taxfree=ZERO,
                   breakdown=(*result.breakdown[:-1], why, tax_split_text(result.amount, ZERO)),
                   warnings=(*result.warnings, notice),
                   parts=(IncomePart(code, ZERO, ZERO, result.amount),))


def compute_item(item: ItemLine) -> LineResult:
    """Quantity × rate, wholly taxable or wholly tax-free per the catalogue."""
    amount = round_ore(item.quantity * item.rate)
    label = item.label or item.code or "Post"
    quantity = number_text(item.quantity)
    # English: the catalogue's English label and the unit; Norwegian (the approver's mail)
    # as it always read
    unit = f" {unit_text(item.unit, item.quantity).en}" if item.unit else ""
    text = Text(f"{label}: {quantity.nb} × {kr(item.rate)} = {kr(amount)}",
                f"{item.label_en or label}: {quantity.en}{unit} × {kr(item.rate)} = {kr(amount)}")
    taxfree = ZERO if item.taxable else amount
    used = {"rate": str(item.rate), "taxable": str(item.taxable).lower()}
    # the catalogue code: the payroll export maps it to the entry's A-melding code
    parts = income_parts([(item.code or item.label, item.quantity, taxfree, amount - taxfree)],
                         taxfree, amount - taxfree)
    return LineResult(amount, taxfree, (text, tax_split_text(amount, taxfree)), (), used, parts)
