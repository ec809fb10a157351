"""Every refusal a person can get has its own message, in Norwegian and in English."""

import inspect

import pytest

from domain import errors
from domain.errors import PolicyProblem, PolicyRefused, UserError
from domain.text import Text


def user_errors() -> list[type[UserError]]:
    return [cls for _, cls in inspect.getmembers(errors, inspect.isclass)
            if issubclass(cls, UserError) and cls.__module__ == errors.__name__]


def instance(cls: type[UserError]) -> UserError:
    if cls is PolicyRefused:
        return PolicyRefused([PolicyProblem("no_lines", Text("Ingen linjer.", "No lines."))])
    return cls()


def test_the_table_covers_the_tree():
    names = {cls.__name__ for cls in user_errors()}
    assert {"NotYourClaim", "NotAnApprover", "NotAMember", "InviteInvalid", "ClaimLocked",
            "ClaimNotEditable", "WithdrawRefused", "StageNotOpen", "ReturnNeedsReason",
            "ChangedMeanwhile", "PolicyRefused", "LateSubmitNotConfirmed"} <= names


@pytest.mark.parametrize("cls", user_errors(), ids=lambda cls: cls.__name__)
def test_every_user_error_says_what_happened_in_norwegian_and_english(cls):
    text = instance(cls).text
    assert text.nb.strip()
    assert text.en.strip()
    assert text.nb != text.en


@pytest.mark.parametrize("cls", user_errors(), ids=lambda cls: cls.__name__)
def test_every_user_error_is_drawn_in_the_tree_of_the_module_docstring(cls):
    assert cls.__name__ in (errors.__doc__ or "")


@pytest.mark.parametrize("cls", user_errors(), ids=lambda cls: cls.__name__)
def test_the_english_message_is_the_exception_text(cls):
    error = instance(cls)
    assert str(error) == error.text.en


def test_a_policy_refusal_lists_every_problem_in_both_languages():
    refused = PolicyRefused([PolicyProblem("a", Text("Linje 1: x", "Line 1: x")),
                             PolicyProblem("b", Text("Linje 2: y", "Line 2: y"))])
    assert "Linje 1: x; Linje 2: y" in refused.text.nb
    assert "Line 1: x; Line 2: y" in refused.text.en
