"""The JSON contract of ``kvitt calc``: read a claim's lines, compute them, render the result.

Input: ``{"rate_set": "state", "lines": [{"kind": "mileage", ...}, ...]}`` with the line
kinds ``mileage``, ``per_diem``, ``expense`` and ``item``. Output: each line's amount,
tax-free and taxable parts (strings with two decimals), breakdown and warnings, and the
totals. Any fault in the input is one ``CalcInputError`` whose ``field`` is the JSON
path of what to fix (``lines[2].nights[0].date``), so the single line printed tells
support staff where to look. Unknown fields are refused rather than ignored: a
misspelt ``forest_road_km`` must not silently change an amount.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from domain.calc import ClaimResult, LineResult, Totals, compute_line
from domain.lines import (
    Expense,
    ItemLine,
    Line,
    LineError,
    MealsProvided,
    MileageLeg,
    Night,
    PerDiem,
)
from domain.money import NOK, ForeignAmount, MoneyError, format_nok, to_decimal
from domain.rates import NoRateSetError, RateBook, RateSetError, parse_table
from domain.text import Lang, Text

T = TypeVar("T")
_REQUIRED: Any = object()
_LARGEST = Decimal(10) ** 9  # beyond this no claim is real, and øre rounding could overflow

# MoneyError carries neither a field nor Norwegian text, but its message starts with the field.
_MONEY_NB = {"currency": "valuta må være en kode på tre store bokstaver, som EUR",
             "amount": "beløpet kan ikke være negativt",
             "nok_rate": "kursen må være positiv, og 1 for NOK"}


class CalcInputError(ValueError):
    """The input cannot be computed; ``field`` is its JSON path (``None``: the whole input)."""

    def __init__(self, field: str | None, text: Text) -> None:
        super().__init__(f"{field}: {text.en}" if field else text.en)
        self.field = field
        self.text = text

    def render(self, lang: Lang) -> dict[str, str | None]:
        """The error as the one JSON object ``kvitt calc`` prints."""
        message = self.text.in_(lang)
        return {"error": f"{self.field}: {message}" if self.field else message,
                "field": self.field}


def _expected(path: str | None, nb: str, en: str) -> CalcInputError:
    return CalcInputError(path, Text(f"må være {nb}", f"must be {en}"))


def _number(value: object, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise _expected(path, "et tall (12.5 eller \"12.5\")", "a number (12.5 or \"12.5\")")
    try:
        number = to_decimal(value)
    except MoneyError:
        raise _expected(path, "et tall (12.5 eller \"12.5\")",
                        "a number (12.5 or \"12.5\")") from None
    if abs(number) > _LARGEST:
        raise CalcInputError(path, Text("tallet er for stort", "the number is too large"))
    return number


def _text(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise _expected(path, "tekst", "text")
    return value


def _flag(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise _expected(path, "true eller false", "true or false")
    return value


def _day(value: object, path: str) -> date:
    try:
        return date.fromisoformat(_text(value, path))
    except ValueError:
        raise _expected(path, "en dato ÅÅÅÅ-MM-DD", "a date YYYY-MM-DD") from None


def _moment(value: object, path: str) -> datetime:
    # Times are Norwegian wall-clock times; the zone lets a døgn be 24 real hours across DST.
    try:
        local = datetime.strptime(_text(value, path), "%Y-%m-%dT%H:%M")
        return local.replace(tzinfo=ZoneInfo("Europe/Oslo"))
    except ValueError:
        raise _expected(path, "dato og klokkeslett ÅÅÅÅ-MM-DDTHH:MM",
                        "a date and time YYYY-MM-DDTHH:MM") from None


class _Object:
    """A JSON object being read: its keys checked, each value read with its path."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, dict) and not path:
            raise CalcInputError(None, Text("inndata må være et JSON-objekt {…}",
                                            "the input must be a JSON object {…}"))
        if not isinstance(data, dict):
            raise _expected(path, "et JSON-objekt {…}", "a JSON object {…}")
        self.data: dict[str, object] = data
        self.path = path

    def at(self, key: str) -> str:
        """The path of ``key`` in this object."""
        return f"{self.path}.{key}" if self.path else key

    def only(self, *keys: str) -> None:
        """Refuse any key but ``keys``."""
        for key in self.data:
            if key not in keys:
                raise CalcInputError(self.at(key), Text(
                    f"ukjent felt; gyldige felt her: {', '.join(keys)}",
                    f"unknown field; valid fields here: {', '.join(keys)}"))

    def get(self, key: str, read: Callable[[object, str], T], default: T = _REQUIRED) -> T:
        """Read ``key`` with ``read``; absent or ``null`` gives ``default``, if there is one."""
        value = self.data.get(key)
        if value is None:
            if default is _REQUIRED:
                raise CalcInputError(self.at(key), Text("mangler", "is missing"))
            return default
        return read(value, self.at(key))

    def items(self, key: str, required: bool = False) -> list[tuple[object, str]]:
        """The elements of the list at ``key``, each with its path."""
        elements = self.get(key, _list, _REQUIRED if required else [])
        return [(element, f"{self.at(key)}[{i}]") for i, element in enumerate(elements)]


def _list(value: object, path: str) -> list[object]:
    if not isinstance(value, list):
        raise _expected(path, "en liste […]", "a list […]")
    return value


@contextmanager
def _under(path: str) -> Iterator[None]:
    """Re-raise the domain's ``LineError`` with its field placed under ``path``."""
    try:
        yield
    except LineError as exc:
        raise CalcInputError(f"{path}.{exc.field}", exc.text) from exc


def _mileage(line: _Object) -> MileageLeg:
    line.only("kind", "date", "km", "vehicle", "passengers", "forest_road_km", "trailer_km")
    return MileageLeg(
        date=line.get("date", _day), km=line.get("km", _number),
        vehicle=line.get("vehicle", _text, "car"),
        passengers=tuple(_text(p, path) for p, path in line.items("passengers")),
        forest_road_km=line.get("forest_road_km", _number, Decimal(0)),
        trailer_km=line.get("trailer_km", _number, Decimal(0)))


def _night(value: object, path: str) -> Night:
    night = _Object(value, path)
    night.only("date", "lodging")
    with _under(path):
        return Night(night.get("date", _day), night.get("lodging", _text))


def _meals(value: object, path: str) -> MealsProvided:
    day = _Object(value, path)
    day.only("date", "breakfast", "lunch", "dinner")
    return MealsProvided(day.get("date", _day), day.get("breakfast", _flag, False),
                         day.get("lunch", _flag, False), day.get("dinner", _flag, False))


def _per_diem(line: _Object) -> PerDiem:
    line.only("kind", "departure", "return", "distance_km", "nights", "meals")
    return PerDiem(
        departure=line.get("departure", _moment), return_at=line.get("return", _moment),
        distance_km=line.get("distance_km", _number),
        nights=tuple(_night(*item) for item in line.items("nights")),
        meals=tuple(_meals(*item) for item in line.items("meals")))


def _expense(line: _Object) -> Expense:
    line.only("kind", "date", "type", "amount", "currency", "nok_rate")
    day, expense_type = line.get("date", _day), line.get("type", _text)
    amount, currency = line.get("amount", _number), line.get("currency", _text, NOK)
    if currency != NOK and line.data.get("nok_rate") is None:
        raise CalcInputError(line.at("nok_rate"), Text(
            f"mangler: oppgi kursen (NOK per {currency})",
            f"is missing: give the rate (NOK per {currency})"))
    try:
        money = ForeignAmount(currency, amount, line.get("nok_rate", _number, Decimal(1)))
    except MoneyError as exc:
        field = str(exc).split()[0]
        nb = _MONEY_NB.get(field, str(exc))
        raise CalcInputError(line.at(field) if field in _MONEY_NB else line.path,
                             Text(nb, str(exc))) from exc
    return Expense(day, expense_type, money)


def _item(line: _Object) -> ItemLine:
    line.only("kind", "date", "quantity", "rate", "taxable", "label")
    return ItemLine(date=line.get("date", _day), quantity=line.get("quantity", _number),
                    rate=line.get("rate", _number), taxable=line.get("taxable", _flag, True),
                    label=line.get("label", _text, ""))


_KINDS: dict[str, Callable[[_Object], Line]] = {
    "mileage": _mileage, "per_diem": _per_diem, "expense": _expense, "item": _item}


def _line(value: object, path: str) -> Line:
    line = _Object(value, path)
    kind = line.get("kind", _text)
    if kind not in _KINDS:
        raise CalcInputError(line.at("kind"), Text(
            f"ukjent linjetype {kind!r}; velg {', '.join(_KINDS)}",
            f"unknown line kind {kind!r}; choose {', '.join(_KINDS)}"))
    with _under(path):
        return _KINDS[kind](line)


def _compute(line: Line, path: str, book: RateBook, rate_set: str) -> LineResult:
    try:
        with _under(path):
            return compute_line(line, book, rate_set)
    except NoRateSetError as exc:
        day = "departure" if isinstance(line, PerDiem) else "date"
        raise CalcInputError(f"{path}.{day}", Text(
            f"satssettet {exc.name!r} har ingen satser for {exc.on.isoformat()}",
            f"rate set {exc.name!r} has no rates for {exc.on.isoformat()}")) from exc
    except RateSetError as exc:
        raise CalcInputError("rate_set", Text(f"feil i satssettet: {exc}",
                                              f"error in the rate set: {exc}")) from exc


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice in one object")
        result[key] = value
    return result


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number")


def _loads(raw: bytes) -> object:
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=_refuse_constant,
                          object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise CalcInputError(None, Text(
            f"ugyldig JSON (linje {exc.lineno}, kolonne {exc.colno}): {exc.msg}",
            f"invalid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}")) from None
    except (ValueError, RecursionError) as exc:  # bad UTF-8, hooks above, absurd nesting
        raise CalcInputError(None, Text(f"ugyldig JSON: {exc}", f"invalid JSON: {exc}")) from None


def calculate(raw: bytes, book: RateBook) -> ClaimResult:
    """Compute the claim in the JSON document ``raw`` with the rates in ``book``.

    Raises:
        CalcInputError: anything in the input that cannot be computed, with its path.
    """
    claim = _Object(_loads(raw), "")
    claim.only("rate_set", "lines")
    rate_set = claim.get("rate_set", _text, "state")
    if rate_set not in book.names():
        raise CalcInputError("rate_set", Text(
            f"ukjent satssett {rate_set!r}; kjente: {', '.join(sorted(book.names()))}",
            f"unknown rate set {rate_set!r}; known: {', '.join(sorted(book.names()))}"))
    lines = [(_line(value, path), path) for value, path in claim.items("lines", required=True)]
    results = tuple(_compute(line, path, book, rate_set) for line, path in lines)
    return ClaimResult(results, Totals.of(results))


def with_rate_files(book: RateBook, paths: Sequence[str]) -> RateBook:
    """``book`` with the tables of an organisation's or federation's TOML files added."""
    tables = []
    for path in paths:
        try:
            data = tomllib.loads(Path(path).read_text("utf-8"))
            if any(isinstance(data.get(key), datetime) for key in ("valid_from", "valid_to")):
                # parse_table lets a datetime through (it is a date), and the lookup then fails
                raise RateSetError("valid_from and valid_to must be dates without a time")
            tables.append(parse_table(data))
        except (OSError, ValueError, TypeError) as exc:  # ValueError: TOML, UTF-8, RateSetError
            raise CalcInputError("--rates", Text(
                f"kan ikke bruke satsfilen {path}: {exc}",
                f"cannot use the rate file {path}: {exc}")) from exc
    return book.with_tables(tables)


def _result(line: LineResult, lang: Lang) -> dict[str, object]:
    return {"amount": format_nok(line.amount), "taxfree": format_nok(line.taxfree),
            "taxable": format_nok(line.taxable),
            "breakdown": [text.in_(lang) for text in line.breakdown],
            "warnings": [{"code": n.code, "message": n.text.in_(lang)} for n in line.warnings]}


def render(claim: ClaimResult, lang: Lang) -> dict[str, object]:
    """The computed claim as ``kvitt calc`` prints it, texts in ``lang``."""
    return {"lines": [_result(line, lang) for line in claim.lines],
            "total": format_nok(claim.totals.amount),
            "taxfree": format_nok(claim.totals.taxfree),
            "taxable": format_nok(claim.totals.taxable)}
