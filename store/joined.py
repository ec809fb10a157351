"""``joined(expr, ",")``: strings aggregated with a separator, compiled once per statement.

Why not SQLAlchemy's ``func.aggregate_strings``: it passes the separator as a
``literal_execute`` parameter, which SQLAlchemy writes into the SQL text at every
execution (``_process_parameters_for_postcompile``, a pass over the whole statement's
text). The dialog's opening statement has two of them and runs at every update of the
bot. Here the separator is a SQL literal in the statement itself, so the compiled text is
cached and reused as it is; each database gets its own spelling (``string_agg`` on
PostgreSQL, ``group_concat`` on SQLite), as ``aggregate_strings`` gives them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class _Joined(FunctionElement[str]):
    """``string_agg`` / ``group_concat`` of an expression and a literal separator."""

    type = String()
    inherit_cache = True  # the arguments (the separator a literal column) are the key
    name = "joined"


def joined(expr: Any, separator: str) -> _Joined:
    """The values of ``expr`` in a group as one text, ``separator`` between them."""
    return _Joined(expr, literal_column("'" + separator.replace("'", "''") + "'"))


@compiles(_Joined, "postgresql")
def _string_agg(element: _Joined, compiler: Any, **kw: Any) -> str:
    return f"string_agg({compiler.process(element.clauses, **kw)})"


@compiles(_Joined, "sqlite")
@compiles(_Joined)  # any other dialect, and ``str(statement)`` while debugging
def _group_concat(element: _Joined, compiler: Any, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)})"
