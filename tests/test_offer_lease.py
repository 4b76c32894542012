"""An offer's lease: long enough for Twilio to queue, ring and whisper; a lapse is a missed offer.

Twilio rings an outgoing call for its timeout plus a buffer: "We always add a 5-second timeout
buffer to outgoing calls" (https://www.twilio.com/docs/voice/api/conference-participant-resource,
Timeout; https://www.twilio.com/docs/voice/api/call-resource, Timeout). It places an account's
API calls at "1 CPS" by default (https://www.twilio.com/docs/glossary/cps); the others wait in
its call queue (https://www.twilio.com/docs/api/errors/22005), and waiting is not ringing.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tests.factories import call_sid, make_line, make_specialist, on_shift
from tests.fake_twilio import fake_twilio
from tests.services import wait_for
from tests.test_call_end_to_end import caller_waits
from warmline import offers
from warmline.live import LiveLine, now_ms
from warmline.models import RoutingStrategy
from workers import jobs

RING_TIMEOUT = 20
PHONES = ("+14155550171", "+14155550172", "+14155550173")


@pytest.fixture
def twilio_api():
    with fake_twilio() as fake:
        yield fake


@pytest.fixture
def settings(settings, twilio_api):
    return replace(settings, twilio_api_base_url=twilio_api.base_url)


@pytest.fixture
def line(app, session):
    line = make_line(
        session, ring_timeout_seconds=RING_TIMEOUT, routing_strategy=RoutingStrategy.RING_ALL
    )
    for name, phone in zip(("Ana", "Bo", "Cy"), PHONES, strict=True):
        on_shift(app, session, line, make_specialist(session, line, name=name, phone=phone))
    return line


def test_the_lease_covers_the_ring_with_twilios_buffer_and_the_calls_queued_ahead(
    twilio, line, redis_client, worker_runtime
):
    contact_id = caller_waits(twilio, call_sid())
    started = now_ms()

    assert offers.offer_contacts(worker_runtime, line.id) == 1

    # Three legs placed at once: the last waits two seconds in Twilio's queue before it rings.
    ringing_ms = (RING_TIMEOUT + 5) * 1000
    queued_ms = 2 * 1000
    live = LiveLine(redis_client, line.id)
    assert live.offered() == [contact_id]
    assert live.expired_offers(started + ringing_ms + queued_ms) == []


def test_the_lease_waits_for_the_calls_other_offers_of_the_line_queued(redis_client):
    live = LiveLine(redis_client, line_id=1)
    for specialist in (11, 12, 13):
        live.go_available(specialist, ["en"], ready_ms=now_ms() - specialist)
    for contact in (1, 2):
        live.enqueue(contact, language="en", tier=0, arrived_ms=1000 + contact)
    started = now_ms()

    live.claim(lease_ms=0, queued_call_ms=1000, ring_all=True)
    live.go_available(14, ["en"], ready_ms=now_ms())
    live.claim(lease_ms=0, queued_call_ms=1000)

    # The second offer's one leg is placed behind the first offer's three.
    assert live.expired_offers(started + 2999) == []
    assert live.expired_offers(started + 3999) == [1]


def test_a_specialist_whose_offer_lapsed_is_on_break_and_the_caller_back_in_line(
    twilio, app, session, redis_client, worker_runtime
):
    line = make_line(session, ring_timeout_seconds=RING_TIMEOUT)
    ana = make_specialist(session, line, name="Ana", phone=PHONES[0])
    on_shift(app, session, line, ana)
    contact_id = caller_waits(twilio, call_sid())
    live = LiveLine(redis_client, line.id)
    events = redis_client.pubsub(ignore_subscribe_messages=True)
    events.subscribe(live.events_channel)
    live.claim(lease_ms=-1)
    leg = call_sid()
    live.record_leg(contact_id, ana.id, leg)

    repaired = jobs.repair_live_state()

    assert repaired["expired_offers"] == 1
    assert live.waiting() == [contact_id]
    assert (live.specialist(ana.id)["status"], live.specialist(ana.id)["reason"]) == (
        "break",
        "missed_offer",
    )
    assert ana.id not in live.free_specialists(10**15)
    told = {"type": "specialist_paused", "specialist_id": ana.id, "reason": "missed_offer"}
    wait_for(lambda: told in published(events), timeout=5, what="Ana's dashboard told why")


def published(events) -> list[dict]:
    """Return the events that reached a subscription since it was last read."""
    found = []
    while message := events.get_message(timeout=0.1):
        found.append(json.loads(message["data"]))
    return found


def test_a_lapsed_ring_all_offer_pauses_only_the_specialists_it_rang(redis_client):
    live = LiveLine(redis_client, line_id=1)
    for specialist in (11, 12):
        live.go_available(specialist, ["en"], ready_ms=now_ms() - specialist)
    live.enqueue(1, language="en", tier=0, arrived_ms=1000)
    live.claim(lease_ms=-1, ring_all=True)
    live.record_leg(1, 11, call_sid())

    resolution = live.resolve(1, None, "release_all")

    # 12's phone never rang (the worker died first): 12 keeps their place.
    assert resolution.requeued
    assert resolution.missed_specialist_ids == (11,)
    assert live.specialist(11)["reason"] == "missed_offer"
    assert live.free_specialists(now_ms()) == [12]
    assert live.waiting() == [1]


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed"])
def test_a_specialist_whose_phone_was_not_answered_goes_on_break(
    status, twilio, app, session, twilio_api, redis_client, worker_runtime
):
    """A leg that ends without an answer (https://www.twilio.com/docs/voice/api/call-resource
    #call-status-values) is a missed offer: on break, never back to free."""
    line = make_line(session, ring_timeout_seconds=RING_TIMEOUT)
    ana = make_specialist(session, line, name="Ana", phone=PHONES[0])
    on_shift(app, session, line, ana)
    contact_id = caller_waits(twilio, call_sid())
    offers.offer_contacts(worker_runtime, line.id)
    [ring_ana] = twilio_api.requests[-1:]
    assert ring_ana.form["To"] == [PHONES[0]]

    twilio.post(
        f"/webhooks/voice/offer/status?contact={contact_id}&specialist={ana.id}",
        {"CallSid": ring_ana.created_sid, "CallStatus": status},
    )

    live = LiveLine(redis_client, line.id)
    assert (live.specialist(ana.id)["status"], live.specialist(ana.id)["reason"]) == (
        "break",
        "missed_offer",
    )
    assert ana.id not in live.free_specialists(10**15)
    assert live.waiting() == [contact_id]
