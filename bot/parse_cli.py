"""``kvitt parse``: read a date, an amount or km exactly as the bot does, and print JSON.

Support staff use it to answer "why did the bot read my date as that?": the same functions
as the wizard, with ``--now`` to replay the moment the claimant typed. ``kvitt`` adds every
command's arguments at start, so this module imports ``bot.understand`` only in ``run``.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from datetime import datetime

from domain.text import LANGS

KINDS = ("when", "amount", "km")
EXIT_OK, EXIT_NOT_UNDERSTOOD = 0, 2


def arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``KIND TEXT… [--now] [--lang]`` to the ``parse`` command."""
    parser.add_argument("kind", choices=KINDS, help="what the text is")
    parser.add_argument("text", nargs="+", help="the text as typed (several words are joined)")
    parser.add_argument("--now", type=_minute, metavar="YYYY-MM-DDTHH:MM",
                        help="when it was typed, Oslo time (default: now); 'i går' is the day "
                             "before")
    parser.add_argument("--lang", choices=LANGS, default="nb",
                        help="language of the error message (default: nb)")


def run(args: argparse.Namespace) -> int:
    """Print what the text was understood as, or ``{"error": ...}`` with exit status 2."""
    from bot.understand import NotUnderstood

    text = " ".join(args.text)
    try:
        result = _read(args.kind, text, args.now or _oslo_now(), args.lang)
    except NotUnderstood as exc:
        _print_json({"error": exc.text.in_(args.lang)})
        return EXIT_NOT_UNDERSTOOD
    _print_json(result)
    return EXIT_OK


def _read(kind: str, text: str, now: datetime, lang: str) -> dict[str, str | None]:
    from bot.understand import parse_amount, parse_km, parse_when
    from domain.money import format_nok

    if kind == "when":
        when = parse_when(text, now, lang)
        return {"date": when.date.isoformat(),
                "time": when.time.strftime("%H:%M") if when.time else None}
    if kind == "amount":
        amount = parse_amount(text)
        return {"amount": format_nok(amount.amount), "currency": amount.currency}
    return {"km": f"{parse_km(text):f}"}


def _minute(value: str) -> datetime:
    """``--now`` as a naive Oslo wall-clock time, like the times claimants type."""
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not YYYY-MM-DDTHH:MM: {value!r}") from None


def _oslo_now() -> datetime:
    from domain.calendar import OSLO

    return datetime.now(OSLO).replace(tzinfo=None, second=0, microsecond=0)


def _print_json(data: object) -> None:
    if isinstance(sys.stdout, io.TextIOWrapper):  # «i går» is printed whatever the locale
        sys.stdout.reconfigure(encoding="utf-8")
    print(json.dumps(data, ensure_ascii=False))
