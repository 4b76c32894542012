"""The real warmline app answers calls and texts carried by the simulator."""

from __future__ import annotations

from tests.factories import LINE_NUMBER, OVERFLOW_NUMBER, make_line
from tests.services import wait_for
from warmline.simulator import APPLICATION_ERROR

CALLER = "+14155550123"


def test_caller_hears_crisis_numbers_and_reaches_the_overflow_phone(line, session):
    make_line(session, overflow_number=OVERFLOW_NUMBER)
    caller = line.sim.phone(CALLER)
    overflow = line.sim.phone(OVERFLOW_NUMBER).answers_after(rings=1)

    call = caller.dial(LINE_NUMBER)
    line.clock.advance(120)

    heard = " ".join(caller.heard)
    assert "9 8 8" in heard
    assert "9 1 1" in heard
    assert caller.connected_to == [OVERFLOW_NUMBER]
    assert overflow.connected_to == [CALLER]
    assert call.errors == []
    assert APPLICATION_ERROR not in caller.heard


def test_caller_hangs_up_and_the_app_hears_the_call_completed(line, session):
    make_line(session, overflow_number=OVERFLOW_NUMBER)
    caller = line.sim.phone(CALLER)
    line.sim.phone(OVERFLOW_NUMBER).answers_after(rings=0)
    call = caller.dial(LINE_NUMBER)
    line.clock.advance(60)

    caller.hang_up()

    assert call.status == "completed"
    assert line.sim.phone(OVERFLOW_NUMBER).state == "idle"
    assert line.sim.errors == []


def test_texter_gets_the_welcome_with_crisis_numbers(line, session):
    make_line(session)
    texter = line.sim.phone(CALLER)

    texter.send_text(LINE_NUMBER, "hello, is anyone there?")
    wait_for(lambda: len(texter.texts) == 2, timeout=10, what="the reply text")

    reply = texter.texts[-1]
    assert reply.sender == LINE_NUMBER
    assert "988" in reply.body
