"""A caller always hears the crisis numbers and is sent on, whatever breaks behind us."""

from __future__ import annotations

import dataclasses

import pytest
import redis
from sqlalchemy import select

from tests import twiml
from tests.factories import LINE_NUMBER, OVERFLOW_NUMBER, call_sid, make_line
from warmline import contacts
from warmline.db import create_db_engine, session_factory
from warmline.models import Channel, Contact, Outcome

CALLER = "+14155550123"


def incoming(twilio, sid=None, **extra):
    params = {
        "CallSid": sid or call_sid(),
        "AccountSid": "AC" + "1" * 32,
        "To": LINE_NUMBER,
        "From": CALLER,
        "CallStatus": "ringing",
        "Direction": "inbound",
        **extra,
    }
    return twilio.post("/webhooks/voice/incoming", params)


def break_database(app) -> None:
    services = app.extensions["warmline"]
    dead = create_db_engine("postgresql://warmline@127.0.0.1:9/nowhere")
    app.extensions["warmline"] = dataclasses.replace(
        services, engine=dead, sessions=session_factory(dead)
    )


def break_redis(app, tmp_path) -> None:
    services = app.extensions["warmline"]
    dead = redis.Redis(unix_socket_path=str(tmp_path / "no-redis.sock"), socket_timeout=1)
    app.extensions["warmline"] = dataclasses.replace(services, redis=dead)


def assert_hears_help_and_is_dialled_to(response, number: str) -> None:
    assert response.status_code == 200
    root = twiml.parse(response)
    twiml.assert_valid_voice(root)
    assert "9 8 8" in twiml.spoken(root)
    assert "9 1 1" in twiml.spoken(root)
    assert twiml.dialled(root) == [number]


def test_caller_hears_crisis_numbers_and_is_sent_to_overflow(twilio, session):
    make_line(session, overflow_number=OVERFLOW_NUMBER)
    response = incoming(twilio)
    assert_hears_help_and_is_dialled_to(response, OVERFLOW_NUMBER)
    assert "Riverside Warm Line" in twiml.spoken(twiml.parse(response))


def test_caller_on_line_without_overflow_is_sent_to_crisis_line(twilio, session):
    line = make_line(session)
    assert_hears_help_and_is_dialled_to(incoming(twilio), line.crisis_number)


def test_call_is_recorded_as_metadata_only(twilio, session):
    make_line(session)
    incoming(twilio)
    contact = session.scalars(select(Contact)).one()
    assert contact.channel is Channel.VOICE
    assert contact.outcome is Outcome.OVERFLOW
    assert contact.caller_tag is not None and len(contact.caller_tag) == 64


def test_retried_call_webhook_records_one_contact(twilio, session):
    make_line(session)
    sid = call_sid()
    first, second = incoming(twilio, sid), incoming(twilio, sid)
    assert first.get_data() == second.get_data()
    assert len(session.scalars(select(Contact)).all()) == 1


@pytest.mark.parametrize("withheld", ["anonymous", "Anonymous", "+266696687", "Restricted", ""])
def test_withheld_caller_is_answered_without_a_tag(twilio, session, withheld):
    make_line(session, overflow_number=OVERFLOW_NUMBER)
    assert_hears_help_and_is_dialled_to(incoming(twilio, From=withheld), OVERFLOW_NUMBER)
    assert session.scalars(select(Contact)).one().caller_tag is None


def test_call_to_unknown_number_still_reaches_crisis_line(twilio, app):
    response = incoming(twilio)
    assert_hears_help_and_is_dialled_to(response, app.extensions["warmline"].settings.crisis_number)


@pytest.mark.parametrize(
    "params",
    [
        {"To": LINE_NUMBER, "From": CALLER},
        {"CallSid": "not-a-sid", "To": LINE_NUMBER},
        {"CallSid": call_sid(), "From": CALLER},
        [("CallSid", call_sid()), ("To", LINE_NUMBER), ("From", CALLER), ("From", "+14155550124")],
        {"CallSid": call_sid(), "To": LINE_NUMBER, "From": "9" * 5000},
    ],
    ids=["no-sid", "bad-sid", "no-to", "repeated-from", "oversized-from"],
)
def test_malformed_call_still_hears_help_and_records_nothing(twilio, session, params):
    line = make_line(session)
    response = twilio.post("/webhooks/voice/incoming", params)
    assert_hears_help_and_is_dialled_to(response, line.crisis_number)
    assert session.scalars(select(Contact)).all() == []


def test_caller_hears_help_when_database_is_down(twilio, app, session):
    make_line(session, overflow_number=OVERFLOW_NUMBER)
    incoming(twilio)
    break_database(app)
    assert_hears_help_and_is_dialled_to(incoming(twilio), OVERFLOW_NUMBER)


def test_caller_hears_help_when_redis_is_down(twilio, app, session, tmp_path):
    make_line(session, overflow_number=OVERFLOW_NUMBER)
    incoming(twilio)
    break_redis(app, tmp_path)
    assert_hears_help_and_is_dialled_to(incoming(twilio), OVERFLOW_NUMBER)


def test_first_caller_after_a_restart_with_everything_down_reaches_crisis_line(
    twilio, app, tmp_path
):
    break_database(app)
    break_redis(app, tmp_path)
    response = incoming(twilio)
    assert_hears_help_and_is_dialled_to(response, app.extensions["warmline"].settings.crisis_number)


def test_unexpected_bug_still_answers_with_help(twilio, session, monkeypatch):
    line = make_line(session)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(contacts, "receive_call", broken)
    assert_hears_help_and_is_dialled_to(incoming(twilio), line.crisis_number)


def test_fallback_url_answers_callers_with_help(twilio, session):
    make_line(session, overflow_number=OVERFLOW_NUMBER)
    response = twilio.post(
        "/webhooks/fallback",
        {
            "CallSid": call_sid(),
            "To": LINE_NUMBER,
            "From": CALLER,
            "ErrorCode": "11200",
            "ErrorUrl": "https://warmline.example.org/webhooks/voice/incoming",
        },
    )
    root = twiml.parse(response)
    twiml.assert_valid_voice(root)
    assert "9 8 8" in twiml.spoken(root)
    assert len(twiml.dialled(root)) == 1


def test_completed_status_closes_the_contact_once(twilio, session):
    make_line(session)
    sid = call_sid()
    incoming(twilio, sid)
    status = {
        "CallSid": sid,
        "CallStatus": "completed",
        "CallDuration": "42",
        "SequenceNumber": "3",
    }
    for _ in range(2):
        response = twilio.post("/webhooks/voice/status", status)
        assert response.status_code == 200
        twiml.parse(response)
    contact = session.scalars(select(Contact)).one()
    session.refresh(contact)
    ended = contact.ended_at
    assert ended is not None
    late = {"CallSid": sid, "CallStatus": "ringing", "SequenceNumber": "1"}
    assert twilio.post("/webhooks/voice/status", late).status_code == 200
    session.refresh(contact)
    assert contact.ended_at == ended


def test_status_with_unknown_status_is_refused_clearly(twilio):
    response = twilio.post(
        "/webhooks/voice/status", {"CallSid": call_sid(), "CallStatus": "exploded"}
    )
    assert response.status_code == 400
    twiml.parse(response)
