"""One line per event: time, level, where, what (logfmt), never personal data in clear.

Log calls in Kvitt pass claim references and outcome kinds, not addresses, keys,
account or national id numbers; this formatter also masks anything that looks
like an email address or an 11-digit number, in case one slips into a message.
"""

from __future__ import annotations

import logging
import re
import sys

_EMAIL = re.compile(r"[\w.+-]+@([\w-]+\.)+\w+")
_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{4}[ .]?\d{2}[ .]?\d{5}(?!\d)")


class Logfmt(logging.Formatter):
    """``time=… level=… logger=… msg="…"``, masked."""

    def format(self, record: logging.LogRecord) -> str:
        """One line; exceptions as a ``error=`` field."""
        message = _ELEVEN_DIGITS.sub("***********", _EMAIL.sub("***@***", record.getMessage()))
        line = (f'time={self.formatTime(record, "%Y-%m-%dT%H:%M:%S")} '
                f"level={record.levelname.lower()} logger={record.name} "
                f'msg="{message}"')
        if record.exc_info and record.exc_info[0] is not None:
            line += f" error={record.exc_info[0].__name__}"
        return line


def configure(level: str = "info") -> None:
    """Send every log line to stderr in logfmt at ``level``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(Logfmt())
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    for noisy in ("httpx", "apscheduler", "aiosqlite", "mail.log"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
