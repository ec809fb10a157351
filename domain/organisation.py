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
    """The organisation file is not valid: ``where`` names the field, ``text`` the mistake.

    ``in_(lang)`` is the admin's message (``kvitt org apply`` follows ``KVITT_LANG``);
    ``str()`` is the Norwegian one.
    """

    def __init__(self, where: str, text: Text) -> None:
        super().__init__(where, text)
        self.where, self.text = where, text

    def __str__(self) -> str:
        return self.in_("nb")

    def in_(self, lang: str) -> str:
        """``file.toml: catalogue[1].code: what is wrong`` in ``lang``."""
        return f"{self.where}: {self.text.in_(lang)}" if self.where else self.text.in_(lang)

    def within(self, outer: str) -> OrganisationError:
        """The same mistake, placed inside ``outer`` (a file, an ``[[organisations]]`` entry)."""
        return OrganisationError(f"{outer}: {self.where}" if self.where else outer, self.text)


TABLE = Text("må være en tabell", "must be a table")


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


MissingReceipt = Literal["refuse", "taxable"]
ExchangeRule = Literal["norges_bank", "manual"]


@dataclass(frozen=True, slots=True)
class Policy:
    """Organisation rules: deadline, payroll day, km plausibility, justifications.

    ``missing_receipt``: what an outlay without the receipt its catalogue entry requires
    means: ``refuse`` (the claim cannot be sent) or ``taxable`` (sent, taxed whole).
    ``exchange_rate``: where a foreign outlay's rate comes from: ``norges_bank`` (the
    default: Norges Bank's rate for the outlay's date, fetched; asked by hand only when
    Norges Bank cannot be reached) or ``manual`` (the card company's rate from the
    receipt or the card statement, typed by the claimant).
    """

    submit_deadline_months: int = 1
    payroll_day: int = 12
    max_km_per_leg: Decimal = Decimal(1500)
    justify_own_car: bool = False
    missing_receipt: MissingReceipt = "refuse"
    exchange_rate: ExchangeRule = "norges_bank"


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
        raise OrganisationError("org_number", Text("må være 9 sifre", "must be 9 digits"))
    rest = sum(int(d) * w for d, w in zip(digits[:8], (3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
    check = 0 if rest == 0 else 11 - rest
    if check == 10 or check != int(digits[8]):
        raise OrganisationError("org_number", Text("kontrollsifferet stemmer ikke",
                                                  "the check digit does not match"))
    return digits


# One @, something before it, a domain with a dot after it, and no spaces, brackets or
# commas: what a mail to an approver needs (``regnskap@@…``, ``leder@foreningen`` and
# ``"Ola" <ola@…>`` are typos that would only show as mail that never arrives).
_ADDRESS = re.compile(r"[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[a-z]{2,}", re.IGNORECASE)


def _email(value: object, where: str) -> str:
    if not isinstance(value, str) or not _ADDRESS.fullmatch(value.strip()) \
            or ".." in value or value.strip().split("@")[1].startswith("."):
        raise OrganisationError(where, Text(f"ikke en e-postadresse: {value!r}",
                                           f"not an email address: {value!r}"))
    return value.strip().lower()


def _str(data: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or (default is None and not value.strip()):
        raise OrganisationError(f"{where}{key}", Text("må fylles inn (tekst)", "required text"))
    return value.strip()


def _bool(data: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise OrganisationError(f"{where}{key}", Text("må være true eller false",
                                                     "must be true or false"))
    return value


def _decimal(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise OrganisationError(where, Text('skriv tall som tekst ("95.00") eller hele tall',
                                           'write numbers as text ("95.00") or whole numbers'))
    try:
        result = Decimal(str(value))
    except ArithmeticError as exc:
        raise OrganisationError(where, Text(f"ikke et tall: {value!r}",
                                           f"not a number: {value!r}")) from exc
    if not result.is_finite() or result < 0:
        raise OrganisationError(where, Text("må være et tall >= 0", "must be a number >= 0"))
    return result


def _stages(raw: object) -> tuple[StageDef, ...]:
    if not isinstance(raw, list) or not raw:
        raise OrganisationError("stages", Text("minst ett godkjenningstrinn trengs",
                                               "at least one approval stage is required"))
    stages = []
    for i, item in enumerate(raw):
        where = f"stages[{i}]."
        if not isinstance(item, Mapping):
            raise OrganisationError(f"stages[{i}]", TABLE)
        approvers = item.get("approvers")
        if not isinstance(approvers, list) or not approvers:
            raise OrganisationError(f"{where}approvers", Text(
                "minst én e-postadresse trengs", "at least one email is required"))
        stages.append(StageDef(_str(item, "name", where),
                               tuple(_email(a, f"{where}approvers") for a in approvers)))
    return tuple(stages)


def _catalogue(raw: object) -> tuple[CatalogueEntry, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise OrganisationError("catalogue", Text("må være en liste av tabeller ([[catalogue]])",
                                                  "must be a list of tables ([[catalogue]])"))
    entries: list[CatalogueEntry] = []
    for i, item in enumerate(raw):
        where = f"catalogue[{i}]."
        if not isinstance(item, Mapping):
            raise OrganisationError(f"catalogue[{i}]", TABLE)
        kind = item.get("kind", "item")
        if kind not in ("item", "expense"):
            raise OrganisationError(f"{where}kind", Text("må være item eller expense",
                                                       "must be item or expense"))
        code = _str(item, "code", where)
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,23}", code):
            raise OrganisationError(f"{where}code", Text(
                f"1–24 små bokstaver, sifre, - og _ (koden går i Telegram-knapper), ikke {code!r}",
                f"1–24 lowercase letters, digits, - and _ (it travels in Telegram buttons), "
                f"not {code!r}"))
        if any(e.code == code for e in entries):
            raise OrganisationError(f"{where}code", Text(f"{code!r} er brukt to ganger",
                                                       f"{code!r} is used twice"))
        label_nb = _str(item, "label_nb", where)
        rate = item.get("rate")
        if kind == "item" and rate is None:
            raise OrganisationError(f"{where}rate", Text("en item trenger en sats (rate)",
                                                       "items need a rate"))
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
        raise OrganisationError("dimensions", Text("må være en tabell ([dimensions])",
                                                   "must be a table ([dimensions])"))
    found = []
    for name, spec in raw.items():
        if name not in DIMENSIONS:
            known = ", ".join(DIMENSIONS)
            raise OrganisationError(f"dimensions.{name}", Text(f"ukjent; bruk {known}",
                                                               f"unknown; use {known}"))
        if spec == "free":
            found.append(Dimension(name))
        elif isinstance(spec, list) and spec and all(isinstance(v, str) for v in spec):
            found.append(Dimension(name, tuple(spec)))
        else:
            raise OrganisationError(f"dimensions.{name}", Text(
                '"free" eller en liste av tillatte verdier', '"free" or a list of allowed values'))
    # the order people know from the forms, whatever the file's (or stored JSON's) order
    return tuple(sorted(found, key=lambda d: DIMENSIONS.index(d.name)))


def _policy(raw: object) -> Policy:
    if raw is None:
        return Policy()
    if not isinstance(raw, Mapping):
        raise OrganisationError("policy", Text("må være en tabell ([policy])",
                                               "must be a table ([policy])"))
    months = raw.get("submit_deadline_months", 1)
    day = raw.get("payroll_day", 12)
    if not isinstance(months, int) or isinstance(months, bool) or not 0 < months <= 24:
        raise OrganisationError("policy.submit_deadline_months",
                                Text("et helt tall 1–24", "a whole number 1–24"))
    if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 28:
        raise OrganisationError("policy.payroll_day",
                                Text("en dag i måneden 1–28", "a day of the month 1–28"))
    missing = raw.get("missing_receipt", "refuse")
    if missing not in ("refuse", "taxable"):
        raise OrganisationError("policy.missing_receipt",
                                Text(f"refuse eller taxable, ikke {missing!r}",
                                     f"refuse or taxable, not {missing!r}"))
    exchange = raw.get("exchange_rate", "norges_bank")
    if exchange not in ("norges_bank", "manual"):
        raise OrganisationError("policy.exchange_rate",
                                Text(f"norges_bank eller manual, ikke {exchange!r}",
                                     f"norges_bank or manual, not {exchange!r}"))
    return Policy(months, day, _decimal(raw.get("max_km_per_leg", 1500),
                                        "policy.max_km_per_leg"),
                  _bool(raw, "justify_own_car", "policy.", False),
                  "taxable" if missing == "taxable" else "refuse",
                  "manual" if exchange == "manual" else "norges_bank")


def _language(value: object) -> str:
    if value not in ("nb", "en"):
        raise OrganisationError("language", Text(f"nb eller en, ikke {value!r}",
                                                 f"nb or en, not {value!r}"))
    return str(value)


def parse_organisation(data: Mapping[str, Any],
                       rate_tables: Sequence[RateTable] = ()) -> Organisation:
    """Build an organisation from its parsed TOML; raises ``OrganisationError``."""
    slug = _str(data, "slug", "")
    if not slug.replace("-", "").isalnum() or slug.lower() != slug:
        raise OrganisationError("slug", Text("bare små bokstaver, sifre og bindestrek",
                                             "lowercase letters, digits and dashes only"))
    admins = data.get("admins", [])
    if not isinstance(admins, list):
        raise OrganisationError("admins", Text("må være en liste av e-postadresser",
                                               "must be a list of emails"))
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
        raise OrganisationError("rate_tables", Text(
            "må være en liste av tabeller ([[rate_tables]])",
            "must be a list of tables ([[rate_tables]])"))
    tables = []
    for i, raw in enumerate(raw_tables):
        try:
            tables.append(parse_table(raw))
        except RateSetError as exc:
            # the rate table's own check names the field; its words are English only
            raise OrganisationError(f"rate_tables[{i}]", Text(f"ugyldig satstabell: {exc}",
                                                              str(exc))) from exc
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
                         "justify_own_car", "missing_receipt", "exchange_rate")),
}


def _known_keys(data: Mapping[str, Any], table: str = "", where: str = "") -> None:
    """Refuse a key the file format does not have, suggesting the nearest known one."""
    for key in data:
        if key not in KEYS[table]:
            near = difflib.get_close_matches(key, KEYS[table], n=1)
            known = ", ".join(sorted(KEYS[table]))
            hint = (Text(f" (mente du {near[0]}?)", f" (did you mean {near[0]}?)") if near
                    else Text(f"; kjente nøkler: {known}", f"; known keys: {known}"))
            raise OrganisationError(f"{where}{key}", Text(f"ukjent nøkkel{hint.nb}",
                                                          f"not a known key{hint.en}"))
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
        raise OrganisationError("", Text(f"ikke gyldig TOML: {exc}",
                                         f"not valid TOML: {exc}")) from exc
    members = data.pop("organisations", None)
    if members is None:
        entries = [data]
    elif isinstance(members, list) and members and all(isinstance(m, dict) for m in members):
        entries = [{**data, **member} for member in members]
    else:
        raise OrganisationError("organisations", Text(
            "må være en liste av tabeller ([[organisations]])",
            "must be a list of tables ([[organisations]])"))
    found = []
    for i, entry in enumerate(entries):
        try:
            _known_keys(entry)
            found.append((organisation_from_data(entry), canonical_json(entry)))
        except OrganisationError as exc:
            if members is None:
                raise
            raise exc.within(f"organisations[{i}]") from exc
    slugs = [org.slug for org, _ in found]
    if len(set(slugs)) != len(slugs):
        raise OrganisationError("slug", Text("samme slug står to ganger i filen",
                                             "the same slug appears twice in the file"))
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
        raise OrganisationError("organisations", Text("filen har flere organisasjoner",
                                                      "the file holds several organisations"))
    return found[0][0]
