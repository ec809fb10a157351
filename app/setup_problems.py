"""A setup mistake as one line saying what is wrong and what to do, never a traceback.

An admin trying the command line meets three kinds: the database cannot be reached
(closed port, unknown host, refused login, no such database), the data folder
cannot be made or written, or its SQLite file cannot be opened. Each becomes one
``Text``, printed in ``KVITT_LANG`` with exit status 1 (a setup problem; a refusal
of what was asked is 2). Anything else is not a setup mistake: it keeps its
traceback, because it is a bug to report.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.settings import Settings, SettingsError
from domain.text import Text

UNREACHABLE = (ConnectionRefusedError, ConnectionResetError, socket.gaierror, TimeoutError)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception, what it wraps (SQLAlchemy's ``orig``) and what caused it."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        found = pending.pop(0)
        if found is None or id(found) in seen:
            continue
        seen.add(id(found))
        yield found
        orig = getattr(found, "orig", None)
        pending += [orig if isinstance(orig, BaseException) else None,
                    found.__cause__, found.__context__]


def _where(settings: Settings) -> tuple[str, str, str]:
    """Host:port, database name and user of the configured URL."""
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        return "?", "?", "?"
    return f"{url.host or 'localhost'}:{url.port or 5432}", url.database or "", url.username or ""


def data_dir_problem(settings: Settings, reason: str) -> Text:
    """The data folder cannot be made or written."""
    folder = settings.data_dir
    return Text(f"Kan ikke opprette eller skrive i datamappen {folder} ({reason}). "
                "Velg en mappe Kvitt kan skrive i med KVITT_DATA_DIR.",
                f"Cannot create or write the data folder {folder} ({reason}). "
                "Choose a folder Kvitt can write with KVITT_DATA_DIR.")


def explain(exc: BaseException) -> str | None:
    """One line for a setup mistake that escaped a command (``kvitt run``, ``kvitt chat``).

    The last guard in ``kvitt``'s ``main``: a wrong setting, a database that is not
    migrated or cannot be reached, a data folder that cannot be written. None means a bug.
    """
    from store.migrate import SchemaNotCurrent

    if isinstance(exc, SettingsError):
        return str(exc)
    try:
        settings = Settings.load()
    except SettingsError:
        return None
    if isinstance(exc, SchemaNotCurrent):
        return exc.text.in_(settings.lang)
    problem = setup_problem(exc, settings)
    return None if problem is None else problem.in_(settings.lang)


def setup_problem(exc: BaseException, settings: Settings) -> Text | None:
    """What the admin must fix, or None if ``exc`` is not a setup mistake."""
    address, database, user = _where(settings)
    for cause in _causes(exc):
        name = type(cause).__name__
        if name == "InvalidCatalogNameError":
            return Text(f"Databasen «{database}» finnes ikke på {address}. Opprett den "
                        f"(createdb {database}) eller rett navnet i KVITT_DATABASE_URL.",
                        f"The database “{database}” does not exist on {address}. Create it "
                        f"(createdb {database}) or correct the name in KVITT_DATABASE_URL.")
        if name in ("InvalidPasswordError", "InvalidAuthorizationSpecificationError"):
            return Text(f"Databasen på {address} avviste innloggingen som «{user}». Rett "
                        "bruker og passord i KVITT_DATABASE_URL.",
                        f"The database on {address} refused the login as “{user}”. Correct "
                        "the user and password in KVITT_DATABASE_URL.")
        if isinstance(cause, UNREACHABLE) or name == "ConnectionDoesNotExistError":
            return Text(f"Får ikke kontakt med databasetjeneren på {address} "
                        f"({type(cause).__name__}). Start den, eller rett vert og port i "
                        "KVITT_DATABASE_URL.",
                        f"Cannot reach the database server on {address} "
                        f"({type(cause).__name__}). Start it, or correct the host and port "
                        "in KVITT_DATABASE_URL.")
        if "unable to open database file" in str(cause):
            return data_dir_problem(settings, "unable to open database file")
        if isinstance(cause, OSError) and cause.filename is not None:
            path = Path(str(cause.filename))
            if path == settings.data_dir or settings.data_dir in path.parents:
                return data_dir_problem(settings, cause.strerror or type(cause).__name__)
    return None
