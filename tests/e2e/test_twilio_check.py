"""`warmline twilio check`, run against the simulator by an operator whose hands are the test.

The check is written for real Twilio; here the simulator's REST API answers its reads
(IncomingPhoneNumbers, Monitor's Alerts) and the scripted operator does what the check asks
with simulated phones, then answers its questions from what those phones really heard.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.e2e.test_texts import Dashboard
from tests.services import wait_for
from warmline.twilio_check import Finding, Outcome, TwilioCheck, twilio_client

DEADLINE = 30
WHISPER = "Press 1 to accept."
CONNECTED = "You are now connected with a peer specialist."
IN_LINE = "You are next in line"


def heard(phone) -> str:
    return " ".join(phone.heard)


def eventually(condition: Callable[[], object]) -> bool:
    """Whether `condition` comes true within the deadline (the answer to a question)."""
    try:
        wait_for(condition, timeout=DEADLINE, what="what the check asked about")
    except AssertionError:
        return False
    return True


class ScriptedOperator:
    """Does each step with the scenario's phones; answers from what the phones heard."""

    def __init__(
        self, actions: dict[str, Callable[[], None]], answers: dict[str, Callable]
    ) -> None:
        self._actions = actions
        self._answers = answers
        self._step = ""
        self.told: list[str] = []

    def tell(self, step: str, instruction: str) -> None:
        self._step = step
        self.told.append(step)
        self._actions.get(step, lambda: None)()

    def confirm(self, question: str) -> bool:
        return bool(self._answers[self._step]())


def run_check(
    scenario, line, operator, *, wait_seconds: float = DEADLINE, handoff: bool = False
) -> dict[str, Finding]:
    settings = scenario.stack.settings
    check = TwilioCheck(
        settings=settings,
        client=twilio_client(settings),
        sessions=scenario.stack.services.sessions,
        line=line,
        operator=operator,
        wait_seconds=wait_seconds,
        handoff=handoff,
    )
    return {finding.step: finding for finding in check.run()}


def line_texts(phone, line) -> list[str]:
    return [text.body for text in phone.texts if text.sender == line.twilio_number]


def test_the_check_sees_a_call_and_a_text_on_a_line_set_up_as_the_readme_says(scenario):
    line = scenario.line()
    ana = scenario.specialist(line, "Ana")
    ana.phone.never_answers()
    caller = scenario.phone()
    replies_before: list[int] = []

    def call_in() -> None:
        caller.dial(line.twilio_number)
        scenario.advance_until(lambda: IN_LINE in heard(caller), what="the caller hears 'in line'")

    def answer() -> None:
        # Ana's phone rings while the caller is welcomed on hold; she picks up now.
        scenario.wait_until_rung(ana.phone, what="a worker to ring Ana")
        ana.phone.answer()
        scenario.advance_until(lambda: WHISPER in heard(ana.phone), what="Ana hears the whisper")
        ana.phone.press("1")
        wait_for(
            lambda: CONNECTED in heard(caller), timeout=DEADLINE, what="the caller put through"
        )
        scenario.advance_until(lambda: caller.connected_to, what="caller and Ana talk")

    def text(body: str) -> Callable[[], None]:
        def send() -> None:
            replies_before.append(len(line_texts(caller, line)))
            caller.send_text(line.twilio_number, body)

        return send

    def one_more_reply() -> bool:
        return eventually(lambda: len(line_texts(caller, line)) > replies_before[-1])

    operator = ScriptedOperator(
        actions={
            "greeting": call_in,
            "answer": answer,
            "hang up": caller.hang_up,
            "text": text("hello"),
            "stop": text("STOP"),
            "start": text("START"),
        },
        answers={
            "greeting": lambda: (
                IN_LINE in heard(caller) and "application error" not in heard(caller)
            ),
            "answer": lambda: caller.connected_to == [ana.phone.number],
            "text": one_more_reply,
            "stop": one_more_reply,
            "start": one_more_reply,
        },
    )

    findings = run_check(scenario, line, operator)

    outcomes = {step: finding.outcome for step, finding in findings.items()}
    assert outcomes == {
        "number": Outcome.PASSED,
        "reachable": Outcome.PASSED,
        "greeting": Outcome.PASSED,
        "answer": Outcome.PASSED,
        "handoff": Outcome.SKIPPED,
        "hang up": Outcome.PASSED,
        "text": Outcome.PASSED,
        "stop": Outcome.PASSED,
        "start": Outcome.PASSED,
        "alerts": Outcome.PASSED,
    }, findings
    assert "answered" in findings["hang up"].detail
    assert "--crisis-phone-is-mine" in findings["handoff"].detail


def test_the_check_names_a_misdirected_number_and_the_errors_twilio_recorded(scenario):
    line = scenario.line()
    number = scenario.sim.line(line.twilio_number)
    base = scenario.stack.settings.public_url
    number.voice_url = f"{base}/webhooks/voice/nowhere"
    number.fallback_url = ""
    caller = scenario.phone()

    operator = ScriptedOperator(
        actions={
            "greeting": lambda: caller.dial(line.twilio_number),
            "text": lambda: caller.send_text(line.twilio_number, "hello"),
            "stop": lambda: None,
            "start": lambda: None,
        },
        answers={"text": lambda: True, "stop": lambda: True, "start": lambda: True},
    )

    findings = run_check(scenario, line, operator, wait_seconds=3)

    assert findings["number"].outcome is Outcome.FAILED
    assert f"voice_url is {base}/webhooks/voice/nowhere" in findings["number"].detail
    assert "voice_fallback_url is empty" in findings["number"].detail
    assert findings["greeting"].outcome is Outcome.FAILED
    assert "no call reached the line within 3 s" in findings["greeting"].detail
    assert "answer" not in findings and "hang up" not in findings
    assert findings["alerts"].outcome is Outcome.FAILED
    assert f"11200 at {base}/webhooks/voice/nowhere" in findings["alerts"].detail
    assert caller.number not in " ".join(finding.detail for finding in findings.values())


def test_a_number_the_account_does_not_own_is_named(scenario):
    line = scenario.line()
    operator = ScriptedOperator(actions={}, answers={})
    check = TwilioCheck(
        settings=scenario.stack.settings,
        client=twilio_client(scenario.stack.settings),
        sessions=scenario.stack.services.sessions,
        line=line,
        operator=operator,
        wait_seconds=1,
        handoff=False,
    )
    scenario.sim.lines.pop(line.twilio_number)

    finding = check.number_settings()

    assert finding.outcome is Outcome.FAILED
    assert finding.detail == f"this account has no number {line.twilio_number}"


def test_with_the_operators_own_crisis_phone_the_check_walks_the_warm_handoff(scenario):
    line = scenario.line()
    ana = scenario.specialist(line, "Ana")
    ana.phone.answers_after(rings=1)
    crisis_phone = scenario.sim.phone(line.crisis_number).answers_after(rings=1)
    caller = scenario.phone()
    dashboard = Dashboard(scenario.stack.settings.public_url)
    dashboard.sign_in(ana.email)

    def call_in() -> None:
        caller.dial(line.twilio_number)
        scenario.advance_until(lambda: scenario.holding(caller), what="the caller waits on hold")

    def answer() -> None:
        scenario.wait_until_rung(ana.phone, what="a worker to ring Ana")
        scenario.advance_until(lambda: WHISPER in heard(ana.phone), what="Ana hears the whisper")
        ana.phone.press("1")
        wait_for(
            lambda: CONNECTED in heard(caller), timeout=DEADLINE, what="the caller put through"
        )

    def hand_off() -> None:
        contact_id = scenario.contact(line).id
        assert dashboard.post(f"/api/contacts/{contact_id}/transfer").status_code == 202
        wait_for(lambda: crisis_phone.ringing, timeout=DEADLINE, what="the crisis phone rings")
        scenario.advance_until(lambda: crisis_phone.state == "in-call", what="it is answered")
        wait_for(
            lambda: (
                dashboard.post(f"/api/contacts/{contact_id}/counselor-joined").status_code == 200
            ),
            timeout=DEADLINE,
            what="the dashboard to let Ana confirm the counselor",
        )
        ana.phone.hang_up()
        scenario.advance_until(
            lambda: caller.connected_to == [crisis_phone.number], what="caller and counselor talk"
        )

    operator = ScriptedOperator(
        actions={
            "greeting": call_in,
            "answer": answer,
            "handoff": hand_off,
            "hang up": caller.hang_up,
            "text": lambda: caller.send_text(line.twilio_number, "hello"),
        },
        answers={
            "greeting": lambda: IN_LINE in heard(caller),
            "answer": lambda: caller.connected_to == [ana.phone.number],
            "handoff": lambda: caller.connected_to == [crisis_phone.number],
            "text": lambda: True,
            "stop": lambda: True,
            "start": lambda: True,
        },
    )
    findings = run_check(scenario, line, operator, handoff=True)

    assert findings["handoff"].outcome is Outcome.PASSED, findings
    assert findings["hang up"].outcome is Outcome.PASSED, findings
    assert findings["alerts"].outcome is Outcome.PASSED, findings
    dashboard.http.close()
