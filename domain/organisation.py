"""An organisation that pays (part of) claims: its approvers, catalogue and policy.

Organisations are set up declaratively by an admin (``kvitt org apply FILE.toml``);
this module is the pure model and its validation. Every error names the field,
so an admin can fix the file without reading code.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from domain.errors import InvalidValue
from domain.rates.book import parse_table
from domain.rates.model import RateSetError, RateTable
from domain.text import Text

DIMENSIONS = ("stilling", "organisasjonsenhet", "ansvar", "funksjon", "prosjekt", "objekt")
ItemKind = Literal["item", "expense"]


class OrganisationError(ValueError):
    """The organisation file is not valid; the message names the field."""


@dataclass(frozen=True, slots=True)
class StageDef:
    """One approval stage of a payer (``attestasjon``, ``anvisning``) and its approvers."""

    name: str
    approvers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """An expense type or item type: what the claimant picks from a list.

    ``kind = "item"`` entries are quantity × ``rate`` (hours, match fees);
    ``kind = "expense"`` entries are outlays on receipt of one ``expense_type``.
    """

    code: str
    label: Text
    kind: ItemKind = "item"
    unit: str = ""
    rate: Decimal | None = None
    taxable: bool = True
    receipt_required: bool = False
    justification_required: bool = False
    amelding_code: str = ""
    expense_type: str = "other"


@dataclass(frozen=True, slots=True)
class Dimension:
    """A cost-allocation field the organisation uses; empty ``values`` = free text."""

    name: str
    values: tuple[str, ...] = ()
    required: bool = True

    def check(self, value: str) -> str:
        """Return the value if allowed, else raise ``InvalidValue`` listing the choices."""
        value = value.strip()
        if not value and self.required:
            raise InvalidValue(Text(f"Fyll inn {self.name}.", f"Fill in {self.name}."))
        if self.values and value and value not in self.values:
            choices = ", ".join(self.values)
            raise InvalidValue(Text(f"{self.name} må være en av: {choices}",
                                    f"{self.name} must be one of: {choices}"))
        return value


@dataclass(frozen=True, slots=True)
class Policy:
    """Organisation rules: deadline, payroll day, km plausibility, justifications."""

    submit_deadline_months: int = 1
    payroll_day: int = 12
    max_km_per_leg: Decimal = Decimal(1500)
    justify_own_car: bool = False


@dataclass(frozen=True, slots=True)
class Organisation:
    """A payer (*mottakende organisasjon*)."""

    slug: str
    name: str
    org_number: str
    stages: tuple[StageDef, ...]
    admins: tuple[str, ...] = ()
    rate_set: str = "state"
    rate_tables: tuple[RateTable, ...] = ()
    catalogue: tuple[CatalogueEntry, ...] = ()
    dimensions: tuple[Dimension, ...] = ()
    policy: Policy = field(default_factory=Policy)
    language: str = "nb"  # of the mails to its approvers and admins

    def entry(self, code: str) -> CatalogueEntry | None:
        """The catalogue entry with this code, if any."""
        return next((e for e in self.catalogue if e.code == code), None)

    def expense_entry(self, expense_type: str) -> CatalogueEntry | None:
        """The first expense entry of this type (``taxi``), for lines given no code."""
        return next((e for e in self.catalogue
                     if e.kind == "expense" and e.expense_type == expense_type), None)

    def stage(self, index: int) -> StageDef:
        """The stage at ``index`` (0 = first)."""
        return self.stages[index]

    def is_admin(self, email: str) -> bool:
        """Whether ``email`` is an admin of this organisation."""
        return email.strip().lower() in self.admins


def check_org_number(text: str) -> str:
    """A Norwegian organisation number: 9 digits, MOD11 with weights 3 2 7 6 5 4 3 2."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) != 9 or len(text.replace(" ", "")) != 9:
        raise OrganisationError("org_number: must be 9 digits")
    rest = sum(int(d) * w for d, w in zip(digits[:8], (3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
    check = 0 if rest == 0 else 11 - rest
    if check == 10 or check != int(digits[8]):
        raise OrganisationError("org_number: the check digit does not match")
    return digits


def _email(value: object, where: str) -> str:
    if not isinstance(value, str) or "@" not in value or " " in value.strip():
        raise OrganisationError(f"{where}: not an email address: {value!r}")
    return value.strip().lower()


def _str(data: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or (default is None and not value.strip()):
        raise OrganisationError(f"{where}{key}: required text")
    return value.strip()


def _bool(data: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise OrganisationError(f"{where}{key}: must be true or false")
    return value


def _decimal(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise OrganisationError(f"{where}: write numbers as text (\"95.00\") or whole numbers")
    try:
        result = Decimal(str(value))
    except ArithmeticError as exc:
        raise OrganisationError(f"{where}: not a number: {value!r}") from exc
    if not result.is_finite() or result < 0:
        raise OrganisationError(f"{where}: must be a number >= 0")
    return result


def _stages(raw: object) -> tuple[StageDef, ...]:
    if not isinstance(raw, list) or not raw:
        raise OrganisationError("stages: at least one approval stage is required")
    stages = []
    for i, item in enumerate(raw):
        where = f"stages[{i}]."
        if not isinstance(item, Mapping):
            raise OrganisationError(f"stages[{i}]: must be a table")
        approvers = item.get("approvers")
        if not isinstance(approvers, list) or not approvers:
            raise OrganisationError(f"{where}approvers: at least one email is required")
        stages.append(StageDef(_str(item, "name", where),
                               tuple(_email(a, f"{where}approvers") for a in approvers)))
    return tuple(stages)


def _catalogue(raw: object) -> tuple[CatalogueEntry, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise OrganisationError("catalogue: must be a list of tables ([[catalogue]])")
    entries: list[CatalogueEntry] = []
    for i, item in enumerate(raw):
        where = f"catalogue[{i}]."
        if not isinstance(item, Mapping):
            raise OrganisationError(f"catalogue[{i}]: must be a table")
        kind = item.get("kind", "item")
        if kind not in ("item", "expense"):
            raise OrganisationError(f"{where}kind: must be item or expense")
        code = _str(item, "code", where)
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,23}", code):
            raise OrganisationError(f"{where}code: 1–24 lowercase letters, digits, - and _ "
                                    f"(it travels in Telegram buttons), not {code!r}")
        if any(e.code == code for e in entries):
            raise OrganisationError(f"{where}code: {code!r} is used twice")
        label_nb = _str(item, "label_nb", where)
        rate = item.get("rate")
        if kind == "item" and rate is None:
            raise OrganisationError(f"{where}rate: items need a rate")
        entries.append(CatalogueEntry(
            code=code,
            label=Text(label_nb, _str(item, "label_en", where, label_nb) or label_nb),
            kind="item" if kind == "item" else "expense",
            unit=_str(item, "unit", where, ""),
            rate=None if rate is None else _decimal(rate, f"{where}rate"),
            taxable=_bool(item, "taxable", where, kind == "item"),
            receipt_required=_bool(item, "receipt_required", where, kind == "expense"),
            justification_required=_bool(item, "justification_required", where, False),
            amelding_code=_str(item, "amelding_code", where, ""),
            expense_type=_str(item, "expense_type", where, "other"),
        ))
    return tuple(entries)


def _dimensions(raw: object) -> tuple[Dimension, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise OrganisationError("dimensions: must be a table ([dimensions])")
    found = []
    for name, spec in raw.items():
        if name not in DIMENSIONS:
            raise OrganisationError(f"dimensions.{name}: unknown; use {', '.join(DIMENSIONS)}")
        if spec == "free":
            found.append(Dimension(name))
        elif isinstance(spec, list) and spec and all(isinstance(v, str) for v in spec):
            found.append(Dimension(name, tuple(spec)))
        else:
            raise OrganisationError(f"dimensions.{name}: \"free\" or a list of allowed values")
    # the order people know from the forms, whatever the file's (or stored JSON's) order
    return tuple(sorted(found, key=lambda d: DIMENSIONS.index(d.name)))


def _policy(raw: object) -> Policy:
    if raw is None:
        return Policy()
    if not isinstance(raw, Mapping):
        raise OrganisationError("policy: must be a table ([policy])")
    months = raw.get("submit_deadline_months", 1)
    day = raw.get("payroll_day", 12)
    if not isinstance(months, int) or isinstance(months, bool) or not 0 < months <= 24:
        raise OrganisationError("policy.submit_deadline_months: a whole number 1–24")
    if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 28:
        raise OrganisationError("policy.payroll_day: a day of the month 1–28")
    return Policy(months, day, _decimal(raw.get("max_km_per_leg", 1500),
                                        "policy.max_km_per_leg"),
                  _bool(raw, "justify_own_car", "policy.", False))


def _language(value: object) -> str:
    if value not in ("nb", "en"):
        raise OrganisationError(f"language: nb or en, not {value!r}")
    return str(value)


def parse_organisation(data: Mapping[str, Any],
                       rate_tables: Sequence[RateTable] = ()) -> Organisation:
    """Build an organisation from its parsed TOML; raises ``OrganisationError``."""
    slug = _str(data, "slug", "")
    if not slug.replace("-", "").isalnum() or slug.lower() != slug:
        raise OrganisationError("slug: lowercase letters, digits and dashes only")
    admins = data.get("admins", [])
    if not isinstance(admins, list):
        raise OrganisationError("admins: must be a list of emails")
    return Organisation(
        slug=slug,
        name=_str(data, "name", ""),
        org_number=check_org_number(_str(data, "org_number", "")),
        stages=_stages(data.get("stages")),
        admins=tuple(_email(a, "admins") for a in admins),
        rate_set=_str(data, "rate_set", "", "state") or "state",
        rate_tables=tuple(rate_tables),
        catalogue=_catalogue(data.get("catalogue")),
        dimensions=_dimensions(data.get("dimensions")),
        policy=_policy(data.get("policy")),
        language=_language(data.get("language", "nb")),
    )



def organisation_from_data(data: Mapping[str, Any]) -> Organisation:
    """Build an organisation (with its own ``rate_tables``) from parsed data."""
    raw_tables = data.get("rate_tables", [])
    if not isinstance(raw_tables, list):
        raise OrganisationError("rate_tables: must be a list of tables ([[rate_tables]])")
    tables = []
    for i, raw in enumerate(raw_tables):
        try:
            tables.append(parse_table(raw))
        except RateSetError as exc:
            raise OrganisationError(f"rate_tables[{i}]: {exc}") from exc
    return parse_organisation(data, tables)


# The keys an organisation file may hold, per table: anything else is a typo that would
# otherwise be ignored silently (``admins_list``), so the file is refused naming it.
KEYS: dict[str, frozenset[str]] = {
    "": frozenset(("slug", "name", "org_number", "stages", "admins", "rate_set",
                   "rate_tables", "catalogue", "dimensions", "policy", "language")),
    "stages": frozenset(("name", "approvers")),
    "catalogue": frozenset(("kind", "code", "label_nb", "label_en", "unit", "rate", "taxable",
                            "receipt_required", "justification_required", "amelding_code",
                            "expense_type")),
    "policy": frozenset(("submit_deadline_months", "payroll_day", "max_km_per_leg",
                         "justify_own_car")),
}


def _known_keys(data: Mapping[str, Any], table: str = "", where: str = "") -> None:
    """Refuse a key the file format does not have, suggesting the nearest known one."""
    for key in data:
        if key not in KEYS[table]:
            near = difflib.get_close_matches(key, KEYS[table], n=1)
            hint = f" (did you mean {near[0]}?)" if near else \
                f"; known keys: {', '.join(sorted(KEYS[table]))}"
            raise OrganisationError(f"{where}{key}: not a known key{hint}")
    for name in ("stages", "catalogue"):
        items = data.get(name) if not table else None
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, Mapping):
                _known_keys(item, name, f"{name}[{i}].")
    if not table and isinstance(data.get("policy"), Mapping):
        _known_keys(data["policy"], "policy", "policy.")


def organisations_from_toml(text: str) -> list[tuple[Organisation, str]]:
    """Every organisation in an admin's file, each with its canonical JSON form.

    A file holds one organisation, or several under ``[[organisations]]`` that
    share the file's other top-level keys (a region's rate table and fee
    catalogue for its clubs). The canonical JSON (keys sorted, dates as ISO
    text) is what the store keeps, so re-applying an unchanged organisation is
    recognised even if comments or order in the file changed.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise OrganisationError(f"not valid TOML: {exc}") from exc
    members = data.pop("organisations", None)
    if members is None:
        entries = [data]
    elif isinstance(members, list) and members and all(isinstance(m, dict) for m in members):
        entries = [{**data, **member} for member in members]
    else:
        raise OrganisationError("organisations: must be a list of tables ([[organisations]])")
    found = []
    for i, entry in enumerate(entries):
        where = f"organisations[{i}]: " if members is not None else ""
        try:
            _known_keys(entry)
            found.append((organisation_from_data(entry), canonical_json(entry)))
        except OrganisationError as exc:
            raise OrganisationError(f"{where}{exc}") from exc
    slugs = [org.slug for org, _ in found]
    if len(set(slugs)) != len(slugs):
        raise OrganisationError("slug: the same slug appears twice in the file")
    return found


def canonical_json(data: Mapping[str, Any]) -> str:
    """Sorted JSON with dates as ISO text: equal data gives equal text."""
    def encode(value: object) -> str:
        if isinstance(value, date):
            return value.isoformat()
        raise TypeError(f"cannot store {value!r}")

    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=encode)


def organisation_from_toml(text: str) -> Organisation:
    """The one organisation in a file; refuses a file with several."""
    found = organisations_from_toml(text)
    if len(found) != 1:
        raise OrganisationError("organisations: the file holds several organisations")
    return found[0][0]
