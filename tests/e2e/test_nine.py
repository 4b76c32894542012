"""Press 9 at every point of every path a caller can take, and reach the crisis line (issue 13).

Each point brings a caller to a sentence in the simulator and presses 9 as the words start.
Twilio gathers keys only inside <Gather> (https://www.twilio.com/docs/voice/twiml/gather);
the simulator drops a key pressed anywhere else, as Twilio does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.clock import zone_at_noon
from tests.e2e.stack import Scenario, Specialist
from tests.services import wait_for
from warmline import offers, wording
from warmline.models import WEEKDAYS, Block, Channel, Contact, Line, Outcome, utcnow
from warmline.privacy import caller_tag
from warmline.simulator import APPLICATION_ERROR, Phone

DEADLINE = 30
TIMEZONE = "America/Chicago"
LINE_NAME = "Riverside Warm Line"
WHISPER = "Press 1 to accept."
CRISIS = wording.spoken("crisis", "en").text
CONNECTING = wording.spoken("connecting", "en").text
CONNECTED = wording.spoken("connected", "en").text


def said(kind: str, **values: object) -> str:
    return wording.spoken(kind, "en", name=LINE_NAME, **values).text


def accept_on_screen(scenario: Scenario, contact_id: int, specialist) -> None:
    """Take the caller as the dashboard's Accept does."""
    services = scenario.stack.services
    with services.sessions() as session:
        assert offers.accept(
            session,
            services.redis,
            services.jobs,
            contact_id=contact_id,
            specialist_id=specialist.id,
        )


def hears(phone: Phone, words: str) -> Callable[[], bool]:
    return lambda: words in phone.heard


# Each point: set up the line, dial, and stop as the caller starts hearing its words.


def at_the_greeting(scenario: Scenario, caller: Phone) -> Line:
    line = scenario.line(languages=["en", "es"])
    scenario.specialist(line, "Ana").phone.never_answers()
    caller.dial(line.twilio_number)
    scenario.advance_until(hears(caller, said("welcome")), what="the greeting")
    assert scenario.holding(caller), "welcomed on hold"
    return line


def at_the_greeting_that_listens_for_words(scenario: Scenario, caller: Phone) -> Line:
    line = scenario.line(speech_enabled=True)
    scenario.specialist(line, "Ana").phone.never_answers()
    caller.dial(line.twilio_number)
    scenario.advance_until(hears(caller, said("welcome")), what="the greeting")
    assert not scenario.holding(caller), "greeted before the queue, where words are heard"
    return line


def at_the_language_menu(scenario: Scenario, caller: Phone) -> Line:
    line = scenario.line(languages=["en", "es"])
    scenario.specialist(line, "Ana").phone.never_answers()
    caller.dial(line.twilio_number)
    first_choice = wording.language_menu(("en", "es"), "en")[0].text
    scenario.advance_until(hears(caller, first_choice), what="the language menu")
    return line


def at_the_first_words_on_hold(scenario: Scenario, caller: Phone) -> Line:
    line = scenario.line()
    scenario.specialist(line, "Ana").phone.never_answers()
    caller.dial(line.twilio_number)
    scenario.advance_until(hears(caller, said("hold")), what="'please stay on the line'")
    assert scenario.holding(caller)
    return line


def in_the_hold_loop(scenario: Scenario, caller: Phone) -> Line:
    line = scenario.line()
    scenario.specialist(line, "Ana").phone.never_answers()
    caller.dial(line.twilio_number)
    scenario.advance_until(hears(caller, said("press_9")), what="the hold loop's reminder")
    assert scenario.holding(caller)
    return line


def at_the_overflow_menu(scenario: Scenario, caller: Phone) -> Line:
    line = scenario.line(max_wait_seconds=60)
    scenario.specialist(line, "Ana").phone.never_answers()
    caller.dial(line.twilio_number)
    scenario.advance_until(hears(caller, said("overflow")), what="the overflow menu")
    return line


def _ana_rung(scenario: Scenario, caller: Phone, *, answers: bool) -> tuple[Line, Specialist]:
    """The caller holds and a worker rings Ana, who picks up at once or not at all."""
    line = scenario.line()
    ana = scenario.specialist(line, "Ana")
    if answers:
        ana.phone.answers_after(rings=1)
    else:
        ana.phone.never_answers()
    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(caller), what="the caller waits on hold")
    scenario.wait_until_rung(ana.phone, what="a worker to ring Ana")
    return line, ana


def _at_the_whisper(scenario: Scenario, caller: Phone) -> tuple[Line, Specialist]:
    line, ana = _ana_rung(scenario, caller, answers=True)
    scenario.advance_until(
        lambda: WHISPER in " ".join(ana.phone.heard), what="Ana hears the whisper"
    )
    return line, ana


def while_the_specialist_hears_the_whisper(scenario: Scenario, caller: Phone) -> Line:
    line, _ana = _at_the_whisper(scenario, caller)
    return line


def while_the_specialist_who_accepted_on_screen_is_rung(scenario: Scenario, caller: Phone) -> Line:
    line, ana = _ana_rung(scenario, caller, answers=False)
    accept_on_screen(scenario, scenario.contact(line).id, ana)
    # A worker moves the caller: wait on the real clock, not by running the simulated one on.
    wait_for(hears(caller, CONNECTING), timeout=DEADLINE, what="the caller hears 'one moment'")
    return line


def as_the_caller_is_told_they_are_connected(scenario: Scenario, caller: Phone) -> Line:
    line, ana = _at_the_whisper(scenario, caller)
    ana.phone.press("1")
    wait_for(hears(caller, CONNECTED), timeout=DEADLINE, what="the caller hears 'connected'")
    return line


def after_hours(scenario: Scenario, caller: Phone) -> Line:
    opening_day = utcnow().astimezone(ZoneInfo(TIMEZONE)).date() + timedelta(days=1)
    line = scenario.line(
        timezone=TIMEZONE, opening_hours={WEEKDAYS[opening_day.weekday()]: [["09:00", "17:00"]]}
    )
    caller.dial(line.twilio_number)
    scenario.advance_until(hears(caller, said("closed")), what="the closed message")
    return line


def over_the_daily_limit(scenario: Scenario, caller: Phone) -> Line:
    # The earlier call, twenty minutes ago, is on the line's today only far from its midnight.
    talked = utcnow() - timedelta(minutes=20)
    line = scenario.line(daily_contact_limit=1, timezone=zone_at_noon(talked))
    stack = scenario.stack
    with stack.services.sessions() as session:
        session.add(
            Contact(
                line_id=line.id,
                channel=Channel.VOICE,
                caller_tag=caller_tag(caller.number, stack.settings.caller_key),
                arrived_at=talked,
                ended_at=talked + timedelta(minutes=10),
                outcome=Outcome.ANSWERED,
            )
        )
        session.commit()
    caller.dial(line.twilio_number)
    scenario.advance_until(hears(caller, said("limited")), what="the daily limit message")
    return line


def blocked(scenario: Scenario, caller: Phone) -> Line:
    line = scenario.line()
    stack = scenario.stack
    with stack.services.sessions() as session:
        tag = caller_tag(caller.number, stack.settings.caller_key)
        session.add(Block(line_id=line.id, caller_tag=tag, reason="repeated abuse"))
        session.commit()
    caller.dial(line.twilio_number)
    scenario.advance_until(hears(caller, said("blocked")), what="the blocked message")
    return line


POINTS = [
    at_the_greeting,
    at_the_greeting_that_listens_for_words,
    at_the_language_menu,
    at_the_first_words_on_hold,
    in_the_hold_loop,
    at_the_overflow_menu,
    while_the_specialist_hears_the_whisper,
    while_the_specialist_who_accepted_on_screen_is_rung,
    as_the_caller_is_told_they_are_connected,
    after_hours,
    over_the_daily_limit,
    blocked,
]


@pytest.mark.parametrize("point", POINTS, ids=[point.__name__ for point in POINTS])
def test_9_pressed_as_the_words_start_reaches_the_crisis_line(scenario, point):
    caller = scenario.phone()
    line = point(scenario, caller)
    crisis_line = scenario.sim.phone(line.crisis_number).answers_after(rings=1)

    caller.press("9")
    scenario.advance_until(
        lambda: caller.connected_to == [crisis_line.number], what="the crisis line answers"
    )

    assert CRISIS in caller.heard
    assert APPLICATION_ERROR not in caller.heard
    assert scenario.errors() == []
    assert scenario.contacts(line)[-1].crisis_referred_at is not None
    caller.hang_up()
