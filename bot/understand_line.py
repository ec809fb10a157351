"""A whole claim line said in one message, read with the pieces of ``understand``.

"180 km bil Tromsø–Bodø med Ola og Kari 14.3" is driving; "taxi 450 kr 3.11" or
"bom 44" an outlay; "diett 8–17 lunsj" or "diett 9.3 kl 7 – 11.3 kl 18 hotell" a per
diem. What is not said (the date, the payer) is filled in by the dialog and echoed for
one-tap confirmation, so a misreading is seen before anything is saved.

Decisions, where a message is ambiguous:

- The kind comes from a word: "km" makes driving, "diett"/"per diem" a per diem, an
  outlay's type word ("taxi", "fly", "bom", "hotell" …) an outlay. Without one, the
  message is no whole line (``None``), and the question it answered reads it instead.
- In an outlay "3.11" is a date when another number is left for the amount ("taxi 450
  3.11"), else it is the amount ("taxi 3.11" is 3,11 kr, echoed as such).
- Passengers follow "med"/"with"; the route is what is left, split at a dash or "til".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from bot.understand import (
    WEEKDAYS_EN,
    WEEKDAYS_NB,
    Amount,
    NotUnderstood,
    When,
    parse_amount,
    parse_km,
    parse_when,
    time_only,
)
from domain.text import Text

DRIVE_WORDS = {"bil": "car", "elbil": "car", "car": "car", "motorsykkel": "motorcycle",
               "mc": "motorcycle", "motorcycle": "motorcycle", "moped": "moped",
               "båt": "boat", "motorbåt": "boat", "boat": "boat", "snøscooter": "snowmobile",
               "snowmobile": "snowmobile"}
OUTLAY_WORDS = {"taxi": "taxi", "drosje": "taxi", "fly": "flight", "flybillett": "flight",
                "flight": "flight", "bom": "toll", "bompenger": "toll", "bomring": "toll",
                "toll": "toll", "hotell": "hotel", "hotel": "hotel", "parkering": "parking",
                "parking": "parking", "billett": "ticket", "tog": "ticket", "buss": "ticket",
                "ferje": "ticket", "ticket": "ticket", "train": "ticket", "bus": "ticket"}
MEAL_WORDS = {"frokost": "breakfast", "breakfast": "breakfast", "lunsj": "lunch",
              "lunch": "lunch", "middag": "dinner", "dinner": "dinner"}
LODGING_WORDS = {"hotell": "hotel", "hotel": "hotel", "privat": "private",
                 "private": "private", "pensjonat": "boarding", "hybel": "boarding"}
PER_DIEM = re.compile(r"^(?:diett|kostgodtgjørelse|per diem)\b[:\s]*", re.IGNORECASE)
# whole weekday names only: "Tor" is a passenger before it is a Thursday
_WEEKDAYS = tuple(d.casefold() for d in (*WEEKDAYS_NB, *WEEKDAYS_EN))
_DAY_WORDS = ("i forgårs", "i går", "i dag", "igår", "idag", "forgårs", "today",
              "yesterday", *(f"i {d}s" for d in _WEEKDAYS), *(f"forrige {d}" for d in _WEEKDAYS),
              *(f"last {d}" for d in _WEEKDAYS), *_WEEKDAYS)
_DAY = re.compile(r"(?<![\w.,])(?:\d{1,2}[./]\d{1,2}(?:[./](?:\d{4}|\d{2}))?\.?|"
                  + "|".join(sorted(map(re.escape, _DAY_WORDS), key=len, reverse=True))
                  + r")(?![\w,]|\.\d)", re.IGNORECASE)
_KM = re.compile(r"(?<![\w.,])(\d[\d ]*(?:[.,]\d+)?)\s*(?:km|kilometer)\b", re.IGNORECASE)
_WITH = re.compile(r"\s(?:med|with)\s+(.+)$", re.IGNORECASE)
_ROUTE = re.compile(r"\s*(?:–|—|->|→|\s-\s|(?<=[^\W\d_])-(?=[^\W\d_]))\s*|\s+(?:til|to)\s+")
_RANGE = re.compile(r"\s*(?:–|—|-)\s*|\s+(?:til|to)\s+")
_MONEY = re.compile(r"[\d.,]+(?:,-)?|kr\.?|kroner|[€$£]|nok|eur|usd|sek|dkk|gbp|chf|isk|pln",
                    re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Drive:
    """Driving: km, and what else was said."""

    km: Decimal
    vehicle: str | None = None
    route: tuple[str, str] | None = None
    passengers: tuple[str, ...] = ()
    day: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Outlay:
    """An outlay: its type, amount, and what else was said."""

    type: str
    amount: Amount
    day: dt.date | None = None
    remark: str = ""
    word: str = ""


@dataclass(frozen=True, slots=True)
class Trip:
    """A per diem: departure and return (a time at least; the day when said), meals, lodging."""

    departure: When | dt.time
    back: When | dt.time
    meals: tuple[str, ...] = ()
    lodging: str | None = None


Said = Drive | Outlay | Trip


def understand_line(text: str, now: dt.datetime, lang: str = "nb",
                    kind: str | None = None) -> Said | None:
    """A whole line in ``text``, or None when it says no kind of line (``kind``: only that).

    Raises:
        NotUnderstood: the kind is clear but a part is not (the reason says which).
    """
    plain = " ".join(text.split())
    words = {w.casefold() for w in re.findall(r"[^\W\d_]+", plain)}
    if kind in (None, "per_diem") and (PER_DIEM.match(plain) or (
            kind == "per_diem" and _RANGE.search(plain))):
        return _trip(PER_DIEM.sub("", plain), now, lang)
    if kind in (None, "mileage") and _KM.search(plain):
        return _drive(plain, now, lang)
    if kind in (None, "expense") and words & OUTLAY_WORDS.keys():
        return _outlay(plain, now, lang)
    return None


def _take_day(text: str, now: dt.datetime, lang: str, *, need_rest: bool = False
              ) -> tuple[dt.date | None, str]:
    """The first date in ``text`` and the text without it (``need_rest``: a number must stay)."""
    missing: NotUnderstood | None = None
    for found in _DAY.finditer(text):
        rest = (text[:found.start()] + " " + text[found.end():]).strip()
        if need_rest and not re.search(r"\d", rest):
            continue
        if time_only(found[0]) is not None:
            continue  # "12.50" is an amount or a time, not a day
        try:
            return parse_when(found[0], now, lang).date, " ".join(rest.split())
        except NotUnderstood as exc:
            if missing is None and _calendar_shaped(found[0]):
                missing = exc
            continue
    if missing is not None:
        raise missing  # "31.11": a day that does not exist, not an amount or a place
    return None, text


def _calendar_shaped(token: str) -> bool:
    """Whether ``token`` reads as day.month ("31.11", "30.2.2026"), whether or not it exists."""
    found = re.fullmatch(r"(\d{1,2})[./](\d{1,2})(?:[./]\d{2,4})?\.?", token)
    return found is not None and 1 <= int(found[1]) <= 31 and 1 <= int(found[2]) <= 12


def _drive(text: str, now: dt.datetime, lang: str) -> Drive:
    km_found = _KM.search(text)  # the km first: "12.5 km" is not the 12th of May
    assert km_found is not None
    km = parse_km(km_found[1])
    text = (text[:km_found.start()] + " " + text[km_found.end():]).strip()
    day, text = _take_day(text, now, lang)
    passengers: tuple[str, ...] = ()
    if found := _WITH.search(f" {text}"):
        passengers = _names(found[1])
        text = f" {text}"[:found.start()].strip()
    vehicle = next((DRIVE_WORDS[w.casefold()] for w in text.split()
                    if w.casefold() in DRIVE_WORDS), None)
    text = " ".join(w for w in text.split() if w.casefold() not in DRIVE_WORDS)
    text = re.sub(r"^(?:fra|from)\s+", "", text.strip(" ,"), flags=re.IGNORECASE)
    places = [p.strip(" ,") for p in _ROUTE.split(text, maxsplit=1) if p.strip(" ,")]
    route = (places[0], places[1]) if len(places) == 2 else None
    return Drive(km, vehicle, route, passengers, day)


def _names(text: str) -> tuple[str, ...]:
    names = [n.strip() for n in re.split(r",| og | and |&", f" {text} ") if n.strip()]
    if not names or any(re.search(r"[\d#]", n) for n in names):
        raise NotUnderstood(Text(f"«{text}» er ikke navn på passasjerer.",
                                 f"“{text}” is not passengers' names."))
    return tuple(names)


def _outlay(text: str, now: dt.datetime, lang: str) -> Outlay:
    day, text = _take_day(text, now, lang, need_rest=True)
    words = text.split()
    at = next(i for i, w in enumerate(words) if w.casefold().strip(",.:") in OUTLAY_WORDS)
    word, kept = words[at], words[:at] + words[at + 1:]
    money = [w for w in kept if _MONEY.fullmatch(w)]
    remark = " ".join(w for w in kept if not _MONEY.fullmatch(w))
    if not money:
        raise NotUnderstood(Text(f"Skriv beløpet også, f.eks. «{word} 450».",
                                 f"Write the amount too, e.g. “{word} 450”."))
    amount = parse_amount(" ".join(money))
    return Outlay(OUTLAY_WORDS[word.casefold().strip(",.:")], amount, day, remark, word)


def _trip(text: str, now: dt.datetime, lang: str) -> Trip:
    meals = tuple(dict.fromkeys(MEAL_WORDS[w.casefold()] for w in text.split()
                                if w.casefold() in MEAL_WORDS))
    lodging = next((LODGING_WORDS[w.casefold()] for w in text.split()
                    if w.casefold() in LODGING_WORDS), None)
    rest = " ".join(w for w in text.split() if w.casefold() not in MEAL_WORDS
                    and w.casefold() not in LODGING_WORDS
                    and w.casefold() not in ("med", "og", "with", "and", "fikk"))
    parts = _RANGE.split(rest.strip(" ,"), maxsplit=1)
    if len(parts) != 2:
        raise NotUnderstood(Text("Skriv avreise og hjemkomst, f.eks. «diett 8–17» eller "
                                 "«diett 9.3 kl 7 – 11.3 kl 18».",
                                 "Write departure and return, e.g. “per diem 8–17” or "
                                 "“per diem 9.3 at 7 – 11.3 at 18”."))
    return Trip(_moment(parts[0], now, lang), _moment(parts[1], now, lang), meals, lodging)


def _moment(text: str, now: dt.datetime, lang: str) -> When | dt.time:
    """A bare time ("8", "kl 17") or a day with its time ("9.3 kl 7")."""
    bare = time_only(text.strip(" ,"))
    if bare is not None:
        return bare
    when = parse_when(text, now, lang)
    if when.time is None:
        raise NotUnderstood(Text("Skriv også klokkeslettet, f.eks. «9.3 kl 7».",
                                 "Write the time too, e.g. “9.3 at 7”."))
    return when
