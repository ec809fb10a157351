"""Events and outbox messages are classes: one codec, one table per consumer, none missing."""

from __future__ import annotations

import json
import sys
from typing import Any, cast

import pytest

from bot.notices import NOTICES
from domain.events import EVENT_TEXT, EVENTS, ClaimEvent
from domain.wire import UnknownRecord
from mail.outbound import COMPOSERS
from service import notify
from service.delivery import Undeliverable, dispatch
from service.messages import (
    MESSAGES,
    ApproverReminder,
    Message,
    PaidNotice,
    Refusal,
    ReturnedNotice,
    UnreadableMessage,
)
from service.ports import OutboxMessage
from tests.support.samples import SAMPLES


def _subclasses(cls: type) -> set[type]:
    """Every subclass defined in a module (``slots=True`` leaves the pre-slots class behind)."""
    found: set[type] = set()
    sub: type
    for sub in cls.__subclasses__():
        if getattr(sys.modules[sub.__module__], sub.__name__, None) is sub:
            found |= {sub, *_subclasses(sub)}
    return found


def test_every_message_class_has_a_sample_and_a_wire_name():
    assert set(SAMPLES) == set(MESSAGES.classes)
    concrete = {c for c in _subclasses(Message) if "kind" in vars(c)}
    assert concrete == set(MESSAGES.classes)


@pytest.mark.parametrize("cls", MESSAGES.classes, ids=lambda c: c.kind)
def test_every_message_round_trips_through_json(cls):
    message = SAMPLES[cls]
    stored = json.loads(json.dumps(MESSAGES.encode(message)))
    assert MESSAGES.decode(cls.kind, stored) == message


@pytest.mark.parametrize(("channel", "table"), [("email", COMPOSERS), ("telegram", NOTICES)])
def test_each_worker_has_a_handler_for_exactly_the_messages_of_its_channel(channel, table):
    assert set(table) == {c for c in MESSAGES.classes if channel in c.channels}


def test_every_event_class_is_stored_named_and_either_notifies_or_is_silent():
    events = {c for c in _subclasses(ClaimEvent)}
    assert set(EVENTS.classes) == events == set(EVENT_TEXT)
    assert set(notify.HANDLERS) | notify.SILENT == events
    assert not set(notify.HANDLERS) & notify.SILENT


def test_rows_stored_before_messages_were_classes_still_read():
    # payloads exactly as the dict-building code wrote them (with the redundant "event")
    returned = {"claim_id": "c1", "reference": "K-2026-000001", "title": "Kamp",
                "event": "returned", "round": 1, "payer": "ik-fjell", "payer_name": "IK Fjell",
                "stage": 0, "text": "Feil kamp", "actor": "kasserer@ikfjell.no", "lang": "nb"}
    assert MESSAGES.decode("returned", returned) == ReturnedNotice(
        claim_id="c1", reference="K-2026-000001", title="Kamp", round=1, payer="ik-fjell",
        payer_name="IK Fjell", stage=0, text="Feil kamp", actor="kasserer@ikfjell.no",
        lang="nb")
    item = {"claim_id": "c2", "reference": "K-2026-000002", "title": "Kamp 2",
            "payer": "ik-fjell", "payer_name": "IK Fjell", "stage": 0, "stage_name": "attest",
            "round": 1, "days_open": 6, "reply_key": "k2"}
    reminder = MESSAGES.decode("reminder_approver", {
        **item, "claim_id": "c1", "event": "reminder_approver", "lang": "nb",
        "also": [item], "subject": "Påminnelse", "subject_en": "Reminder"})  # old rows' keys
    assert isinstance(reminder, ApproverReminder)
    assert reminder.about() == ("c1", "c2") and reminder.also[0].reply_key == "k2"
    refusal = MESSAGES.decode("refusal", {
        "refusal": "wrong_sender", "claim_id": None, "in_reply_to": "<a@x>", "subject": "Re",
        "payer": None, "reference": None, "reply_key": None})
    assert refusal == Refusal(refusal="wrong_sender", in_reply_to="<a@x>", subject="Re")


def test_an_unknown_stored_kind_or_a_missing_field_is_a_clear_permanent_error():
    with pytest.raises(UnknownRecord, match="unknown stored kind 'retruned'"):
        MESSAGES.decode("retruned", {})
    with pytest.raises(UnknownRecord, match="paid: no 'claim_id'"):
        MESSAGES.decode("paid", {"reference": "K-2026-000001"})
    with pytest.raises(UnknownRecord, match="unknown stored kind 'approvd'"):
        EVENTS.of("approvd")
    row = OutboxMessage(UnreadableMessage("retruned", {"claim_id": "c1"}, "unknown kind"),
                        "email", "a@b.no", "k1")
    with pytest.raises(Undeliverable, match="unreadable outbox row 'retruned'"):
        dispatch(COMPOSERS, cast(Any, None), row)
    with pytest.raises(Undeliverable, match="no email handler for 'refusal'"):
        dispatch(NOTICES, None, _on_wrong_table())


def _on_wrong_table() -> OutboxMessage:
    # an email-only message somehow leased by the Telegram worker
    return OutboxMessage(SAMPLES[Refusal], "email", "1", "k3")


def test_a_message_cannot_be_queued_for_a_channel_that_does_not_deliver_it():
    with pytest.raises(ValueError, match="'paid' is not delivered by 'email'"):
        OutboxMessage(SAMPLES[PaidNotice], "email", "a@b.no", "k1")
