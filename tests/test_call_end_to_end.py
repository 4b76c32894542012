"""Whole calls through signed webhooks, real RQ worker processes and a recording Twilio API."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import twiml
from tests.factories import LINE_NUMBER, call_sid, make_line, make_specialist, on_shift
from tests.fake_twilio import fake_twilio
from tests.processes import work
from warmline import calls, offers, repairs
from warmline.live import LiveLine
from warmline.models import Contact, Outcome, RoutingStrategy, utcnow
from workers import jobs

CALLER = "+14155550123"
ANA_PHONE = "+14155550171"
BO_PHONE = "+14155550172"


@pytest.fixture
def twilio_api():
    with fake_twilio() as fake:
        yield fake


@pytest.fixture
def settings(settings, twilio_api):
    return replace(settings, twilio_api_base_url=twilio_api.base_url)


def new_requests(twilio_api, seen: list) -> list:
    fresh = twilio_api.requests[len(seen) :]
    seen.extend(fresh)
    return fresh


def public(settings, path: str) -> str:
    return settings.public_url + path


@pytest.fixture
def team(app, session):
    line = make_line(session, ring_timeout_seconds=20)
    ana = make_specialist(session, line, name="Ana", phone=ANA_PHONE)
    bo = make_specialist(session, line, name="Bo", phone=BO_PHONE)
    on_shift(app, session, line, ana)
    on_shift(app, session, line, bo)
    return line, ana, bo


def caller_waits(twilio, sid: str) -> int:
    """The caller rings and is put on hold at once."""
    return twiml.held_contact(
        twiml.parse(
            twilio.post(
                "/webhooks/voice/incoming",
                {"CallSid": sid, "To": LINE_NUMBER, "From": CALLER, "CallStatus": "ringing"},
            )
        )
    )


def test_whole_call_first_specialist_misses_second_answers_both_hang_up(
    twilio, settings, session, team, twilio_api, redis_client
):
    line, ana, bo = team
    seen: list = []
    sid = call_sid()
    contact_id = caller_waits(twilio, sid)

    work(settings)
    [ring_ana] = new_requests(twilio_api, seen)
    accounts = f"/2010-04-01/Accounts/{settings.twilio_account_sid}"
    assert ring_ana.path == f"{accounts}/Calls.json"
    assert ring_ana.form["To"] == [ANA_PHONE]
    assert ring_ana.form["From"] == [LINE_NUMBER]
    assert ring_ana.form["Timeout"] == ["20"]
    ana_whisper = f"/webhooks/voice/offer/whisper?contact={contact_id}&specialist={ana.id}"
    assert ring_ana.form["Url"] == [public(settings, ana_whisper)]
    ana_status = f"/webhooks/voice/offer/status?contact={contact_id}&specialist={ana.id}"
    assert ring_ana.form["StatusCallback"] == [public(settings, ana_status)]

    def hold(seconds: str) -> str:
        return twiml.spoken(
            twiml.parse(
                twilio.post(
                    f"/webhooks/voice/wait?line={line.id}&contact={contact_id}",
                    {
                        "CallSid": sid,
                        "QueuePosition": "1",
                        "QueueTime": seconds,
                        "AvgQueueTime": "0",
                    },
                )
            )
        )

    assert "Thank you for calling" in hold("0")
    assert "You are next in line." in hold("12")

    twilio.post(ana_status, {"CallSid": ring_ana.created_sid, "CallStatus": "no-answer"})
    live = LiveLine(redis_client, line.id)
    assert live.specialist(ana.id)["status"] == "break"
    assert live.specialist(ana.id)["reason"] == "missed_offer"
    assert live.waiting() == [contact_id]

    work(settings)
    [ring_bo] = new_requests(twilio_api, seen)
    assert ring_bo.form["To"] == [BO_PHONE]
    bo_whisper = f"/webhooks/voice/offer/whisper?contact={contact_id}&specialist={bo.id}"
    # The wait is counted from the arrival on the clock: set it, so that no machine's speed
    # moves the minute the whisper says.
    session.get(Contact, contact_id).arrived_at = utcnow() - timedelta(minutes=3, seconds=5)
    session.commit()
    whisper = twiml.parse(
        twilio.post(bo_whisper, {"CallSid": call_sid(), "CallStatus": "in-progress"})
    )
    assert "Warm line call, waiting 3 minutes, in English. Press 1 to accept." in (
        twiml.spoken(whisper)
    )
    answer_path = whisper.find("Gather").get("action")
    joined = twiml.parse(twilio.post(answer_path, {"CallSid": call_sid(), "Digits": "1"}))
    conference = joined.find("Dial").find("Conference")
    assert conference.text == f"warmline-contact-{contact_id}"
    assert conference.get("endConferenceOnExit") == "false"

    work(settings)
    [redirect] = new_requests(twilio_api, seen)
    assert redirect.path == f"{accounts}/Calls/{sid}.json"
    assert redirect.form["Url"] == [
        public(settings, f"/webhooks/voice/connect?contact={contact_id}")
    ]

    connect = twiml.parse(
        twilio.post(f"/webhooks/voice/connect?contact={contact_id}", {"CallSid": sid})
    )
    room = connect.find("Dial").find("Conference")
    assert room.text == f"warmline-contact-{contact_id}"
    assert room.get("endConferenceOnExit") == "true"
    assert "connected with a peer specialist" in twiml.spoken(connect)

    twilio.post(
        "/webhooks/voice/status",
        {"CallSid": sid, "CallStatus": "completed", "CallDuration": "300", "SequenceNumber": "5"},
    )
    bo_status = f"/webhooks/voice/offer/status?contact={contact_id}&specialist={bo.id}"
    twilio.post(bo_status, {"CallSid": ring_bo.created_sid, "CallStatus": "completed"})
    work(settings)
    [ended] = new_requests(twilio_api, seen)
    assert ended.path == f"{accounts}/Calls/{ring_bo.created_sid}.json", (
        "Bo's leg is ended with the caller's (were the caller never in the room, he would wait "
        "there alone)"
    )
    assert ended.form["Status"] == ["completed"]

    session.expire_all()
    contact = session.get(Contact, contact_id)
    assert contact.outcome is Outcome.ANSWERED
    assert contact.specialist_id == bo.id
    assert contact.wait_seconds is not None
    assert contact.talk_seconds is not None
    assert contact.total_seconds >= contact.talk_seconds
    assert contact.call_sid is None
    assert live.specialist(bo.id)["status"] == "wrap_up"
    assert live.waiting() == [] and live.offered() == []


def test_ring_all_rings_everyone_and_cancels_the_others_when_one_accepts(
    twilio, settings, session, app, twilio_api, redis_client
):
    line = make_line(session, routing_strategy=RoutingStrategy.RING_ALL)
    ana = make_specialist(session, line, name="Ana", phone=ANA_PHONE)
    bo = make_specialist(session, line, name="Bo", phone=BO_PHONE)
    on_shift(app, session, line, ana)
    on_shift(app, session, line, bo)
    seen: list = []
    contact_id = caller_waits(twilio, call_sid())
    work(settings)
    rings = new_requests(twilio_api, seen)
    assert sorted(r.form["To"][0] for r in rings) == [ANA_PHONE, BO_PHONE]

    answer = f"/webhooks/voice/offer/answer?contact={contact_id}&specialist={bo.id}"
    assert (
        twiml.parse(twilio.post(answer, {"CallSid": call_sid(), "Digits": "1"})).find("Dial")
        is not None
    )
    late = f"/webhooks/voice/offer/answer?contact={contact_id}&specialist={ana.id}"
    too_late = twiml.parse(twilio.post(late, {"CallSid": call_sid(), "Digits": "1"}))
    assert "A colleague has taken this call" in twiml.spoken(too_late)

    work(settings)
    after = new_requests(twilio_api, seen)
    ana_leg = next(r for r in rings if r.form["To"] == [ANA_PHONE])
    [cancelled] = [r for r in after if r.form.get("Status") == ["completed"]]
    assert cancelled.path.endswith(f"/Calls/{ana_leg.created_sid}.json")
    assert LiveLine(redis_client, line.id).free_specialists(10**15) == [ana.id]


def test_specialist_who_accepts_on_screen_is_rung_straight_into_the_conversation(
    settings, session, app, twilio, twilio_api, team, redis_client
):
    line, ana, _bo = team
    LiveLine(redis_client, line.id).go_on_break(_bo.id, "lunch")
    seen: list = []
    sid = call_sid()
    contact_id = caller_waits(twilio, sid)
    services = app.extensions["warmline"]
    assert offers.accept(
        session, services.redis, services.jobs, contact_id=contact_id, specialist_id=ana.id
    )
    work(settings)
    requests = new_requests(twilio_api, seen)
    hang_ups = [r for r in requests if r.form.get("Status") == ["completed"]]
    participants = [r for r in requests if r.path.endswith("/Participants.json")]
    redirects = [r for r in requests if r.path.endswith(f"/Calls/{sid}.json")]
    assert len(participants) == 1
    assert participants[0].path.endswith(
        f"/Conferences/warmline-contact-{contact_id}/Participants.json"
    )
    assert participants[0].form["To"] == [ANA_PHONE]
    assert len(redirects) == 1
    # Ana may already have been rung by the offer job: that ringing is hung up first.
    assert len(hang_ups) <= 1


def put_through(twilio, settings, twilio_api, seen: list, sid: str, ana, bo):
    """A caller waits, whichever specialist is rung presses 1, and the caller is connected."""
    contact_id = caller_waits(twilio, sid)
    work(settings)
    ring = new_requests(twilio_api, seen)[0]
    specialist = ana if ring.form["To"] == [ANA_PHONE] else bo
    twilio.post(
        f"/webhooks/voice/offer/answer?contact={contact_id}&specialist={specialist.id}",
        {"CallSid": call_sid(), "Digits": "1"},
    )
    twilio.post(f"/webhooks/voice/connect?contact={contact_id}", {"CallSid": sid})
    work(settings)
    new_requests(twilio_api, seen)
    return contact_id, specialist, ring


def test_warm_handoff_adds_the_crisis_line_and_keeps_the_caller_when_the_specialist_leaves(
    settings, session, app, twilio, twilio_api, team, redis_client
):
    line, ana, bo = team
    seen: list = []
    sid = call_sid()
    contact_id, specialist, ring = put_through(twilio, settings, twilio_api, seen, sid, ana, bo)

    services = app.extensions["warmline"]
    assert calls.transfer_to_crisis(
        session, services.redis, services.jobs, contact_id=contact_id, at=utcnow()
    )
    work(settings)
    [dial_crisis] = new_requests(twilio_api, seen)
    assert dial_crisis.path.endswith(
        f"/Conferences/warmline-contact-{contact_id}/Participants.json"
    )
    assert dial_crisis.form["To"] == [line.crisis_number]
    assert dial_crisis.form["StatusCallback"] == [
        public(settings, f"/webhooks/voice/crisis-leg/status?contact={contact_id}")
    ]

    twilio.post(
        f"/webhooks/voice/crisis-leg/status?contact={contact_id}",
        {"CallSid": call_sid(), "CallStatus": "in-progress"},
    )
    live = LiveLine(redis_client, line.id)
    assert live.recall(contact_id, "crisis_leg") == "answered", "a menu may have answered"
    assert calls.confirm_counselor(
        session, services.redis, contact_id=contact_id, specialist_id=specialist.id
    )
    assert live.recall(contact_id, "crisis_leg") == "joined"
    twilio.post(
        f"/webhooks/voice/offer/status?contact={contact_id}&specialist={specialist.id}",
        {"CallSid": ring.created_sid, "CallStatus": "completed"},
    )
    work(settings)
    assert new_requests(twilio_api, seen) == [], "the caller stays with the crisis counselor"
    session.expire_all()
    assert session.get(Contact, contact_id).crisis_referred_at is not None


def test_specialist_hanging_up_sends_the_caller_a_goodbye(
    settings, session, app, twilio, twilio_api, team
):
    _line, ana, bo = team
    seen: list = []
    sid = call_sid()
    contact_id, specialist, ring = put_through(twilio, settings, twilio_api, seen, sid, ana, bo)
    twilio.post(
        f"/webhooks/voice/offer/status?contact={contact_id}&specialist={specialist.id}",
        {"CallSid": ring.created_sid, "CallStatus": "completed"},
    )
    work(settings)
    [goodbye] = new_requests(twilio_api, seen)
    assert goodbye.form["Url"] == [
        public(settings, f"/webhooks/voice/goodbye?contact={contact_id}")
    ]
    spoken = twiml.spoken(
        twiml.parse(twilio.post(f"/webhooks/voice/goodbye?contact={contact_id}", {"CallSid": sid}))
    )
    assert "9 8 8" in spoken


def test_offer_whose_worker_died_goes_back_to_the_line(twilio, team, redis_client, worker_runtime):
    line, _ana, _bo = team
    contact_id = caller_waits(twilio, call_sid())
    live = LiveLine(redis_client, line.id)
    claim = live.claim(lease_ms=-1)
    assert claim.contact_id == contact_id
    repaired = jobs.repair_live_state()
    assert repaired["expired_offers"] == 1
    assert live.waiting() == [contact_id]
    assert set(claim.specialist_ids) <= set(live.free_specialists(10**15))


def test_a_restarted_redis_loses_no_waiting_caller(
    twilio, session, team, redis_client, worker_runtime
):
    line, _ana, _bo = team
    first = caller_waits(twilio, call_sid())
    second = caller_waits(twilio, call_sid())
    for contact_id, minutes in ((first, 3), (second, 2)):
        session.get(Contact, contact_id).arrived_at = utcnow() - timedelta(minutes=minutes)
    session.commit()
    redis_client.flushall()
    repaired = jobs.repair_live_state()
    assert repaired["restored"] == 2
    assert LiveLine(redis_client, line.id).waiting() == [first, second]


def test_the_repair_leaves_a_new_call_to_settle_for_as_long_as_its_setting_says(
    twilio, session, team, redis_client, worker_runtime
):
    line, _ana, _bo = team
    contact_id = caller_waits(twilio, call_sid())
    session.get(Contact, contact_id).arrived_at = utcnow() - timedelta(seconds=10)
    session.commit()
    # The caller's place alone is lost, in a Redis that kept the line (the first repair marks
    # it kept): a Redis that lost everything is rebuilt at once, settling or not.
    repairs.repair_live_state(worker_runtime)
    LiveLine(redis_client, line.id).remove(contact_id)
    assert repairs.repair_live_state(worker_runtime)["restored"] == 0, "60 s by default"
    quick = replace(
        worker_runtime, settings=replace(worker_runtime.settings, repair_settling_seconds=5)
    )
    assert repairs.repair_live_state(quick)["restored"] == 1
    assert LiveLine(redis_client, line.id).waiting() == [contact_id]


def test_a_call_that_ended_while_redis_missed_it_leaves_the_line(
    twilio, session, team, redis_client, worker_runtime
):
    line, _ana, _bo = team
    contact_id = caller_waits(twilio, call_sid())
    contact = session.get(Contact, contact_id)
    contact.ended_at = utcnow()
    contact.call_sid = None
    session.commit()
    assert jobs.repair_live_state()["removed"] == 1
    assert LiveLine(redis_client, line.id).waiting() == []
    assert session.scalars(select(Contact)).one().id == contact_id


def test_accepting_on_screen_while_the_phone_rings_ends_only_the_whisper_leg(
    settings, session, app, twilio, twilio_api, team, redis_client
):
    line, ana, bo = team
    seen: list = []
    sid = call_sid()
    contact_id = caller_waits(twilio, sid)
    work(settings)
    [ring] = new_requests(twilio_api, seen)
    specialist = ana if ring.form["To"] == [ANA_PHONE] else bo
    services = app.extensions["warmline"]
    assert offers.accept(
        session,
        services.redis,
        services.jobs,
        contact_id=contact_id,
        specialist_id=specialist.id,
    )
    work(settings)
    requests = new_requests(twilio_api, seen)
    [hung_up] = [r for r in requests if r.form.get("Status") == ["completed"]]
    assert hung_up.path.endswith(f"/Calls/{ring.created_sid}.json")
    [room] = [r for r in requests if r.path.endswith("/Participants.json")]
    status = f"/webhooks/voice/offer/status?contact={contact_id}&specialist={specialist.id}"
    twilio.post(status, {"CallSid": ring.created_sid, "CallStatus": "completed"})
    live = LiveLine(redis_client, line.id)
    assert live.specialist(specialist.id)["status"] == "on_call"
    work(settings)
    assert new_requests(twilio_api, seen) == [], "the caller is not sent a goodbye"
    assert room.form["To"] == [specialist.phone]


def test_an_accepted_caller_whose_connecting_job_was_lost_is_moved_again(
    twilio, session, team, redis_client, worker_runtime, settings, twilio_api
):
    line, _ana, _bo = team
    sid = call_sid()
    contact_id = caller_waits(twilio, sid)
    live = LiveLine(redis_client, line.id)
    claim = live.claim(lease_ms=60_000)
    assert live.resolve(contact_id, claim.specialist_ids[0], "accept").won
    calls.specialist_on_phone(live, contact_id)
    redis_client.delete(*redis_client.keys("rq:*"))  # the worker holding the job died
    redis_client.zadd(f"warmline:{{line:{line.id}}}:accepted", {contact_id: 0})
    assert jobs.repair_live_state()["reconnected"] == 1
    work(settings)
    [redirect] = [r for r in twilio_api.requests if r.path.endswith(f"/Calls/{sid}.json")]
    assert redirect.form["Url"] == [
        public(settings, f"/webhooks/voice/connect?contact={contact_id}")
    ]
    twilio.post(f"/webhooks/voice/connect?contact={contact_id}", {"CallSid": sid})
    assert live.stuck_accepted(10**15) == []


def test_a_call_whose_ending_was_lost_in_an_outage_is_closed_from_twilio(
    twilio, session, team, redis_client, worker_runtime, twilio_api
):
    line, _ana, _bo = team
    sid = call_sid()
    contact_id = caller_waits(twilio, sid)
    live = LiveLine(redis_client, line.id)
    claim = live.claim(lease_ms=60_000)
    specialist_id = claim.specialist_ids[0]
    assert live.resolve(contact_id, specialist_id, "accept").won
    calls.specialist_on_phone(live, contact_id)
    twilio.post(f"/webhooks/voice/connect?contact={contact_id}", {"CallSid": sid})
    contact = session.get(Contact, contact_id)
    contact.arrived_at = utcnow() - timedelta(minutes=10)
    session.commit()
    assert jobs.repair_live_state()["closed"] == 0, "Twilio says the call goes on"
    redis_client.delete(f"warmline:{{line:{line.id}}}:asked_twilio")
    twilio_api.call_statuses[sid] = "completed"
    assert jobs.repair_live_state()["closed"] == 1
    session.expire_all()
    closed = session.get(Contact, contact_id)
    assert (closed.outcome, closed.call_sid) == (Outcome.ANSWERED, None)
    assert live.specialist(specialist_id)["status"] == "wrap_up"


def test_how_long_a_call_is_open_before_twilio_is_asked_about_it_is_a_setting(
    twilio, session, team, redis_client, worker_runtime, twilio_api
):
    _line, _ana, _bo = team
    sid = call_sid()
    contact_id = caller_waits(twilio, sid)
    session.get(Contact, contact_id).arrived_at = utcnow() - timedelta(seconds=30)
    session.commit()
    twilio_api.call_statuses[sid] = "completed"
    assert repairs.repair_live_state(worker_runtime)["closed"] == 0, "2 minutes by default"
    quick = replace(
        worker_runtime, settings=replace(worker_runtime.settings, ask_twilio_after_seconds=20)
    )
    assert repairs.repair_live_state(quick)["closed"] == 1
    session.expire_all()
    assert session.get(Contact, contact_id).ended_at is not None


def accepted_on_the_phone(twilio, settings, twilio_api, seen: list, sid: str, ana, bo):
    """A caller waits; whichever specialist is rung presses 1; the job moving them waits."""
    contact_id = caller_waits(twilio, sid)
    work(settings)
    ring = new_requests(twilio_api, seen)[0]
    specialist = ana if ring.form["To"] == [ANA_PHONE] else bo
    twilio.post(
        f"/webhooks/voice/offer/answer?contact={contact_id}&specialist={specialist.id}",
        {"CallSid": ring.created_sid, "Digits": "1"},
    )
    return contact_id, specialist, ring


def told(twilio, path: str, call_sid_: str) -> str:
    said = twiml.parse(twilio.post(path, {"CallSid": call_sid_}))
    assert said.find("Hangup") is not None
    return twiml.spoken(said)


@pytest.mark.parametrize("where", ["on hold", "being connected"])
def test_a_caller_who_presses_9_as_a_specialist_accepts_stays_with_the_crisis_line(
    settings, session, twilio, twilio_api, team, redis_client, worker_runtime, where
):
    """9 on hold (the queue's wait URL) or in the connecting loop, just as the specialist
    presses 1: the caller is put through to the crisis line and nothing moves them again (the
    job connecting them runs after, as does the repair); their specialist is told and free."""
    line, ana, bo = team
    seen: list = []
    sid = call_sid()
    contact_id, specialist, ring = accepted_on_the_phone(
        twilio, settings, twilio_api, seen, sid, ana, bo
    )
    if where == "on hold":
        pressed = twilio.post(
            f"/webhooks/voice/wait/key?line={line.id}&contact={contact_id}",
            {"CallSid": sid, "Digits": "9", "From": CALLER, "To": LINE_NUMBER},
        )
        assert twiml.parse(pressed).find("Leave") is not None
        crisis = twilio.post(
            f"/webhooks/voice/queue/exit?contact={contact_id}",
            {"CallSid": sid, "QueueResult": "leave", "QueueTime": "30"},
        )
    else:
        work(settings)
        [moved] = new_requests(twilio_api, seen)
        assert moved.path.endswith(f"/Calls/{sid}.json")
        crisis = twilio.post(
            f"/webhooks/voice/connect?contact={contact_id}", {"CallSid": sid, "Digits": "9"}
        )
    assert twiml.dialled(twiml.parse(crisis)) == [line.crisis_number]

    redis_client.zadd(f"warmline:{{line:{line.id}}}:accepted", {contact_id: 0})
    jobs.repair_live_state()
    work(settings)
    requests = new_requests(twilio_api, seen)
    assert [r for r in requests if r.path.endswith(f"/Calls/{sid}.json")] == [], (
        "the caller is never taken off the crisis line"
    )
    [tell] = [r for r in requests if r.path.endswith(f"/Calls/{ring.created_sid}.json")]
    path = f"/webhooks/voice/offer/caller-gone?contact={contact_id}&why=crisis"
    assert tell.form["Url"] == [public(settings, path)]
    assert "The caller chose the crisis line before you were connected" in told(
        twilio, path, ring.created_sid
    )
    live = LiveLine(redis_client, line.id)
    assert live.specialist(specialist.id)["status"] == "available", "nothing to wrap up"
    session.expire_all()
    assert session.get(Contact, contact_id).outcome is Outcome.CRISIS_REFERRED


def test_a_caller_who_hangs_up_while_being_connected_frees_their_specialist_and_tells_them(
    settings, session, twilio, twilio_api, team, redis_client
):
    """Before this the specialist's phone stayed in an empty conference until they hung up."""
    line, ana, bo = team
    seen: list = []
    sid = call_sid()
    contact_id, specialist, ring = accepted_on_the_phone(
        twilio, settings, twilio_api, seen, sid, ana, bo
    )
    work(settings)
    new_requests(twilio_api, seen)
    twilio.post("/webhooks/voice/status", {"CallSid": sid, "CallStatus": "completed"})
    work(settings)
    [tell] = new_requests(twilio_api, seen)
    path = f"/webhooks/voice/offer/caller-gone?contact={contact_id}&why=hung_up"
    assert tell.path.endswith(f"/Calls/{ring.created_sid}.json")
    assert tell.form["Url"] == [public(settings, path)]
    assert "the caller hung up before you were connected" in told(twilio, path, ring.created_sid)
    live = LiveLine(redis_client, line.id)
    assert live.specialist(specialist.id)["status"] == "available"
    session.expire_all()
    assert session.get(Contact, contact_id).outcome is Outcome.ABANDONED


def test_a_specialist_whose_ringing_phone_cannot_be_told_has_it_stopped(twilio_api, worker_runtime):
    """Twilio redirects only a call in progress (error 21220 otherwise); a phone still ringing
    into the conference after an on-screen accept is hung up instead."""
    ringing = call_sid()
    twilio_api.call_statuses[ringing] = "ringing"
    offers.tell_specialist(worker_runtime, 1, ringing, calls.Gone.HUNG_UP.value)
    [redirect, hang_up] = [r for r in twilio_api.requests if ringing in r.path]
    assert "Url" in redirect.form and hang_up.form["Status"] == ["completed"]


@pytest.mark.parametrize("why", ["", "nonsense", "<script>"])
def test_a_caller_gone_url_with_an_unknown_reason_still_ends_the_call_politely(twilio, why):
    said = told(twilio, f"/webhooks/voice/offer/caller-gone?contact=1&why={why}", call_sid())
    assert "could not be connected" in said


def test_the_caller_gone_webhook_refuses_unsigned_requests(client):
    path = "/webhooks/voice/offer/caller-gone?contact=1&why=crisis"
    assert client.post(path, data={"CallSid": call_sid()}).status_code == 403
