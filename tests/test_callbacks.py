"""Queued callbacks: a waiting caller presses 2, hangs up, keeps their place and is called back.

Signed webhooks, the calls-queue jobs run in this process, and a recording Twilio API.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import twiml
from tests.dashboard.conftest import Dashboard
from tests.factories import LINE_NUMBER, call_sid, make_line, make_specialist, on_shift
from tests.fake_twilio import fake_twilio
from warmline import callbacks, calls, offers, repairs, urls
from warmline.gateway import TwilioRefused
from warmline.live import LiveLine
from warmline.models import Contact, Outcome, User, utcnow

CALLER = "+14155550123"
ANA_PHONE = "+14155550171"


@pytest.fixture
def twilio_api():
    with fake_twilio() as fake:
        yield fake


@pytest.fixture
def settings(settings, twilio_api):
    return replace(settings, twilio_api_base_url=twilio_api.base_url)


@pytest.fixture
def line(app, session):
    line = make_line(session, callback_retry_seconds=30)
    on_shift(app, session, line, make_specialist(session, line, name="Ana", phone=ANA_PHONE))
    return line


@pytest.fixture
def ana(line, session) -> User:
    return session.scalar(select(User).where(User.phone == ANA_PHONE))


@pytest.fixture
def live(line, redis_client):
    return LiveLine(redis_client, line.id)


def arrive(twilio, sid: str, caller: str = CALLER) -> int:
    params = {"CallSid": sid, "To": LINE_NUMBER, "From": caller, "CallStatus": "ringing"}
    return twiml.held_contact(twiml.parse(twilio.post("/webhooks/voice/incoming", params)))


def hold_turn(twilio, line_id: int, contact_id: int, sid: str):
    form = {"CallSid": sid, "QueuePosition": "1", "QueueTime": "30", "AvgQueueTime": "0"}
    return twiml.parse(twilio.post(urls.wait(line_id, contact_id), form))


def announced_turn(twilio, line_id: int, contact_id: int, sid: str):
    """Hear the welcome, then the turn that tells the caller their place."""
    hold_turn(twilio, line_id, contact_id, sid)
    return hold_turn(twilio, line_id, contact_id, sid)


def press(twilio, line_id: int, contact_id: int, sid: str, digits: str, caller: str = CALLER):
    form = {"CallSid": sid, "Digits": digits, "From": caller, "To": LINE_NUMBER}
    return twiml.parse(twilio.post(urls.wait_key(line_id, contact_id), form))


def leave_queue(twilio, contact_id: int, sid: str):
    form = {"CallSid": sid, "QueueResult": "leave", "QueueTime": "40"}
    return twiml.parse(twilio.post(urls.queue_exit(contact_id), form))


def status(twilio, sid: str, call_status: str):
    return twilio.post("/webhooks/voice/status", {"CallSid": sid, "CallStatus": call_status})


def ask_for_callback(twilio, line, sid: str) -> int:
    """A caller waits, presses 2, hears the confirmation and hangs up."""
    contact_id = arrive(twilio, sid)
    assert "press 2" in twiml.spoken(announced_turn(twilio, line.id, contact_id, sid))
    assert press(twilio, line.id, contact_id, sid, "2").find("Leave") is not None
    leave_queue(twilio, contact_id, sid)
    status(twilio, sid, "completed")
    return contact_id


def contact_of(session, contact_id: int) -> Contact:
    session.expire_all()
    return session.get(Contact, contact_id)


def new_requests(twilio_api, seen: list) -> list:
    fresh = twilio_api.requests[len(seen) :]
    seen.extend(fresh)
    return fresh


def specialist_accepts(twilio, worker_runtime, line, contact_id: int, specialist_id: int) -> str:
    """Ring the specialist (a job), answer the whisper with 1; return what they heard."""
    offers.offer_contacts(worker_runtime, line.id)
    whisper_path = urls.offer_whisper(contact_id, specialist_id)
    whisper = twiml.parse(twilio.post(whisper_path, {"CallSid": call_sid()}))
    answer = whisper.find("Gather").get("action")
    joined = twiml.parse(twilio.post(answer, {"CallSid": call_sid(), "Digits": "1"}))
    assert joined.find("Dial/Conference").text == calls.conference_name(contact_id)
    return twiml.spoken(whisper) + " " + twiml.spoken(joined)


# On hold.


def test_a_holding_caller_hears_they_may_press_2_to_be_called_back(twilio, line):
    contact_id = arrive(twilio, call_sid())
    turn = announced_turn(twilio, line.id, contact_id, call_sid())
    spoken = twiml.spoken(turn)
    assert "To be called back when a peer specialist is free, press 2." in spoken
    assert spoken.index("Press 9 at any time") < spoken.index("press 2")
    assert turn.find("Gather").get("action") == urls.wait_key(line.id, contact_id)


def test_on_a_line_of_two_languages_2_still_picks_spanish_and_3_asks_for_a_call_back(
    twilio, app, session, live
):
    line = make_line(session, twilio_number="+15017122662", languages=["en", "es"])
    on_shift(app, session, line, make_specialist(session, line, name="Bo", languages=["en", "es"]))
    sid = call_sid()
    params = {"CallSid": sid, "To": line.twilio_number, "From": CALLER, "CallStatus": "ringing"}
    contact_id = twiml.held_contact(twiml.parse(twilio.post("/webhooks/voice/incoming", params)))
    assert "press 3" in twiml.spoken(announced_turn(twilio, line.id, contact_id, sid))
    form = {"CallSid": sid, "Digits": "2", "From": CALLER, "To": line.twilio_number}
    key = twiml.parse(twilio.post(urls.wait_key(line.id, contact_id), form))
    assert key.find("Redirect") is not None, "2 chose Spanish and goes on holding"
    assert contact_of(session, contact_id).language == "es"
    form["Digits"] = "3"
    assert (
        twiml.parse(twilio.post(urls.wait_key(line.id, contact_id), form)).find("Leave") is not None
    )
    assert contact_of(session, contact_id).callback_requested_at is not None


def test_a_crisis_tier_caller_keeps_the_crisis_options_and_is_offered_no_call_back(
    twilio, line, live, session
):
    sid = call_sid()
    contact_id = arrive(twilio, sid)
    live.raise_tier(contact_id, 1)
    assert "called back" not in twiml.spoken(announced_turn(twilio, line.id, contact_id, sid))
    assert press(twilio, line.id, contact_id, sid, "2").find("Redirect") is not None
    assert contact_of(session, contact_id).callback_requested_at is None
    assert live.callback_number(contact_id) is None


def test_a_line_that_turned_callbacks_off_offers_none(twilio, line, session, live):
    line.callbacks_enabled = False
    session.commit()
    sid = call_sid()
    contact_id = arrive(twilio, sid)
    assert "called back" not in twiml.spoken(announced_turn(twilio, line.id, contact_id, sid))
    assert press(twilio, line.id, contact_id, sid, "2").find("Redirect") is not None
    assert live.pending_callbacks() == 0


def test_once_the_lines_pending_callbacks_are_full_no_more_are_offered_or_taken(
    twilio, line, session, live
):
    line.max_pending_callbacks = 1
    session.commit()
    ask_for_callback(twilio, line, call_sid())
    sid = call_sid()
    contact_id = arrive(twilio, sid, caller="+14155550124")
    assert "called back" not in twiml.spoken(announced_turn(twilio, line.id, contact_id, sid))
    key = press(twilio, line.id, contact_id, sid, "2", caller="+14155550124")
    assert key.find("Redirect") is not None
    assert live.pending_callbacks() == 1


def test_a_caller_still_waiting_when_the_line_closes_is_offered_no_call_back(
    twilio, line, session, live
):
    sid = call_sid()
    contact_id = arrive(twilio, sid)
    live.note(contact_id, closes=int((utcnow() - timedelta(minutes=1)).timestamp() * 1000))
    assert "called back" not in twiml.spoken(announced_turn(twilio, line.id, contact_id, sid))
    now = utcnow()
    line.timezone = "UTC"
    line.opening_hours = {day: [] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    session.commit()
    assert not callbacks.choose_callback(
        session,
        live.client,
        None,
        line_id=line.id,
        contact_id=contact_id,
        digits="2",
        number=CALLER,
        caller_key="unused",
        at=now,
    )


@pytest.mark.parametrize(
    "caller", ["anonymous", "+14155559999", "not a number"], ids=["withheld", "other", "junk"]
)
def test_a_call_back_is_kept_only_for_the_number_that_called(twilio, line, live, session, caller):
    sid = call_sid()
    contact_id = arrive(twilio, sid)
    assert press(twilio, line.id, contact_id, sid, "2", caller=caller).find("Leave") is None
    assert live.callback_number(contact_id) is None
    assert contact_of(session, contact_id).callback_requested_at is None


def test_a_withheld_number_is_never_offered_a_call_back(twilio, line):
    sid = call_sid()
    contact_id = arrive(twilio, sid, caller="anonymous")
    assert "called back" not in twiml.spoken(announced_turn(twilio, line.id, contact_id, sid))


def test_a_repeated_from_is_refused_and_keeps_no_number(twilio, line, live):
    sid = call_sid()
    contact_id = arrive(twilio, sid)
    form = [("CallSid", sid), ("Digits", "2"), ("From", CALLER), ("From", "+14155550199")]
    response = twilio.post(urls.wait_key(line.id, contact_id), form)
    assert response.status_code == 200
    assert twiml.parse(response).find("Leave") is not None, "out to the exit handler, which helps"
    assert live.callback_number(contact_id) is None


# Asking.


def test_pressing_2_confirms_the_call_back_with_the_crisis_numbers_and_ends_the_call(
    twilio, line, live, session
):
    sid = call_sid()
    contact_id = arrive(twilio, sid)
    press(twilio, line.id, contact_id, sid, "2")
    confirmed = leave_queue(twilio, contact_id, sid)
    twiml.assert_valid_voice(confirmed)
    spoken = twiml.spoken(confirmed)
    assert "We will call you back from this line's number" in spoken
    assert "you keep your place in line" in spoken
    assert "9 8 8" in spoken and "9 1 1" in spoken
    assert confirmed.find("Gather").get("action") == urls.crisis(contact_id)
    assert confirmed.find("Hangup") is not None
    assert [child.tag for child in confirmed] == ["Gather", "Hangup"]


def test_a_caller_who_hangs_up_after_asking_keeps_their_place_and_is_not_abandoned(
    twilio, line, live, session
):
    first = ask_for_callback(twilio, line, call_sid())
    later = arrive(twilio, call_sid(), caller="+14155550124")
    contact = contact_of(session, first)
    assert contact.outcome is Outcome.OPEN and contact.ended_at is None
    assert contact.call_sid is None, "their own call is over"
    assert contact.callback_requested_at is not None
    assert live.waiting() == [first, later]
    assert live.pending_callbacks() == 1


def test_9_while_the_call_back_is_confirmed_reaches_the_crisis_line_and_drops_the_number(
    twilio, line, live, session
):
    sid = call_sid()
    contact_id = arrive(twilio, sid)
    press(twilio, line.id, contact_id, sid, "2")
    confirmed = leave_queue(twilio, contact_id, sid)
    nine = twilio.post(confirmed.find("Gather").get("action"), {"CallSid": sid, "Digits": "9"})
    assert twiml.dialled(twiml.parse(nine)) == [line.crisis_number]
    assert contact_of(session, contact_id).outcome is Outcome.CRISIS_REFERRED
    assert live.callback_number(contact_id) is None
    assert live.pending_callbacks() == 0 and live.waiting() == []


# Calling back.


def test_a_call_back_reached_rings_the_specialist_first_then_calls_the_person_from_the_line(
    twilio, worker_runtime, line, ana, live, session, twilio_api, settings
):
    seen: list = []
    contact_id = ask_for_callback(twilio, line, call_sid())

    heard = specialist_accepts(twilio, worker_runtime, line, contact_id, ana.id)
    assert "call back" in heard and "Press 1 to accept." in heard
    assert "Calling them back now." in heard
    [ring_ana] = new_requests(twilio_api, seen)
    assert ring_ana.form["To"] == [ANA_PHONE]

    offers.connect_caller(worker_runtime, contact_id)
    [dial] = new_requests(twilio_api, seen)
    assert dial.path.endswith("/Calls.json")
    assert dial.form["To"] == [CALLER]
    assert dial.form["From"] == [LINE_NUMBER]
    assert dial.form["Url"] == [settings.public_url + urls.callback(contact_id)]
    assert dial.form["StatusCallback"] == [settings.public_url + urls.VOICE_STATUS]
    assert dial.form["MachineDetection"] == ["Enable"], "the Url is told if a machine answers"
    offers.connect_caller(worker_runtime, contact_id)
    assert [r for r in new_requests(twilio_api, seen) if r.path.endswith("/Calls.json")] == [], (
        "a second connect while the call back rings places no second call"
    )

    intro = twiml.parse(
        twilio.post(urls.callback(contact_id), {"CallSid": dial.created_sid, "AnsweredBy": "human"})
    )
    spoken = twiml.spoken(intro)
    assert spoken.startswith("Hello, this is Riverside Warm Line, calling you back as you asked.")
    assert "9 8 8" in spoken and "Press 9" in spoken
    assert intro.find("Gather").get("action") == urls.connect(contact_id)
    assert intro.find("Redirect").text == urls.connect(contact_id)
    joined = twiml.parse(twilio.post(urls.connect(contact_id), {"CallSid": dial.created_sid}))
    assert joined.find("Dial/Conference").text == calls.conference_name(contact_id)
    assert live.callback_number(contact_id) is None, "the call back is made: the number goes"
    status(twilio, dial.created_sid, "completed")

    contact = contact_of(session, contact_id)
    assert contact.outcome is Outcome.ANSWERED
    assert contact.callback_attempts == 1
    assert contact.connected_at is not None and contact.talk_seconds is not None
    assert live.pending_callbacks() == 0


def test_a_call_back_nobody_answers_is_tried_once_more_then_closed_and_the_number_deleted(
    twilio, worker_runtime, line, ana, live, session, twilio_api, redis_client
):
    seen: list = []
    contact_id = ask_for_callback(twilio, line, call_sid())
    for attempt in (1, 2):
        specialist_accepts(twilio, worker_runtime, line, contact_id, ana.id)
        offers.connect_caller(worker_runtime, contact_id)
        dial = next(r for r in new_requests(twilio_api, seen) if r.form.get("To") == [CALLER])
        ana_leg = live.offer_legs(contact_id)[ana.id]
        status(twilio, dial.created_sid, "ringing")
        status(twilio, dial.created_sid, "no-answer")
        status(twilio, dial.created_sid, "no-answer")
        contact = contact_of(session, contact_id)
        assert contact.callback_attempts == attempt
        assert live.specialist(ana.id)["status"] == "available", "Ana is free again at once"
        told = [job for job in worker_queue(redis_client) if "tell_specialist" in job]
        assert told, "Ana's phone is told"
        offers.tell_specialist(worker_runtime, contact_id, ana_leg, calls.Gone.UNREACHED.value)
        [redirect] = [r for r in new_requests(twilio_api, seen) if ana_leg in r.path]
        assert redirect.form["Url"] == [worker_runtime.url(urls.callback_unreached(contact_id))]
        said = twiml.spoken(
            twiml.parse(twilio.post(urls.callback_unreached(contact_id), {"CallSid": ana_leg}))
        )
        if attempt == 1:
            assert "The line will try once more in a few minutes." in said
            assert contact.outcome is Outcome.OPEN
            assert live.waiting() == [], "not offered again before the line's wait"
            assert live.callback_number(contact_id) is not None
            callbacks.retry_callback(worker_runtime, contact_id)
            assert live.waiting() == [contact_id]
    assert "the line will not try any more" in said
    assert contact.outcome is Outcome.CALLBACK_NOT_REACHED
    assert contact.ended_at is not None and contact.connected_at is None
    assert live.callback_number(contact_id) is None
    assert live.pending_callbacks() == 0 and live.waiting() == []
    assert not list(redis_client.scan_iter(match=f"*callback:{contact_id}*"))


@pytest.mark.parametrize("ending", ["busy", "failed"])
def test_a_busy_or_failed_call_back_counts_as_not_reached(
    twilio, worker_runtime, line, ana, live, session, twilio_api, ending
):
    contact_id = ask_for_callback(twilio, line, call_sid())
    specialist_accepts(twilio, worker_runtime, line, contact_id, ana.id)
    offers.connect_caller(worker_runtime, contact_id)
    dial = next(r for r in twilio_api.requests if r.form.get("To") == [CALLER])
    status(twilio, dial.created_sid, ending)
    contact = contact_of(session, contact_id)
    assert (contact.outcome, contact.callback_attempts) == (Outcome.OPEN, 1)
    assert contact.call_sid is None


def test_a_number_twilio_refuses_to_call_is_a_try_nobody_answered(
    twilio, worker_runtime, line, ana, live, session, monkeypatch
):
    contact_id = ask_for_callback(twilio, line, call_sid())
    specialist_accepts(twilio, worker_runtime, line, contact_id, ana.id)

    def refuse(**_):
        raise TwilioRefused(400, 21211)

    monkeypatch.setattr(worker_runtime.gateway, "call_back", refuse)
    offers.connect_caller(worker_runtime, contact_id)
    contact = contact_of(session, contact_id)
    assert (contact.outcome, contact.callback_attempts) == (Outcome.OPEN, 1)
    assert live.specialist(ana.id)["status"] == "available"
    assert live.callback_leg(contact_id) is None


@pytest.mark.parametrize("machine", ["machine_start", "machine_end_beep", "fax"])
def test_a_call_back_a_machine_answers_hears_nothing_and_counts_as_not_reached(
    twilio, worker_runtime, line, ana, live, session, twilio_api, machine
):
    """AnsweredBy, from machine detection (https://www.twilio.com/docs/voice/answering-machine-
    detection): a voicemail box keeps what it hears for whoever in the house plays it next."""
    contact_id = ask_for_callback(twilio, line, call_sid())
    specialist_accepts(twilio, worker_runtime, line, contact_id, ana.id)
    offers.connect_caller(worker_runtime, contact_id)
    dial = next(r for r in twilio_api.requests if r.form.get("To") == [CALLER])
    answered = {"CallSid": dial.created_sid, "AnsweredBy": machine}
    hung_up = twiml.parse(twilio.post(urls.callback(contact_id), answered))
    assert twiml.spoken(hung_up) == "" and hung_up.find("Hangup") is not None
    assert [child.tag for child in hung_up] == ["Hangup"]
    status(twilio, dial.created_sid, "completed")
    contact = contact_of(session, contact_id)
    assert (contact.outcome, contact.callback_attempts) == (Outcome.OPEN, 1)
    assert contact.connected_at is None and contact.call_sid is None
    assert live.specialist(ana.id)["status"] == "available"
    assert live.callback_number(contact_id) is not None, "kept for the one more try"


@pytest.mark.parametrize("answered_by", ["unknown", "", "a-robot"])
def test_a_call_back_detection_could_not_place_is_taken_for_a_person(twilio, line, answered_by):
    contact_id = ask_for_callback(twilio, line, call_sid())
    intro = twiml.parse(
        twilio.post(urls.callback(contact_id), {"CallSid": call_sid(), "AnsweredBy": answered_by})
    )
    assert "calling you back as you asked" in twiml.spoken(intro)


def test_a_call_back_with_answered_by_sent_twice_still_gets_twiml(twilio, line):
    contact_id = ask_for_callback(twilio, line, call_sid())
    response = twilio.post(
        urls.callback(contact_id),
        [("CallSid", call_sid()), ("AnsweredBy", "human"), ("AnsweredBy", "machine_start")],
    )
    assert response.status_code == 200
    assert twiml.parse(response).find("Hangup") is not None


def test_a_caller_still_hearing_the_promise_when_a_specialist_accepts_is_called_back_after_it(
    twilio, worker_runtime, line, ana, live, session, twilio_api, redis_client
):
    """They were told the line will call them back and that they may hang up now: that call
    is left to end as it says (not put through mid-sentence), and the call back follows it."""
    seen: list = []
    sid = call_sid()
    contact_id = arrive(twilio, sid)
    press(twilio, line.id, contact_id, sid, "2")
    confirmed = leave_queue(twilio, contact_id, sid)
    assert confirmed.find("Hangup") is not None
    specialist_accepts(twilio, worker_runtime, line, contact_id, ana.id)
    new_requests(twilio_api, seen)
    offers.connect_caller(worker_runtime, contact_id)
    assert new_requests(twilio_api, seen) == [], "the call saying the promise is left alone"

    status(twilio, sid, "completed")
    assert "connect_caller" in " ".join(worker_queue(redis_client))
    offers.connect_caller(worker_runtime, contact_id)
    [dial] = new_requests(twilio_api, seen)
    assert (dial.form["To"], dial.form["From"]) == ([CALLER], [LINE_NUMBER])
    assert contact_of(session, contact_id).outcome is Outcome.OPEN


def test_a_call_back_answered_after_the_contact_closed_says_goodbye(twilio, line, session):
    contact_id = arrive(twilio, (sid := call_sid()))
    status(twilio, sid, "completed")
    goodbye = twiml.parse(twilio.post(urls.callback(contact_id), {"CallSid": call_sid()}))
    assert "9 8 8" in twiml.spoken(goodbye)
    assert goodbye.find("Hangup") is not None


def test_the_call_back_webhooks_refuse_unsigned_requests(client, line):
    for path in (urls.callback(1), urls.callback_unreached(1)):
        assert client.post(path, data={"CallSid": call_sid()}).status_code == 403


def worker_queue(redis_client) -> list[str]:
    return [
        (redis_client.hget(f"rq:job:{job_id.decode()}", "description") or b"").decode()
        for job_id in redis_client.lrange("rq:queue:calls", 0, -1)
    ]


def test_a_call_back_whose_number_redis_lost_is_closed_not_reached_by_the_repair(
    twilio, worker_runtime, line, live, session, redis_client
):
    """Redis restarted empty: the sealed number is gone, so the caller cannot be called back;
    the sweep closes the contact rather than leave it waiting forever."""
    contact_id = ask_for_callback(twilio, line, call_sid())
    kept = ask_for_callback(twilio, line, call_sid())
    contact = contact_of(session, contact_id)
    contact.callback_requested_at -= timedelta(minutes=5)
    session.commit()
    live.forget_callback(contact_id)

    repaired = repairs.repair_live_state(worker_runtime)

    assert repaired["callbacks_lost"] == 1
    lost = contact_of(session, contact_id)
    assert (lost.outcome, lost.ended_at is not None) == (Outcome.CALLBACK_NOT_REACHED, True)
    assert contact_of(session, kept).outcome is Outcome.OPEN, "a new request is left to settle"
    assert live.waiting() == [kept]


def test_the_dashboard_shows_a_waiting_caller_asked_to_be_called_back_and_never_the_number(
    app, twilio, line, ana
):
    waiting = arrive(twilio, call_sid(), caller="+14155550124")
    asked = ask_for_callback(twilio, line, call_sid())
    dashboard = Dashboard(app.test_client())
    assert dashboard.sign_in(ana.email).status_code == 200
    answer = dashboard.queue()
    shown = {contact["id"]: contact["callback"] for contact in answer["waiting"]}
    assert shown == {waiting: False, asked: True}
    assert "5550123" not in json.dumps(answer)
