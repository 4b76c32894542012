"""A supervisor in a conference: muted, coaching one participant, or heard by everyone.

What the Conference Participant resource documents (PARTICIPANTS_DOC): "Coaching: Whether
the participant is coaching another call ... If not present, defaults to false unless
call_sid_to_coach is defined. If true, call_sid_to_coach must be defined";
"CallSidToCoach: The SID of the participant who is being coached. The participant being
coached is the only participant who can hear the participant who is coaching"; "Muted:
Whether the participant should be muted"; and the update's ConferenceSid is "The SID of the
conference" (^CF...). Errors 16028 "Participant to be whispered is not present in the
conference" (https://www.twilio.com/docs/api/errors/16028) and 16027 "Participant to be
whispered is on hold" (https://www.twilio.com/docs/api/errors/16027).
"""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from tests.services import wait_for
from warmline.gateway import TwilioRefused

LINE = "+15017122661"
CALLER = "+14155550123"
SPECIALIST = "+14155550177"
SUPERVISOR = "+14155550199"
PARTICIPANTS_DOC = "https://www.twilio.com/docs/voice/api/conference-participant-resource"


@pytest.fixture
def sim(api):
    """The served simulator, whose REST API the gateway calls."""
    return api[0]


@pytest.fixture
def client(api):
    settings = api[1]
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token)
    client.api.base_url = settings.twilio_api_base_url
    return client


@pytest.fixture
def call(sim, gateway, script, clock):
    """A caller and a specialist talking in conference "contact-7"; return their call SIDs."""
    script["/webhooks/voice/incoming"] = (
        "<Response><Dial><Conference>contact-7</Conference></Dial></Response>"
    )
    sim.phone(CALLER).dial(LINE)
    sim.phone(SPECIALIST).answers_after(rings=0)
    sim.phone(SUPERVISOR).answers_after(rings=0)
    specialist_sid = gateway.add_conference_participant(
        conference="contact-7",
        to=SPECIALIST,
        from_=LINE,
        status_callback=script.base_url + "/status",
        timeout_seconds=20,
    )
    in_the_room(sim, clock, SPECIALIST)
    return specialist_sid


def add_supervisor(gateway, script, *, muted: bool, coach: str | None):
    return gateway.add_supervisor(
        conference="contact-7",
        to=SUPERVISOR,
        from_=LINE,
        status_callback=script.base_url + "/status",
        timeout_seconds=20,
        muted=muted,
        coach_call_sid=coach,
    )


def in_the_room(sim, clock, number: str) -> None:
    """Let the simulator's seconds pass until the phone `number` talks in the conference.

    The REST request that dials it returns before the call is placed, on another thread:
    a second passes at each look, for as long as that takes.
    """

    def joined() -> bool:
        if number in sim.phone(CALLER).connected_to:
            return True
        clock.advance(1)
        return False

    wait_for(joined, timeout=10, what=f"{number} to join the conference")


def test_a_muted_supervisor_hears_both_sides_and_neither_hears_them(
    sim,
    gateway,
    script,
    clock,
    call,
):
    supervisor = sim.phone(SUPERVISOR)
    joined = add_supervisor(gateway, script, muted=True, coach=None)
    in_the_room(sim, clock, SUPERVISOR)

    sim.phone(CALLER).say("It has been a hard week.")
    sim.phone(SPECIALIST).say("I am here with you.")
    supervisor.say("Ask about their sleep.")

    heard = [m.words for m in supervisor.transcript if m.kind == "voice"]
    assert heard == ["It has been a hard week.", "I am here with you."]
    assert "Ask about their sleep." not in _voices(sim.phone(CALLER))
    assert "Ask about their sleep." not in _voices(sim.phone(SPECIALIST))
    assert joined.conference_sid.startswith("CF")


def test_a_coaching_supervisor_is_heard_by_the_coached_specialist_alone(
    sim,
    gateway,
    script,
    clock,
    call,
):
    supervisor = sim.phone(SUPERVISOR)
    add_supervisor(gateway, script, muted=False, coach=call)
    in_the_room(sim, clock, SUPERVISOR)

    supervisor.say("Ask about their sleep.")
    sim.phone(CALLER).say("I cannot sleep.")

    assert "Ask about their sleep." in _voices(sim.phone(SPECIALIST))
    assert "Ask about their sleep." not in _voices(sim.phone(CALLER))
    assert "I cannot sleep." in _voices(supervisor)


def test_a_supervisor_listening_then_coaching_then_joining_is_heard_as_each_step_says(
    sim,
    gateway,
    script,
    clock,
    call,
):
    supervisor = sim.phone(SUPERVISOR)
    joined = add_supervisor(gateway, script, muted=True, coach=None)
    in_the_room(sim, clock, SUPERVISOR)
    supervisor.say("one")
    gateway.change_supervisor(
        conference_sid=joined.conference_sid,
        call_sid=joined.call_sid,
        muted=False,
        coach_call_sid=call,
    )
    supervisor.say("two")
    gateway.change_supervisor(
        conference_sid=joined.conference_sid,
        call_sid=joined.call_sid,
        muted=False,
        coach_call_sid=None,
    )
    supervisor.say("three")

    assert [w for w in _voices(sim.phone(SPECIALIST)) if w in ("one", "two", "three")] == [
        "two",
        "three",
    ]
    assert [w for w in _voices(sim.phone(CALLER)) if w in ("one", "two", "three")] == ["three"]


def test_coaching_without_a_call_to_coach_is_refused(sim, client, call):
    """ "If true, call_sid_to_coach must be defined" (PARTICIPANTS_DOC)."""
    with pytest.raises(TwilioRestException) as refused:
        client.conferences("contact-7").participants.create(
            from_=LINE, to=SUPERVISOR, coaching=True
        )
    assert refused.value.status == 400


def test_coaching_a_call_that_is_not_in_the_conference_is_refused_with_16028(
    sim,
    gateway,
    script,
    clock,
    call,
):
    with pytest.raises(TwilioRefused) as refused:
        add_supervisor(gateway, script, muted=False, coach="CA" + "0" * 32)
    assert (refused.value.status, refused.value.code) == (400, 16028)


def test_coaching_a_participant_on_hold_is_refused_with_16027(sim, client, call):
    room = next(iter(sim.conferences.values()))
    client.conferences(room.sid).participants(call).update(hold=True)
    with pytest.raises(TwilioRestException) as refused:
        client.conferences(room.sid).participants.create(
            from_=LINE, to=SUPERVISOR, call_sid_to_coach=call
        )
    assert (refused.value.status, refused.value.code) == (400, 16027)


def test_a_call_to_coach_alone_means_coaching(sim, client, call):
    """ "If not present, defaults to false unless call_sid_to_coach is defined"."""
    participant = client.conferences("contact-7").participants.create(
        from_=LINE, to=SUPERVISOR, call_sid_to_coach=call
    )
    assert (participant.coaching, participant.call_sid_to_coach) == (True, call)


def test_updating_a_participant_needs_the_conference_sid_not_its_name(sim, client, call):
    with pytest.raises(TwilioRestException) as refused:
        client.conferences("contact-7").participants(call).update(muted=True)
    assert (refused.value.status, refused.value.code) == (404, 20404)


def test_updating_a_call_that_is_not_a_participant_is_404(sim, client, call):
    room = next(iter(sim.conferences.values()))
    with pytest.raises(TwilioRestException) as refused:
        client.conferences(room.sid).participants("CA" + "1" * 32).update(muted=True)
    assert (refused.value.status, refused.value.code) == (404, 20404)


def _voices(phone) -> list[str]:
    return [moment.words for moment in phone.transcript if moment.kind == "voice"]
