"""One form of bilingual text: ``domain.text.Text``, picked by ``Text.in_`` / ``Ctx.t`` only.

Fails if the front ends pick a language themselves: ``x if lang == "en" else y``, an
``if lang == "en":`` branch, or a ``(nb, en)`` pair indexed by the language
(``pair[lang == "en"]``, ``pair[0 if … lang … else 1]``, ``{"nb": …}[lang]``), or a
``(nb, en)`` pair carried around loose: unpacked into ``nb, en`` or passed as ``what_nb,
what_en`` (keep the ``Text``; saved chat data holding a pair becomes one at reading).
An expression whose branches are language codes only (``"en" if lang == "en" else "nb"``,
``["en", "nb"] if … else ["nb", "en"]``) is normalisation or parsing order, not text: allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("bot", "service", "mail", "app")
CODES = {"nb", "en"}


def _mentions_lang(node: ast.AST) -> bool:
    return any((isinstance(n, ast.Name) and n.id == "lang")
               or (isinstance(n, ast.Attribute) and n.attr == "lang") for n in ast.walk(node))


def _is_code(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in CODES
    return isinstance(node, ast.List | ast.Tuple) and all(_is_code(e) for e in node.elts)


def _compares_lang(node: ast.AST) -> bool:
    """``lang == "en"``, ``ctx.lang != 'nb'`` … anywhere in ``node``."""
    return any(isinstance(n, ast.Compare) and _mentions_lang(n)
               and any(isinstance(c, ast.Constant) and c.value in CODES
                       for c in (n.left, *n.comparators)) for n in ast.walk(node))


def _paired(args: ast.arguments) -> bool:
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    return (any(n == "nb" or n.endswith("_nb") for n in names)
            and any(n == "en" or n.endswith("_en") for n in names))


def picks(source: str) -> list[tuple[int, str]]:
    """Every place in ``source`` that picks a language by hand: (line, what)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.IfExp) and _compares_lang(node.test) and not (
                _is_code(node.body) and _is_code(node.orelse)):
            found.append((node.lineno, "x if lang == … else y: use a Text"))
        elif isinstance(node, ast.If) and _compares_lang(node.test):
            found.append((node.lineno, "if lang == …: use a Text"))
        elif isinstance(node, ast.Subscript) and _mentions_lang(node.slice):
            found.append((node.lineno, "a pair indexed by the language: use a Text"))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id == "getattr" and any(_mentions_lang(a) for a in node.args[1:])):
            found.append((node.lineno, "getattr(…, lang): use Text.in_"))
        elif (isinstance(node, ast.Tuple) and isinstance(node.ctx, ast.Store)
              and {"nb", "en"} <= {e.id for e in node.elts if isinstance(e, ast.Name)}):
            found.append((node.lineno, "a loose (nb, en) pair: keep it a Text"))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _paired(node.args):
            found.append((node.lineno, "arguments *_nb and *_en: take one Text"))
    return sorted(found)


def test_no_front_end_picks_a_language_by_hand():
    found = [f"{path.relative_to(ROOT)}:{line}: {what}"
             for folder in CHECKED for path in sorted((ROOT / folder).rglob("*.py"))
             for line, what in picks(path.read_text(encoding="utf-8"))]
    assert not found, "\n".join(found)


def test_the_check_sees_each_form_and_lets_codes_pass():
    bad = '''
a = x if ctx.lang == "en" else y
b = (" og " if lang != "en" else " and ").join(names)
c = pair[0 if lang == "nb" else 1]
d = pair[int(ctx.lang == "en")]
e = {"nb": "ja", "en": "yes"}[lang]
f = getattr(text, lang)
if lang == "en":
    g = "Yes"
_, nb, en = ctx.draft["doubt"]
rows = [Text(nb, en) for key, nb, en in TABLE]
def number(text, what_nb, what_en): ...
'''
    assert sorted({line for line, _ in picks(bad)}) == [2, 3, 4, 5, 6, 7, 8, 10, 11, 12]
    good = '''
a = "en" if lang == "en" else "nb"
b = ["en", "nb"] if lang == "en" else ["nb", "en"]
c = TEXT.in_(lang)
d = ctx.t(TEXT)
e = rows[int(value)]
'''
    assert picks(good) == []
