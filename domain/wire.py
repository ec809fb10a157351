"""The one codec for typed boundary records: domain events and outbox messages.

Each record is a frozen dataclass whose class carries its wire name in ``kind``
(a ``ClassVar``). The stored kind strings are the names rows were always written
with, so rows stored before the records became classes still read. Payloads are
the dataclass fields as plain JSON values; a field holding a dataclass, or a tuple
of them, is a nested object or a list; a mapping is an object; a ``Decimal`` is its
string (exact), a ``datetime`` or ``date`` its ISO form, read back by the field's
type. Reading ignores keys a record no longer has (old rows carried an ``event`` copy
of the kind) and refuses a missing field or an unknown kind with ``UnknownRecord``: a
permanent error, never a ``KeyError`` that a worker would retry.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Generic, Protocol, TypeVar


class Record(Protocol):
    """A boundary record: a dataclass whose class names its wire kind."""

    kind: ClassVar[str]


R = TypeVar("R", bound=Record)


class UnknownRecord(ValueError):
    """A stored kind no class has, or a payload missing a field: it will never read."""


class Kinds(Generic[R]):
    """The classes of one family of records by wire name, and their JSON form."""

    def __init__(self, classes: Iterable[type[R]]) -> None:
        self._by_kind: dict[str, type[R]] = {}
        for cls in classes:
            if cls.kind in self._by_kind:
                raise ValueError(f"two record classes are called {cls.kind!r}")
            self._by_kind[cls.kind] = cls

    @property
    def classes(self) -> tuple[type[R], ...]:
        """Every class of the family, in the order given."""
        return tuple(self._by_kind.values())

    def of(self, kind: str) -> type[R]:
        """The class stored under ``kind``."""
        try:
            return self._by_kind[kind]
        except KeyError:
            raise UnknownRecord(f"unknown stored kind {kind!r}") from None

    def encode(self, record: R) -> dict[str, Any]:
        """The record's fields as JSON values (its kind is stored beside them)."""
        encoded: dict[str, Any] = _encode(record)
        return encoded

    def decode(self, kind: str, data: Mapping[str, Any]) -> R:
        """The record stored as ``kind`` with ``data``."""
        record: R = _decode(self.of(kind), data)
        return record


# read back by the field's declared type (JSON has no Decimal and no time)
_SCALARS: dict[Any, Any] = {Decimal: Decimal, datetime: datetime.fromisoformat,
                            date: date.fromisoformat}


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, Decimal | date):  # a datetime is a date
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    return value


def _decode(cls: type[Any], data: Mapping[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise UnknownRecord(f"{getattr(cls, 'kind', cls.__name__)}: no {f.name!r}")
            continue
        values[f.name] = _value(hints[f.name], data[f.name])
    return cls(**values)


def _value(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _decode(hint, value)
    if hint in _SCALARS:
        return _SCALARS[hint](value)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple and args:
        return tuple(_value(args[0], v) for v in value)
    if origin in (dict, Mapping) and len(args) == 2:
        return {k: _value(args[1], v) for k, v in value.items()}
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _value(inner[0], value) if len(inner) == 1 else value
    return value
