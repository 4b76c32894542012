"""Conference rooms as Twilio documents them: who keeps a room going, and who ends it.

A conference ends when its last participant leaves, or when a participant with
`endConferenceOnExit="true"` leaves (https://www.twilio.com/docs/voice/twiml/conference,
attribute `endConferenceOnExit`; the Conference resource's `reason_conference_ended`:
`last-participant-left`, `participant-with-end-conference-on-exit-left`,
https://www.twilio.com/docs/voice/api/conference-resource). A <Dial> whose conference ended
goes on to the next verb, as every <Dial> does when its call ends
(https://www.twilio.com/docs/voice/twiml/dial).
"""

from __future__ import annotations

LINE = "+15017122661"
CALLER = "+14155550123"
COUNSELOR = "+14155550188"
INCOMING = "/webhooks/voice/incoming"


def room(ends_on_exit: bool) -> str:
    flag = "true" if ends_on_exit else "false"
    return (
        f"<Response><Dial><Conference endConferenceOnExit='{flag}' beep='false'>"
        "contact-7</Conference></Dial><Say>The room has ended.</Say></Response>"
    )


def caller_and_counselor_in_one_room(sim, script):
    """The caller ends the room on leaving (as warmline's caller does); the counselor does not."""
    script[INCOMING] = lambda form: room(ends_on_exit=form["From"] == CALLER)
    caller, counselor = sim.phone(CALLER), sim.phone(COUNSELOR)
    caller.dial(LINE)
    counselor.dial(LINE)
    assert caller.connected_to == [COUNSELOR]
    return caller, counselor


def test_the_caller_stays_alone_in_the_room_when_a_counselor_without_end_on_exit_leaves(
    sim, script, clock
):
    caller, counselor = caller_and_counselor_in_one_room(sim, script)

    counselor.hang_up()
    clock.advance(60)

    assert caller.state == "in-call", "the room goes on while anyone is in it"
    assert caller.connected_to == []
    assert caller.heard == [], "nobody is there, and nothing is said: silence"
    [conference] = list(sim.conferences.values())
    assert conference.status == "in-progress"


def test_the_caller_leaving_ends_the_room_and_the_counselor_goes_on_to_the_next_verb(
    sim, script, clock
):
    caller, counselor = caller_and_counselor_in_one_room(sim, script)

    caller.hang_up()
    clock.advance(5)

    [conference] = list(sim.conferences.values())
    assert conference.status == "completed"
    assert counselor.heard == ["The room has ended."]
