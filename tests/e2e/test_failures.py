"""Calls that still reach help when a process or Redis dies under them."""

from __future__ import annotations

from rq import Worker

from tests.services import wait_for
from warmline.models import Outcome
from warmline.simulator import APPLICATION_ERROR

DEADLINE = 30
WHISPER = "Press 1 to accept."
CONNECTED = "You are now connected with a peer specialist."


def heard(phone) -> str:
    return " ".join(phone.heard)


def worker_running(redis, function: str) -> int | None:
    """Return the pid of the worker process running a job of `function`, if one is."""
    for worker in Worker.all(connection=redis):
        job = worker.get_current_job()
        if job is not None and job.func_name == function:
            return worker.pid
    return None


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
    found: list[int] = []
    wait_for(
        lambda: (
            found.append(worker_running(stack.services.redis, "workers.jobs.offer_contacts"))
            or found[-1] is not None
        ),
        timeout=DEADLINE,
        what="the worker holding the offer",
    )
    stack.processes.kill(found[-1])
    stack.gate.release()
    stack.processes.start_worker()
    assert ana.phone.transcript == [], "the killed worker never reached Ana's phone"

    # The offer's lease (ring timeout + 5 s) runs out; the clock's repair offers the caller again.
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
