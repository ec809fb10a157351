"""Reply addresses and Message-IDs: each encoder tested round-trip with its decoder."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mail.addresses import (
    DEFAULT_PATTERN,
    key_from_address,
    key_from_references,
    message_id,
    reply_address,
    token,
)

PATTERN = "krav+{key}@kvitt.example.no"
DOMAIN = "kvitt.example.no"
keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=40)


def test_a_reply_address_is_the_pattern_with_the_key_filled_in():
    assert reply_address("abc123", PATTERN) == "krav+abc123@kvitt.example.no"
    assert reply_address("abc123") == DEFAULT_PATTERN.replace("{key}", "abc123")


@given(keys)
def test_every_key_survives_the_round_trip_through_its_address(key):
    assert key_from_address(reply_address(key, PATTERN), PATTERN) == key


@given(keys, st.sampled_from(["krav-{key}@x.no", "{key}.svar@reply.x.no", "a+b+{key}@x.no"]))
def test_other_patterns_round_trip_too(key, pattern):
    assert key_from_address(reply_address(key, pattern), pattern) == key


@pytest.mark.parametrize("written", [
    "KRAV+ABC123@KVITT.EXAMPLE.NO",
    "Krav+Abc123@kvitt.example.no",
    "<krav+abc123@kvitt.example.no>",
    "Kvitt <krav+abc123@kvitt.example.no>",
    '"Kvitt, krav K-2026-000123" <krav+ABC123@kvitt.example.no>',
    "ola@example.com, Kvitt <krav+abc123@kvitt.example.no>",
    "  krav+abc123@kvitt.example.no  ",
])
def test_the_key_is_found_whatever_the_case_display_name_or_brackets(written):
    assert key_from_address(written, PATTERN) == "abc123"


@pytest.mark.parametrize("written", [
    "krav@kvitt.example.no",
    "krav+@kvitt.example.no",
    "krav+abc123@other.example.no",
    "svar+abc123@kvitt.example.no",
    "krav+abc-123@kvitt.example.no",
    "krav+abc123@kvitt.example.no.evil.com",
    "not an address",
    "",
])
def test_addresses_that_do_not_fit_the_pattern_give_no_key(written):
    assert key_from_address(written, PATTERN) is None


@pytest.mark.parametrize("key", ["", "ABC", "a-b", "a b", "æøå", "a@b"])
def test_a_key_that_a_server_could_mangle_is_refused(key):
    with pytest.raises(ValueError, match="lowercase"):
        reply_address(key, PATTERN)


@pytest.mark.parametrize("pattern", ["krav@x.no", "{key}{key}@x.no", "krav@{key}.x.no", "{key}"])
def test_a_pattern_needs_one_key_in_the_local_part(pattern):
    with pytest.raises(ValueError, match="pattern"):
        reply_address("abc", pattern)


def test_a_message_id_embeds_the_kind_and_key():
    assert message_id(DOMAIN, "approval_request", "abc123") == (
        "<kvitt.approval_request.abc123@kvitt.example.no>")


@given(keys)
def test_every_key_survives_the_round_trip_through_references(key):
    assert key_from_references(message_id(DOMAIN, "approval_request", key), DOMAIN) == key


def test_the_key_is_found_in_a_long_references_header_from_a_client():
    header = ("<CAF=abc@mail.gmail.com>\r\n <kvitt.claim.0f0f@kvitt.example.no>\r\n"
              " <KVITT.APPROVAL_REQUEST.ABC123@KVITT.EXAMPLE.NO> <x@outlook.com>")
    assert key_from_references(header, DOMAIN) == "abc123"


def test_of_several_keys_in_references_the_latest_wins():
    header = (f"{message_id(DOMAIN, 'approval_request', 'old1')} "
              f"{message_id(DOMAIN, 'claimant_comment', 'new2')}")
    assert key_from_references(header, DOMAIN) == "new2"


def test_ids_that_carry_no_reply_key_are_skipped():
    header = (f"{message_id(DOMAIN, 'approval_request', 'abc123')} "
              f"{message_id(DOMAIN, 'refusal_unknown_key', token('x'))} "
              f"{message_id(DOMAIN, 'claim', token('claim-1'))}")
    assert key_from_references(header, DOMAIN) == "abc123"


@pytest.mark.parametrize("header", [
    "", "<abc@kvitt.example.no>", "<kvitt.approval_request.abc123@other.example.no>",
    "kvitt.approval_request.abc123@kvitt.example.no",
])
def test_references_without_our_keyed_id_give_no_key(header):
    assert key_from_references(header, DOMAIN) is None


def test_a_message_id_refuses_a_kind_or_domain_that_would_break_the_header():
    with pytest.raises(ValueError):
        message_id(DOMAIN, "approval request", "abc")
    with pytest.raises(ValueError):
        message_id("a>b", "approval_request", "abc")


def test_token_makes_any_text_safe_and_stable():
    assert token("c1:3:returned:ola@example.no") == token("c1:3:returned:ola@example.no")
    assert message_id(DOMAIN, "return_notice", token("c1:3:returned:ola@example.no"))


def test_a_bounce_address_round_trips_and_is_never_a_reply_key():
    from mail.addresses import bounce_address, token_from_bounce_address

    address = bounce_address("abc123", "krav+{key}@example.no")
    assert address == "krav+bounce-abc123@example.no"
    assert token_from_bounce_address(f"<{address.upper()}>", "krav+{key}@example.no") == "abc123"
    assert key_from_address(address, "krav+{key}@example.no") is None
    assert token_from_bounce_address("krav+abc123@example.no", "krav+{key}@example.no") is None
