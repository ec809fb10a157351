"""The ``kvitt`` command line.

Every subcommand is one ``Command`` in ``COMMANDS``: a name (words separated by spaces
make nested commands, like ``db upgrade``), a one-line help, a function adding its
arguments and the function that runs it and returns the exit status. Subcommands
import what they need inside their function, so ``kvitt calc`` never pays for loading
Telegram or SQLAlchemy.

Exit status: 0 done, 1 a setup problem (a wrong setting, a database that is missing or
unreachable, a data folder that cannot be written: one line says what to do), 2 bad input
or usage (the error is printed, never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from domain.text import LANGS, Text

EXIT_OK = 0
EXIT_SETUP = 1
EXIT_BAD_INPUT = 2


@dataclass(frozen=True, slots=True)
class Command:
    """One subcommand: its name, help, arguments and the function that runs it."""

    name: str
    help: str
    run: Callable[[argparse.Namespace], int]
    arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None


def _say(text: str) -> None:
    if isinstance(sys.stdout, io.TextIOWrapper):  # texts are Norwegian, whatever the locale
        sys.stdout.reconfigure(encoding="utf-8")
    print(text)


def _print_json(data: object, indent: int | None = None) -> None:
    _say(json.dumps(data, ensure_ascii=False, indent=indent))


def _calc_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", default="-",
                        help="the claim as JSON (default: read standard input)")
    parser.add_argument("--lang", choices=LANGS, default="nb",
                        help="language of breakdowns, warnings and errors (default: nb)")
    parser.add_argument("--rates", action="append", default=[], metavar="FILE.toml",
                        help="add an organisation's or federation's rate table (repeatable)")


def _read_input(file: str) -> bytes:
    from app.calc_json import CalcInputError
    from domain.text import Text

    try:
        return sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc
        raise CalcInputError(None, Text(f"kan ikke lese {file}: {reason}",
                                        f"cannot read {file}: {reason}")) from exc


def calc(args: argparse.Namespace) -> int:
    """Compute a claim given as JSON and print the amounts with their breakdown as JSON."""
    from app.calc_json import CalcInputError, calculate, render, with_rate_files
    from domain.rates import default_book

    try:
        book = with_rate_files(default_book(), args.rates)
        result = calculate(_read_input(args.file), book)
    except CalcInputError as exc:
        _print_json(exc.render(args.lang))
        return EXIT_BAD_INPUT
    _print_json(render(result, args.lang), indent=2)
    return EXIT_OK


def _lazy(module: str, function: str) -> Callable[..., int]:
    """``module.function``, imported only when called: every ``kvitt`` run stays light."""
    def call(*args: object) -> int:
        result: int = getattr(importlib.import_module(module), function)(*args)
        return result
    return call


def _arguments(module: str, function: str) -> Callable[[argparse.ArgumentParser], None]:
    def add(parser: argparse.ArgumentParser) -> None:
        getattr(importlib.import_module(module), function)(parser)
    return add


def _admin(name: str) -> Callable[[argparse.Namespace], int]:
    """An admin command: settings loaded, refusals turned into one line (``admin_commands``)."""
    def runner(args: argparse.Namespace) -> int:
        admin_commands = importlib.import_module("app.admin_commands")
        status: int = admin_commands.run(getattr(admin_commands, name))(args)
        return status
    return runner


ARGS = "app.cli_arguments"
COMMANDS: tuple[Command, ...] = (
    Command("calc", "compute a claim's amounts from JSON, with the breakdown", calc,
            _calc_arguments),
    Command("parse", "read a date, an amount or km as the bot does, print it as JSON",
            _lazy("bot.parse_cli", "run"), _arguments("bot.parse_cli", "arguments")),
    Command("run", "run the bot, the outbox, the inbound mail and the scheduler in one process",
            _lazy("app.run", "main"), _arguments(ARGS, "run_arguments")),
    Command("check", "show the settings (secrets masked) and test every connection",
            _lazy("app.check", "run"), _arguments(ARGS, "check_arguments")),
    Command("chat", "the claimant's side of the bot in a terminal, on the local database",
            _lazy("app.chat_cli", "run"), _arguments(ARGS, "chat_arguments")),
    Command("demo", "the whole product offline: bot dialog, mail out and in, approvals",
            _lazy("app.demo", "demo"), _arguments(ARGS, "keep_argument")),
    Command("db upgrade", "create or migrate the database to the newest schema",
            _admin("db_upgrade")),
    Command("org apply", "create or update organisations from TOML files (idempotent)",
            _admin("org_apply"), _arguments(ARGS, "files_argument")),
    Command("org show", "show an organisation's setup", _admin("org_show"),
            _arguments(ARGS, "slug_argument")),
    Command("invite create", "make an invite code and Telegram link for an organisation",
            _admin("invite_create"), _arguments(ARGS, "invite_arguments")),
    Command("claims list", "list the claims an organisation pays", _admin("claims_list"),
            _arguments(ARGS, "list_arguments")),
    Command("claims show", "show one claim with lines, approvals and log",
            _admin("claims_show"), _arguments(ARGS, "reference_argument")),
    Command("export payroll", "one payroll run as CSV: a row per claimant and A-melding code",
            _lazy("app.admin_reports", "export_payroll"), _arguments(ARGS, "payroll_arguments")),
    Command("digest", "an organisation's digest: print it, or queue it for its admins",
            _lazy("app.admin_reports", "digest"), _arguments(ARGS, "digest_arguments")),
    Command("mail ingest", "handle one message from stdin (an MTA pipe) as an approver's reply",
            _lazy("app.ingest_cli", "run")),
    Command("receipt read", "read a receipt photo or PDF as the bot would, print it as JSON",
            _lazy("app.receipt_cli", "run"), _arguments("app.receipt_cli", "arguments")),
    Command("mail parse-reply", "read a reply .eml as the gateway would (no database), as JSON",
            _lazy("mail.parse_reply_cli", "run"), _arguments("mail.parse_reply_cli", "arguments")),
)


GROUPS = {"db": "the database: create or migrate it",
          "org": "organisations: apply their files, show one",
          "invite": "invite codes for claimants to join an organisation",
          "claims": "claims an organisation pays: list them, show one",
          "export": "exports for payroll",
          "mail": "approvers' replies: one from an MTA pipe, or read one offline",
          "receipt": "receipts: read one as the bot would"}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kvitt")
    except PackageNotFoundError:
        return "unknown (not installed)"


# argparse's own refusals, in Norwegian: (its English, ours), most specific first
_NB_ERRORS = (
    (r"the following arguments are required: (.*)", r"dette mangler: \1"),
    (r"one of the arguments (.*) is required", r"ett av disse må være med: \1"),
    (r"unrecognized arguments: (.*)", r"ukjente argumenter: \1"),
    (r"argument (\S+): invalid choice: (.*) \(choose from (.*)\)",
     r"\1: \2 er ikke et av valgene (velg blant \3)"),
    (r"argument (\S+): invalid int value: (.*)", r"\1: \2 er ikke et helt tall"),
    (r"argument (\S+): invalid \S+ value: (.*)", r"\1: ugyldig verdi \2"),
    (r"argument (\S+): a whole number of 1 or more, not (.*)",
     r"\1: et helt tall, 1 eller mer, ikke \2"),
    (r"argument (\S+): expected one argument", r"\1: trenger en verdi"),
    (r"argument (\S+): not allowed with argument (\S+)", r"\1 kan ikke brukes sammen med \2"),
    (r"argument (\S+): (.*)", r"\1: \2"),
)


_ERROR = Text("feil", "error")


class _Parser(argparse.ArgumentParser):
    """An argument parser that refuses a wrongly typed command in ``KVITT_LANG``."""

    def error(self, message: str) -> NoReturn:
        from app.settings import Settings, SettingsError

        try:
            lang = Settings.load().lang
        except SettingsError:
            lang = "nb"
        # argparse's own words are English; a Norwegian admin gets them translated
        for english, norwegian in _NB_ERRORS:
            if re.fullmatch(english, message, re.DOTALL):
                message = Text(re.sub(english, norwegian, message, count=1, flags=re.DOTALL),
                               message).in_(lang)
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {_ERROR.in_(lang)}: {message}\n")


def build_parser(commands: Sequence[Command] = COMMANDS) -> argparse.ArgumentParser:
    """The argument parser with every command, nested by the words of its name.

    ``kvitt --help`` lists every command, nested ones included, each with its line, so an
    admin sees ``db upgrade`` without guessing that ``db`` has subcommands.
    """
    width = max(len(command.name) for command in commands) + 2
    listing = "\n".join(f"  {c.name:<{width}}{c.help}" for c in commands)
    root = _Parser(
        prog="kvitt", description="Kvitt: reiseregning og utlegg / travel and expense claims.",
        epilog=f"all commands:\n{listing}\n\n'kvitt COMMAND --help' tells more about one.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    root.add_argument("--version", action="version", version=f"kvitt {_version()}")
    parsers: dict[str, argparse.ArgumentParser] = {"": root}
    groups: dict[str, argparse._SubParsersAction[argparse.ArgumentParser]] = {}
    for command in commands:
        words = command.name.split()
        for depth, word in enumerate(words):
            parent, name = " ".join(words[:depth]), " ".join(words[:depth + 1])
            if name in parsers:
                continue
            if parent not in groups:
                groups[parent] = parsers[parent].add_subparsers(
                    title="commands", metavar="COMMAND", required=True,
                    parser_class=_Parser)
            line = command.help if name == command.name else GROUPS[name]
            parsers[name] = groups[parent].add_parser(word, help=line, description=line)
        command.arguments(parsers[command.name])
        parsers[command.name].set_defaults(run=command.run)
    return root


def main(argv: list[str] | None = None) -> int:
    """Run ``kvitt`` with ``argv`` (default: the process's arguments); return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except Exception as exc:
        from app.setup_problems import explain

        line = explain(exc)
        if line is None:
            raise  # a bug, not a setup mistake: keep its traceback
        print(f"kvitt: {line}", file=sys.stderr)
        return EXIT_SETUP
    return status
