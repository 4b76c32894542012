"""Calls that still reach help when a process or Redis dies under them, and callers and
texters answered again when Redis comes back empty.

The Redis-lost scenario prints (`-s`) the figures the report quotes: how long after the loss
the line was rebuilt, the caller offered and put through, the texter offered and answered.
"""

from __future__ import annotations

import time

from tests.e2e.test_texts import Dashboard, received
from tests.services import wait_for
from warmline import offers
from warmline.models import Outcome
from warmline.simulator import APPLICATION_ERROR

DEADLINE = 30
# Where a web process that cannot reach the line's settings dials: the 988 Lifeline.
LIFELINE = "+18002738255"
WHISPER = "Press 1 to accept."
CONNECTED = "You are now connected with a peer specialist."
# Short rings keep the wait short: every offer that could be ringing when Redis lost it has
# run out after the lease, and only then are the specialists offered again.
RING_TIMEOUT = 5


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


def test_after_redis_comes_back_empty_the_caller_and_the_texter_are_answered(scenario):
    line = scenario.line(ring_timeout_seconds=RING_TIMEOUT, wrap_up_seconds=0)
    ana = scenario.specialist(line, "Ana", on_shift=False)
    bo = scenario.specialist(line, "Bo", on_shift=False)
    dashboards = {}
    for specialist in (ana, bo):
        specialist.phone.never_answers()
        dashboards[specialist.id] = Dashboard(scenario.stack.settings.public_url)
        dashboards[specialist.id].sign_in(specialist.email)
        dashboards[specialist.id].start_shift(line.id)
    live = scenario.live(line)
    wait_for(live.kept, timeout=DEADLINE, what="the clock's repair to mark the line kept")
    caller, texter = scenario.phone(), scenario.phone()

    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(caller), what="the caller holds")
    rung = scenario.wait_until_rung(ana.phone, bo.phone, what="the caller offered")
    texter.send_text(line.twilio_number, "is anyone there tonight?")
    wait_for(lambda: received(texter, line), timeout=DEADLINE, what="the texter's welcome")
    [call, text] = scenario.contacts(line)

    scenario.stack.services.redis.flushall()
    lost = time.monotonic()
    # The offer ringing when Redis lost it is still ringing: answered, it is void.
    rung.answer()
    scenario.advance_until(lambda: WHISPER in heard(rung), what="the old offer's whisper")
    rung.press("1")
    scenario.advance_until(lambda: rung.call is None, what="the void offer hangs up")
    assert caller.connected_to == [], "an offer Redis forgot put nobody through"
    wait_for(live.kept, timeout=DEADLINE, what="the line rebuilt")
    rebuilt = time.monotonic() - lost
    assert live.present() == sorted([ana.id, bo.id])
    assert live.waiting() == [call.id, text.id]
    for specialist in (ana, bo):
        specialist.phone.answers_after(rings=0)
    whispers = {s.id: heard(s.phone).count(WHISPER) for s in (ana, bo)}

    def offered_again() -> bool:
        return any(heard(s.phone).count(WHISPER) > whispers[s.id] for s in (ana, bo))

    lease = offers.lease_ms(line) / 1000
    wait_for(
        lambda: any(c for s in (ana, bo) for c in s.phone.calls if not c.ended),
        timeout=lease + DEADLINE,
        what="the caller offered again",
    )
    scenario.advance_until(offered_again, what="the new offer's whisper")
    caller_offered = time.monotonic() - lost
    [taker] = [s for s in (ana, bo) if heard(s.phone).count(WHISPER) > whispers[s.id]]
    taker.phone.press("1")
    wait_for(lambda: CONNECTED in heard(caller), timeout=DEADLINE, what="the caller put through")
    scenario.advance_until(lambda: caller.connected_to == [taker.phone.number], what="they talk")
    caller_answered = time.monotonic() - lost

    [other] = [s for s in (ana, bo) if s is not taker]
    browser = dashboards[other.id]
    wait_for(lambda: browser.text_offered() == text.id, timeout=DEADLINE, what="the texter offered")
    texter_offered = time.monotonic() - lost
    assert browser.post(f"/api/contacts/{text.id}/accept").status_code == 200
    sent = browser.post(f"/api/contacts/{text.id}/messages", {"body": "Hi, I'm here."})
    assert sent.status_code == 201, sent.text
    # Its number went with Redis: the reply goes with the texter's next text.
    texter.send_text(line.twilio_number, "hello?")
    wait_for(
        lambda: "Hi, I'm here." in received(texter, line),
        timeout=DEADLINE,
        what="the reply to reach the texter",
    )
    texter_answered = time.monotonic() - lost
    caller.hang_up()

    wait_for(
        lambda: scenario.contacts(line)[0].outcome is Outcome.ANSWERED,
        timeout=DEADLINE,
        what="the call closed as answered",
    )
    assert scenario.contacts(line)[0].specialist_id == taker.id
    assert scenario.contacts(line)[1].specialist_id == other.id
    for phone in (caller, ana.phone, bo.phone):
        assert APPLICATION_ERROR not in phone.heard
    assert scenario.errors() == []
    print(
        f"\nRedis lost: rebuilt after {rebuilt:.1f} s; caller offered again after"
        f" {caller_offered:.1f} s and put through after {caller_answered:.1f} s (lease"
        f" {lease:.0f} s); texter offered after {texter_offered:.1f} s, answered after"
        f" {texter_answered:.1f} s. The caller heard: {' | '.join(caller.heard)}"
    )
    for browser in dashboards.values():
        browser.http.close()
