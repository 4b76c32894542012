"""Calls that still reach help when a process or Redis dies under them."""

from __future__ import annotations

from tests.services import wait_for
from warmline.models import Outcome
from warmline.simulator import APPLICATION_ERROR

DEADLINE = 30
# Where a web process that cannot reach the line's settings dials: the 988 Lifeline.
LIFELINE = "+18002738255"
WHISPER = "Press 1 to accept."
CONNECTED = "You are now connected with a peer specialist."


def heard(phone) -> str:
    return " ".join(phone.heard)


def put_through(scenario, caller, specialist, line) -> None:
    """Ring the line from `caller` and have `specialist` (who answers at once) take the call."""
    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(caller), what="the caller holds")
    wait_for(lambda: WHISPER in heard(specialist.phone), timeout=DEADLINE, what="the offer rung")
    specialist.phone.press("1")
    wait_for(lambda: CONNECTED in heard(caller), timeout=DEADLINE, what="the caller put through")
    scenario.advance_until(
        lambda: caller.connected_to == [specialist.phone.number], what="the two talk"
    )


def test_caller_is_still_answered_when_the_worker_ringing_the_specialist_is_killed(scenario, stack):
    line = scenario.line(ring_timeout_seconds=5)
    ana = scenario.specialist(line, "Ana", on_shift=False)
    # A ring lasts 6 s on the simulator: Ana picks up at once, within the 5 s ring timeout.
    ana.phone.answers_after(rings=0)
    stack.gate.hold(ana.phone.number)
    scenario.start_shift(line, ana)
    caller = scenario.phone()

    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(caller), what="the caller waits on hold")
    wait_for(stack.gate.held.is_set, timeout=DEADLINE, what="a worker to start ringing Ana")
    worker = stack.processes.sender(stack.gate.held_port)
    stack.processes.kill(worker)
    stack.gate.release()
    stack.processes.start_worker()
    assert ana.phone.transcript == [], "the killed worker never reached Ana's phone"

    # The offer's lease runs out; Ana was never rung, so the clock's repair offers her the caller.
    wait_for(lambda: WHISPER in heard(ana.phone), timeout=60, what="the repair to ring Ana again")
    ana.phone.press("1")
    wait_for(lambda: CONNECTED in heard(caller), timeout=DEADLINE, what="the caller put through")
    scenario.advance_until(
        lambda: caller.connected_to == [ana.phone.number], what="caller and Ana talk"
    )
    caller.hang_up()

    assert APPLICATION_ERROR not in caller.heard
    assert scenario.errors() == []
    contact = scenario.contact(line)
    assert contact.outcome is Outcome.ANSWERED
    assert contact.specialist_id == ana.id


def test_new_callers_still_hear_the_crisis_numbers_when_redis_stops_mid_call(
    scenario, stack, redis_outage
):
    overflow = scenario.phone().answers_after(rings=1)
    line = scenario.line(overflow_number=overflow.number)
    ana = scenario.specialist(line, "Ana")
    ana.phone.answers_after(rings=0)
    talking = scenario.phone()
    put_through(scenario, talking, ana, line)
    holding = scenario.phone()
    holding.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(holding), what="a second caller holds")

    redis_outage.stop()
    newcomer = scenario.phone()
    newcomer.dial(line.twilio_number)
    scenario.advance_until(lambda: newcomer.connected_to, what="the newcomer is dialled onward")

    said = heard(newcomer)
    assert said.startswith("Thank you for calling")
    assert "9 8 8" in said and "9 1 1" in said
    assert newcomer.connected_to == [overflow.number]
    assert talking.connected_to == [ana.phone.number], "the conversation goes on"
    assert scenario.holding(holding), "the waiting caller keeps their place in Twilio's queue"
    talking.hang_up()
    for phone in (talking, holding, newcomer, ana.phone):
        assert APPLICATION_ERROR not in phone.heard
    assert scenario.errors() == []


def test_caller_reaches_the_line_overflow_number_while_redis_is_down(scenario, stack, redis_outage):
    overflow = scenario.phone().answers_after(rings=1)
    lifeline = scenario.sim.phone(LIFELINE).answers_after(rings=1)
    line = scenario.line(overflow_number=overflow.number)
    caller = scenario.phone()

    redis_outage.stop()
    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: caller.connected_to, what="the caller is dialled onward")

    assert "9 8 8" in heard(caller) and "9 1 1" in heard(caller)
    assert APPLICATION_ERROR not in caller.heard
    assert caller.connected_to == [overflow.number], f"dialled {caller.connected_to}"
    assert lifeline.number not in caller.connected_to


def test_call_that_ends_while_redis_is_down_is_still_closed(scenario, stack, redis_outage):
    line = scenario.line()
    ana = scenario.specialist(line, "Ana")
    ana.phone.answers_after(rings=0)
    caller = scenario.phone()
    put_through(scenario, caller, ana, line)

    redis_outage.stop()
    caller.hang_up()

    assert APPLICATION_ERROR not in caller.heard
    contact = scenario.contact(line)
    assert contact.ended_at is not None
    assert contact.outcome is Outcome.ANSWERED
