"""The wizard's step graph: every step a step can name exists (issue 12).

Step names are strings returned by a step's ``then`` or passed to ``show``; a typo or
a removed step would only show up when a claimant reached it. This walks the dialog's
source for every step name it can go to, and fails in CI on a dangling one.
"""

import ast
from pathlib import Path

import bot.dialog.run  # registers every step
from bot.dialog import claim_flow, edit, lines
from bot.dialog.core import END
from bot.dialog.engine import STEPS

DIALOG = Path(bot.dialog.run.__file__).parent
KINDS_ON_THE_MENU = ("mileage", "per_diem", "expense", "item")


def _named_steps() -> set[str]:
    """String constants the dialog returns, shows, goes back to or keeps as a step name."""
    found: set[str] = set()
    for path in DIALOG.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            values: list[ast.expr] = []
            if isinstance(node, ast.Return) and node.value is not None:
                values.append(node.value)
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if name in ("show", "going_back_to"):
                    values.extend(node.args[1:] if name == "show" else node.args)
            for value in values:
                for sub in ast.walk(value):
                    if (isinstance(sub, ast.Constant) and isinstance(sub.value, str)
                            and sub.value.count(".") == 1 and " " not in sub.value
                            and not sub.value.startswith(".")
                            and sub.value.replace(".", "").replace("_", "").isalpha()):
                        found.add(sub.value)
    return found


def test_every_step_name_the_dialog_can_go_to_exists():
    named = _named_steps() | set(lines._FIELD_STEPS.values()) | set(edit.FIELD_STEPS.values())
    named |= {f"{kind}.start" for kind in KINDS_ON_THE_MENU}
    assert len(named) > 20  # the walk found the graph, not nothing
    dangling = sorted(name for name in named if name not in STEPS and name != END)
    assert dangling == []


def test_every_step_is_reached_from_somewhere():
    named = _named_steps() | set(lines._FIELD_STEPS.values()) | set(edit.FIELD_STEPS.values())
    named |= {f"{kind}.start" for kind in KINDS_ON_THE_MENU}
    assert sorted(set(STEPS) - named) == []


def test_every_step_back_names_an_existing_step():
    assert all(step.back in STEPS for step in STEPS.values() if step.back)
    assert claim_flow.SPLIT == lines.SPLIT


def test_every_field_a_saved_line_can_change_has_its_step():
    assert set(edit.FIELD_STEPS) == {name for name, _, _ in edit.FIELDS}
