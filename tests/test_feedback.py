"""Feedback after a conversation: the keypad questions, the text, who is never asked, the rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import twiml
from tests.factories import LINE_NUMBER, call_sid, make_line, make_specialist, message_sid, on_shift
from tests.fake_twilio import fake_twilio
from warmline import feedback, line_scripts, texts
from warmline.crisis.scripts import SURVEY_KINDS, check_survey_script, survey_script
from warmline.live import LiveLine
from warmline.models import Channel, Contact, Outcome, TextOptOut, utcnow
from warmline.privacy import caller_tag
from workers.queues import urgency_queues

TEXTER = "+14155550188"
HELPFUL_EN = survey_script(feedback.HELPFUL, "voice", "en")
RETURN_EN = survey_script(feedback.RETURN, "voice", "en")
THANKS_EN = survey_script(feedback.THANKS, "voice", "en")


@pytest.fixture
def twilio_api():
    with fake_twilio() as fake:
        yield fake


@pytest.fixture
def settings(settings, twilio_api):
    return replace(settings, twilio_api_base_url=twilio_api.base_url)


@pytest.fixture
def asking_line(session):
    return make_line(session, survey_enabled=True, languages=["en", "es"])


@pytest.fixture
def ana(app, session, asking_line):
    specialist = make_specialist(
        session, asking_line, name="Ana", phone="+14155550171", languages=["en", "es"]
    )
    on_shift(app, session, asking_line, specialist)
    return specialist


def talking(session, line, specialist, **fields) -> Contact:
    """A call a specialist answered nine minutes ago, still going on."""
    now = utcnow()
    contact = Contact(
        line_id=line.id,
        channel=Channel.VOICE,
        call_sid=call_sid(),
        arrived_at=now - timedelta(minutes=10),
        connected_at=now - timedelta(minutes=9),
        wait_seconds=60,
        specialist_id=specialist.id,
        **fields,
    )
    session.add(contact)
    session.commit()
    return contact


def left_alone(twilio, contact):
    """The specialist hung up: the worker redirected the caller to the goodbye URL."""
    response = twilio.post(f"/webhooks/voice/goodbye?contact={contact.id}", {"CallSid": "x"})
    root = twiml.parse(response)
    twiml.assert_valid_voice(root)
    return root


def press(twilio, root, digits: str):
    response = twilio.post(root.find("Gather").get("action"), {"Digits": digits})
    root = twiml.parse(response)
    twiml.assert_valid_voice(root)
    return root


def asks(root, question: str, attempt: int) -> bool:
    gather = root.find("Gather")
    return (
        gather is not None
        and gather.get("numDigits") == "1"
        and gather.get("action").endswith(f"question={question}&attempt={attempt}")
    )


def refreshed(session, contact) -> Contact:
    session.expire_all()
    return session.get(Contact, contact.id)


# Calls.


def test_a_caller_whose_specialist_hung_up_is_asked_how_helpful_and_whether_they_would_call_again(
    twilio, session, asking_line, ana
):
    contact = talking(session, asking_line, ana)

    first = left_alone(twilio, contact)
    assert asks(first, "helpful", 1)
    assert twiml.spoken(first) == HELPFUL_EN
    asked_at = refreshed(session, contact).survey_asked_at
    assert asked_at is not None
    second = press(twilio, first, "4")
    assert asks(second, "return", 1)
    assert twiml.spoken(second) == RETURN_EN
    thanks = press(twilio, second, "1")

    assert twiml.spoken(thanks) == THANKS_EN and "9 8 8" in twiml.spoken(thanks)
    assert thanks.find("Hangup") is not None
    assert thanks.find("Gather").get("action") == f"/webhooks/voice/crisis?contact={contact.id}"
    answered = refreshed(session, contact)
    assert (answered.survey_helpful, answered.survey_would_return) == (4, True)
    twilio.post("/webhooks/voice/status", {"CallSid": contact.call_sid, "CallStatus": "completed"})
    closed = refreshed(session, contact)
    assert closed.outcome is Outcome.ANSWERED
    assert closed.talk_seconds == round((asked_at - closed.connected_at).total_seconds()), (
        "the talk ends where the questions begin"
    )


@pytest.mark.parametrize("odd", ["7", "0", "*", "#", ""])
def test_a_key_outside_the_answers_hears_the_question_once_more_then_thanks(
    twilio, session, asking_line, ana, odd
):
    contact = talking(session, asking_line, ana)

    again = press(twilio, left_alone(twilio, contact), odd)
    assert asks(again, "helpful", 2)
    thanks = press(twilio, again, odd)

    assert twiml.spoken(thanks) == THANKS_EN
    kept = refreshed(session, contact)
    assert (kept.survey_helpful, kept.survey_would_return) == (None, None)


def test_the_second_question_also_gets_one_more_try(twilio, session, asking_line, ana):
    contact = talking(session, asking_line, ana)
    second = press(twilio, left_alone(twilio, contact), "2")

    again = press(twilio, second, "5")
    assert asks(again, "return", 2)
    thanks = press(twilio, again, "2")

    assert twiml.spoken(thanks) == THANKS_EN
    kept = refreshed(session, contact)
    assert (kept.survey_helpful, kept.survey_would_return) == (2, False)


def test_9_at_a_survey_question_reaches_the_crisis_line(twilio, session, asking_line, ana):
    contact = talking(session, asking_line, ana)

    crisis = press(twilio, left_alone(twilio, contact), "9")

    assert twiml.dialled(crisis) == [asking_line.crisis_number]
    referred = refreshed(session, contact)
    assert referred.crisis_referred_at is not None and referred.crisis_tier == 2
    assert referred.survey_helpful is None


def test_a_line_asking_one_question_thanks_after_the_score(twilio, session, asking_line, ana):
    asking_line.survey_asks_return = False
    session.commit()
    contact = talking(session, asking_line, ana)

    thanks = press(twilio, left_alone(twilio, contact), "5")

    assert twiml.spoken(thanks) == THANKS_EN
    assert refreshed(session, contact).survey_helpful == 5


def test_a_spanish_caller_is_asked_in_spanish(twilio, session, asking_line, ana):
    contact = talking(session, asking_line, ana, language="es")

    question = left_alone(twilio, contact)

    assert twiml.spoken(question) == survey_script(feedback.HELPFUL, "voice", "es")
    assert question.find("Gather/Say").get("language").startswith("es")


@pytest.mark.parametrize(
    "why",
    ["line asks nothing", "crisis signs", "carried flag", "crisis referral", "never connected"],
)
def test_nobody_in_crisis_or_on_a_line_that_asks_nothing_is_asked(
    twilio, session, asking_line, ana, why
):
    fields = {
        "crisis signs": {"crisis_tier": 2},
        "carried flag": {"crisis_tier": 1},
        "crisis referral": {"crisis_referred_at": utcnow()},
    }.get(why, {})
    if why == "line asks nothing":
        asking_line.survey_enabled = False
        session.commit()
    contact = talking(session, asking_line, ana, **fields)
    if why == "never connected":
        contact.connected_at = None
        session.commit()

    root = left_alone(twilio, contact)

    assert HELPFUL_EN not in twiml.spoken(root)
    assert refreshed(session, contact).survey_asked_at is None


def test_an_answer_to_a_question_never_asked_is_thanked_and_kept_nowhere(
    twilio, session, asking_line, ana
):
    contact = talking(session, asking_line, ana)
    path = f"/webhooks/voice/survey?contact={contact.id}&question=helpful&attempt=1"

    root = twiml.parse(twilio.post(path, {"Digits": "5"}))

    assert twiml.spoken(root) == THANKS_EN
    assert refreshed(session, contact).survey_helpful is None


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("contact={id}&question=mood&attempt=1", {"Digits": "3"}),
        ("contact={id}&question=helpful&attempt=two", {"Digits": "3"}),
        ("contact={id}&question=helpful", {"Digits": "3"}),
        ("contact=x&question=helpful&attempt=1", {"Digits": "3"}),
        ("contact={id}&question=helpful&attempt=1", {"Digits": "3; DROP TABLE contacts"}),
        ("contact={id}&question=helpful&question=return&attempt=1", {"Digits": "3"}),
    ],
)
def test_odd_survey_requests_get_a_goodbye_with_988_and_change_nothing(
    twilio, session, asking_line, ana, query, form
):
    contact = talking(session, asking_line, ana)
    left_alone(twilio, contact)

    response = twilio.post(f"/webhooks/voice/survey?{query.format(id=contact.id)}", form)

    # Refused, and still answered as Twilio needs it: a 200 with TwiML.
    assert response.status_code == 200
    root = twiml.parse(response)
    twiml.assert_valid_voice(root)
    assert "9 8 8" in twiml.spoken(root)
    assert refreshed(session, contact).survey_helpful is None


def test_an_unsigned_survey_answer_is_refused(twilio, session, asking_line, ana):
    contact = talking(session, asking_line, ana)
    left_alone(twilio, contact)
    path = f"/webhooks/voice/survey?contact={contact.id}&question=helpful&attempt=1"

    response = twilio.client.post(path, data={"Digits": "1"})

    assert response.status_code == 403
    assert refreshed(session, contact).survey_helpful is None


def test_a_caller_who_hangs_up_at_the_question_leaves_no_answer(twilio, session, asking_line, ana):
    contact = talking(session, asking_line, ana)
    left_alone(twilio, contact)

    twilio.post("/webhooks/voice/status", {"CallSid": contact.call_sid, "CallStatus": "completed"})

    closed = refreshed(session, contact)
    assert closed.ended_at is not None and closed.outcome is Outcome.ANSWERED
    assert closed.survey_asked_at is not None
    assert (closed.survey_helpful, closed.survey_would_return) == (None, None)


# Texts.


@pytest.fixture
def services(worker_runtime):
    return worker_runtime


def arrive(session, services, body, number=TEXTER):
    return texts.receive_text(
        session,
        services.redis,
        services.jobs,
        services.sealer,
        texts.IncomingText(
            message_sid=message_sid(),
            line_number=LINE_NUMBER,
            caller_tag=caller_tag(number, services.settings.caller_key),
            sealed_number=services.sealer.seal(number),
            body=body,
        ),
        lines=services.lines,
        at=utcnow(),
    )


def run_texts(services) -> None:
    queue = urgency_queues(services.redis)["texts"]
    while found := queue.dequeue_any([queue], None, connection=services.redis):
        job, _queue = found
        job.func(*job.args, **job.kwargs)
        job.delete()


def sent_bodies(twilio_api) -> list[str]:
    return [r.form["Body"][0] for r in twilio_api.requests if r.path.endswith("/Messages.json")]


def closed_by_ana(session, services, ana, body="hi, rough day") -> Contact:
    """A texter's conversation with Ana, closed by her."""
    plan = arrive(session, services, body)
    line_id = session.get(Contact, plan.contact_id).line_id
    texts.accept_text(
        session,
        services.redis,
        services.jobs,
        line_id=line_id,
        specialist_id=ana.id,
        at=utcnow(),
    )
    texts.close_by_specialist(
        session,
        services.redis,
        services.jobs,
        sealer=services.sealer,
        contact_id=plan.contact_id,
        specialist_id=ana.id,
        confirmed=True,
        at=utcnow(),
    )
    run_texts(services)
    return refreshed(session, session.get(Contact, plan.contact_id))


def contacts(session) -> int:
    return session.scalar(select(func.count(Contact.id)))


def test_a_texter_is_asked_once_after_the_close_and_a_digit_answers_it(
    session, services, asking_line, ana, twilio_api
):
    contact = closed_by_ana(session, services, ana)

    assert sent_bodies(twilio_api) == [survey_script(feedback.HELPFUL, "sms", "en")]
    assert contact.survey_asked_at is not None and contact.outcome is Outcome.ANSWERED
    live = LiveLine(services.redis, asking_line.id)
    assert live.stored_conversations() == [], "the number is forgotten once the question is sent"
    before = contacts(session)
    plan = arrive(session, services, " 4 ")

    assert plan.says == (texts.Say.SURVEY_THANKS,)
    assert plan.contact_id == contact.id
    assert refreshed(session, contact).survey_helpful == 4
    assert contacts(session) == before and live.waiting() == []
    again = arrive(session, services, "4")
    assert again.says == (texts.Say.WELCOME,), "answered once: the next digit is a new text"


@pytest.mark.parametrize("reply", ["can I talk to someone again", "6", "45", "4 stars"])
def test_any_other_reply_after_the_question_opens_a_new_conversation(
    session, services, asking_line, ana, reply
):
    contact = closed_by_ana(session, services, ana)

    plan = arrive(session, services, reply)

    assert plan.says == (texts.Say.WELCOME,)
    assert plan.contact_id != contact.id
    assert LiveLine(services.redis, asking_line.id).waiting() == [plan.contact_id]
    assert refreshed(session, contact).survey_helpful is None


def test_a_crisis_reply_after_the_question_gets_the_referral_and_goes_to_the_front(
    session, services, asking_line, ana
):
    contact = closed_by_ana(session, services, ana)

    plan = arrive(session, services, "I want to kill myself tonight")

    assert plan.says == (texts.Say.REFERRAL,)
    flagged = session.get(Contact, plan.contact_id)
    assert flagged.id != contact.id and flagged.crisis_tier == 2
    assert refreshed(session, contact).survey_helpful is None


def test_a_digit_after_the_window_opens_a_new_conversation(session, services, asking_line, ana):
    contact = closed_by_ana(session, services, ana)
    contact.survey_asked_at -= timedelta(hours=asking_line.survey_window_hours, minutes=1)
    session.commit()

    plan = arrive(session, services, "5")

    assert plan.says == (texts.Say.WELCOME,)
    assert refreshed(session, contact).survey_helpful is None


def test_a_flagged_conversation_gets_the_crisis_numbers_and_no_question(
    session, services, asking_line, ana, twilio_api
):
    contact = closed_by_ana(session, services, ana, body="I want to die")

    assert contact.crisis_tier > 0 and contact.survey_asked_at is None
    bodies = sent_bodies(twilio_api)
    assert survey_script(feedback.HELPFUL, "sms", "en") not in bodies
    assert any("988" in body for body in bodies)


def test_a_texter_who_opted_out_is_not_asked(session, services, asking_line, ana, twilio_api):
    plan = arrive(session, services, "hi, rough day")
    tag = caller_tag(TEXTER, services.settings.caller_key)
    texts.accept_text(
        session,
        services.redis,
        services.jobs,
        line_id=asking_line.id,
        specialist_id=ana.id,
        at=utcnow(),
    )
    # Twilio reported the texter unsubscribed (21610) for a STOP the line never saw.
    session.add(TextOptOut(line_id=asking_line.id, caller_tag=tag))
    session.commit()

    texts.close_by_specialist(
        session,
        services.redis,
        services.jobs,
        sealer=services.sealer,
        contact_id=plan.contact_id,
        specialist_id=ana.id,
        confirmed=False,
        at=utcnow(),
    )
    run_texts(services)

    assert sent_bodies(twilio_api) == []
    assert session.get(Contact, plan.contact_id).survey_asked_at is None


def test_an_idle_close_asks_nothing(session, services, asking_line, ana, twilio_api):
    plan = arrive(session, services, "hi")
    texts.accept_text(
        session,
        services.redis,
        services.jobs,
        line_id=asking_line.id,
        specialist_id=ana.id,
        at=utcnow(),
    )
    texts.close_conversation(
        session,
        services.redis,
        services.jobs,
        contact_id=plan.contact_id,
        reason=texts.CloseReason.INACTIVE,
        at=utcnow(),
    )
    run_texts(services)

    assert sent_bodies(twilio_api) == []
    assert arrive(session, services, "3").says == (texts.Say.WELCOME,)


def test_the_texters_answer_is_thanked_over_the_webhook_in_their_language(
    twilio, session, services, asking_line, ana
):
    contact = closed_by_ana(session, services, ana, body="hola, tuve un dia muy dificil hoy")
    assert contact.language == "es"
    form = {"MessageSid": message_sid(), "From": TEXTER, "To": LINE_NUMBER, "Body": "5"}

    root = twiml.parse(twilio.post("/webhooks/sms/incoming", form))

    assert [m.text for m in root.iter("Message")] == [survey_script(feedback.THANKS, "sms", "es")]
    assert refreshed(session, contact).survey_helpful == 5


# The questions' rules.


@pytest.mark.parametrize(
    ("kind", "channel", "text", "problem"),
    [
        ("survey_helpful", "voice", "How was it? Press 1 to 5.", "press 9"),
        ("survey_helpful", "voice", "How was it, 1 to 10? Press 9 for help.", "answers 5"),
        ("survey_return", "voice", "Again? Press 1 for yes. Press 9 for help.", "answers 2"),
        ("survey_helpful", "sms", "How helpful, 1 to 5? Reply with a number.", "988"),
        ("survey_thanks", "voice", "Thank you. Goodbye.", "988"),
        ("survey_thanks", "sms", "Thanks! Call 988. " + "x" * 320, "SMS segments"),
        ("survey_helpful", "sms", "Rate 1 to 5, or text 988 if you want to overdose", "method"),
        ("survey_thanks", "sms", "  ", "empty"),
    ],
)
def test_a_survey_script_that_breaks_a_rule_is_refused(kind, channel, text, problem):
    problems = check_survey_script(text, kind, channel, "en")

    assert any(problem in found for found in problems), problems


def test_every_shipped_survey_script_keeps_the_rules():
    for kind, channels in SURVEY_KINDS.items():
        for channel in channels:
            for language in ("en", "es"):
                text = survey_script(kind, channel, language)
                assert check_survey_script(text, kind, channel, language) == [], (kind, channel)


def test_a_line_words_its_own_question_under_the_rules_and_callers_hear_it(
    twilio, session, asking_line, ana
):
    with pytest.raises(line_scripts.ScriptRefused, match="press 9"):
        line_scripts.save(
            session,
            asking_line,
            kind="survey_helpful",
            channel="voice",
            language="en",
            text="Did we help? Press 1 to 5.",
            actor_id=None,
        )
    own = (
        "Did we help today? Press 1 for not at all, up to 5 for a lot. Press 9 for the crisis line."
    )
    line_scripts.save(
        session,
        asking_line,
        kind="survey_helpful",
        channel="voice",
        language="en",
        text=own,
        actor_id=None,
    )
    session.commit()
    contact = talking(session, asking_line, ana)

    assert twiml.spoken(left_alone(twilio, contact)) == own
