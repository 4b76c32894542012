"""Redis comes back empty (no persistence) with specialists on shift, a caller on hold whose
offer is ringing, and a texter waiting: through gunicorn, RQ workers, the clock and the
simulator, everyone is offered and answered again, and nobody is offered to two at once.

The figures it prints (`-s`) are what the report quotes: how long after the loss the line was
rebuilt, the caller offered and put through, the texter offered and answered.
"""

from __future__ import annotations

import time

from tests.e2e.test_calls import CONNECTED, WHISPER, heard
from tests.e2e.test_texts import Dashboard, received
from tests.services import wait_for
from warmline import offers
from warmline.models import Outcome
from warmline.simulator import APPLICATION_ERROR

DEADLINE = 30
# Short rings keep the wait short: every offer that could be ringing when Redis lost it has
# run out after the lease, and only then are the specialists offered again.
RING_TIMEOUT = 5


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
