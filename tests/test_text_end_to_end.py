"""A whole text conversation through signed webhooks, a real worker process and a recording
Twilio API."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests import twiml
from tests.factories import LINE_NUMBER, make_line, make_specialist, message_sid, on_shift
from tests.fake_twilio import fake_twilio
from tests.processes import work
from warmline import texts, wording
from warmline.live import LiveLine
from warmline.models import Contact, Outcome, utcnow

TEXTER = "+14155550188"
ANA_PHONE = "+14155550171"


@pytest.fixture
def twilio_api():
    with fake_twilio() as fake:
        yield fake


@pytest.fixture
def settings(settings, twilio_api):
    return replace(settings, twilio_api_base_url=twilio_api.base_url)


def send(twilio, body: str, *, sid: str | None = None, **extra) -> list[str]:
    """The texter sends a text; return the texts the webhook's reply sends back."""
    params = {
        "MessageSid": sid or message_sid(),
        "AccountSid": "AC" + "1" * 32,
        "From": TEXTER,
        "To": LINE_NUMBER,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        **extra,
    }
    response = twilio.post("/webhooks/sms/incoming", params)
    assert response.status_code == 200
    return [m.text or "" for m in twiml.parse(response).iter("Message")]


def sent_texts(twilio_api, seen: list) -> list:
    fresh = [r for r in twilio_api.requests[len(seen) :]]
    seen.extend(fresh)
    return [r for r in fresh if r.path.endswith("/Messages.json")]


def converse(app, session, twilio, twilio_api, settings, first: str, later: str) -> tuple:
    """Texter writes, Ana takes the conversation and replies, Twilio reports delivery."""
    services = app.extensions["warmline"]
    line = make_line(session, twilio_opt_out=False)  # the line answers STOP and START itself
    ana = make_specialist(session, line, name="Ana", phone=ANA_PHONE)
    on_shift(app, session, line, ana)
    seen: list = []
    [welcome] = send(twilio, first)
    assert "988" in welcome and line.name in welcome
    [contact_id] = texts.waiting_texts(session, services.redis, line_id=line.id)
    assert (
        texts.accept_text(
            session,
            services.redis,
            services.jobs,
            line_id=line.id,
            specialist_id=ana.id,
            at=utcnow(),
        )
        == contact_id
    )
    texts.reply(
        session,
        services.redis,
        services.jobs,
        sealer=services.sealer,
        contact_id=contact_id,
        specialist_id=ana.id,
        body="Hi, I'm Ana. I'm glad you wrote. What's going on tonight?",
        at=utcnow(),
    )
    logs = work(settings)
    [outbound] = sent_texts(twilio_api, seen)
    callback = outbound.form["StatusCallback"][0].removeprefix(settings.public_url)
    sid = outbound.created_sid
    for status in ("delivered", "sent", "queued", "delivered"):
        twilio.post(callback, {"MessageSid": sid, "MessageStatus": status})
    assert send(twilio, later) == []
    return line, ana, contact_id, outbound, seen, logs


def test_whole_text_conversation_from_hello_to_stop(
    app, session, twilio, twilio_api, settings, redis_client
):
    services = app.extensions["warmline"]
    line, ana, contact_id, outbound, seen, _logs = converse(
        app, session, twilio, twilio_api, settings, "hi, can I talk to someone?", "thank you"
    )
    accounts = f"/2010-04-01/Accounts/{settings.twilio_account_sid}"
    assert outbound.path == f"{accounts}/Messages.json"
    assert outbound.auth == (settings.twilio_account_sid, settings.twilio_auth_token)
    assert outbound.form["To"] == [TEXTER]
    assert outbound.form["From"] == [LINE_NUMBER]
    assert outbound.form["Body"] == ["Hi, I'm Ana. I'm glad you wrote. What's going on tonight?"]
    assert outbound.form["StatusCallback"] == [
        f"{settings.public_url}/webhooks/sms/status?line={line.id}&contact={contact_id}"
    ]
    conversation = texts.conversation_messages(
        session, services.redis, sealer=services.sealer, contact_id=contact_id, specialist_id=ana.id
    )
    assert [(m.sender, m.body, m.status) for m in conversation] == [
        ("texter", "hi, can I talk to someone?", None),
        ("line", wording.text("welcome", "en", name=line.name), None),
        ("specialist", "Hi, I'm Ana. I'm glad you wrote. What's going on tonight?", "delivered"),
        ("texter", "thank you", None),
    ]

    [goodbye] = send(twilio, "  stop ")
    assert "START" in goodbye
    assert send(twilio, "hello again?") == [], "nothing is sent after STOP"
    with pytest.raises(texts.ConversationUnavailable):
        texts.reply(
            session,
            services.redis,
            services.jobs,
            sealer=services.sealer,
            contact_id=contact_id,
            specialist_id=ana.id,
            body="are you still there?",
            at=utcnow(),
        )
    work(settings)
    assert sent_texts(twilio_api, seen) == []
    session.expire_all()
    contact = session.get(Contact, contact_id)
    assert contact.outcome is Outcome.OPTED_OUT
    assert contact.specialist_id == ana.id and contact.ended_at is not None
    live = LiveLine(redis_client, line.id)
    assert live.stored_conversations() == []
    assert live.texts_held(ana.id) == []
    assert live.specialist(ana.id)["status"] in {"wrap_up", "available"}

    [back] = send(twilio, "START")
    assert "Welcome back" in back
    [welcome] = send(twilio, "hi, it's me again")
    assert "988" in welcome


def test_crisis_text_gets_the_referral_in_the_same_reply_and_a_flagged_stop_keeps_988(
    app, session, twilio, twilio_api, settings
):
    line = make_line(session, twilio_opt_out=False)  # the line answers STOP and START itself
    ana = make_specialist(session, line, name="Ana", phone=ANA_PHONE)
    on_shift(app, session, line, ana)
    [referral] = send(twilio, "i have the pills right here, i can't do this anymore")
    assert "988" in referral and "741741" in referral and "911" in referral
    [contact_id] = texts.waiting_texts(session, app.extensions["warmline"].redis, line_id=line.id)
    assert send(twilio, "ok") == []
    [closing] = send(twilio, "STOP")
    assert "988" in closing and "911" in closing
    session.expire_all()
    contact = session.get(Contact, contact_id)
    assert contact.crisis_tier == 2 and contact.outcome is Outcome.OPTED_OUT
    work(settings)
    assert [r for r in twilio_api.requests if r.path.endswith("/Messages.json")] == []
