"""Live support through gunicorn, RQ workers and the Twilio simulator: a specialist on a call
asks for support, the supervisor on duty is alerted, listens, coaches and joins.

A supervisor enters the call as a Conference Participant
(https://www.twilio.com/docs/voice/api/conference-participant-resource): `Muted` to listen;
`Coaching` with `CallSidToCoach` to coach, when "the participant being coached is the only
participant who can hear the participant who is coaching"; neither, to join.
"""

from __future__ import annotations

from sqlalchemy import select

from tests.e2e.test_handoff import in_conversation
from tests.e2e.test_texts import Dashboard
from tests.services import wait_for
from tests.test_privacy_end_to_end import database_dump, redis_dump
from warmline.models import AuditEvent, User
from warmline.simulator import APPLICATION_ERROR

DEADLINE = 30
MONITORING = "A supervisor may listen to calls"


def voices(phone) -> list[str]:
    """What the phone heard people say (not the line's recorded words)."""
    return [moment.words for moment in phone.transcript if moment.kind == "voice"]


def support(dashboard: Dashboard, contact_id: int) -> str:
    response = dashboard.http.get(f"{dashboard.base_url}/api/queue", timeout=10)
    [mine] = [c for c in response.json()["mine"] if c["id"] == contact_id]
    return mine["support"]


def board(dashboard: Dashboard, line_id: int) -> dict:
    url = f"{dashboard.base_url}/api/coordinator/lines/{line_id}/board"
    response = dashboard.http.get(url, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_specialist_asks_for_support_and_the_supervisor_listens_coaches_and_joins(
    scenario, open_dashboard
):
    line = scenario.line(monitoring_enabled=True)
    ana = scenario.specialist(line, "Ana")
    sam = scenario.specialist(line, "Sam", on_shift=False)
    with scenario.stack.services.sessions() as session:
        session.get(User, sam.id).supervisor = True
        session.commit()
    sam.phone.answers_after(rings=1)
    caller = scenario.phone()
    contact_id = in_conversation(scenario, line, ana, caller)
    assert MONITORING in " ".join(caller.heard), "the caller was told before anyone listened"
    ana_dashboard = open_dashboard(ana)
    sam_board = open_dashboard(sam)
    assert board(sam_board, line.id)["supervising"] is True

    asked = ana_dashboard.post(f"/api/contacts/{contact_id}/support")

    assert (asked.status_code, asked.json()) == (202, {"supervisors_on_duty": 1})
    [call] = board(sam_board, line.id)["conversations"]
    assert (call["id"], call["specialist"], call["support"]) == (contact_id, "Ana", "requested")

    listen = sam_board.post(f"/api/supervisor/contacts/{contact_id}", {"mode": "listen"})
    assert listen.status_code == 202
    scenario.wait_until_rung(sam.phone, what="a worker to ring Sam into the call")
    scenario.advance_until(
        lambda: sam.phone.number in caller.connected_to, what="Sam is in the conference"
    )
    assert support(ana_dashboard, contact_id) == "listening"
    caller.say("I have not slept in days.")
    sam.phone.say("Sam, muted.")
    assert "I have not slept in days." in voices(sam.phone)
    assert "Sam, muted." not in voices(ana.phone) + voices(caller)

    coach = sam_board.post(f"/api/supervisor/contacts/{contact_id}", {"mode": "coach"})
    assert coach.status_code == 202
    wait_for(
        lambda: _says_to(sam.phone, "Ask about their sleep.", ana.phone),
        timeout=DEADLINE,
        what="a worker to let Sam coach Ana",
    )
    assert "Ask about their sleep." not in voices(caller), "only the coached specialist hears"
    assert support(ana_dashboard, contact_id) == "coaching"

    join = sam_board.post(f"/api/supervisor/contacts/{contact_id}", {"mode": "join"})
    assert join.status_code == 202
    wait_for(
        lambda: _says_to(sam.phone, "Hello, I am Sam, a supervisor.", caller),
        timeout=DEADLINE,
        what="a worker to let everyone hear Sam",
    )
    assert "Hello, I am Sam, a supervisor." in voices(ana.phone)
    assert support(ana_dashboard, contact_id) == "joined"

    caller.hang_up()
    wait_for(lambda: sam.phone.state == "idle", timeout=DEADLINE, what="Sam's phone hangs up")
    with scenario.stack.services.sessions() as session:
        steps = [
            (e.action, e.actor_id)
            for e in session.scalars(select(AuditEvent).where(AuditEvent.target_id == contact_id))
            if e.target_type == "contact"
        ]
        dump = database_dump(session)
    assert steps == [
        ("support.request", ana.id),
        ("supervision.listen", sam.id),
        ("supervision.coach", sam.id),
        ("supervision.join", sam.id),
    ]
    assert APPLICATION_ERROR not in caller.heard
    assert scenario.errors() == []

    logs = "\n".join(
        log.read_text(errors="replace") for log in scenario.stack.processes.directory.glob("*.log")
    )
    redis = redis_dump(scenario.stack.services.redis)
    number_forms = [caller.number, caller.number[1:], caller.number[2:]]
    for where, text in (("logs", logs), ("database", dump), ("Redis", redis)):
        assert [form for form in number_forms if form in text] == [], where


def _says_to(speaker, words: str, listener) -> bool:
    """Say `words` into `speaker`; whether `listener` heard them."""
    speaker.say(words)
    return words in voices(listener)
