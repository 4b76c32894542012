"""How soon a caller is in line, and how soon a specialist is rung, on the simulator's clock.

Before issue 13 the greeting came ahead of <Enqueue> (welcome, language prompts, the menu's
wait, the sentence before the queue): 27 s on a one-language line and 34 s on a bilingual
one before a caller was in Twilio's queue, and on a bilingual line nobody was rung until then.
Now a caller is in line at once and welcomed on hold; the specialist's phone rings while the
welcome plays. Workers ring phones on the real clock: each test waits for them with the
simulated clock stopped, so the simulated seconds count only what the caller heard.
"""

from __future__ import annotations

from tests.e2e.stack import Scenario
from tests.services import wait_for
from warmline.simulator import Phone

WORKER_DEADLINE = 30
# A line that listens for words greets before the queue, where speech is heard: the welcome
# (10 s at the simulator's speaking rate) and the <Gather>'s 4 s for the caller to speak.
SPEECH_GREETING_SECONDS = 15
# A bilingual caller is offered to someone who speaks only one of the languages once the
# welcome, the Spanish prompt and the moment to press it (15 s) have passed in silence.
LANGUAGE_SETTLED_SECONDS = 16


def _in_line(scenario: Scenario, line, caller: Phone) -> bool:
    live = scenario.live(line)
    listed = live.waiting() + live.offered()
    return scenario.holding(caller) and [c.id for c in scenario.contacts(line)] == listed


def _rung_at(scenario: Scenario, phone: Phone, arrived: float) -> float:
    """Wait for a worker to place a call to `phone`; return the simulated seconds since the
    caller's call came. (The account places one call a second: it may ring a moment later.)"""
    wait_for(
        lambda: any(not call.ended for call in phone.calls),
        timeout=WORKER_DEADLINE,
        what="a worker to ring the specialist",
    )
    return scenario.stack.clock.now() - arrived


def test_a_caller_is_in_line_at_once_and_the_specialist_rung_as_the_welcome_starts(scenario):
    line = scenario.line()
    ana = scenario.specialist(line, "Ana").phone.never_answers()
    caller = scenario.phone()
    arrived = scenario.stack.clock.now()

    caller.dial(line.twilio_number)

    assert _in_line(scenario, line, caller)
    rung = _rung_at(scenario, ana, arrived)
    print(f"time to queue, en: 0; specialist rung after {rung:.0f} simulated seconds")
    assert rung == 0
    assert scenario.errors() == []


def test_on_a_bilingual_line_someone_who_speaks_both_is_rung_at_once(scenario):
    line = scenario.line(languages=["en", "es"])
    both = scenario.specialist(line, "Bea", languages=["en", "es"]).phone.never_answers()
    caller = scenario.phone()
    arrived = scenario.stack.clock.now()

    caller.dial(line.twilio_number)

    assert _in_line(scenario, line, caller)
    rung = _rung_at(scenario, both, arrived)
    print(f"time to queue, en+es: 0; bilingual specialist rung after {rung:.0f} s")
    assert rung == 0


def test_on_a_bilingual_line_someone_who_speaks_one_is_rung_once_the_caller_kept_it(scenario):
    line = scenario.line(languages=["en", "es"])
    ana = scenario.specialist(line, "Ana", languages=["en"]).phone.never_answers()
    caller = scenario.phone()
    arrived = scenario.stack.clock.now()

    caller.dial(line.twilio_number)
    assert _in_line(scenario, line, caller)
    contact = scenario.contact(line)
    scenario.advance_until(
        lambda: scenario.live(line).recall(contact.id, "needs") == "",
        what="the caller's silence keeps English",
    )
    rung = _rung_at(scenario, ana, arrived)
    print(f"English-only specialist rung after {rung:.0f} simulated seconds")
    assert rung <= LANGUAGE_SETTLED_SECONDS


def test_a_line_that_listens_for_words_rings_the_specialist_during_the_greeting(scenario):
    line = scenario.line(speech_enabled=True)
    ana = scenario.specialist(line, "Ana").phone.never_answers()
    caller = scenario.phone()
    arrived = scenario.stack.clock.now()

    caller.dial(line.twilio_number)

    assert not scenario.holding(caller)
    assert _rung_at(scenario, ana, arrived) == 0
    scenario.advance_until(
        lambda: _in_line(scenario, line, caller), what="the caller in Twilio's queue"
    )
    took = scenario.stack.clock.now() - arrived
    print(f"time to queue, speech: {took:.0f} simulated seconds")
    assert took <= SPEECH_GREETING_SECONDS
    assert scenario.errors() == []
