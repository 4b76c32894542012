"""The real warmline app against the simulator's opt-out handling, as Twilio documents it.

Pages followed:
- https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out (the keywords Twilio
  answers itself before the webhook hears them)
- https://support.twilio.com/hc/en-us/articles/31560110671259-How-to-Track-Opt-Out-Opt-In-and-Help-Messages-Using-the-OptOutType-Parameter
  (OptOutType on the incoming-message webhook)
- https://www.twilio.com/docs/api/errors/21610 (nothing reaches a texter after their STOP)
"""

from __future__ import annotations

import dataclasses

import redis
from sqlalchemy import select

from tests.factories import LINE_NUMBER, make_line, make_specialist, on_shift
from tests.services import wait_for
from warmline import texts, wording
from warmline.crisis.scripts import referral_script
from warmline.models import Contact, Outcome, TextOptOut, utcnow
from warmline.simulator.texts import REPLIES
from warmline.texts.delivery import send_reply

TEXTER = "+14155550123"
CRISIS = "i want to die tonight"


def send(line, body: str) -> list[str]:
    """Text the line; return what the texter received from it in answer."""
    texter = line.sim.phone(TEXTER)
    before = len(received(line))
    texter.send_text(LINE_NUMBER, body)
    wait_for(line.sim.idle, timeout=10, what="the replies to be delivered")
    return received(line)[before:]


def received(line) -> list[str]:
    return [text.body for text in line.sim.phone(TEXTER).texts if text.sender == LINE_NUMBER]


def open_line(app, session, **fields):
    warm_line = make_line(session, **fields)
    on_shift(app, session, warm_line, make_specialist(session, warm_line))
    return warm_line


def test_a_flagged_texter_has_the_crisis_numbers_before_stop_and_nothing_fails_after(line, session):
    open_line(line.app, session)

    [referral] = send(line, CRISIS)
    assert send(line, "STOP") == [REPLIES["STOP"]]

    assert referral == referral_script("caller", "sms", "en") and "988" in referral
    assert line.sim.errors == [], "a reply to the STOP would be refused with 21610"
    contact = session.scalars(select(Contact)).one()
    assert contact.outcome is Outcome.OPTED_OUT and contact.crisis_tier > 0


def test_every_opt_out_word_twilio_lists_opts_out_revoke_included(line, session):
    open_line(line.app, session)
    send(line, "hi, can I talk to someone?")

    assert send(line, "Revoke") == [REPLIES["STOP"]]
    assert send(line, "hello?") == []

    assert session.scalars(select(Contact)).one().outcome is Outcome.OPTED_OUT
    assert session.scalars(select(TextOptOut)).one().caller_tag != TEXTER
    assert line.sim.errors == []


def test_help_and_start_are_answered_once_when_twilio_answers_them(line, session):
    warm_line = open_line(line.app, session)
    help_text = wording.text("help", "en", name=warm_line.name)

    helped = send(line, "HELP")
    send(line, "STOP")
    started = send(line, "START")

    assert helped[0] == REPLIES["HELP"] and help_text not in helped
    assert any("988" in reply for reply in helped[1:]), "a texter asking for help hears of 988"
    assert started == [REPLIES["START"]]
    assert line.sim.errors == []


def test_a_texter_who_opts_back_in_with_yes_is_heard_again_crisis_text_included(line, session):
    open_line(line.app, session)
    send(line, "STOP")

    assert send(line, "yes") == [REPLIES["START"]]
    [referral] = send(line, CRISIS)

    assert referral == referral_script("caller", "sms", "en")
    assert session.scalars(select(TextOptOut)).all() == []


def test_a_stop_with_crisis_words_in_it_is_a_crisis_text_not_an_opt_out(line, session):
    open_line(line.app, session)

    [referral] = send(line, "stop everything, i want to die")

    assert referral == referral_script("caller", "sms", "en")
    assert session.scalars(select(TextOptOut)).all() == []


def test_a_line_answering_keywords_itself_sends_its_own_replies_once(line, session):
    line.sim.texts.handle_opt_outs(LINE_NUMBER, enabled=False)
    warm_line = open_line(line.app, session, twilio_opt_out=False)
    send(line, "hi")

    [stopped] = send(line, "stop")
    [started] = send(line, "yes")

    assert stopped == wording.text("stopped", "en", name=warm_line.name)
    assert started == wording.text("started", "en", name=warm_line.name)
    assert line.sim.errors == []


def test_a_reply_refused_with_21610_closes_the_conversation_and_is_not_retried(
    line, session, monkeypatch, tmp_path
):
    """The texter's STOP reached Twilio while the app could not hear it (Redis was down)."""
    warm_line = make_line(session)
    ana = make_specialist(session, warm_line)
    on_shift(line.app, session, warm_line, ana)
    services = line.app.extensions["warmline"]
    send(line, "hi, can I talk to someone?")
    [contact] = session.scalars(select(Contact)).all()
    accepted = texts.accept_text(
        session,
        services.redis,
        services.jobs,
        line_id=warm_line.id,
        specialist_id=ana.id,
        at=utcnow(),
    )
    assert accepted == contact.id
    dead = redis.Redis(unix_socket_path=str(tmp_path / "no-redis.sock"), socket_timeout=1)
    monkeypatch.setitem(line.app.extensions, "warmline", dataclasses.replace(services, redis=dead))
    assert send(line, "STOP") == [REPLIES["STOP"]]
    monkeypatch.setitem(line.app.extensions, "warmline", services)
    sent = texts.reply(
        session,
        services.redis,
        services.jobs,
        sealer=services.sealer,
        contact_id=contact.id,
        specialist_id=ana.id,
        body="I'm here. What's going on?",
        at=utcnow(),
    )

    assert send_reply(services, contact.id, sent.index, 1) is None

    session.expire_all()
    assert session.get(Contact, contact.id).outcome is Outcome.OPTED_OUT
    assert session.scalars(select(TextOptOut)).one().line_id == warm_line.id
    assert not services.redis.exists(f"rq:job:text-send-{contact.id}-{sent.index}-2")
    assert received(line) == [received(line)[0], REPLIES["STOP"]]
