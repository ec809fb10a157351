"""Arguments of the commands whose work needs the database: declared here, imported cheaply.

Building ``kvitt``'s parser declares every command's arguments; keeping those
declarations apart from the commands means ``kvitt calc`` never loads SQLAlchemy.
"""

from __future__ import annotations

import argparse

from domain.claim import Status


def files_argument(parser: argparse.ArgumentParser) -> None:
    """``org apply FILE.toml …``."""
    parser.add_argument("files", nargs="+", metavar="FILE.toml")


def slug_argument(parser: argparse.ArgumentParser) -> None:
    """``org show SLUG``."""
    parser.add_argument("slug")


def _at_least_one(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a whole number of 1 or more, not {text!r}")
    return int(text)


def invite_arguments(parser: argparse.ArgumentParser) -> None:
    """``invite create ORG [--uses N]``."""
    parser.add_argument("org")
    parser.add_argument("--uses", type=_at_least_one, default=1,
                        help="how many may join with it (1 or more)")


def list_arguments(parser: argparse.ArgumentParser) -> None:
    """``claims list ORG [--status S]``."""
    parser.add_argument("org")
    parser.add_argument("--status", choices=[s.value for s in Status])


def reference_argument(parser: argparse.ArgumentParser) -> None:
    """``claims show K-2026-000123``."""
    parser.add_argument("reference")


def keep_argument(parser: argparse.ArgumentParser) -> None:
    """``demo --keep DIR`` keeps the demo's database and files for a look."""
    parser.add_argument("--keep", metavar="DIR",
                        help="keep the database, the mailboxes and the receipts in DIR "
                             "(a new or empty folder)")


def chat_arguments(parser: argparse.ArgumentParser) -> None:
    """``kvitt chat [--user ID] [--lang nb|en]``."""
    parser.add_argument("--user", type=int, default=1, help="the Telegram user id to act as")
    parser.add_argument("--lang", choices=("nb", "en"), default="nb")


def run_arguments(parser: argparse.ArgumentParser) -> None:
    """``kvitt run [--only bot|outbox|inbound|scheduler[,…]] [--log-level LEVEL]``."""
    parser.add_argument("--only", metavar="ROLE[,ROLE]",
                        help="run only these roles: bot, outbox, inbound, scheduler")
    parser.add_argument("--log-level", default="info",
                        choices=("debug", "info", "warning", "error"))


def check_arguments(parser: argparse.ArgumentParser) -> None:
    """``kvitt check [--only ROLE[,ROLE]]``: what the roles need, as ``kvitt run`` would."""
    parser.add_argument("--only", metavar="ROLE[,ROLE]",
                        help="check what these roles need: bot, outbox, inbound, scheduler "
                             "(default: all, as kvitt run)")


def payroll_arguments(parser: argparse.ArgumentParser) -> None:
    """``export payroll ORG --period YYYY-MM [--format csv|xlsx] [--mark-paid] [--out FILE]``."""
    parser.add_argument("org")
    parser.add_argument("--period", required=True, metavar="YYYY-MM",
                        help="the payroll run: claims approved from the previous payroll day "
                             "until the one in this month")
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv",
                        help="csv (default) or xlsx (an Excel workbook)")
    parser.add_argument("--mark-paid", action="store_true",
                        help="mark the exported claims Paid and tell the claimants (once)")
    parser.add_argument("--out", metavar="FILE", help="write here (default: standard output)")


def digest_arguments(parser: argparse.ArgumentParser) -> None:
    """``digest ORG --send|--print [--older-than DAYS]``."""
    parser.add_argument("org")
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--send", action="store_true", help="queue it by email to the admins")
    how.add_argument("--print", dest="print_", action="store_true", help="print the text")
    parser.add_argument("--older-than", type=_at_least_one, default=7, metavar="DAYS",
                        help="flag stages waiting longer than this (default: 7)")
