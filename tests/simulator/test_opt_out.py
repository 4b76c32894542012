"""The simulator answers opt-out, opt-in and help keywords as Twilio's Advanced Opt-Out does.

Pages followed:
- https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out (the opt-out words;
  keyword messages still reach the webhook)
- https://help.twilio.com/hc/en-us/articles/223134027-Twilio-support-for-opt-out-keywords-SMS-STOP-filtering-
  (opt-in START, YES, UNSTOP; help HELP, INFO; Twilio's default replies)
- https://support.twilio.com/hc/en-us/articles/31560110671259-How-to-Track-Opt-Out-Opt-In-and-Help-Messages-Using-the-OptOutType-Parameter
  (OptOutType STOP, START or HELP; only a message that is the whole keyword, in any case)
- https://support.twilio.com/hc/en-us/articles/360058144374 (an opted-out texter gets no HELP
  reply: written for toll-free numbers, followed here for every number, the stricter reading)
- https://www.twilio.com/docs/api/errors/21610 (sending to an opted-out number)
"""

from __future__ import annotations

import pytest

from tests.services import wait_for
from warmline.gateway import TwilioRefused
from warmline.simulator.texts import REPLIES

LINE = "+15017122661"
CALLER = "+14155550123"
INCOMING = "/webhooks/sms/incoming"
APP_REPLY = "<Response><Message>The line's own answer.</Message></Response>"


@pytest.fixture
def sim(api):
    """The served simulator (the REST API's), in place of conftest's in-process one."""
    return api[0]


def send(sim, script, body: str) -> dict[str, str]:
    """Text the line from the caller's phone; return what its webhook received."""
    sim.phone(CALLER).send_text(LINE, body)
    wait_for(sim.idle, timeout=10, what="the replies to be delivered")
    return script.requests_to(INCOMING)[-1]


def received(sim) -> list[str]:
    """Return what the caller's phone received from the line, in order."""
    return [text.body for text in sim.phone(CALLER).texts if text.sender == LINE]


@pytest.mark.parametrize(
    "word", ["STOP", "stop", " Stop\n", "STOPALL", "unsubscribe", "Cancel", "END", "quit",
             "REVOKE", "optout"]
)  # fmt: skip
def test_every_opt_out_word_unsubscribes_with_twilios_reply_and_reaches_the_webhook(
    sim, script, word
):
    form = send(sim, script, word)

    assert form["Body"] == word
    assert form["OptOutType"] == "STOP"
    assert received(sim) == [REPLIES["STOP"]]
    assert sim.texts.is_unsubscribed(LINE, CALLER)


@pytest.mark.parametrize("body", ["stop please", "please cancel", "the end.", "yes please"])
def test_a_keyword_inside_a_longer_message_is_an_ordinary_message(sim, script, body):
    script[INCOMING] = APP_REPLY

    form = send(sim, script, body)

    assert "OptOutType" not in form
    assert received(sim) == ["The line's own answer."]
    assert not sim.texts.is_unsubscribed(LINE, CALLER)


def test_the_twiml_reply_to_a_stop_fails_with_21610(sim, script):
    script[INCOMING] = APP_REPLY

    send(sim, script, "STOP")

    assert received(sim) == [REPLIES["STOP"]]
    [(_sid, code, url)] = sim.errors
    assert code == 21610 and url.endswith(INCOMING)


def test_a_failed_twiml_reply_reports_21610_to_its_status_callback(sim, script):
    script[INCOMING] = (
        '<Response><Message statusCallback="/status">Still here.</Message></Response>'
    )

    send(sim, script, "end")

    wait_for(lambda: script.requests_to("/status"), timeout=10, what="the failure report")
    [report] = script.requests_to("/status")
    assert report["MessageStatus"] == "failed" and report["ErrorCode"] == "21610"


def test_a_rest_message_to_an_opted_out_number_is_refused_with_21610(sim, script, gateway):
    send(sim, script, "REVOKE")

    with pytest.raises(TwilioRefused) as refused:
        gateway.send_text(to=CALLER, from_=LINE, body="Are you there?", status_callback=None)

    assert refused.value.status == 400 and refused.value.code == 21610
    assert received(sim) == [REPLIES["STOP"]]


@pytest.mark.parametrize("word", ["START", "yes", "Unstop"])
def test_each_opt_in_word_subscribes_again_with_twilios_reply(sim, script, gateway, word):
    send(sim, script, "STOP")

    form = send(sim, script, word)
    gateway.send_text(to=CALLER, from_=LINE, body="Welcome back.", status_callback=None)
    wait_for(sim.idle, timeout=10, what="the message to be delivered")

    assert form["OptOutType"] == "START"
    assert received(sim) == [REPLIES["STOP"], REPLIES["START"], "Welcome back."]


@pytest.mark.parametrize("word", ["HELP", "info"])
def test_help_words_get_twilios_help_reply_and_reach_the_webhook(sim, script, word):
    form = send(sim, script, word)

    assert form["OptOutType"] == "HELP"
    assert received(sim) == [REPLIES["HELP"]]
    assert not sim.texts.is_unsubscribed(LINE, CALLER)


def test_an_opted_out_texter_gets_no_help_reply(sim, script):
    send(sim, script, "STOP")

    form = send(sim, script, "HELP")

    assert form["OptOutType"] == "HELP"
    assert received(sim) == [REPLIES["STOP"]]


def test_a_number_without_opt_out_handling_passes_keywords_on_untouched(sim, script, gateway):
    sim.texts.handle_opt_outs(LINE, enabled=False)
    script[INCOMING] = APP_REPLY

    form = send(sim, script, "STOP")
    gateway.send_text(to=CALLER, from_=LINE, body="Sent anyway.", status_callback=None)
    wait_for(sim.idle, timeout=10, what="the message to be delivered")

    assert "OptOutType" not in form
    assert received(sim) == ["The line's own answer.", "Sent anyway."]
    assert sim.errors == []
