"""How long a caller listens before they are in line, measured on the simulator's clock."""

from __future__ import annotations

import pytest

# The greeting ahead of <Enqueue> (welcome, language prompts, the menu's wait, the sentence
# before the queue) took 27 s on a one-language line and 34 s on a bilingual one before it was cut.
SECONDS_TO_QUEUE = {("en",): 21, ("en", "es"): 23}


@pytest.mark.parametrize("languages", list(SECONDS_TO_QUEUE), ids=["english", "bilingual"])
def test_a_silent_caller_is_in_line_soon_after_the_call_arrives(scenario, languages):
    line = scenario.line(languages=list(languages))
    scenario.specialist(line, "Ana").phone.never_answers()
    caller = scenario.phone()
    arrived = scenario.stack.clock.now()

    caller.dial(line.twilio_number)

    def in_line() -> bool:
        live = scenario.live(line)
        listed = live.waiting() + live.offered()
        return scenario.holding(caller) and [c.id for c in scenario.contacts(line)] == listed

    scenario.advance_until(in_line, what="the caller in Twilio's queue and the line's list")
    took = scenario.stack.clock.now() - arrived
    print(f"time to queue, {'+'.join(languages)}: {took:.0f} simulated seconds")
    assert took <= SECONDS_TO_QUEUE[languages]
    assert scenario.errors() == []
