"""The rate book: every known rate table, and the lookup by name and date.

Tables are parsed from plain dicts (what ``tomllib`` gives), so the same code
reads the shipped files, an organisation's own set from its TOML file, and a
test's inline table. Later tables win over earlier ones for the same name and
date: that is how an admin overrides a provisional figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from typing import Any

from domain.rates.model import PaidRates, RateSetError, RateTable, TaxFreeLimits

TAXFREE = "taxfree"


class NoRateSetError(LookupError):
    """No table of the named set covers the date (e.g. a trip in 2019)."""

    def __init__(self, name: str, on: date) -> None:
        super().__init__(f"no rate set {name!r} valid on {on.isoformat()}")
        self.name = name
        self.on = on


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Decimal | str | int]:
    flat: dict[str, Decimal | str | int] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        elif isinstance(value, float):
            raise RateSetError(f"{prefix}{key}: write rates as strings (\"5.30\"), not floats")
        elif isinstance(value, bool) or not isinstance(value, int | str):
            raise RateSetError(f"{prefix}{key}: expected a number or text, not {value!r}")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _date(data: Mapping[str, Any], key: str, name: str) -> date:
    """A TOML date or ISO date text (stored organisations are JSON); never a datetime."""
    value = data.get(key)
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, date) or isinstance(value, datetime):
        raise RateSetError(f"rate set {name}: {key} must be a date (2026-01-01)")
    return value


def _strings(data: Mapping[str, Any], key: str, name: str) -> tuple[str, ...]:
    value = data.get(key, ())
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise RateSetError(f"rate set {name}: {key} must be a list of texts")
    return tuple(value)


_META = ("name", "kind", "title", "valid_from", "valid_to", "sources", "provisional", "base")


def parse_table(data: Mapping[str, Any]) -> RateTable:
    """Parse one rate table from a dict; raises ``RateSetError`` naming the field."""
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise RateSetError("rate set: name is missing")
    kind = data.get("kind", "paid")
    if kind not in ("paid", "taxfree"):
        raise RateSetError(f"rate set {name}: kind must be paid or taxfree")
    valid_from, valid_to = _date(data, "valid_from", name), _date(data, "valid_to", name)
    if valid_to < valid_from:
        raise RateSetError(f"rate set {name}: valid_to is before valid_from")
    base = data.get("base")
    if base is not None and not isinstance(base, str):
        raise RateSetError(f"rate set {name}: base must be the name of another set")
    table = RateTable(
        name=name,
        kind="taxfree" if kind == "taxfree" else "paid",
        valid_from=valid_from,
        valid_to=valid_to,
        values=_flatten({k: v for k, v in data.items() if k not in _META}),
        title=str(data.get("title", "")),
        sources=_strings(data, "sources", name),
        provisional=frozenset(_strings(data, "provisional", name)),
        base=base,
    )
    if base is None:  # complete sets are checked at once; derived ones on lookup
        _typed(table, table.values)
    return table


def _typed(table: RateTable,
           values: Mapping[str, Decimal | str | int]) -> PaidRates | TaxFreeLimits:
    if table.kind == "taxfree":
        return TaxFreeLimits.from_values(table.name, table.valid_from, values, table.provisional)
    return PaidRates.from_values(table.name, table.valid_from, values, table.provisional)


class RateBook:
    """All rate tables known to a process; immutable, so safe to share."""

    def __init__(self, tables: Iterable[RateTable]) -> None:
        self._tables = tuple(tables)

    def with_tables(self, tables: Iterable[RateTable]) -> RateBook:
        """A new book where ``tables`` override existing ones for the same name and date."""
        return RateBook((*self._tables, *tables))

    @property
    def tables(self) -> tuple[RateTable, ...]:
        """Every table, in the order they were added."""
        return self._tables

    def names(self) -> frozenset[str]:
        """Names of the paid sets (``state``, a federation's own …)."""
        return frozenset(t.name for t in self._tables if t.kind == "paid")

    def _table(self, name: str, on: date) -> RateTable:
        for table in reversed(self._tables):
            if table.name == name and table.covers(on):
                return table
        raise NoRateSetError(name, on)

    def _values(self, table: RateTable, on: date, seen: tuple[str, ...] = ()) -> dict[str, Any]:
        if table.base is None:
            return dict(table.values)
        if table.base in seen:
            raise RateSetError(f"rate set {table.name}: base sets loop ({' → '.join(seen)})")
        inherited = self._values(self._table(table.base, on), on, (*seen, table.name))
        return {**inherited, **table.values}

    def check(self, table: RateTable) -> None:
        """Resolve ``table`` as a line's lookup would, on its first and last day.

        A table on a base set is otherwise only checked when a line first looks it up:
        a wrong value there would meet a claimant instead of the admin applying the file.
        Raises ``RateSetError`` naming the field, or ``NoRateSetError`` for a missing base.
        """
        for on in (table.valid_from, table.valid_to):
            _typed(table, self._values(table, on))

    def paid(self, name: str, on: date) -> PaidRates:
        """The paid rates of set ``name`` valid on ``on``."""
        table = self._table(name, on)
        rates = _typed(table, self._values(table, on))
        if not isinstance(rates, PaidRates):
            raise RateSetError(f"rate set {name} holds tax-free limits, not paid rates")
        return rates

    def taxfree(self, on: date) -> TaxFreeLimits:
        """Skatteetaten's tax-free limits valid on ``on``."""
        table = self._table(TAXFREE, on)
        limits = _typed(table, self._values(table, on))
        if not isinstance(limits, TaxFreeLimits):
            raise RateSetError("rate set taxfree must have kind = \"taxfree\"")
        return limits


def shipped_tables() -> list[RateTable]:
    """The tables shipped with Kvitt (``domain/rates/data/*.toml``), oldest first."""
    import tomllib

    folder = resources.files("domain.rates") / "data"
    tables = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            try:
                tables.append(parse_table(tomllib.loads(entry.read_text("utf-8"))))
            except RateSetError as exc:
                raise RateSetError(f"{entry.name}: {exc}") from exc
    return tables


def default_book() -> RateBook:
    """A book with the shipped state agreement and tax-free tables."""
    return RateBook(shipped_tables())
