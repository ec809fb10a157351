"""One line per event (structlog): logfmt or JSON, UTC ISO times, never personal data in clear.

Kvitt's modules log through the standard ``logging`` module; every record (ours and the
libraries') goes through one ``structlog`` processor chain: level, logger, a UTC ISO 8601
timestamp, the exception's traceback for a record logged with ``exc_info`` (in the line,
its newlines escaped, so one event stays one line), then masking, then logfmt (quotes
escaped) or JSON by ``KVITT_LOG_FORMAT``. Log calls in Kvitt pass claim references and
outcome kinds, not addresses, keys, account or national id numbers; the masking step
also hides anything that looks like an email address or an 11-digit number, in case one
slips into a message or a traceback. Library noise is kept at warning: one outgoing PDF
used to write ~75 ``fontTools.subset`` lines at info.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any, Literal

import structlog

Format = Literal["logfmt", "json"]
_EMAIL = re.compile(r"[\w.+-]+@([\w-]+\.)+\w+")
_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{4}[ .]?\d{2}[ .]?\d{5}(?!\d)")
NOISY = ("httpx", "httpcore", "apscheduler", "aiosqlite", "mail.log", "fontTools",
         "fpdf", "PIL", "asyncio", "telegram.ext.Updater")


def mask(text: str) -> str:
    """``text`` with email addresses and 11-digit numbers hidden."""
    return _ELEVEN_DIGITS.sub("***********", _EMAIL.sub("***@***", text))


def _masked(logger: Any, name: str, event: MutableMapping[str, Any]) -> Mapping[str, Any]:
    return {key: mask(value) if isinstance(value, str) else value
            for key, value in event.items()}


def _chain() -> list[Any]:
    return [structlog.stdlib.add_log_level, structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
            structlog.stdlib.ExtraAdder(),
            structlog.processors.format_exc_info]


class Logfmt(structlog.stdlib.ProcessorFormatter):
    """The formatter of every handler: ``time=… level=… logger=… msg="…"`` (or JSON)."""

    def __init__(self, fmt: Format = "logfmt") -> None:
        renderer: Any = (structlog.processors.JSONRenderer() if fmt == "json" else
                         structlog.processors.LogfmtRenderer(
                             key_order=["time", "level", "logger", "msg"], drop_missing=True))
        super().__init__(foreign_pre_chain=_chain(), processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.EventRenamer("msg"), _masked, renderer])


def configure(level: str = "info", fmt: Format = "logfmt") -> None:
    """Send every log line to stderr at ``level``, as logfmt or JSON."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(Logfmt(fmt))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
