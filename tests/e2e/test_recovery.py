"""A recovery break after a crisis call, through gunicorn, RQ workers, the clock and the simulator.

The break ends with no timer in any process: the specialist's place on the rota is the
moment it ends, and the job queued for then (or the clock's repair) makes the next offer.
"""

from __future__ import annotations

from tests.e2e.test_calls import CONNECTED, DEADLINE, WHISPER, heard, is_offered
from tests.e2e.test_crisis_carry import _earlier_flagged_call
from tests.e2e.test_texts import Dashboard
from tests.services import wait_for
from warmline.live import now_ms

# Short, so the test waits seconds; a line's default is five minutes.
RECOVERY_SECONDS = 6
# How close to the break's end an offer may be seen, for the clocks of two processes.
MARGIN_MS = 250


def test_after_a_crisis_call_the_next_caller_is_offered_only_once_the_break_is_over(scenario):
    line = scenario.line(wrap_up_seconds=0, recovery_seconds=RECOVERY_SECONDS)
    ana = scenario.specialist(line, "Ana", on_shift=False)
    dashboard = Dashboard(scenario.stack.settings.public_url)
    dashboard.sign_in(ana.email)
    dashboard.start_shift(line.id)
    ana.phone.answers_after(rings=1)
    in_crisis, next_caller = scenario.phone(), scenario.phone()
    # Flagged by a crisis contact an hour ago: this call is tier 2 from its first ring.
    _earlier_flagged_call(scenario.stack, line, in_crisis.number, 1)

    in_crisis.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(in_crisis), what="the caller in crisis holds")
    scenario.wait_until_rung(ana.phone, what="a worker to ring Ana")
    scenario.advance_until(lambda: is_offered(ana), what="Ana hears the whisper")
    ana.phone.press("1")
    wait_for(lambda: CONNECTED in heard(in_crisis), timeout=DEADLINE, what="the caller put through")
    scenario.advance_until(lambda: in_crisis.connected_to == [ana.phone.number], what="they talk")
    in_crisis.hang_up()
    live = scenario.live(line)
    wait_for(
        lambda: live.specialist(ana.id).get("status") == "recovery",
        timeout=DEADLINE,
        what="Ana's recovery break",
    )
    ready_ms = int(live.specialist(ana.id)["ready"])
    shown = dashboard.http.get(f"{dashboard.base_url}/api/shift", timeout=10).json()
    assert shown["status"] == "recovery"
    assert 0 < shown["recovery_seconds_left"] <= RECOVERY_SECONDS
    calls_before = len(ana.phone.calls)

    next_caller.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(next_caller), what="the next caller holds")
    [_earlier, _crisis_call, waiting] = scenario.contacts(line)
    assert live.waiting() == [waiting.id]

    def rung() -> bool:
        placed = len(ana.phone.calls) > calls_before
        if now_ms() < ready_ms - MARGIN_MS:
            assert not placed, "Ana was offered the next caller during her recovery break"
            assert live.specialist(ana.id).get("offer") is None
        return placed

    wait_for(rung, timeout=RECOVERY_SECONDS + DEADLINE, what="the offer once the break is over")
    assert now_ms() >= ready_ms - MARGIN_MS
    scenario.advance_until(lambda: ana.phone.ringing, what="Ana's phone rings")
    scenario.advance_until(
        lambda: heard(ana.phone).count(WHISPER) == 2, what="Ana hears the next whisper"
    )
    ana.phone.press("1")
    wait_for(
        lambda: CONNECTED in heard(next_caller),
        timeout=DEADLINE,
        what="the next caller put through",
    )
    next_caller.hang_up()

    assert scenario.errors() == []
    dashboard.http.close()
