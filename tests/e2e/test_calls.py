"""Whole calls through gunicorn, RQ workers and the clock, carried by the Twilio simulator."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from tests.clock import zone_at_noon
from tests.services import wait_for
from warmline import offers, wording
from warmline.models import WEEKDAYS, Block, Channel, Contact, Outcome, utcnow
from warmline.privacy import caller_tag
from warmline.simulator import APPLICATION_ERROR
from warmline.simulator.state import RING_SECONDS
from webhooks.twiml import WAIT_PAUSE_SECONDS

# Real processes answer in milliseconds; this is only how long to wait before giving up.
DEADLINE = 30
WHISPER = "Press 1 to accept."
CONNECTED = "You are now connected with a peer specialist."
CONNECTING = wording.spoken("connecting", "en").text
TOLD_CRISIS = wording.to_specialist("caller_to_crisis")
TIMEZONE = "America/Chicago"
# Long enough for the hold loop to come round several times, announcements included.
HOLD_LOOP_TURNS = 6
WAIT_TURN_SECONDS = 25


def heard(phone) -> str:
    return " ".join(phone.heard)


def is_offered(specialist) -> bool:
    return WHISPER in heard(specialist.phone)


def test_caller_is_answered_by_the_first_specialist(scenario):
    line = scenario.line()
    ana = scenario.specialist(line, "Ana")
    ana.phone.answers_after(rings=1)
    caller = scenario.phone()

    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(caller), what="the caller waits on hold")
    scenario.wait_until_rung(ana.phone, what="a worker to ring Ana")
    scenario.advance_until(lambda: is_offered(ana), what="Ana picks up and hears the whisper")
    ana.phone.press("1")
    wait_for(lambda: CONNECTED in heard(caller), timeout=DEADLINE, what="the caller put through")
    scenario.advance_until(
        lambda: caller.connected_to == [ana.phone.number], what="caller and Ana talk"
    )
    assert ana.phone.connected_to == [caller.number]
    caller.hang_up()

    assert "9 8 8" in heard(caller)
    assert "Press 9 at any time" in heard(caller)
    assert APPLICATION_ERROR not in caller.heard
    assert APPLICATION_ERROR not in ana.phone.heard
    assert scenario.errors() == []
    assert ana.phone.state == "idle"
    contact = scenario.contact(line)
    assert contact.outcome is Outcome.ANSWERED
    assert contact.specialist_id == ana.id
    assert contact.ended_at is not None
    live = scenario.live(line)
    assert live.waiting() == [] and live.offered() == []
    assert live.specialist(ana.id)["status"] == "wrap_up"


def test_first_specialist_does_not_answer_and_the_second_does(scenario):
    line = scenario.line(ring_timeout_seconds=20)
    ana = scenario.specialist(line, "Ana")
    bo = scenario.specialist(line, "Bo")
    ana.phone.never_answers()
    bo.phone.never_answers()
    caller = scenario.phone()

    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(caller), what="the caller waits on hold")
    rung = scenario.wait_until_rung(ana.phone, bo.phone, what="a first offer")
    first, second = (ana, bo) if rung is ana.phone else (bo, ana)
    assert not second.phone.ringing, "longest idle rings one specialist at a time"
    second.phone.answers_after(rings=1)
    scenario.advance_until(lambda: not first.phone.ringing, what="the first phone rings out")
    wait_for(lambda: second.phone.ringing, timeout=DEADLINE, what="the second specialist rung")
    scenario.advance_until(lambda: is_offered(second), what="the second specialist picks up")
    second.phone.press("1")
    wait_for(lambda: CONNECTED in heard(caller), timeout=DEADLINE, what="the caller put through")
    scenario.advance_until(
        lambda: caller.connected_to == [second.phone.number], what="caller and specialist talk"
    )
    caller.hang_up()

    assert first.phone.heard == []
    assert APPLICATION_ERROR not in caller.heard
    assert APPLICATION_ERROR not in second.phone.heard
    assert scenario.errors() == []
    contact = scenario.contact(line)
    assert contact.outcome is Outcome.ANSWERED
    assert contact.specialist_id == second.id
    missed = scenario.live(line).specialist(first.id)
    assert (missed["status"], missed["reason"]) == ("break", "missed_offer")


def test_a_caller_accepted_on_screen_hears_connected_only_once_the_specialist_answers(scenario):
    """Issue 13: after "Accept on screen" the caller heard "connected" while the phone rang.

    The specialist's leg is a conference participant; its "answered" status callback (CallStatus
    in-progress) is when they are on the call
    (https://www.twilio.com/docs/voice/api/conference-participant-resource: statusCallbackEvent).
    """
    line = scenario.line()
    ana = scenario.specialist(line, "Ana")
    ana.phone.never_answers()
    caller = scenario.phone()

    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(caller), what="the caller waits on hold")
    scenario.wait_until_rung(ana.phone, what="a worker to ring Ana")
    ana.phone.answers_after(rings=3)
    services = scenario.stack.services
    with services.sessions() as session:
        assert offers.accept(
            session,
            services.redis,
            services.jobs,
            contact_id=scenario.contact(line).id,
            specialist_id=ana.id,
        )
    wait_for(lambda: len(ana.phone.calls) == 2, timeout=DEADLINE, what="a worker to call Ana in")
    scenario.advance_until(lambda: rings(ana.phone) == 2, what="Ana's phone rings again")
    # The worker that rings Ana also moves the caller on: they hear "one moment" while it rings.
    wait_for(lambda: CONNECTING in heard(caller), timeout=DEADLINE, what="the caller moved on")
    for _ in range(3 * RING_SECONDS):
        assert CONNECTED not in heard(caller), "told 'connected' while Ana's phone rings"
        scenario.stack.clock.advance(1)
    scenario.advance_until(lambda: ana.phone.state == "in-call", what="Ana answers")
    # A worker moves the caller in once Ana's phone reports the answer: wait for it on the
    # real clock, not by running the simulated one past it.
    wait_for(lambda: CONNECTED in heard(caller), timeout=DEADLINE, what="the caller put through")
    scenario.advance_until(
        lambda: caller.connected_to == [ana.phone.number], what="caller and Ana talk"
    )

    assert CONNECTING in heard(caller)
    told = next(m.at for m in caller.transcript if CONNECTED in m.words)
    answered = [call for call in ana.phone.calls if call.answered_at is not None]
    assert [call.answered_at <= told for call in answered] == [True]
    assert ana.phone.connected_to == [caller.number]
    assert APPLICATION_ERROR not in caller.heard
    assert scenario.errors() == []
    contact = scenario.contact(line)
    assert contact.specialist_id == ana.id
    assert contact.connected_at is not None
    caller.hang_up()


def rings(phone) -> int:
    return sum(1 for moment in phone.transcript if moment.kind == "ringing")


HOLD = "Please stay on the line. A peer specialist will be with you soon."


def test_9_pressed_during_the_first_words_on_hold_reaches_the_crisis_line(scenario):
    """Issue 13: a 9 right after "Please stay on the line" was lost, and the caller held on."""
    line = scenario.line()
    scenario.specialist(line, "Ana").phone.never_answers()
    crisis_line = scenario.sim.phone(line.crisis_number).answers_after(rings=1)
    caller = scenario.phone()

    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: HOLD in caller.heard, what="'please stay on the line'")
    assert scenario.holding(caller)
    caller.press("9")
    scenario.advance_until(
        lambda: caller.connected_to == [crisis_line.number], what="the crisis line answers"
    )

    assert "Connecting you to the 9 8 8 Suicide and Crisis Lifeline now." in heard(caller)
    assert "You are next in line." not in heard(caller)
    assert scenario.contact(line).outcome is Outcome.CRISIS_REFERRED
    assert scenario.live(line).waiting() == []
    assert scenario.errors() == []


def test_another_key_during_the_first_words_on_hold_keeps_the_caller_in_line(scenario):
    line = scenario.line()
    scenario.specialist(line, "Ana").phone.never_answers()
    caller = scenario.phone()

    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: HOLD in caller.heard, what="'please stay on the line'")
    caller.press("5")
    pressed = scenario.stack.clock.now()
    scenario.advance_until(
        lambda: scenario.stack.clock.now() > pressed + WAIT_PAUSE_SECONDS,
        what="a whole turn of the hold loop after the key",
    )

    contact = scenario.contact(line)
    assert contact.outcome is Outcome.OPEN and contact.crisis_referred_at is None
    assert scenario.holding(caller)
    assert scenario.live(line).offered() + scenario.live(line).waiting() == [contact.id]
    assert scenario.errors() == []
    caller.hang_up()


def test_caller_who_presses_9_while_waiting_reaches_the_crisis_line(scenario):
    line = scenario.line()
    ana = scenario.specialist(line, "Ana")
    ana.phone.never_answers()
    crisis_line = scenario.sim.phone(line.crisis_number).answers_after(rings=1)
    caller = scenario.phone()

    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(caller), what="the caller waits on hold")
    scenario.wait_until_rung(ana.phone, what="a worker to ring Ana")
    caller.press("9")
    scenario.advance_until(
        lambda: caller.connected_to == [crisis_line.number], what="the crisis line answers"
    )

    assert "Connecting you to the 9 8 8 Suicide and Crisis Lifeline now." in heard(caller)
    assert crisis_line.transcript[0].kind == "ringing"
    assert APPLICATION_ERROR not in caller.heard
    assert scenario.errors() == []
    wait_for(lambda: ana.phone.state == "idle", timeout=DEADLINE, what="Ana's phone to stop")
    assert ana.phone.heard == []
    contact = scenario.contact(line)
    assert contact.outcome is Outcome.CRISIS_REFERRED
    assert contact.crisis_tier == 2
    live = scenario.live(line)
    assert live.waiting() == [] and live.offered() == []
    wait_for(
        lambda: live.specialist(ana.id).get("status") == "available",
        timeout=DEADLINE,
        what="Ana free for the next caller",
    )


def test_caller_who_hangs_up_while_waiting_is_abandoned_and_leaves_the_line(scenario):
    line = scenario.line()
    ana = scenario.specialist(line, "Ana")
    ana.phone.never_answers()
    caller = scenario.phone()

    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(caller), what="the caller waits on hold")
    scenario.wait_until_rung(ana.phone, what="a worker to ring Ana")
    caller.hang_up()

    wait_for(lambda: ana.phone.state == "idle", timeout=DEADLINE, what="Ana's phone to stop")
    assert ana.phone.heard == []
    assert APPLICATION_ERROR not in caller.heard
    assert scenario.errors() == []
    contact = scenario.contact(line)
    assert contact.outcome is Outcome.ABANDONED
    assert contact.wait_seconds is not None and contact.talk_seconds is None
    live = scenario.live(line)
    assert live.waiting() == [] and live.offered() == []
    wait_for(
        lambda: live.specialist(ana.id).get("status") == "available",
        timeout=DEADLINE,
        what="Ana free for the next caller",
    )


def test_caller_after_hours_hears_when_the_line_reopens_and_reaches_the_overflow_line(
    scenario,
):
    zone = ZoneInfo(TIMEZONE)
    opening_day = utcnow().astimezone(zone).date() + timedelta(days=1)
    overflow = scenario.phone().answers_after(rings=1)
    line = scenario.line(
        timezone=TIMEZONE,
        opening_hours={WEEKDAYS[opening_day.weekday()]: [["09:00", "17:00"]]},
        overflow_number=overflow.number,
    )
    ana = scenario.specialist(line, "Ana")
    caller = scenario.phone()

    caller.dial(line.twilio_number)
    scenario.advance_until(
        lambda: caller.connected_to == [overflow.number], what="the overflow line answers"
    )

    said = heard(caller)
    assert "No peer specialist is on the line right now." in said
    # The line's tomorrow, whatever the date in UTC; a call that crossed the line's midnight
    # while the test ran hears "today".
    arrived = scenario.contact(line).arrived_at.astimezone(zone).date()
    when = "tomorrow" if arrived < opening_day else "today"
    assert f"We are open again {when} at 9 AM." in said
    assert "9 8 8" in said and "9 1 1" in said
    assert APPLICATION_ERROR not in caller.heard
    assert scenario.errors() == []
    assert ana.phone.transcript == []
    caller.hang_up()
    assert scenario.contact(line).outcome is Outcome.AFTER_HOURS


def test_blocked_caller_hears_a_kind_word_and_the_crisis_numbers(scenario, stack):
    line = scenario.line()
    ana = scenario.specialist(line, "Ana")
    caller = scenario.phone()
    with stack.services.sessions() as session:
        tag = caller_tag(caller.number, stack.settings.caller_key)
        session.add(Block(line_id=line.id, caller_tag=tag, reason="repeated abuse"))
        session.commit()

    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: caller.state == "idle", what="the call to end")

    said = heard(caller)
    assert "This line is not able to take your call." in said
    assert "9 8 8" in said and "9 1 1" in said
    assert APPLICATION_ERROR not in caller.heard
    assert scenario.errors() == []
    assert ana.phone.transcript == []
    assert scenario.contact(line).outcome is Outcome.BLOCKED


def test_caller_over_the_daily_limit_hears_the_crisis_numbers_and_can_press_9(scenario, stack):
    # The earlier call, twenty minutes ago, is on the line's today only far from its midnight.
    talked = utcnow() - timedelta(minutes=20)
    line = scenario.line(daily_contact_limit=1, timezone=zone_at_noon(talked))
    ana = scenario.specialist(line, "Ana")
    crisis_line = scenario.sim.phone(line.crisis_number).answers_after(rings=1)
    caller = scenario.phone()
    tag = caller_tag(caller.number, stack.settings.caller_key)
    with stack.services.sessions() as session:
        session.add(
            Contact(
                line_id=line.id,
                channel=Channel.VOICE,
                caller_tag=tag,
                arrived_at=talked,
                connected_at=talked + timedelta(minutes=1),
                ended_at=talked + timedelta(minutes=10),
                outcome=Outcome.ANSWERED,
                specialist_id=ana.id,
            )
        )
        session.commit()

    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: "9 1 1" in heard(caller), what="the crisis numbers")
    assert "You have reached today's number of calls" in heard(caller)
    caller.press("9")
    scenario.advance_until(
        lambda: caller.connected_to == [crisis_line.number], what="the crisis line answers"
    )

    assert "Connecting you to the 9 8 8 Suicide and Crisis Lifeline now." in heard(caller)
    assert APPLICATION_ERROR not in caller.heard
    assert scenario.errors() == []
    assert ana.phone.transcript == []
    _earlier, limited = scenario.contacts(line)
    assert limited.outcome is Outcome.LIMITED
    assert limited.crisis_referred_at is not None


def test_a_line_that_listens_for_speech_keeps_its_caller_in_twilios_queue_until_9(scenario):
    """A waitUrl <Gather> takes one input; "dtmf speech" would eject the caller with
    QueueResult=error (https://www.twilio.com/docs/voice/twiml/enqueue)."""
    line = scenario.line(speech_enabled=True)
    ana = scenario.specialist(line, "Ana")
    ana.phone.never_answers()
    crisis_line = scenario.sim.phone(line.crisis_number).answers_after(rings=1)
    caller = scenario.phone()

    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(caller), what="the caller waits on hold")
    for _ in range(HOLD_LOOP_TURNS):
        scenario.stack.clock.advance(WAIT_TURN_SECONDS)
        assert scenario.holding(caller), "the caller is still in Twilio's queue"
    caller.press("9")
    scenario.advance_until(
        lambda: caller.connected_to == [crisis_line.number], what="the crisis line answers"
    )

    assert scenario.errors() == []
    assert APPLICATION_ERROR not in caller.heard
    contact = scenario.contact(line)
    assert contact.outcome is Outcome.CRISIS_REFERRED
    assert contact.crisis_tier == 2


def test_spanish_crisis_words_at_the_greeting_of_a_spanish_line_reach_the_crisis_line(scenario):
    """The greeting's <Gather> listens in the caller's language
    (https://www.twilio.com/docs/voice/twiml/gather: language, speechTimeout)."""
    line = scenario.line(languages=["es"], speech_enabled=True)
    scenario.specialist(line, "Ana").phone.never_answers()
    crisis_line = scenario.sim.phone(line.crisis_number).answers_after(rings=1)
    caller = scenario.phone()

    caller.dial(line.twilio_number)
    caller.say("ya no puedo más", "quiero morir", language="es-MX", pause=2)
    scenario.advance_until(
        lambda: caller.connected_to == [crisis_line.number], what="the crisis line answers"
    )

    assert wording.spoken("crisis", "es").text in caller.heard
    assert not scenario.holding(caller)
    assert scenario.errors() == []
    contact = scenario.contact(line)
    assert contact.outcome is Outcome.CRISIS_REFERRED
    assert contact.crisis_referred_at is not None


def test_spanish_words_at_an_english_greeting_are_not_heard_and_the_caller_holds(scenario):
    """Speech recognition hears the Gather's language alone
    (https://www.twilio.com/docs/voice/twiml/gather: language, default en-US)."""
    line = scenario.line(speech_enabled=True)
    scenario.specialist(line, "Ana").phone.never_answers()
    crisis_line = scenario.sim.phone(line.crisis_number)
    caller = scenario.phone()

    caller.dial(line.twilio_number)
    caller.say("quiero morir", language="es-MX")
    scenario.advance_until(lambda: scenario.holding(caller), what="the caller waits on hold")

    assert crisis_line.transcript == []
    assert scenario.contact(line).crisis_referred_at is None
    assert scenario.errors() == []
    caller.hang_up()


def test_a_caller_who_presses_9_while_being_connected_stays_with_the_crisis_line(scenario):
    """The soak's crisis caller never referred: 9 in the "one moment" loop sent them to the
    crisis line, then the job connecting them to their specialist (whose phone answered a
    moment later) took them off it and back to "one moment", forever. Now the call is theirs
    once they choose the crisis line, and the specialist's phone stops ringing."""
    line = scenario.line()
    ana = scenario.specialist(line, "Ana")
    ana.phone.never_answers()
    crisis_line = scenario.sim.phone(line.crisis_number).answers_after(rings=1)
    caller = scenario.phone()

    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(caller), what="the caller waits on hold")
    scenario.wait_until_rung(ana.phone, what="a worker to ring Ana")
    ana.phone.answers_after(rings=3)
    services = scenario.stack.services
    with services.sessions() as session:
        assert offers.accept(
            session,
            services.redis,
            services.jobs,
            contact_id=scenario.contact(line).id,
            specialist_id=ana.id,
        )
    wait_for(lambda: CONNECTING in heard(caller), timeout=DEADLINE, what="the caller moved on")
    caller.press("9")
    scenario.advance_until(
        lambda: caller.connected_to == [crisis_line.number], what="the crisis line answers"
    )
    for _ in range(3 * RING_SECONDS):
        # Long enough for Ana's phone to have answered, had it rung on.
        assert caller.connected_to == [crisis_line.number], "taken off the crisis line"
        scenario.stack.clock.advance(1)
    wait_for(
        lambda: ana.phone.state == "idle" or TOLD_CRISIS in heard(ana.phone),
        timeout=DEADLINE,
        what="a worker to stop Ana's phone or tell her",
    )
    scenario.advance_until(lambda: ana.phone.state == "idle", what="Ana's phone to stop")
    live = scenario.live(line)
    wait_for(
        lambda: live.specialist(ana.id).get("status") == "available",
        timeout=DEADLINE,
        what="Ana free for the next caller",
    )
    assert caller.connected_to == [crisis_line.number]
    contact = scenario.contact(line)
    assert (contact.outcome, contact.connected_at) == (Outcome.CRISIS_REFERRED, None)
    assert CONNECTED not in heard(caller)
    assert APPLICATION_ERROR not in caller.heard + ana.phone.heard
    assert scenario.errors() == []
