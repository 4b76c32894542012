"""Whole calls through gunicorn, RQ workers and the clock, carried by the Twilio simulator."""

from __future__ import annotations

from tests.services import wait_for
from warmline.models import Outcome
from warmline.simulator import APPLICATION_ERROR

# Real processes answer in milliseconds; this is only how long to wait before giving up.
DEADLINE = 30
WHISPER = "Press 1 to accept."
CONNECTED = "You are now connected with a peer specialist."


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
    wait_for(lambda: ana.phone.ringing, timeout=DEADLINE, what="a worker to ring Ana")
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
