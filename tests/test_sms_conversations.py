"""What texters read back from the incoming-text webhook, whatever they send."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import twiml
from tests.factories import LINE_NUMBER, make_line, make_specialist, message_sid, on_shift
from warmline.crisis.scripts import referral_script, sms_segments
from warmline.live import LiveLine
from warmline.models import Contact, Outcome
from warmline.wording import text as sms_text

TEXTER = "+14155550188"
CLOSED_ALL_WEEK = {"mon": [["00:00", "00:01"]]}


def text(twilio, body="hi, is anyone there?", sid=None, **extra) -> list[str]:
    params = {
        "MessageSid": sid or message_sid(),
        "To": LINE_NUMBER,
        "From": TEXTER,
        "Body": body,
        "NumMedia": "0",
        **extra,
    }
    response = twilio.post("/webhooks/sms/incoming", params)
    assert response.status_code == 200
    return [m.text or "" for m in twiml.parse(response).iter("Message")]


@pytest.fixture
def line(app, session):
    line = make_line(session)
    on_shift(app, session, line, make_specialist(session, line))
    return line


def waiting(app, line) -> list[int]:
    return LiveLine(app.extensions["warmline"].redis, line.id).waiting()


def test_welcome_names_the_line_what_is_kept_and_the_crisis_numbers_in_two_segments(twilio, line):
    [welcome] = text(twilio)
    assert line.name in welcome and "988" in welcome and "911" in welcome
    assert "only until this conversation ends" in welcome
    for language in ("en", "es"):
        assert sms_segments(sms_text("welcome", language, name="N" * 60)) <= 2


def test_a_spanish_text_is_welcomed_in_spanish(twilio, line):
    [welcome] = text(twilio, "hola, necesito hablar con alguien por favor")
    assert welcome.startswith("Gracias por escribir") and "988" in welcome


def test_third_party_crisis_gets_the_third_party_script(twilio, line):
    [referral] = text(twilio, "my friend says she wants to die")
    assert referral == referral_script("third_party", "sms", "en")


def test_every_crisis_text_gets_the_referral_and_the_flag_sticks(twilio, line, session):
    text(twilio, "hi")
    [referral] = text(twilio, "i just want to die")
    assert referral == referral_script("caller", "sms", "en")
    assert text(twilio, "I'm fine actually, never mind") == []
    contact = session.scalars(select(Contact)).one()
    assert contact.crisis_tier == 1


@pytest.fixture
def own_keywords(app, session):
    """A line whose number has Twilio's opt-out handling off: it answers keywords itself."""
    line = make_line(session, twilio_opt_out=False)
    on_shift(app, session, line, make_specialist(session, line))
    return line


# Twilio's opt-out words: https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out
OPT_OUT_WORDS = ["STOP", " stop ", "Stop", "sToP\n", "STOPALL", "unsubscribe", "CANCEL", "end",
                 "Quit", "REVOKE", "optout"]  # fmt: skip


@pytest.mark.parametrize("word", OPT_OUT_WORDS)
def test_opt_out_words_close_the_conversation_with_one_reply(
    twilio, own_keywords, session, app, word
):
    text(twilio)
    [closing] = text(twilio, word)
    assert "START" in closing and "988" in closing
    assert session.scalars(select(Contact)).one().outcome == Outcome.OPTED_OUT
    assert waiting(app, own_keywords) == []
    assert text(twilio, "hello?") == []


@pytest.mark.parametrize("word", OPT_OUT_WORDS)
def test_opt_out_words_twilio_answered_close_the_conversation_in_silence(
    twilio, line, session, app, word
):
    """After its own reply Twilio refuses anything sent to the texter (error 21610)."""
    text(twilio)
    assert text(twilio, word) == []
    assert session.scalars(select(Contact)).one().outcome == Outcome.OPTED_OUT
    assert waiting(app, line) == []
    assert text(twilio, "hello?") == []


def test_twilios_opt_out_type_decides_what_a_keyword_is(twilio, line, session):
    """A Messaging Service may add its own keywords; OptOutType names them for the webhook."""
    text(twilio)
    assert text(twilio, "ALTO", OptOutType="STOP") == []
    assert session.scalars(select(Contact)).one().outcome == Outcome.OPTED_OUT
    assert text(twilio, "VOLVER", OptOutType="START") == []
    [welcome] = text(twilio, "hola otra vez")
    assert "988" in welcome


def test_a_keyword_twilio_did_not_take_is_a_message_where_twilio_answers_keywords(
    twilio, line, session
):
    """Twilio takes only the whole message as the word; the line's opt-outs stay its own."""
    text(twilio)
    assert text(twilio, "STOP ALL") == []
    assert session.scalars(select(Contact)).one().outcome == Outcome.OPEN


def test_a_line_answering_keywords_itself_reads_them_with_spaces_inside(
    twilio, own_keywords, session
):
    text(twilio)
    [closing] = text(twilio, "STOP ALL")
    assert "START" in closing
    assert session.scalars(select(Contact)).one().outcome == Outcome.OPTED_OUT


def test_a_crisis_text_after_stop_gets_the_referral_where_the_line_answers_keywords(
    twilio, own_keywords, app
):
    text(twilio, "STOP")
    assert text(twilio, "i want to die") == [referral_script("caller", "sms", "en")]
    assert waiting(app, own_keywords) == []


def test_stop_inside_a_sentence_is_just_a_message(twilio, line):
    text(twilio)
    assert text(twilio, "i had to stop at the store on my way home") == []


@pytest.mark.parametrize("word", ["START", "unstop", "Yes"])
def test_start_unstop_and_yes_let_a_texter_back(twilio, own_keywords, word):
    text(twilio, "STOP")
    [back] = text(twilio, word)
    assert "988" in back
    [welcome] = text(twilio, "hi again")
    assert "Thank you for texting" in welcome


def test_start_twilio_answered_gets_no_second_reply(twilio, line):
    text(twilio, "STOP")
    assert text(twilio, "start", OptOutType="START") == []
    [welcome] = text(twilio, "hi again")
    assert "Thank you for texting" in welcome


def test_yes_in_an_open_conversation_is_a_message_for_the_specialist(twilio, line, app):
    text(twilio)
    assert text(twilio, "yes", OptOutType="START") == []
    assert len(waiting(app, line)) == 1


@pytest.mark.parametrize("word", ["HELP", "info", " Help "])
def test_help_and_info_give_line_information_with_crisis_numbers(twilio, own_keywords, app, word):
    [info] = text(twilio, word)
    assert own_keywords.name in info and "988" in info and "STOP" in info
    assert waiting(app, own_keywords) == []


def test_help_twilio_answered_gets_no_second_help_text_but_the_line_answers(twilio, line, app):
    """A person who texts HELP to a warm line is heard, and told of 988, but once."""
    [welcome] = text(twilio, "HELP", OptOutType="HELP")
    assert welcome != sms_text("help", "en", name=line.name)
    assert "988" in welcome and "Thank you for texting" in welcome
    assert len(waiting(app, line)) == 1


def test_outside_hours_one_reply_with_the_hours_and_crisis_numbers_and_nothing_queued(
    twilio, app, session
):
    line = make_line(session, opening_hours=CLOSED_ALL_WEEK)
    on_shift(app, session, line, make_specialist(session, line))
    [closed] = text(twilio)
    assert "988" in closed and "We open again" in closed
    assert sms_segments(closed) <= 2
    assert text(twilio, "hello?") == []
    assert waiting(app, line) == []
    [referral] = text(twilio, "i want to kill myself")
    assert referral == referral_script("caller", "sms", "en")
    assert waiting(app, line) == []


def test_nobody_on_shift_is_a_closed_line(twilio, app, session):
    line = make_line(session)
    [closed] = text(twilio)
    assert "988" in closed
    assert waiting(app, line) == []


def test_pictures_are_not_kept_and_the_texter_is_told_once(twilio, line, app):
    _welcome, pictures = text(twilio, "", NumMedia="1", MediaUrl0="https://api.twilio.com/media/1")
    assert "pictures" in pictures
    assert text(twilio, "", NumMedia="2") == []
    assert len(waiting(app, line)) == 1


@pytest.mark.parametrize(
    "body",
    [
        "",
        "😭😭😭",
        "\uff46\uff55\uff4c\uff4c",
        "\u202eevil\u202c",
        "ñandú 日本語 \U0001f48a",
        "x" * 1600,
    ],
)
def test_any_unicode_or_empty_body_opens_a_conversation(twilio, line, app, body):
    replies = text(twilio, body)
    assert replies and "988" in replies[-1]
    assert len(waiting(app, line)) == 1


def test_a_repeated_message_sid_is_handled_once(twilio, line, app):
    sid = message_sid()
    assert len(text(twilio, sid=sid)) == 1
    assert text(twilio, sid=sid) == []
    messages = LiveLine(app.extensions["warmline"].redis, line.id).messages(waiting(app, line)[0])
    assert len(messages) == 2, "the text and the line's welcome, each kept once"


def test_a_text_without_a_sender_gets_the_crisis_numbers_and_queues_nothing(twilio, line, app):
    response = twilio.post(
        "/webhooks/sms/incoming", {"MessageSid": message_sid(), "To": LINE_NUMBER, "Body": "hi"}
    )
    [reply] = [m.text for m in twiml.parse(response).iter("Message")]
    assert "988" in reply
    assert waiting(app, line) == []


def test_malformed_media_count_is_refused_clearly(twilio, line):
    response = twilio.post(
        "/webhooks/sms/incoming",
        {"MessageSid": message_sid(), "To": LINE_NUMBER, "From": TEXTER, "NumMedia": "lots"},
    )
    assert response.status_code == 400
    twiml.parse(response)


def test_a_text_to_an_unknown_number_still_gets_the_crisis_numbers(twilio):
    response = twilio.post(
        "/webhooks/sms/incoming",
        {"MessageSid": message_sid(), "To": "+15005550006", "From": TEXTER, "Body": "hi"},
    )
    [reply] = [m.text for m in twiml.parse(response).iter("Message")]
    assert "988" in reply


def test_delivery_report_for_a_conversation_we_do_not_know_changes_nothing(twilio, line):
    response = twilio.post(
        f"/webhooks/sms/status?line={line.id}&contact=424242",
        {"MessageSid": message_sid(), "MessageStatus": "failed", "ErrorCode": "30003"},
    )
    assert response.status_code == 200
    twiml.parse(response)


def test_delivery_report_with_a_forged_id_is_refused(twilio, line):
    response = twilio.post(
        f"/webhooks/sms/status?line={line.id}&contact=abc",
        {"MessageSid": message_sid(), "MessageStatus": "sent"},
    )
    assert response.status_code == 400
