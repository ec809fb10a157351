"""The pure domain imports only the standard library and itself (STYLE.md, habit 1)."""

import ast
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "domain"
IMPURE = ("store", "service")  # adapters may live under domain/ and use third-party code


def _pure_modules() -> list[Path]:
    return sorted(p for p in DOMAIN.rglob("*.py")
                  if p.relative_to(DOMAIN).parts[0] not in IMPURE)


def _foreign_imports(tree: ast.AST) -> list[str]:
    """Absolute imports of anything but the standard library and ``domain``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return [f"line {line}: {name}" for line, name in found
            if name.split(".")[0] not in (*sys.stdlib_module_names, "domain")]


def test_there_are_pure_domain_modules_to_check():
    names = {p.relative_to(DOMAIN).as_posix() for p in _pure_modules()}
    assert {"money.py", "lines.py", "calc/per_diem.py", "rates/book.py"} <= names


@pytest.mark.parametrize("path", _pure_modules(),
                         ids=lambda p: p.relative_to(DOMAIN).as_posix())
def test_a_pure_domain_module_imports_only_the_standard_library_and_domain(path):
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    foreign = _foreign_imports(tree)
    assert not foreign, f"{path.relative_to(DOMAIN.parent)} imports {foreign}"


def test_the_check_catches_a_third_party_import_even_inside_a_function():
    tree = ast.parse("import sqlalchemy\n"
                     "def f():\n    from telegram.ext import Application\n"
                     "from domain.money import ZERO\nfrom . import text\nimport decimal\n"
                     "from __future__ import annotations\n")
    assert _foreign_imports(tree) == ["line 1: sqlalchemy", "line 3: telegram.ext"]
