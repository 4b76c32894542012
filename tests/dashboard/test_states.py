"""The dashboard's states and buttons say what the line will do, and its times are the server's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.dashboard.conftest import caller_arrives, caller_connects, texter_sends
from warmline.dashboard import board
from warmline.live import LiveLine, now_ms
from warmline.models import Contact

WRAP_UP_MS = 60_000


def in_wrap_up(redis_client, line, specialist, *, ready_ms: int) -> None:
    """Put a specialist in wrap-up until `ready_ms`, as the end of a conversation does."""
    LiveLine(redis_client, line.id).go_available(
        specialist.id, specialist.languages, ready_ms=ready_ms, status="wrap_up"
    )


@pytest.mark.parametrize(
    ("status", "ready_ms", "at_ms", "seen"),
    [
        ("wrap_up", 10_000, 9_999, "wrap_up"),
        ("wrap_up", 10_000, 10_000, "available"),
        ("wrap_up", 10_000, 70_000, "available"),
        ("break", 10_000, 70_000, "break"),
        ("on_call", 10_000, 70_000, "on_call"),
        ("available", 10_000, 0, "available"),
    ],
)
def test_a_wrap_up_is_over_from_the_instant_its_time_is_up(status, ready_ms, at_ms, seen):
    assert board.status_at(status, ready_ms, at_ms) == seen


def test_the_shift_reads_wrap_up_with_its_time_left_then_available(
    ana_browser, ana, line, redis_client
):
    ana_browser.start_shift(line.id)
    in_wrap_up(redis_client, line, ana, ready_ms=now_ms() + WRAP_UP_MS)
    shift = ana_browser.get("/api/shift").json
    assert shift["status"] == "wrap_up"
    assert 0 < shift["wrap_up_seconds_left"] <= WRAP_UP_MS // 1000

    in_wrap_up(redis_client, line, ana, ready_ms=now_ms() - 1)
    shift = ana_browser.get("/api/shift").json
    assert (shift["status"], shift["wrap_up_seconds_left"]) == ("available", 0)


def test_a_coordinator_sees_a_finished_wrap_up_as_available(
    session, redis_client, line, ana, ana_browser
):
    ana_browser.start_shift(line.id)
    in_wrap_up(redis_client, line, ana, ready_ms=5_000)
    [during] = board.on_shift(session, redis_client, line, at_ms=4_000)
    [after] = board.on_shift(session, redis_client, line, at_ms=5_000)
    assert (during.status, during.wrap_up_seconds_left) == ("wrap_up", 1)
    assert (after.status, after.wrap_up_seconds_left) == ("available", 0)


def takeable(browser, contact_id: int) -> bool:
    [contact] = [c for c in browser.queue()["waiting"] if c["id"] == contact_id]
    return contact["takeable"]


def accepted(browser, contact_id: int) -> bool:
    response = browser.post(f"/api/contacts/{contact_id}/accept")
    assert response.status_code in (200, 409), response.json
    return response.status_code == 200


def on_break(browser, *_):
    response = browser.post("/api/shift/status", {"status": "break", "reason": "rest"})
    assert response.status_code == 200


def wrapping_up(browser, ana, line, redis_client):
    in_wrap_up(redis_client, line, ana, ready_ms=now_ms() + WRAP_UP_MS)


def wrap_up_over(browser, ana, line, redis_client):
    in_wrap_up(redis_client, line, ana, ready_ms=now_ms() - 1)


@pytest.mark.parametrize(
    ("channel", "before", "expected"),
    [
        ("voice", None, True),
        ("voice", wrapping_up, False),
        ("voice", wrap_up_over, True),
        ("voice", on_break, False),
        ("sms", None, True),
        ("sms", wrapping_up, False),
        ("sms", wrap_up_over, True),
        ("sms", on_break, False),
    ],
    ids=[
        "call-available",
        "call-in-wrap-up",
        "call-wrap-up-over",
        "call-on-break",
        "text-available",
        "text-in-wrap-up",
        "text-wrap-up-over",
        "text-on-break",
    ],
)
def test_a_contact_is_marked_takeable_exactly_when_accepting_it_works(
    channel, before, expected, ana_browser, ana, line, twilio, session, redis_client
):
    ana_browser.start_shift(line.id)
    if before is not None:
        before(ana_browser, ana, line, redis_client)
    if channel == "voice":
        contact_id = caller_arrives(twilio, session)
    else:
        contact_id = texter_sends(twilio, session, "hi, is anyone there?")

    assert takeable(ana_browser, contact_id) is expected
    assert accepted(ana_browser, contact_id) is expected


def test_a_caller_in_a_language_the_specialist_does_not_speak_is_not_takeable(
    ana_browser, line, session, twilio
):
    ana_browser.start_shift(line.id)
    contact_id = caller_arrives(twilio, session)
    line.languages = ["en", "es"]
    session.commit()
    twilio.post(f"/webhooks/voice/language?contact={contact_id}", {"Digits": "2"})
    assert takeable(ana_browser, contact_id) is False
    assert accepted(ana_browser, contact_id) is False


def test_a_text_is_takeable_until_the_specialist_holds_the_lines_limit(
    ana_browser, line, twilio, session
):
    line.max_texts_per_specialist = 2
    session.commit()
    ana_browser.start_shift(line.id)
    texters = ("+14155550145", "+14155550146", "+14155550147")
    first, second, third = (
        texter_sends(twilio, session, "hello", texter=texter) for texter in texters
    )
    assert takeable(ana_browser, first) and accepted(ana_browser, first)
    # Texting already, and room for one more.
    assert takeable(ana_browser, second) and accepted(ana_browser, second)
    assert takeable(ana_browser, third) is False
    assert accepted(ana_browser, third) is False


def test_during_a_call_no_other_call_is_takeable(ana_browser, bo_browser, line, twilio, session):
    ana_browser.start_shift(line.id)
    bo_browser.start_shift(line.id)
    first = caller_arrives(twilio, session)
    assert accepted(ana_browser, first)
    second = caller_arrives(twilio, session)
    assert takeable(ana_browser, second) is False
    assert takeable(bo_browser, second) is True
    assert accepted(ana_browser, second) is False


def test_a_call_counts_its_length_from_when_the_caller_was_connected(
    ana_browser, line, twilio, session
):
    ana_browser.start_shift(line.id)
    contact_id = caller_arrives(twilio, session)
    assert accepted(ana_browser, contact_id)
    [connecting] = ana_browser.queue()["mine"]
    assert connecting["talking_seconds"] is None

    caller_connects(twilio, session, contact_id)
    contact = session.get(Contact, contact_id)
    contact.connected_at -= timedelta(seconds=90)
    session.commit()
    [talking] = ana_browser.queue()["mine"]
    assert 90 <= talking["talking_seconds"] < 100
