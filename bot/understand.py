"""Reading what claimants type: dates, times, amounts and km, the Norwegian way.

Why not ``dateparser`` alone: it reads "05.03" as 05:03, "mandag kl. 18" as 18 March,
"3. mars kl 18" as 3 March 2018, drops the hour of "i går 18" and knows neither "i forgårs"
nor "forrige fredag". So the forms people in Norway type are read here first, by small
patterns, and dateparser only gets what is left ("for 2 dager siden", "2 days ago").

Decisions, where typing is ambiguous (the bot always echoes what it understood):

- A date without a year is the most recent one that is not in the future (claims are
  about the past); a weekday name is the most recent one, today included. "i mandags" is
  before today; "forrige fredag" / "last Friday" is the Friday of the previous week
  (weeks start on Monday).
- "05.03" is a date whenever it is one; only an impossible date ("07.30", "18.00") is
  read as a time. A time alone means today (a return time alone means the departure's
  day, or the next day when it is earlier than the departure: see ``time_only``).
- Words of both languages are understood whatever the claimant's language; ``lang`` only
  picks the language of refusals. Numbers are day before month, always.
- A text holding our weekday or month words in a shape we do not know is refused rather
  than guessed at by dateparser, because that is exactly where it goes wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from domain.calendar import MONTH_NAMES, MONTHS_EN, MONTHS_NB, OSLO
from domain.errors import UserError
from domain.money import NOK, ORE
from domain.text import Text

WHEN_HELP = Text("Skriv datoen som 05.03, «i går» eller «mandag kl. 18».",
                 "Write the date as 05.03, “yesterday” or “Monday at 18:00”.")
TIME_HELP = Text("Skriv klokkeslettet som 07:30 eller «kl 7.30».",
                 "Write the time as 07:30 or “at 7:30”.")
AMOUNT_HELP = Text("Skriv beløpet som 1 234,50, «250 kr» eller «EUR 45».",
                   "Write the amount as 1 234.50, “250 kr” or “EUR 45”.")
KM_HELP = Text("Skriv antall km som 12,5 eller «ca 40 km».",
               "Write the distance as 12.5 or “about 40 km”.")
MAX_AMOUNT = Decimal(10) ** 7
MAX_KM = Decimal(10_000)


class NotUnderstood(UserError):
    """What was typed cannot be read; ``text`` says which form to use (nb, en)."""

    text = WHEN_HELP


@dataclass(frozen=True, slots=True)
class When:
    """A day, and the time of day when one was given."""

    date: dt.date
    time: dt.time | None = None


@dataclass(frozen=True, slots=True)
class Amount:
    """An amount as typed, in øre precision, with its currency code (NOK unless said)."""

    amount: Decimal
    currency: str


WEEKDAYS_NB = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAY_NAMES = tuple(map(Text, WEEKDAYS_NB, WEEKDAYS_EN))


def _names(*tables: tuple[str, ...], extra: dict[str, int]) -> dict[str, int]:
    """Index names of several languages, plus abbreviations, to their 0-based number."""
    names = {name.lower(): number for table in tables for number, name in enumerate(table)}
    return names | extra


WEEKDAY = _names(WEEKDAYS_NB, WEEKDAYS_EN, extra={
    "man": 0, "mon": 0, "tir": 1, "tirs": 1, "tue": 1, "tues": 1, "ons": 2, "wed": 2,
    "tor": 3, "tors": 3, "thu": 3, "thur": 3, "thurs": 3, "fre": 4, "fri": 4, "lør": 5,
    "lordag": 5, "sat": 5, "søn": 6, "sondag": 6, "sun": 6})
MONTH = _names(MONTHS_NB, MONTHS_EN, extra={
    "jan": 0, "feb": 1, "mar": 2, "apr": 3, "jun": 5, "jul": 6, "aug": 7, "sep": 8,
    "sept": 8, "okt": 9, "oct": 9, "nov": 10, "des": 11, "dec": 11})
DAYS_BACK = {"i dag": 0, "idag": 0, "today": 0, "i går": 1, "igår": 1, "yesterday": 1,
             "i forgårs": 2, "iforgårs": 2, "forgårs": 2, "day before yesterday": 2,
             "the day before yesterday": 2}
_OUR_WORDS = set(WEEKDAY) | set(MONTH) | {"går", "forgårs", "igår", "kl", "klokka"}

_TIME = r"(\d{1,2})(?:[.:](\d{2}))?(?:\s*([ap])\.?m\.?)?"
_TIME_ONLY = re.compile(rf"(?:(?:kl|klokka|klokken|at)\.?\s*)?{_TIME}")
_MARKED_TIME = re.compile(r"(?:^|\s)(?:kl|klokka|klokken|at)\.?\s*"
                          r"(?P<time>\d{1,2}(?:[.:]\d{2})?(?:\s*[ap]\.?m\.?)?)(?=\s|$)")
_TRAILING_TIME = re.compile(r"\s(?P<time>\d{1,2}(?:[.:]\d{2}|\s*[ap]\.?m\.?))$")
_ISO = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})")
_DMY = re.compile(r"(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2}))?\.?")
_WEEKDAY = re.compile(r"(?:(?P<how>på|on|forrige|last)\s+)?(?P<day>[a-zæøå]+)\.?")
_WEEKDAY_S = re.compile(r"i (?P<day>[a-zæøå]+)s")
_DAY_MONTH = re.compile(r"(?:the\s+)?(?P<d>\d{1,2})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?"
                        r"(?P<m>[a-z]+)\.?(?:\s+(?P<y>\d{4}))?")
_MONTH_DAY = re.compile(r"(?P<m>[a-z]+)\.?\s+(?P<d>\d{1,2})(?:\.|st|nd|rd|th)?"
                        r"(?:\s+(?P<y>\d{4}))?")


def parse_time(text: str) -> dt.time:
    """Read "kl 7.30", "07:30", "7", "18.00" or "7 pm" as a time of day."""
    found = _TIME_ONLY.fullmatch(_squash(text).lower())
    if found is None:
        raise NotUnderstood(TIME_HELP)
    hour, minute, half = int(found[1]), int(found[2] or 0), found[3]
    if half and not 1 <= hour <= 12:
        raise NotUnderstood(TIME_HELP)
    if half:
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        raise NotUnderstood(TIME_HELP)
    return dt.time(hour, minute)


def parse_when(text: str, now: dt.datetime, lang: str = "nb") -> When:
    """Read a date with an optional time as typed in a claim, relative to ``now``.

    ``now`` is Oslo wall-clock time (an aware ``now`` is converted), because "i går" is
    yesterday where the claimant is. ``lang`` orders dateparser's languages.
    """
    today = _oslo(now).date()
    plain = _squash(text).lower().replace(",", " ")
    plain = _squash(re.sub(r"(\d{4}-\d{2}-\d{2})t(?=\d)", r"\1 ", plain))
    if not plain or plain.isdigit():  # a bare "7" might be a day or an hour
        raise NotUnderstood(WHEN_HELP)
    if not _is_day_month(plain) and (time := _time_or_none(plain)) is not None:
        return When(today, time)
    date_part, time = _split_time(plain)
    if not date_part:
        return When(today, time)
    day = _our_date(date_part, today)
    if day is not None:
        return When(day, time)
    return _with_dateparser(date_part, time, _oslo(now), lang)


def time_only(text: str) -> dt.time | None:
    """The time of day if ``text`` says nothing but a time ("kl 17", "17.30"), else None.

    The caller decides which day a bare time belongs to (a return "kl 17" after a
    departure "28.11 kl 08" is 28.11, not today).
    """
    plain = _squash(text).lower()
    if not plain or (plain.isdigit() and len(plain) > 2) or _is_day_month(plain):
        return None
    return _time_or_none(plain)


def _is_day_month(plain: str) -> bool:
    """Whether "05.03" could be a day and month, which wins over reading it as 05:03."""
    found = _DMY.fullmatch(plain)
    return found is not None and 1 <= int(found[1]) <= 31 and 1 <= int(found[2]) <= 12


def _time_or_none(plain: str) -> dt.time | None:
    try:
        return parse_time(plain)
    except NotUnderstood:
        return None


def _split_time(plain: str) -> tuple[str, dt.time | None]:
    """Take the time out of the text: after "kl"/"at" anywhere, or a trailing 07:30."""
    found = _MARKED_TIME.search(plain) or _TRAILING_TIME.search(plain)
    if found is None or _is_day_month(found["time"]):
        return plain, None
    rest = (plain[:found.start()] + " " + plain[found.end():]).strip()
    return rest, parse_time(found["time"])


def _our_date(part: str, today: dt.date) -> dt.date | None:
    """The date in the forms read here, or None when the text is in none of them."""
    part = re.sub(r"^(?:den|the)\s+", "", part)
    if part in DAYS_BACK:
        return today - dt.timedelta(days=DAYS_BACK[part])
    if found := _ISO.fullmatch(part):
        return _make_date(int(found[1]), int(found[2]), int(found[3]), part)
    if found := _DMY.fullmatch(part):
        return _day_month_year(int(found[1]), int(found[2]), found[3], today, part)
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        found = pattern.fullmatch(part)
        if found and found["m"] in MONTH:
            month = MONTH[found["m"]] + 1
            return _day_month_year(int(found["d"]), month, found["y"], today, part)
    return _weekday(part, today)


def _weekday(part: str, today: dt.date) -> dt.date | None:
    """A weekday in the past: "i mandags" is before today, a bare "mandag" may be today."""
    if (found := _WEEKDAY_S.fullmatch(part)) and found["day"] in WEEKDAY:
        back = (today.weekday() - WEEKDAY[found["day"]]) % 7 or 7
        return today - dt.timedelta(days=back)
    found = _WEEKDAY.fullmatch(part)
    if found is None or found["day"] not in WEEKDAY:
        return None
    weekday = WEEKDAY[found["day"]]
    if found["how"] in ("forrige", "last"):
        monday = today - dt.timedelta(days=today.weekday())
        return monday - dt.timedelta(days=7 - weekday)
    return today - dt.timedelta(days=(today.weekday() - weekday) % 7)


def _day_month_year(day: int, month: int, year: str | None, today: dt.date,
                    typed: str) -> dt.date:
    """Without a year, the most recent such day not after today (28.12 in January: last year)."""
    if year is None:
        number = today.year if (month, day) <= (today.month, today.day) else today.year - 1
    else:
        number = int(year) + (2000 if len(year) == 2 else 0)
    return _make_date(number, month, day, typed)


def _make_date(year: int, month: int, day: int, typed: str) -> dt.date:
    if not 2000 <= year <= 2099:
        raise NotUnderstood(WHEN_HELP)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise NotUnderstood(Text(f"Datoen «{typed}» finnes ikke. {WHEN_HELP.nb}",
                                 f"There is no date “{typed}”. {WHEN_HELP.en}")) from None


def _with_dateparser(part: str, time: dt.time | None, now: dt.datetime, lang: str) -> When:
    """Ask dateparser about the rest ("for 2 dager siden"), but never about our own words."""
    words = set(part.split())
    if not re.search(r"[a-zæøå]", part) or words & _OUR_WORDS:
        raise NotUnderstood(WHEN_HELP)
    from dateparser.date import DateDataParser  # ~0.5 s to import: only when needed

    languages = ["en", "nb"] if lang == "en" else ["nb", "en"]
    parser = DateDataParser(languages=languages, settings={
        "PREFER_DATES_FROM": "past", "DATE_ORDER": "DMY", "RELATIVE_BASE": now,
        "RETURN_TIME_AS_PERIOD": True})
    found = parser.get_date_data(part)
    # a month or a year alone is no day; "for 2 dager siden" carries now's clock, not a time
    if found.date_obj is None or found.period in ("month", "year"):
        raise NotUnderstood(WHEN_HELP)
    said = found.date_obj.time().replace(second=0, microsecond=0)
    return When(found.date_obj.date(), time or (said if found.period == "time" else None))


def echo_when(when: When, lang: str = "nb") -> str:
    """Say the date back in full, so a misreading is seen before it is saved."""
    day, clock = when.date, f"{when.time:%H:%M}" if when.time else ""
    weekday, month = WEEKDAY_NAMES[day.weekday()], MONTH_NAMES[day.month - 1]
    return Text(f"{weekday.nb.capitalize()} {day.day}. {month.nb} {day.year}"
                + (f" kl. {clock}" if clock else ""),
                f"{weekday.en} {day.day} {month.en} {day.year}"
                + (f" at {clock}" if clock else "")).in_(lang)


_CURRENCY_WORDS = {"kr": NOK, "kr.": NOK, "kroner": NOK, "krone": NOK, "€": "EUR",
                   "euro": "EUR", "euros": "EUR", "$": "USD", "£": "GBP"}
_KNOWN_CODES = {"NOK", "SEK", "DKK", "ISK", "EUR", "USD", "GBP", "CHF", "PLN", "CZK", "HUF",
                "CAD", "AUD", "JPY", "THB"}
_CURRENCY = r"kr\.?|kroner|krone|euros?|[€$£]|[a-zA-Z]{3}"
_PREFIX = re.compile(rf"^(?P<cur>{_CURRENCY})\s*(?=[-−–\d])", re.IGNORECASE)
_SUFFIX = re.compile(rf"(?<=[\d-])\s*(?P<cur>{_CURRENCY})$", re.IGNORECASE)
_MINUS = "-−–"


def parse_amount(text: str) -> Amount:
    """Read "1 234,50", "1.234,50", "kr 250", "250,-", "EUR 45", "45 €" or "$12"."""
    rest = _squash(text)
    marks = [m for m in (_PREFIX.search(rest), _SUFFIX.search(rest)) if m]
    codes = {_currency(m["cur"]) for m in marks}
    if len(codes) > 1:
        raise NotUnderstood(AMOUNT_HELP)
    for mark in sorted(marks, key=lambda m: -m.start()):
        rest = (rest[:mark.start()] + rest[mark.end():]).strip()
    currency = codes.pop() if codes else NOK
    rest = re.sub(r"[.,][-−–]$", "", rest)  # "250,-" is the shop's way of writing 250
    amount = _number(rest, AMOUNT_HELP, Text("Beløpet", "The amount"))
    if amount > MAX_AMOUNT:
        raise NotUnderstood(Text("Beløpet er for stort (over 10 000 000).",
                                 "The amount is too large (over 10 000 000)."))
    return Amount(amount.quantize(ORE), currency)


def _currency(word: str) -> str:
    """Lower-case words only when known ("eur"); capitals are a code on purpose ("THB")."""
    if word.lower() in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[word.lower()]
    if word.upper() in _KNOWN_CODES or word.isupper():
        return word.upper()
    raise NotUnderstood(AMOUNT_HELP)


def parse_km(text: str) -> Decimal:
    """Read "12,5", "12.5 km", "ca 40 km" or "1 200" as km, at most 10 000."""
    rest = re.sub(r"^(?:ca\.?|cirka|circa|omtrent|about|approx\.?)\s*", "",
                  _squash(text).lower())
    rest = re.sub(r"\s*(?:km|kilometer)\.?$", "", rest)
    km = _number(rest, KM_HELP, Text("Antall km", "The distance"))
    if km > MAX_KM:
        raise NotUnderstood(Text("Så langt kan det ikke være (over 10 000 km).",
                                 "That cannot be that far (over 10 000 km)."))
    normal = km.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def _number(text: str, help_: Text, what: Text) -> Decimal:
    """A positive number with at most two decimals, grouped by spaces, dots or commas.

    The last of "," and "." is the decimal mark when both occur; a single one is the
    decimal mark; a repeated one groups thousands. Groups must be three digits, so
    "1,234,5" is refused rather than guessed.
    """
    if text.startswith(tuple(_MINUS)):
        raise NotUnderstood(Text(f"{what.nb} kan ikke være negativt.",
                                 f"{what.en} cannot be negative."))
    if not re.fullmatch(r"\d[\d ,.]*", text):
        raise NotUnderstood(help_)
    whole, fraction = _split_decimal(text, help_)
    groups = re.split(r"[ ,.]", whole)
    if not _thousands(groups):
        raise NotUnderstood(help_)
    if len(fraction) > 2:
        raise NotUnderstood(Text(f"{what.nb} kan ha høyst to desimaler. {help_.nb}",
                                 f"{what.en} can have at most two decimals. {help_.en}"))
    number = Decimal("".join(groups) + "." + (fraction or "0"))
    if number == 0:
        raise NotUnderstood(Text(f"{what.nb} må være mer enn null.",
                                 f"{what.en} must be more than zero."))
    return number


def _thousands(groups: list[str]) -> bool:
    """Whether digit groups are one number: "1 234 567" yes, "1,234,5" and "12 34" no."""
    if len(groups) == 1:
        return bool(groups[0])
    return 1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])


def _split_decimal(text: str, help_: Text) -> tuple[str, str]:
    commas, dots = text.count(","), text.count(".")
    if commas and dots:
        mark = "," if text.rindex(",") > text.rindex(".") else "."
    elif commas == 1 or dots == 1:
        mark = "," if commas else "."
    else:
        return text, ""
    whole, _, fraction = text.rpartition(mark)
    if mark in whole or not fraction.isdigit():
        raise NotUnderstood(help_)
    return whole, fraction


def _squash(text: str) -> str:
    """One plain space for any run of spaces (thin, no-break), trimmed."""
    return " ".join(text.split())


def _oslo(now: dt.datetime) -> dt.datetime:
    """Naive Oslo wall-clock time, which is what "i går" and "kl 7" are relative to."""
    return now.astimezone(OSLO).replace(tzinfo=None) if now.tzinfo else now
