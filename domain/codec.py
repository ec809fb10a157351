"""Lines and computed results as plain JSON-able dicts, in ``kvitt calc``'s contract names.

One codec for every place a line crosses a boundary: ``kvitt calc``, the
store's JSON columns, the dialog's draft. Reading is strict: unknown fields are
refused rather than ignored (a misspelt ``forest_road_km`` must not silently
change an amount), and every fault names its JSON path (``lines[2].nights[0].date``).
Decimals travel as strings (``"12.50"``), dates as ISO text, per diem times as
Norwegian wall-clock ``YYYY-MM-DDTHH:MM``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from domain.calc.result import IncomePart, LineResult, Notice
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
from domain.text import Lang, Text

T = TypeVar("T")
_REQUIRED: Any = object()
_LARGEST = Decimal(10) ** 9  # beyond this no claim is real, and øre rounding could overflow
_WALL_CLOCK = "%Y-%m-%dT%H:%M"


class CodecError(ValueError):
    """The input cannot be read; ``field`` is its JSON path (``None``: the whole input)."""

    def __init__(self, field: str | None, text: Text) -> None:
        super().__init__(f"{field}: {text.en}" if field else text.en)
        self.field = field
        self.text = text

    def render(self, lang: Lang) -> dict[str, str | None]:
        """The error as the one JSON object ``kvitt calc`` prints."""
        message = self.text.in_(lang)
        return {"error": f"{self.field}: {message}" if self.field else message,
                "field": self.field}


def _expected(path: str | None, nb: str, en: str) -> CodecError:
    return CodecError(path, Text(f"må være {nb}", f"must be {en}"))


def _number(value: object, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise _expected(path, "et tall (12.5 eller \"12.5\")", "a number (12.5 or \"12.5\")")
    try:
        number = to_decimal(value)
    except MoneyError:
        raise _expected(path, "et tall (12.5 eller \"12.5\")",
                        "a number (12.5 or \"12.5\")") from None
    if abs(number) > _LARGEST:
        raise CodecError(path, Text("tallet er for stort", "the number is too large"))
    return number


def read_text(value: object, path: str) -> str:
    """``value`` if it is text, else a ``CodecError`` at ``path``."""
    if not isinstance(value, str):
        raise _expected(path, "tekst", "text")
    return value


def _flag(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise _expected(path, "true eller false", "true or false")
    return value


def _day(value: object, path: str) -> date:
    try:
        return date.fromisoformat(read_text(value, path))
    except ValueError:
        raise _expected(path, "en dato ÅÅÅÅ-MM-DD", "a date YYYY-MM-DD") from None


def _moment(value: object, path: str) -> datetime:
    # Times are Norwegian wall-clock times; the zone lets a døgn be 24 real hours across DST.
    try:
        local = datetime.strptime(read_text(value, path), _WALL_CLOCK)
        return local.replace(tzinfo=ZoneInfo("Europe/Oslo"))
    except ValueError:
        raise _expected(path, "dato og klokkeslett ÅÅÅÅ-MM-DDTHH:MM",
                        "a date and time YYYY-MM-DDTHH:MM") from None


class JsonObject:
    """A JSON object being read: its keys checked, each value read with its path."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, dict) and not path:
            raise CodecError(None, Text("inndata må være et JSON-objekt {…}",
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
                raise CodecError(self.at(key), Text(
                    f"ukjent felt; gyldige felt her: {', '.join(keys)}",
                    f"unknown field; valid fields here: {', '.join(keys)}"))

    def get(self, key: str, read: Callable[[object, str], T], default: T = _REQUIRED) -> T:
        """Read ``key`` with ``read``; absent or ``null`` gives ``default``, if there is one."""
        value = self.data.get(key)
        if value is None:
            if default is _REQUIRED:
                raise CodecError(self.at(key), Text("mangler", "is missing"))
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
def errors_under(path: str) -> Iterator[None]:
    """Re-raise the domain's ``LineError`` with its field placed under ``path``."""
    try:
        yield
    except LineError as exc:
        raise CodecError(f"{path}.{exc.field}", exc.text) from exc


def _mileage(line: JsonObject) -> MileageLeg:
    line.only("kind", "date", "km", "vehicle", "passengers", "forest_road_km", "trailer_km")
    return MileageLeg(
        date=line.get("date", _day), km=line.get("km", _number),
        vehicle=line.get("vehicle", read_text, "car"),
        passengers=tuple(read_text(p, path) for p, path in line.items("passengers")),
        forest_road_km=line.get("forest_road_km", _number, Decimal(0)),
        trailer_km=line.get("trailer_km", _number, Decimal(0)))


def _night(value: object, path: str) -> Night:
    night = JsonObject(value, path)
    night.only("date", "lodging")
    with errors_under(path):
        return Night(night.get("date", _day), night.get("lodging", read_text))


def _meals(value: object, path: str) -> MealsProvided:
    day = JsonObject(value, path)
    day.only("date", "breakfast", "lunch", "dinner")
    return MealsProvided(day.get("date", _day), day.get("breakfast", _flag, False),
                         day.get("lunch", _flag, False), day.get("dinner", _flag, False))


def _per_diem(line: JsonObject) -> PerDiem:
    line.only("kind", "departure", "return", "distance_km", "nights", "meals")
    return PerDiem(
        departure=line.get("departure", _moment), return_at=line.get("return", _moment),
        distance_km=line.get("distance_km", _number),
        nights=tuple(_night(*item) for item in line.items("nights")),
        meals=tuple(_meals(*item) for item in line.items("meals")))


def _expense(line: JsonObject) -> Expense:
    line.only("kind", "date", "type", "amount", "currency", "nok_rate")
    day, expense_type = line.get("date", _day), line.get("type", read_text)
    amount, currency = line.get("amount", _number), line.get("currency", read_text, NOK)
    if currency != NOK and line.data.get("nok_rate") is None:
        raise CodecError(line.at("nok_rate"), Text(
            f"mangler: oppgi kursen (NOK per {currency})",
            f"is missing: give the rate (NOK per {currency})"))
    try:
        money = ForeignAmount(currency, amount, line.get("nok_rate", _number, Decimal(1)))
    except MoneyError as exc:
        raise CodecError(line.at(exc.field) if exc.field else line.path, exc.text) from exc
    return Expense(day, expense_type, money)


def _item(line: JsonObject) -> ItemLine:
    line.only("kind", "date", "quantity", "rate", "taxable", "label", "code", "label_en", "unit")
    return ItemLine(date=line.get("date", _day), quantity=line.get("quantity", _number),
                    rate=line.get("rate", _number), taxable=line.get("taxable", _flag, True),
                    label=line.get("label", read_text, ""), code=line.get("code", read_text, ""),
                    label_en=line.get("label_en", read_text, ""),
                    unit=line.get("unit", read_text, ""))


_KINDS: dict[str, Callable[[JsonObject], Line]] = {
    "mileage": _mileage, "per_diem": _per_diem, "expense": _expense, "item": _item}


def line_from_dict(value: object, path: str = "line") -> Line:
    """Read a line in the ``kvitt calc`` format; raises ``CodecError`` with the field's path."""
    line = JsonObject(value, path)
    kind = line.get("kind", read_text)
    if kind not in _KINDS:
        raise CodecError(line.at("kind"), Text(
            f"ukjent linjetype {kind!r}; velg {', '.join(_KINDS)}",
            f"unknown line kind {kind!r}; choose {', '.join(_KINDS)}"))
    with errors_under(path):
        return _KINDS[kind](line)



def line_to_dict(line: Line) -> dict[str, Any]:
    """A line in the ``kvitt calc`` input format."""
    if isinstance(line, MileageLeg):
        return {"kind": "mileage", "date": line.date.isoformat(), "km": str(line.km),
                "vehicle": line.vehicle, "passengers": list(line.passengers),
                "forest_road_km": str(line.forest_road_km), "trailer_km": str(line.trailer_km)}
    if isinstance(line, PerDiem):
        return {"kind": "per_diem", "departure": line.departure.strftime(_WALL_CLOCK),
                "return": line.return_at.strftime(_WALL_CLOCK),
                "distance_km": str(line.distance_km),
                "nights": [{"date": n.date.isoformat(), "lodging": n.lodging}
                           for n in line.nights],
                "meals": [{"date": m.date.isoformat(), "breakfast": m.breakfast,
                           "lunch": m.lunch, "dinner": m.dinner} for m in line.meals]}
    if isinstance(line, Expense):
        return {"kind": "expense", "date": line.date.isoformat(), "type": line.type,
                "amount": str(line.amount.amount), "currency": line.amount.currency,
                "nok_rate": str(line.amount.nok_rate)}
    return {"kind": "item", "date": line.date.isoformat(), "quantity": str(line.quantity),
            "rate": str(line.rate), "taxable": line.taxable, "label": line.label,
            "code": line.code,
            **({"label_en": line.label_en} if line.label_en else {}),
            **({"unit": line.unit} if line.unit else {})}


def result_to_dict(result: LineResult) -> dict[str, Any]:
    """A frozen result, both languages kept, with the rate values used."""
    return {"amount": format_nok(result.amount), "taxfree": format_nok(result.taxfree),
            "breakdown": [[t.nb, t.en] for t in result.breakdown],
            "warnings": [[w.code, w.text.nb, w.text.en] for w in result.warnings],
            "rates_used": dict(result.rates_used),
            "parts": [[p.code, str(p.count), format_nok(p.taxfree), format_nok(p.taxable)]
                      for p in result.parts]}


def result_from_dict(data: Mapping[str, Any]) -> LineResult:
    """Read back what ``result_to_dict`` wrote."""
    return LineResult(Decimal(data["amount"]), Decimal(data["taxfree"]),
                      tuple(Text(nb, en) for nb, en in data["breakdown"]),
                      tuple(Notice(code, Text(nb, en)) for code, nb, en in data["warnings"]),
                      dict(data["rates_used"]),
                      tuple(IncomePart(code, Decimal(n), Decimal(f), Decimal(t))
                            for code, n, f, t in data.get("parts", ())))


