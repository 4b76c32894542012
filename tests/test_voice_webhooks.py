"""A caller's way through the line's webhooks: greeted, held, helped, never dropped."""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import replace
from datetime import timedelta
from itertools import chain

import pytest
import redis as redis_py
from rq import Queue
from sqlalchemy import select

from tests import twiml
from tests.conftest import Twilio
from tests.factories import (
    LINE_NUMBER,
    OVERFLOW_NUMBER,
    call_sid,
    make_line,
    make_specialist,
    on_shift,
)
from tests.faults import break_database, break_redis
from tests.services import throwaway_redis
from warmline import calls, urls, wording
from warmline.app import create_app
from warmline.live import LiveLine
from warmline.models import Block, Channel, Contact, Outcome, utcnow
from warmline.privacy import caller_tag

CALLER = "+14155550123"


def incoming(twilio, sid=None, **extra):
    params = {
        "CallSid": sid or call_sid(),
        "AccountSid": "AC" + "1" * 32,
        "To": LINE_NUMBER,
        "From": CALLER,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        **extra,
    }
    return twilio.post("/webhooks/voice/incoming", params)


def assert_hears_help_and_is_dialled_to(response, number: str) -> None:
    assert response.status_code == 200
    root = twiml.parse(response)
    twiml.assert_valid_voice(root)
    assert "9 8 8" in twiml.spoken(root)
    assert "9 1 1" in twiml.spoken(root)
    assert twiml.dialled(root) == [number]


def is_put_in_line(response) -> bool:
    return twiml.parse(response).find("Enqueue") is not None


def only_contact(session) -> Contact:
    session.expire_all()
    return session.scalars(select(Contact)).one()


def noon_somewhere() -> str:
    """Name a timezone where it is about noon now, so "today" holds the last hours whole."""
    offset = 12 - utcnow().hour
    return f"Etc/GMT{-offset:+d}" if offset else "UTC"


@pytest.fixture
def open_line(app, session):
    """A line with one specialist on shift: callers are greeted and put in line."""
    line = make_line(session, overflow_number=OVERFLOW_NUMBER, timezone=noon_somewhere())
    on_shift(app, session, line, make_specialist(session, line))
    return line


@pytest.fixture
def live(open_line, redis_client):
    return LiveLine(redis_client, open_line.id)


def greet(twilio, sid=None, **extra):
    """Ring the line and get past the greeting; return the contact's id and the <Enqueue>.

    A line that listens for words greets before the queue; the rest welcome on hold.
    """
    response = incoming(twilio, sid, **extra)
    root = twiml.parse(response)
    if root.find("Enqueue") is None:
        path = root.find("Gather").get("action")
        response = twilio.post(path, {"CallSid": sid or call_sid(), "Digits": ""})
        return twiml.held_contact(twiml.parse(response)), response
    contact_id = twiml.held_contact(root)
    twilio.post(root.find("Enqueue").get("waitUrl"), {"CallSid": sid or call_sid()})
    return contact_id, response


def welcome_on_hold(twilio, **extra):
    """Ring the line and hear the first turn on hold: the welcome."""
    root = twiml.parse(incoming(twilio, **extra))
    return twiml.parse(twilio.post(root.find("Enqueue").get("waitUrl"), {"CallSid": call_sid()}))


# Arrival.


MONITORING = "A supervisor may listen to calls"


def test_a_caller_on_a_monitored_line_hears_that_a_supervisor_may_listen(
    twilio, open_line, session
):
    assert MONITORING not in twiml.spoken(welcome_on_hold(twilio))
    open_line.monitoring_enabled = True
    session.commit()

    greeting = twiml.spoken(welcome_on_hold(twilio))

    assert greeting.index("Press 9 at any time") < greeting.index(MONITORING)


def test_a_monitored_line_that_greets_before_the_queue_says_so_too(twilio, open_line, session):
    open_line.monitoring_enabled = True
    open_line.speech_enabled = True
    session.commit()

    greeting = twiml.spoken(twiml.parse(incoming(twilio)))

    assert "9 8 8" in greeting and MONITORING in greeting


def test_a_caller_is_in_line_at_once_and_welcomed_on_hold(twilio, open_line, live):
    """Nothing is said before <Enqueue>: the welcome is the first turn of the hold loop,
    inside a <Gather> whose 9 goes to the hold loop's key URL."""
    root = twiml.parse(incoming(twilio))
    twiml.assert_valid_voice(root)
    assert twiml.spoken(root) == ""
    contact_id = twiml.held_contact(root)
    assert live.waiting() == [contact_id]
    welcome = twiml.parse(twilio.post(root.find("Enqueue").get("waitUrl"), {"CallSid": call_sid()}))
    greeting = twiml.spoken(welcome)
    assert "Riverside Warm Line" in greeting
    assert "9 8 8" in greeting
    assert "Press 9 at any time" in greeting
    gather = welcome.find("Gather")
    assert (gather.get("numDigits"), gather.get("input")) == ("1", "dtmf")
    assert gather.get("action") == urls.wait_key(open_line.id, contact_id)
    after = twiml.parse(wait_cycle(twilio, open_line.id, contact_id))
    assert twiml.spoken(after).startswith("Please stay on the line.")
    assert "You are next in line." in twiml.spoken(after)


def test_a_line_that_listens_for_words_greets_before_the_queue(twilio, app, session):
    """Twilio's queue takes keys alone; crisis words said at the greeting need a <Gather>
    outside it, while the caller is already in the line's list and being offered."""
    line = make_line(session, speech_enabled=True)
    on_shift(app, session, line, make_specialist(session, line))
    root = twiml.parse(incoming(twilio))
    assert "Press 9 at any time" in twiml.spoken(root)
    gather = root.find("Gather")
    assert gather.get("input") == "dtmf speech"
    assert gather.get("actionOnEmptyResult") == "true"
    contact_id = only_contact(session).id
    assert LiveLine(app.extensions["warmline"].redis, line.id).waiting() == [contact_id]
    queued = twiml.parse(twilio.post(gather.get("action"), {"CallSid": call_sid(), "Digits": ""}))
    assert twiml.spoken(queued) == ""
    assert twiml.held_contact(queued) == contact_id


def test_caller_is_put_in_line_and_specialists_are_rung(twilio, open_line, live, redis_client):
    contact_id, response = greet(twilio)
    root = twiml.parse(response)
    enqueue = root.find("Enqueue")
    assert enqueue.text == f"warmline-line-{open_line.id}"
    assert (
        enqueue.get("waitUrl") == f"/webhooks/voice/wait?line={open_line.id}&contact={contact_id}"
    )
    assert enqueue.get("action") == f"/webhooks/voice/queue/exit?contact={contact_id}"
    assert live.waiting() == [contact_id]
    jobs = Queue("calls", connection=redis_client).jobs
    assert {job.func_name for job in jobs} == {"workers.jobs.offer_contacts"}


def test_line_with_two_languages_asks_on_hold_and_holds_spanish_callers_in_spanish(
    twilio, app, session, redis_client
):
    line = make_line(session, languages=["en", "es"])
    on_shift(app, session, line, make_specialist(session, line, languages=["es"]))
    welcome = welcome_on_hold(twilio)
    spoken = twiml.spoken(welcome)
    assert "For English, press 1." not in spoken, "the welcome is English: no prompt for it"
    assert spoken.endswith("Para español, marque 2.")
    assert welcome.find("Gather/Pause") is not None, "a moment to press 2"
    key = twilio.post(welcome.find("Gather").get("action"), {"CallSid": call_sid(), "Digits": "2"})
    assert twiml.parse(key).find("Redirect") is not None
    contact = only_contact(session)
    assert contact.language == "es"
    assert "Pronto le atenderá" in twiml.spoken(
        twiml.parse(wait_cycle(twilio, line.id, contact.id))
    )


def test_until_a_caller_chooses_only_someone_who_speaks_all_the_lines_languages_is_offered(
    twilio, app, session, redis_client
):
    line = make_line(session, languages=["en", "es"])
    on_shift(app, session, line, make_specialist(session, line, languages=["en"]))
    live = LiveLine(redis_client, line.id)
    contact_id = twiml.held_contact(twiml.parse(incoming(twilio)))
    assert live.claim(lease_ms=60_000) is None, "the caller may yet choose Spanish"
    wait_cycle(twilio, line.id, contact_id)
    assert live.claim(lease_ms=60_000) is None, "still hearing the welcome"
    wait_cycle(twilio, line.id, contact_id)
    assert live.claim(lease_ms=60_000).contact_id == contact_id, "silence kept English"


def test_someone_who_speaks_both_is_offered_the_caller_before_they_choose(
    twilio, app, session, redis_client
):
    line = make_line(session, languages=["en", "es"])
    on_shift(app, session, line, make_specialist(session, line, languages=["es", "en"]))
    contact_id = twiml.held_contact(twiml.parse(incoming(twilio)))
    claim = LiveLine(redis_client, line.id).claim(lease_ms=60_000)
    assert claim.contact_id == contact_id


def test_retried_incoming_webhook_records_one_contact(twilio, open_line, session):
    sid = call_sid()
    first, second = incoming(twilio, sid), incoming(twilio, sid)
    assert first.get_data() == second.get_data()
    assert len(session.scalars(select(Contact)).all()) == 1


def test_nobody_on_shift_gets_hours_crisis_numbers_and_the_overflow_line(twilio, session):
    make_line(session, overflow_number=OVERFLOW_NUMBER)
    response = incoming(twilio)
    assert_hears_help_and_is_dialled_to(response, OVERFLOW_NUMBER)
    root = twiml.parse(response)
    assert "No peer specialist is on the line right now" in twiml.spoken(root)
    assert root.find("Gather").get("action").startswith("/webhooks/voice/crisis?contact=")
    assert only_contact(session).outcome is Outcome.AFTER_HOURS


def test_outside_opening_hours_caller_hears_when_the_line_reopens(twilio, app, session):
    # One hour a day, starting three hours from now: whatever the time, the line is closed.
    start = (utcnow().hour + 3) % 24
    window = [f"{start:02d}:00", f"{start + 1:02d}:00"]
    line = make_line(session, timezone="UTC")
    line.opening_hours = {
        day: [window] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    }
    session.commit()
    on_shift(app, session, line, make_specialist(session, line))
    root = twiml.parse(incoming(twilio))
    spoken = twiml.spoken(root)
    assert "We are open again" in spoken
    assert "9 8 8" in spoken
    assert root.find("Hangup") is not None


def test_after_hours_caller_who_presses_9_reaches_the_crisis_line(twilio, session):
    line = make_line(session)
    path = twiml.parse(incoming(twilio)).find("Gather").get("action")
    response = twilio.post(path, {"CallSid": call_sid(), "Digits": "9"})
    root = twiml.parse(response)
    assert twiml.dialled(root) == [line.crisis_number]
    assert root.find("Dial").get("answerOnBridge") == "true"
    contact = only_contact(session)
    assert contact.crisis_referred_at is not None


def test_blocked_caller_hears_a_kind_word_and_the_crisis_numbers(twilio, open_line, session, app):
    key = app.extensions["warmline"].settings.caller_key
    session.add(Block(line_id=open_line.id, caller_tag=caller_tag(CALLER, key), reason="abuse"))
    session.commit()
    root = twiml.parse(incoming(twilio))
    assert "not able to take your call" in twiml.spoken(root)
    assert "9 8 8" in twiml.spoken(root)
    assert root.find("Hangup") is not None
    assert only_contact(session).outcome is Outcome.BLOCKED


def test_expired_block_no_longer_applies(twilio, open_line, session, app):
    key = app.extensions["warmline"].settings.caller_key
    session.add(
        Block(
            line_id=open_line.id,
            caller_tag=caller_tag(CALLER, key),
            reason="x",
            expires_at=utcnow() - timedelta(minutes=1),
        )
    )
    session.commit()
    assert is_put_in_line(incoming(twilio))


def answered_earlier(session, line, app, *, count, minutes_ago=60, crisis_tier=0):
    tag = caller_tag(CALLER, app.extensions["warmline"].settings.caller_key)
    for index in range(count):
        arrived = utcnow() - timedelta(minutes=minutes_ago + 30 * index)
        session.add(
            Contact(
                line_id=line.id,
                channel="voice",
                caller_tag=tag,
                arrived_at=arrived,
                connected_at=arrived,
                ended_at=arrived + timedelta(minutes=10),
                outcome=Outcome.ANSWERED,
                crisis_tier=crisis_tier,
            )
        )
    session.commit()


def test_caller_over_the_daily_limit_hears_crisis_numbers_not_a_queue(
    twilio, open_line, app, session
):
    answered_earlier(session, open_line, app, count=3, minutes_ago=20)
    root = twiml.parse(incoming(twilio))
    spoken = twiml.spoken(root)
    assert "today's number of calls" in spoken
    assert "9 8 8" in spoken
    assert root.find("Gather").get("action").startswith("/webhooks/voice/crisis")


def test_crisis_flagged_caller_is_never_limited(twilio, open_line, app, session):
    answered_earlier(session, open_line, app, count=3, crisis_tier=1)
    assert is_put_in_line(incoming(twilio))


def test_redial_within_two_minutes_of_a_dropped_call_is_not_limited(
    twilio, open_line, app, session
):
    tag = caller_tag(CALLER, app.extensions["warmline"].settings.caller_key)
    answered_earlier(session, open_line, app, count=2, minutes_ago=90)
    dropped = utcnow() - timedelta(seconds=70)
    session.add(
        Contact(
            line_id=open_line.id,
            channel="voice",
            caller_tag=tag,
            arrived_at=dropped - timedelta(minutes=5),
            connected_at=dropped,
            ended_at=dropped,
            outcome=Outcome.ANSWERED,
        )
    )
    session.commit()
    assert is_put_in_line(incoming(twilio))


def test_withheld_callers_are_served_without_counting(twilio, open_line, session):
    for _ in range(5):
        assert is_put_in_line(incoming(twilio, From="anonymous"))
    assert all(c.caller_tag is None for c in session.scalars(select(Contact)))


# Holding.


def wait_cycle(twilio, line_id, contact_id, **params):
    form = {
        "CallSid": call_sid(),
        "QueuePosition": "1",
        "QueueTime": "5",
        "AvgQueueTime": "240",
        "CurrentQueueSize": "1",
        "MaxQueueSize": "1000",
        **params,
    }
    return twilio.post(f"/webhooks/voice/wait?line={line_id}&contact={contact_id}", form)


def test_holding_caller_hears_their_place_now_and_then_and_can_always_press_9(twilio, open_line):
    contact_id, _ = greet(twilio)
    first = twiml.parse(wait_cycle(twilio, open_line.id, contact_id))
    spoken = twiml.spoken(first)
    assert "You are next in line." in spoken
    assert "about 4 minutes" in spoken
    gather = first.find("Gather")
    assert (
        gather.get("action") == f"/webhooks/voice/wait/key?line={open_line.id}&contact={contact_id}"
    )
    assert gather.find("Pause") is not None
    again = twiml.parse(wait_cycle(twilio, open_line.id, contact_id, QueueTime="25"))
    assert twiml.spoken(again) == ""
    assert again.find("Gather") is not None


def test_caller_who_presses_9_while_waiting_reaches_crisis_line(twilio, open_line, live, session):
    contact_id, _ = greet(twilio)
    key = twilio.post(
        f"/webhooks/voice/wait/key?line={open_line.id}&contact={contact_id}",
        {"CallSid": call_sid(), "Digits": "9"},
    )
    assert twiml.parse(key).find("Leave") is not None
    exit_ = twilio.post(
        f"/webhooks/voice/queue/exit?contact={contact_id}",
        {"CallSid": call_sid(), "QueueResult": "leave", "QueueTime": "40"},
    )
    root = twiml.parse(exit_)
    assert twiml.dialled(root) == [open_line.crisis_number]
    assert "Lifeline" in twiml.spoken(root)
    contact = only_contact(session)
    assert contact.outcome is Outcome.CRISIS_REFERRED
    assert contact.crisis_referred_at is not None
    assert live.waiting() == []


def test_other_keys_while_waiting_keep_the_caller_holding(twilio, open_line, live):
    contact_id, _ = greet(twilio)
    key = twilio.post(
        f"/webhooks/voice/wait/key?line={open_line.id}&contact={contact_id}",
        {"CallSid": call_sid(), "Digits": "4"},
    )
    assert twiml.parse(key).find("Redirect").text.startswith("/webhooks/voice/wait?")
    assert live.waiting() == [contact_id]


def test_spoken_crisis_words_while_waiting_reach_the_crisis_line(twilio, app, session):
    """The hold loop listens for keys alone (a waitUrl Gather takes one input, see
    https://www.twilio.com/docs/voice/twiml/enqueue); words that still arrive count."""
    line = make_line(session, speech_enabled=True)
    on_shift(app, session, line, make_specialist(session, line))
    contact_id, _ = greet(twilio)
    cycle = twiml.parse(wait_cycle(twilio, line.id, contact_id))
    assert cycle.find("Gather").get("input") == "dtmf"
    key = twilio.post(
        f"/webhooks/voice/wait/key?line={line.id}&contact={contact_id}",
        {"CallSid": call_sid(), "SpeechResult": "i have the pills right here", "Confidence": "0.9"},
    )
    assert twiml.parse(key).find("Leave") is not None


def test_spoken_danger_with_no_crisis_word_while_waiting_reaches_the_crisis_line(
    twilio, app, session
):
    """Speech goes through the same detector as texts: the learned model hears the roof."""
    line = make_line(session, speech_enabled=True)
    on_shift(app, session, line, make_specialist(session, line))
    contact_id, _ = greet(twilio)
    key = twilio.post(
        f"/webhooks/voice/wait/key?line={line.id}&contact={contact_id}",
        {
            "CallSid": call_sid(),
            "SpeechResult": "im on the roof of the parking garage right now",
            "Confidence": "0.8",
        },
    )
    assert twiml.parse(key).find("Leave") is not None


def test_after_the_longest_wait_the_caller_may_keep_holding_or_reach_the_crisis_line(
    twilio, open_line, live
):
    contact_id, _ = greet(twilio)
    leave = wait_cycle(twilio, open_line.id, contact_id, QueueTime="600")
    assert twiml.parse(leave).find("Leave") is not None
    menu = twilio.post(
        f"/webhooks/voice/queue/exit?contact={contact_id}",
        {"CallSid": call_sid(), "QueueResult": "leave"},
    )
    root = twiml.parse(menu)
    assert "To keep holding, press 1" in twiml.spoken(root)
    assert "press 9" in twiml.spoken(root)
    silent = twilio.post(root.find("Gather").get("action"), {"CallSid": call_sid(), "Digits": ""})
    assert twiml.parse(silent).find("Enqueue") is not None
    assert live.waiting() == [contact_id]


def test_caller_who_hangs_up_while_holding_is_abandoned_and_leaves_the_line(
    twilio, open_line, live, session
):
    sid = call_sid()
    contact_id, _ = greet(twilio, sid)
    for _ in range(2):
        twilio.post(
            "/webhooks/voice/status",
            {
                "CallSid": sid,
                "CallStatus": "completed",
                "CallDuration": "75",
                "SequenceNumber": "4",
            },
        )
    contact = only_contact(session)
    assert contact.outcome is Outcome.ABANDONED
    assert contact.ended_at is not None
    assert contact.wait_seconds == contact.total_seconds
    assert contact.call_sid is None
    assert live.waiting() == []
    assert not live.is_live(contact_id)


def test_caller_who_hangs_up_while_offered_and_listened_to_leaves_no_phone_ringing(
    twilio, open_line, live, session, redis_client
):
    sid = call_sid()
    contact_id, _ = greet(twilio, sid)
    claim = live.claim(lease_ms=30_000)
    assert claim.contact_id == contact_id
    ringing, listening = call_sid(), call_sid()
    assert live.record_leg(contact_id, claim.specialist_ids[0], ringing)
    live.note_support(contact_id, 600, state="listening", leg=listening)
    Queue("calls", connection=redis_client).empty()
    events = redis_client.pubsub(ignore_subscribe_messages=True)
    events.subscribe(live.events_channel)
    events.get_message(timeout=1)
    twilio.post("/webhooks/voice/status", {"CallSid": sid, "CallStatus": "completed"})
    assert only_contact(session).outcome is Outcome.ABANDONED
    hung_up = [
        job.args[0]
        for job in Queue("calls", connection=redis_client).jobs
        if job.func_name == "workers.jobs.hang_up"
    ]
    assert sorted(chain.from_iterable(hung_up)) == sorted([ringing, listening])
    assert live.support(contact_id) == {}
    assert live.offer_legs(contact_id) == {}
    assert not live.is_live(contact_id)
    heard, deadline = [], time.monotonic() + 5
    while "contact_closed" not in heard and time.monotonic() < deadline:
        message = events.get_message(timeout=0.5)
        if message is not None:
            heard.append(json.loads(message["data"])["type"])
    events.close()
    assert "contact_closed" in heard


def test_late_or_unknown_status_callbacks_change_nothing(twilio, open_line, session):
    sid = call_sid()
    greet(twilio, sid)
    twilio.post(
        "/webhooks/voice/status", {"CallSid": sid, "CallStatus": "completed", "SequenceNumber": "3"}
    )
    ended = only_contact(session).ended_at
    late = twilio.post(
        "/webhooks/voice/status", {"CallSid": sid, "CallStatus": "ringing", "SequenceNumber": "1"}
    )
    assert late.status_code == 200
    assert only_contact(session).ended_at == ended
    unknown = twilio.post(
        "/webhooks/voice/status", {"CallSid": call_sid(), "CallStatus": "completed"}
    )
    assert unknown.status_code == 200
    assert list(twiml.parse(unknown)) == []
    assert len(session.scalars(select(Contact)).all()) == 1


# Whatever breaks.


@pytest.mark.parametrize(
    "params",
    [
        {"To": LINE_NUMBER, "From": CALLER},
        {"CallSid": "not-a-sid", "To": LINE_NUMBER},
        {"CallSid": call_sid(), "From": CALLER},
        [("CallSid", call_sid()), ("To", LINE_NUMBER), ("From", CALLER), ("From", "+14155550124")],
        {"CallSid": call_sid(), "To": LINE_NUMBER, "From": "9" * 5000},
    ],
    ids=["no-sid", "bad-sid", "no-to", "repeated-from", "oversized-from"],
)
def test_malformed_call_still_hears_help_and_records_nothing(twilio, app, session, params):
    make_line(session)
    response = twilio.post("/webhooks/voice/incoming", params)
    assert_hears_help_and_is_dialled_to(response, app.extensions["warmline"].settings.crisis_number)
    assert session.scalars(select(Contact)).all() == []


@pytest.mark.parametrize(
    "path",
    [
        "/webhooks/voice/language",
        "/webhooks/voice/queue/exit?contact=abc",
        "/webhooks/voice/overflow?contact=0",
        "/webhooks/voice/connect",
    ],
)
def test_menus_with_a_missing_or_odd_contact_still_answer_with_help(twilio, app, path):
    response = twilio.post(path, {"CallSid": call_sid(), "To": LINE_NUMBER, "Digits": "1"})
    assert_hears_help_and_is_dialled_to(response, app.extensions["warmline"].settings.crisis_number)


def test_caller_hears_help_when_database_is_down(twilio, app, open_line):
    incoming(twilio)
    break_database(app)
    assert_hears_help_and_is_dialled_to(incoming(twilio), OVERFLOW_NUMBER)


def test_holding_caller_keeps_their_place_when_redis_blips(twilio, app, open_line, tmp_path):
    contact_id, _ = greet(twilio)
    break_redis(app, tmp_path)
    root = twiml.parse(wait_cycle(twilio, open_line.id, contact_id))
    assert root.find("Gather/Pause") is not None
    assert root.find("Gather").get("action") == urls.wait_key(open_line.id, contact_id)
    assert root.find("Leave") is None


def test_caller_pressing_9_when_redis_is_down_still_reaches_help(twilio, app, open_line, tmp_path):
    contact_id, _ = greet(twilio)
    break_redis(app, tmp_path)
    key = twilio.post(
        f"/webhooks/voice/wait/key?line={open_line.id}&contact={contact_id}",
        {"CallSid": call_sid(), "Digits": "9", "To": LINE_NUMBER},
    )
    assert twiml.parse(key).find("Leave") is not None
    exit_ = twilio.post(
        f"/webhooks/voice/queue/exit?contact={contact_id}",
        {"CallSid": call_sid(), "QueueResult": "leave", "To": LINE_NUMBER},
    )
    assert_hears_help_and_is_dialled_to(exit_, OVERFLOW_NUMBER)


def test_unexpected_bug_still_answers_with_help(twilio, app, open_line, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(calls, "arrive", broken)
    assert_hears_help_and_is_dialled_to(incoming(twilio), OVERFLOW_NUMBER)


def test_fallback_url_answers_callers_with_help(twilio, open_line):
    incoming(twilio)
    response = twilio.post(
        "/webhooks/fallback",
        {
            "CallSid": call_sid(),
            "To": LINE_NUMBER,
            "From": CALLER,
            "ErrorCode": "11200",
            "ErrorUrl": "https://warmline.example.org/webhooks/voice/incoming",
        },
    )
    assert_hears_help_and_is_dialled_to(response, OVERFLOW_NUMBER)


@pytest.mark.parametrize(
    ("failed", "verbs"),
    [("wait?line=1&contact=2", {"Gather"}), ("wait/key?line=1&contact=2", {"Leave"})],
)
def test_fallback_for_a_failed_hold_loop_url_answers_with_hold_loop_verbs(
    twilio, open_line, failed, verbs
):
    """A waitUrl document may hold only Play, Say, Pause, Hangup, Redirect, Leave, Gather.

    https://www.twilio.com/docs/voice/twiml/enqueue (waitUrl: the verbs it supports; no <Dial>).
    """
    incoming(twilio)
    response = twilio.post(
        "/webhooks/fallback",
        {
            "CallSid": call_sid(),
            "To": LINE_NUMBER,
            "From": CALLER,
            "ErrorCode": "11200",
            "ErrorUrl": f"https://warmline.example.org/webhooks/voice/{failed}",
        },
    )
    root = twiml.parse(response)
    assert {child.tag for child in root} == verbs
    for gather in root.iter("Gather"):
        # Keys still reach the hold loop's key URL, where 9 leaves for the crisis line.
        assert {child.tag for child in gather} == {"Say", "Pause"}
        assert gather.get("action") == urls.wait_key(1, 2)


def test_status_with_unknown_status_is_refused_clearly(twilio):
    response = twilio.post(
        "/webhooks/voice/status", {"CallSid": call_sid(), "CallStatus": "exploded"}
    )
    assert response.status_code == 400
    twiml.parse(response)


def test_new_callers_still_hear_help_after_the_real_redis_server_stops(app, settings, tmp_path):
    # `app` has migrated the database; this test's own app uses a Redis it can stop.
    with throwaway_redis(tmp_path) as url:
        own = create_app(replace(settings, redis_url=url))
        twilio = Twilio(own.test_client())
        with own.extensions["warmline"].sessions() as session:
            line = make_line(session, overflow_number=OVERFLOW_NUMBER)
            on_shift(own, session, line, make_specialist(session, line))
        contact_id, queued = greet(twilio)
        assert twiml.parse(queued).find("Enqueue") is not None
        with contextlib.suppress(redis_py.ConnectionError):
            redis_py.Redis.from_url(url).shutdown(nosave=True)
        assert_hears_help_and_is_dialled_to(incoming(twilio), OVERFLOW_NUMBER)
        holding = twiml.parse(wait_cycle(twilio, line.id, contact_id))
        assert holding.find("Gather/Pause") is not None
        own.extensions["warmline"].engine.dispose()


VOICE_ROUTES = [
    "/webhooks/voice/incoming",
    "/webhooks/voice/language?contact=1",
    "/webhooks/voice/crisis?contact=1",
    "/webhooks/voice/wait?line=1&contact=1",
    "/webhooks/voice/wait/key?line=1&contact=1",
    "/webhooks/voice/queue/exit?contact=1",
    "/webhooks/voice/overflow?contact=1",
    "/webhooks/voice/connect?contact=1",
    "/webhooks/voice/after?contact=1",
    "/webhooks/voice/goodbye?contact=1",
    "/webhooks/voice/status",
    "/webhooks/voice/offer/whisper?contact=1&specialist=1",
    "/webhooks/voice/offer/answer?contact=1&specialist=1",
    "/webhooks/voice/offer/status?contact=1&specialist=1",
    "/webhooks/voice/crisis-leg/status?contact=1",
    "/webhooks/fallback",
]


@pytest.mark.parametrize("broken", ["database", "redis", "both"])
@pytest.mark.parametrize("path", VOICE_ROUTES)
def test_every_voice_webhook_answers_valid_twiml_whatever_is_down(
    twilio, app, tmp_path, path, broken
):
    if broken in ("database", "both"):
        break_database(app)
    if broken in ("redis", "both"):
        break_redis(app, tmp_path)
    params = {
        "CallSid": call_sid(),
        "To": LINE_NUMBER,
        "From": CALLER,
        "CallStatus": "completed",
        "Digits": "9",
        "QueueResult": "leave",
        "QueueTime": "30",
        "SequenceNumber": "2",
    }
    response = twilio.post(path, params)
    root = twiml.parse(response)
    if "/status" in path:
        # A status callback: nobody listens, so it may say plainly that it failed.
        assert response.status_code in (200, 500)
    else:
        assert response.status_code == 200
        assert len(root) > 0, f"{path} left someone in silence"


def test_on_a_holiday_the_line_is_closed_whatever_the_weekday_hours(twilio, app, session):
    line = make_line(session, timezone="UTC", overflow_number=OVERFLOW_NUMBER)
    line.holidays = [utcnow().date().isoformat()]
    session.commit()
    on_shift(app, session, line, make_specialist(session, line))
    response = incoming(twilio)
    assert "No peer specialist is on the line right now" in twiml.spoken(twiml.parse(response))
    assert_hears_help_and_is_dialled_to(response, OVERFLOW_NUMBER)


def connected_call(session, line, language: str) -> Contact:
    now = utcnow()
    contact = Contact(
        line_id=line.id, channel=Channel.VOICE, call_sid=call_sid(), arrived_at=now,
        connected_at=now, language=language,
    )  # fmt: skip
    session.add(contact)
    session.commit()
    return contact


@pytest.mark.parametrize("path", ["after", "goodbye", "crisis"])
def test_a_spanish_caller_hears_goodbye_in_spanish(twilio, session, path):
    line = make_line(session, languages=["en", "es"])
    contact = connected_call(session, line, "es")
    response = twilio.post(f"/webhooks/voice/{path}?contact={contact.id}", {"CallSid": "CA1"})
    root = twiml.parse(response)
    twiml.assert_valid_voice(root)
    assert twiml.spoken(root) == wording.spoken("goodbye", "es").text
    assert {say.get("language") for say in root.iter("Say")} == {"es-US"}


def test_a_goodbye_for_no_known_contact_is_english_and_still_reaches_988(twilio):
    response = twilio.post("/webhooks/voice/after?contact=999999", {"CallSid": "CA1"})
    root = twiml.parse(response)
    twiml.assert_valid_voice(root)
    assert twiml.spoken(root) == wording.spoken("goodbye", "en").text


@pytest.mark.parametrize("path", ["crisis", "connect"])
def test_the_lines_own_crisis_words_said_after_a_menu_reach_the_crisis_line(twilio, session, path):
    line = make_line(session, crisis_terms={"en": ["the old quarry"]})
    contact = connected_call(session, line, "en")
    heard = {"CallSid": contact.call_sid, "SpeechResult": "I am driving to the old quarry"}
    response = twilio.post(f"/webhooks/voice/{path}?contact={contact.id}", heard)
    root = twiml.parse(response)
    twiml.assert_valid_voice(root)
    assert twiml.dialled(root) == [line.crisis_number]
