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
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from domain.calc import ClaimResult, LineResult, Totals, compute_line
from domain.codec import CodecError, JsonObject, errors_under, line_from_dict, read_text
from domain.lines import Line, PerDiem
from domain.money import format_nok
from domain.rates import NoRateSetError, RateBook, RateSetError, parse_table
from domain.text import Lang, Text

CalcInputError = CodecError


def _compute(line: Line, path: str, book: RateBook, rate_set: str) -> LineResult:
    try:
        with errors_under(path):
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
    claim = JsonObject(_loads(raw), "")
    claim.only("rate_set", "lines")
    rate_set = claim.get("rate_set", read_text, "state")
    if rate_set not in book.names():
        raise CalcInputError("rate_set", Text(
            f"ukjent satssett {rate_set!r}; kjente: {', '.join(sorted(book.names()))}",
            f"unknown rate set {rate_set!r}; known: {', '.join(sorted(book.names()))}"))
    lines = [(line_from_dict(value, path), path)
             for value, path in claim.items("lines", required=True)]
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
