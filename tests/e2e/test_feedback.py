"""Feedback after a conversation, through gunicorn, RQ workers and the Twilio simulator.

The specialist hangs up; their leg's status callback sends the caller, still on the line, to
the questions by a REST redirect (https://www.twilio.com/docs/voice/api/call-resource#update-
a-call-resource, "url"), where each is one key (<Gather numDigits="1">,
https://www.twilio.com/docs/voice/twiml/gather). A caller who hangs up sends no key. After
each flow, nothing the line keeps (the database, Redis, the processes' logs) holds the
caller's number or words.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.e2e.test_handoff import CONNECTED, WHISPER
from tests.e2e.test_texts import Dashboard, received
from tests.services import wait_for
from tests.test_privacy_end_to_end import database_dump, redis_dump
from warmline import feedback
from warmline.crisis.scripts import survey_script
from warmline.models import Channel, Contact, Outcome, utcnow
from warmline.privacy import caller_tag
from warmline.simulator import APPLICATION_ERROR

DEADLINE = 30
HELPFUL = survey_script(feedback.HELPFUL, "voice", "en")
RETURN = survey_script(feedback.RETURN, "voice", "en")
THANKS = survey_script(feedback.THANKS, "voice", "en")
GOODBYE = "Thank you for calling. If you need help later"


def heard(phone) -> str:
    return " ".join(phone.heard)


def number_forms(e164: str) -> list[str]:
    national = e164.removeprefix("+1")
    area, exchange, line = national[:3], national[3:6], national[6:]
    return [e164, e164.removeprefix("+"), national, f"({area}) {exchange}-{line}",
            f"{area}-{exchange}-{line}", f"{area} {exchange} {line}"]  # fmt: skip


def talking(scenario, line, ana, caller) -> int:
    """The caller waits, Ana presses 1, and they talk; return the call's contact id."""
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
    return scenario.contacts(line)[-1].id


def kept_anywhere(scenario, secrets: list[str]) -> list[str]:
    """Return the secrets found in the database, Redis or the web, worker and clock logs."""
    stack = scenario.stack
    with stack.services.sessions() as session:
        kept = database_dump(session)
    kept += redis_dump(stack.services.redis)
    kept += "".join(
        log.read_text(errors="replace") for log in stack.processes.directory.glob("*.log")
    )
    return [secret for secret in secrets if secret in kept]


def the_contact(scenario, contact_id: int) -> Contact:
    with scenario.stack.services.sessions() as session:
        return session.scalars(select(Contact).where(Contact.id == contact_id)).one()


def closed(scenario, contact_id: int) -> bool:
    return the_contact(scenario, contact_id).ended_at is not None


def test_a_caller_answers_both_questions_after_their_specialist_hangs_up(scenario):
    line = scenario.line(survey_enabled=True)
    ana = scenario.specialist(line, "Ana")
    caller = scenario.phone()
    contact_id = talking(scenario, line, ana, caller)

    ana.phone.hang_up()
    wait_for(lambda: HELPFUL in heard(caller), timeout=DEADLINE, what="the first question")
    caller.press("4")
    scenario.advance_until(lambda: RETURN in heard(caller), what="the second question")
    caller.press("1")
    scenario.advance_until(lambda: THANKS in heard(caller), what="the thanks")
    scenario.advance_until(lambda: caller.state == "idle", what="the call ends after the thanks")
    wait_for(lambda: closed(scenario, contact_id), timeout=DEADLINE, what="the contact closed")

    contact = the_contact(scenario, contact_id)
    assert (contact.survey_helpful, contact.survey_would_return) == (4, True)
    assert contact.outcome is Outcome.ANSWERED
    assert contact.talk_seconds == round(
        (contact.survey_asked_at - contact.connected_at).total_seconds()
    )
    assert GOODBYE not in heard(caller)
    assert APPLICATION_ERROR not in caller.heard
    assert scenario.errors() == []
    assert scenario.live(line).specialist(ana.id)["status"] == "wrap_up"
    assert kept_anywhere(scenario, number_forms(caller.number)) == []
    assert kept_anywhere(scenario, [ana.phone.number]) == [ana.phone.number], (
        "the scan finds a number the line does keep: the specialist's own phone"
    )


def test_a_caller_who_hangs_up_at_the_question_leaves_no_answer(scenario):
    line = scenario.line(survey_enabled=True)
    ana = scenario.specialist(line, "Ana")
    caller = scenario.phone()
    contact_id = talking(scenario, line, ana, caller)

    ana.phone.hang_up()
    wait_for(lambda: HELPFUL in heard(caller), timeout=DEADLINE, what="the first question")
    caller.hang_up()
    wait_for(lambda: closed(scenario, contact_id), timeout=DEADLINE, what="the contact closed")

    contact = the_contact(scenario, contact_id)
    assert contact.survey_asked_at is not None
    assert (contact.survey_helpful, contact.survey_would_return) == (None, None)
    assert contact.outcome is Outcome.ANSWERED
    assert scenario.errors() == []


def test_a_caller_who_hangs_up_first_is_asked_nothing(scenario):
    line = scenario.line(survey_enabled=True)
    ana = scenario.specialist(line, "Ana")
    caller = scenario.phone()
    contact_id = talking(scenario, line, ana, caller)

    caller.hang_up()
    wait_for(lambda: closed(scenario, contact_id), timeout=DEADLINE, what="the contact closed")

    assert the_contact(scenario, contact_id).survey_asked_at is None
    assert HELPFUL not in heard(caller)
    assert scenario.errors() == []


def test_a_caller_flagged_for_crisis_hears_the_goodbye_not_the_questions(scenario, stack):
    """A crisis flag from the caller's contact an hour ago carries over to this call."""
    line = scenario.line(survey_enabled=True)
    ana = scenario.specialist(line, "Ana")
    caller = scenario.phone()
    an_hour_ago = utcnow() - timedelta(hours=1)
    with stack.services.sessions() as session:
        session.add(
            Contact(
                line_id=line.id,
                channel=Channel.VOICE,
                caller_tag=caller_tag(caller.number, stack.settings.caller_key),
                arrived_at=an_hour_ago,
                ended_at=an_hour_ago + timedelta(minutes=5),
                outcome=Outcome.CRISIS_REFERRED,
                crisis_tier=2,
                crisis_referred_at=an_hour_ago,
            )
        )
        session.commit()
    contact_id = talking(scenario, line, ana, caller)

    ana.phone.hang_up()
    wait_for(lambda: GOODBYE in heard(caller), timeout=DEADLINE, what="the goodbye")

    contact = the_contact(scenario, contact_id)
    assert contact.crisis_tier > 0
    assert contact.survey_asked_at is None
    assert HELPFUL not in heard(caller)
    assert scenario.errors() == []
    caller.hang_up()


def test_a_texter_answers_the_question_sent_after_the_close(scenario, stack):
    line = scenario.line(survey_enabled=True)
    ana = scenario.specialist(line, "Ana", on_shift=False)
    dashboard = Dashboard(stack.settings.public_url)
    dashboard.sign_in(ana.email)
    dashboard.start_shift(line.id)
    texter = scenario.phone()
    words = "it has been a rough week at the warehouse"

    texter.send_text(line.twilio_number, words)
    wait_for(lambda: received(texter, line), timeout=DEADLINE, what="the welcome")
    [contact] = scenario.contacts(line)
    assert dashboard.post(f"/api/contacts/{contact.id}/accept").status_code == 200
    assert dashboard.post(f"/api/contacts/{contact.id}/close").status_code == 200
    question = survey_script(feedback.HELPFUL, "sms", "en")
    wait_for(lambda: question in received(texter, line), timeout=DEADLINE, what="the question")
    texter.send_text(line.twilio_number, "5")
    thanks = survey_script(feedback.THANKS, "sms", "en")
    wait_for(lambda: thanks in received(texter, line), timeout=DEADLINE, what="the thanks")

    assert [c.id for c in scenario.contacts(line)] == [contact.id], "the digit opened nothing"
    assert the_contact(scenario, contact.id).survey_helpful == 5
    assert scenario.live(line).stored_conversations() == []
    assert scenario.errors() == []
    assert kept_anywhere(scenario, [*number_forms(texter.number), words, "warehouse"]) == []
    dashboard.http.close()
