"""Queued callbacks through gunicorn, RQ workers and the clock, carried by the Twilio simulator.

A caller on hold presses 2, hears the confirmation with the crisis numbers, and their call
ends; when a specialist is free they are rung first, then the line calls the person from its
own number (the Calls resource, From a number of the account:
https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource) and puts them
through. A call back nobody answers ends with CallStatus no-answer, busy or failed (the same
page, "CallStatus values"); the line tries once more, then gives up.
"""

from __future__ import annotations

from tests.e2e.stack import Scenario, Specialist
from tests.services import wait_for
from warmline import presence, wording
from warmline.models import Outcome
from warmline.simulator import APPLICATION_ERROR, Phone

DEADLINE = 30
LINE_NAME = "Riverside Warm Line"
WHISPER = "Press 1 to accept."
CONNECTED = wording.spoken("connected", "en").text
OFFERED = wording.spoken("callback_offer", "en", key="2").text
CONFIRMED = wording.spoken("callback_confirmed", "en").text
INTRO = wording.spoken("callback_intro", "en", name=LINE_NAME).text
RETRYING = wording.to_specialist("callback_retrying")
GIVEN_UP = wording.to_specialist("callback_given_up")
CALLING_BACK = wording.to_specialist("calling_back")
# The line's wait before its one more try, short for the test (the least a line may set).
RETRY_SECONDS = 10


def heard(phone: Phone) -> str:
    return " ".join(phone.heard)


def on_break(scenario: Scenario, line, specialist: Specialist) -> None:
    presence.take_break(
        scenario.stack.services.redis, line_id=line.id, specialist_id=specialist.id, reason="x"
    )


def back_from_break(scenario: Scenario, line, specialist: Specialist) -> None:
    services = scenario.stack.services
    with services.sessions() as session:
        presence.become_available(
            session, services.redis, services.jobs, line_id=line.id, specialist_id=specialist.id
        )


def ask_for_a_call_back(scenario: Scenario, *, hang_up_at_once: bool = False):
    """A line whose only specialist is on a break; a caller holds and presses 2."""
    line = scenario.line(callback_retry_seconds=RETRY_SECONDS)
    ana = scenario.specialist(line, "Ana")
    on_break(scenario, line, ana)
    # Set before anything rings her: a phone answers as it was set when the call came.
    ana.phone.answers_after(rings=1)
    caller = scenario.phone()
    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: OFFERED in heard(caller), what="the hold loop offers it")
    caller.press("2")
    scenario.advance_until(lambda: CONFIRMED in heard(caller), what="the call back confirmed")
    if hang_up_at_once:
        caller.hang_up()
    scenario.advance_until(lambda: caller.state == "idle", what="the caller's call ends")
    return line, ana, caller


def take_the_call_back(scenario: Scenario, ana: Specialist) -> None:
    """Ana is rung with the call back's whisper and accepts it."""
    whispers, calls = heard(ana.phone).count(WHISPER), len(ana.phone.calls)
    # A try again is rung after the line's wait in real seconds: wait for its call first, or
    # the simulated clock runs out while the job still waits its time.
    wait_for(lambda: len(ana.phone.calls) > calls, timeout=DEADLINE, what="a worker to ring Ana")
    scenario.wait_until_rung(ana.phone, what="a worker to ring Ana")
    scenario.advance_until(
        lambda: heard(ana.phone).count(WHISPER) > whispers, what="Ana hears the whisper"
    )
    assert "Warm line call back" in heard(ana.phone)
    ana.phone.press("1")


def test_a_caller_who_asked_is_called_back_from_the_line_and_put_through(scenario):
    line, ana, caller = ask_for_a_call_back(scenario)
    contact = scenario.contact(line)
    assert contact.outcome is Outcome.OPEN and contact.callback_requested_at is not None
    assert scenario.live(line).waiting() == [contact.id], "they keep their place"
    assert "9 8 8" in heard(caller)

    caller.answers_after(rings=2)
    back_from_break(scenario, line, ana)
    take_the_call_back(scenario, ana)
    scenario.wait_until_rung(caller, what="a worker to call the caller back")
    [call_back] = [call for call in caller.calls if call.direction == "outbound-api"]
    assert call_back.sender == line.twilio_number, "from the line's own number"
    scenario.advance_until(lambda: INTRO in heard(caller), what="the caller hears who calls")
    scenario.advance_until(lambda: CONNECTED in heard(caller), what="the caller put through")
    scenario.advance_until(
        lambda: caller.connected_to == [ana.phone.number], what="caller and Ana talk"
    )
    caller.hang_up()

    wait_for(
        lambda: scenario.contact(line).ended_at is not None, timeout=DEADLINE, what="it closes"
    )
    contact = scenario.contact(line)
    assert contact.outcome is Outcome.ANSWERED
    assert (contact.callback_attempts, contact.specialist_id) == (1, ana.id)
    assert scenario.live(line).callback_number(contact.id) is None
    assert APPLICATION_ERROR not in caller.heard + ana.phone.heard
    assert scenario.errors() == []


def test_a_call_back_nobody_answers_is_tried_once_more_then_closed_not_reached(scenario):
    line, ana, caller = ask_for_a_call_back(scenario)
    caller.never_answers()
    back_from_break(scenario, line, ana)
    for told in (RETRYING, GIVEN_UP):
        take_the_call_back(scenario, ana)
        scenario.wait_until_rung(caller, what="a worker to call the caller back")
        scenario.advance_until(lambda: not caller.ringing, what="the call back rings out")
        wait_for(lambda said=told: said in heard(ana.phone), timeout=DEADLINE, what="Ana is told")
        scenario.advance_until(lambda: ana.phone.state == "idle", what="Ana's call ends")
        assert scenario.live(line).specialist(ana.id)["status"] == "available"

    wait_for(
        lambda: scenario.contact(line).ended_at is not None, timeout=DEADLINE, what="it closes"
    )
    contact = scenario.contact(line)
    assert contact.outcome is Outcome.CALLBACK_NOT_REACHED
    assert contact.callback_attempts == 2 and contact.connected_at is None
    assert [call.status for call in caller.calls if call.direction == "outbound-api"] == [
        "no-answer",
        "no-answer",
    ]
    live = scenario.live(line)
    assert live.callback_number(contact.id) is None and live.pending_callbacks() == 0
    assert live.waiting() == []
    assert scenario.errors() == []


def test_a_caller_who_hangs_up_as_the_call_back_is_confirmed_is_still_called_back(scenario):
    line, ana, caller = ask_for_a_call_back(scenario, hang_up_at_once=True)
    contact = scenario.contact(line)
    assert contact.outcome is Outcome.OPEN, "not abandoned: they asked to be called back"
    assert contact.call_sid is None
    assert scenario.live(line).waiting() == [contact.id]

    caller.answers_after(rings=1)
    back_from_break(scenario, line, ana)
    take_the_call_back(scenario, ana)
    scenario.wait_until_rung(caller, what="a worker to call the caller back")
    scenario.advance_until(lambda: CONNECTED in heard(caller), what="the caller put through")
    scenario.advance_until(
        lambda: caller.connected_to == [ana.phone.number], what="caller and Ana talk"
    )
    caller.hang_up()
    wait_for(
        lambda: scenario.contact(line).ended_at is not None, timeout=DEADLINE, what="it closes"
    )
    assert scenario.contact(line).outcome is Outcome.ANSWERED
    assert scenario.errors() == []


def test_a_caller_who_asks_as_a_specialist_accepts_hears_the_promise_whole_and_is_called_back(
    scenario,
):
    """The busy day's lost call backs: 2 pressed while Ana heard the whisper, 1 pressed as the
    promise was said. The caller's call was put through mid-sentence; one who hung up as told
    was closed "answered", never called back, and Ana waited alone in the conference. Now the
    promise is kept: that call ends as it says, and the line calls back at once."""
    line = scenario.line(callback_retry_seconds=RETRY_SECONDS)
    ana = scenario.specialist(line, "Ana")
    ana.phone.answers_after(rings=1)
    caller = scenario.phone()
    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(caller), what="the caller waits on hold")
    scenario.wait_until_rung(ana.phone, what="a worker to ring Ana")
    scenario.advance_until(lambda: WHISPER in heard(ana.phone), what="Ana hears the whisper")
    caller.press("2")
    scenario.advance_until(lambda: CONFIRMED in heard(caller), what="the promise is said")
    ana.phone.press("1")
    scenario.advance_until(lambda: CALLING_BACK in heard(ana.phone), what="Ana accepted")
    # Let the workers do what her 1 asked while the promise is still being said.
    wait_for(scenario.calls_done, timeout=DEADLINE, what="the workers to be idle")
    assert caller.state == "in-call" and CONNECTED not in heard(caller)
    caller.answers_after(rings=1)
    scenario.advance_until(lambda: caller.state == "idle", what="the promise ends the call")
    assert CONNECTED not in heard(caller), "not put through on the call that made the promise"

    scenario.wait_until_rung(caller, what="a worker to call the caller back")
    scenario.advance_until(lambda: INTRO in heard(caller), what="the caller hears who calls")
    scenario.advance_until(
        lambda: caller.connected_to == [ana.phone.number], what="caller and Ana talk"
    )
    caller.hang_up()
    wait_for(
        lambda: scenario.contact(line).ended_at is not None, timeout=DEADLINE, what="it closes"
    )
    contact = scenario.contact(line)
    assert (contact.outcome, contact.callback_attempts) == (Outcome.ANSWERED, 1)
    assert APPLICATION_ERROR not in caller.heard + ana.phone.heard
    assert scenario.errors() == []


def test_a_call_back_a_voicemail_box_answers_hears_nothing_and_is_tried_again(scenario):
    """Machine detection on the call back (https://www.twilio.com/docs/voice/answering-machine-
    detection): a box that answers hears not a word, and the try counts as nobody answering."""
    line, ana, caller = ask_for_a_call_back(scenario)
    caller.never_answers().has_voicemail(after_rings=2)
    before = len(caller.heard)
    back_from_break(scenario, line, ana)
    take_the_call_back(scenario, ana)
    scenario.wait_until_rung(caller, what="a worker to call the caller back")

    def call_back():
        return next(call for call in caller.calls if call.direction == "outbound-api")

    scenario.advance_until(lambda: call_back().ended, what="the call back ends")
    wait_for(lambda: RETRYING in heard(ana.phone), timeout=DEADLINE, what="Ana is told")
    assert (call_back().status, call_back().answered_by) == ("completed", "machine_start")
    assert caller.heard[before:] == [], "the box recorded nothing, not even the line's name"
    contact = scenario.contact(line)
    assert (contact.outcome, contact.callback_attempts) == (Outcome.OPEN, 1)
    assert scenario.live(line).callback_number(contact.id) is not None
    assert scenario.errors() == []
