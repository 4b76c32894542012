"""Warm handoffs to the crisis line through gunicorn, RQ workers and the Twilio simulator.

A crisis line answers with a menu or a recording before a counselor, and Twilio cannot tell
the two apart: a Participant's call is "in-progress" once answered, whoever or whatever
answered (https://www.twilio.com/docs/voice/api/conference-participant-resource, the
`status` and `StatusCallbackEvent` parameters: initiated, ringing, answered, completed). So
the specialist says when they hear a person, and nobody is left alone in the conference: a
conference goes on while anyone is in it unless the one leaving has `endConferenceOnExit`
(https://www.twilio.com/docs/voice/twiml/conference#attributes-endconferenceonexit).
"""

from __future__ import annotations

from tests.e2e.test_texts import Dashboard
from tests.services import wait_for
from warmline.simulator import APPLICATION_ERROR

DEADLINE = 30
WHISPER = "Press 1 to accept."
CONNECTED = "You are now connected with a peer specialist."
TO_CRISIS_LINE = "Connecting you to the 9 8 8 Suicide and Crisis Lifeline now."
NOT_THROUGH = "If you could not get through, please call or text 9 8 8 yourself"
GOODBYE = "Thank you for calling. If you need help later"


def heard(phone) -> str:
    return " ".join(phone.heard)


def in_conversation(scenario, line, ana, caller) -> int:
    """The caller waits, Ana presses 1, and they talk; return the contact's id."""
    ana.phone.answers_after(rings=1)
    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(caller), what="the caller waits on hold")
    scenario.wait_until_rung(ana.phone, what="a worker to ring Ana")
    scenario.advance_until(lambda: WHISPER in heard(ana.phone), what="Ana hears the whisper")
    ana.phone.press("1")
    wait_for(lambda: CONNECTED in heard(caller), timeout=DEADLINE, what="the caller put through")
    scenario.advance_until(
        lambda: caller.connected_to == [ana.phone.number], what="caller and Ana talk"
    )
    return scenario.contact(line).id


def handoff_state(dashboard: Dashboard, contact_id: int) -> str:
    """The counselor leg's state as Ana's dashboard shows it."""
    response = dashboard.http.get(f"{dashboard.base_url}/api/queue", timeout=10)
    [mine] = [c for c in response.json()["mine"] if c["id"] == contact_id]
    return mine["crisis_leg"]


def transfer(dashboard: Dashboard, contact_id: int, crisis_line) -> None:
    assert dashboard.post(f"/api/contacts/{contact_id}/transfer").status_code == 202
    wait_for(lambda: crisis_line.ringing, timeout=DEADLINE, what="a worker to dial the crisis line")


def counselor_answers(scenario, dashboard: Dashboard, contact_id: int, crisis_line) -> None:
    scenario.advance_until(lambda: crisis_line.state == "in-call", what="the crisis line answers")
    wait_for(
        lambda: handoff_state(dashboard, contact_id) == "answered",
        timeout=DEADLINE,
        what="the dashboard to show the crisis line answered",
    )


def test_a_counselor_confirmed_by_the_specialist_keeps_the_caller_when_the_specialist_leaves(
    scenario, open_dashboard
):
    line = scenario.line()
    ana = scenario.specialist(line, "Ana")
    crisis_line = scenario.sim.phone(line.crisis_number).answers_after(rings=1)
    caller = scenario.phone()
    contact_id = in_conversation(scenario, line, ana, caller)
    dashboard = open_dashboard(ana)

    transfer(dashboard, contact_id, crisis_line)
    counselor_answers(scenario, dashboard, contact_id, crisis_line)
    refused = dashboard.post(f"/api/contacts/{contact_id}/hang-up")
    assert refused.status_code == 409, "an answered crisis line may only be its menu"
    assert "stay on" in refused.json()["error"].lower()
    assert sorted(caller.connected_to) == sorted([ana.phone.number, crisis_line.number])

    assert dashboard.post(f"/api/contacts/{contact_id}/counselor-joined").status_code == 200
    assert handoff_state(dashboard, contact_id) == "joined"
    assert dashboard.post(f"/api/contacts/{contact_id}/hang-up").status_code == 202
    wait_for(lambda: ana.phone.state == "idle", timeout=DEADLINE, what="Ana's phone hangs up")

    scenario.advance_until(
        lambda: caller.connected_to == [crisis_line.number], what="caller and counselor talk"
    )
    scenario.stack.clock.advance(30)
    assert caller.connected_to == [crisis_line.number], "the caller stays with the counselor"
    assert GOODBYE not in heard(caller) and TO_CRISIS_LINE not in heard(caller)
    assert scenario.contact(line).ended_at is None
    caller.hang_up()
    assert APPLICATION_ERROR not in caller.heard
    assert scenario.errors() == []


def test_a_caller_the_counselor_hangs_up_on_after_the_specialist_left_reaches_the_crisis_line(
    scenario, open_dashboard
):
    line = scenario.line()
    ana = scenario.specialist(line, "Ana")
    crisis_line = scenario.sim.phone(line.crisis_number).answers_after(rings=1)
    caller = scenario.phone()
    contact_id = in_conversation(scenario, line, ana, caller)
    dashboard = open_dashboard(ana)
    transfer(dashboard, contact_id, crisis_line)
    counselor_answers(scenario, dashboard, contact_id, crisis_line)
    assert dashboard.post(f"/api/contacts/{contact_id}/counselor-joined").status_code == 200
    assert dashboard.post(f"/api/contacts/{contact_id}/hang-up").status_code == 202
    wait_for(lambda: ana.phone.state == "idle", timeout=DEADLINE, what="Ana's phone hangs up")
    assert caller.connected_to == [crisis_line.number]

    crisis_line.hang_up()

    wait_for(
        lambda: TO_CRISIS_LINE in heard(caller),
        timeout=DEADLINE,
        what="the caller, alone in the conference, taken to the crisis line",
    )
    scenario.advance_until(
        lambda: caller.connected_to == [crisis_line.number], what="the crisis line answers again"
    )
    assert heard(caller).count(TO_CRISIS_LINE) == 1
    assert APPLICATION_ERROR not in caller.heard
    assert scenario.errors() == []
    caller.hang_up()


def test_a_crisis_line_that_does_not_answer_leaves_the_caller_with_the_specialist(
    scenario, open_dashboard
):
    line = scenario.line()
    ana = scenario.specialist(line, "Ana")
    crisis_line = scenario.sim.phone(line.crisis_number).never_answers()
    caller = scenario.phone()
    contact_id = in_conversation(scenario, line, ana, caller)
    dashboard = open_dashboard(ana)

    transfer(dashboard, contact_id, crisis_line)
    assert handoff_state(dashboard, contact_id) in {"dialing", "ringing"}
    assert dashboard.post(f"/api/contacts/{contact_id}/hang-up").status_code == 409
    scenario.advance_until(lambda: not crisis_line.ringing, what="the crisis line rings out")
    wait_for(
        lambda: handoff_state(dashboard, contact_id) == "unreached",
        timeout=DEADLINE,
        what="the dashboard to tell Ana the crisis line did not answer",
    )
    assert caller.connected_to == [ana.phone.number], "the caller is still with Ana"

    assert dashboard.post(f"/api/contacts/{contact_id}/hang-up").status_code == 202
    wait_for(
        lambda: TO_CRISIS_LINE in heard(caller),
        timeout=DEADLINE,
        what="the caller Ana left taken to the crisis line, not a bare goodbye",
    )
    scenario.advance_until(lambda: NOT_THROUGH in heard(caller), what="the numbers to call")
    assert GOODBYE not in heard(caller)
    assert APPLICATION_ERROR not in caller.heard
    assert scenario.errors() == []
