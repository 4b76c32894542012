"""The warm handoff's panel: what the counselor leg's state is, confirming a person, leaving.

Twilio reports a Participant's call by its call-progress events (initiated, ringing,
answered, completed: https://www.twilio.com/docs/voice/api/conference-participant-resource,
`StatusCallbackEvent`), with `CallStatus` as the Call resource names it
(https://www.twilio.com/docs/voice/api/call-resource#call-status-values). "answered" says
the line picked up, not that a person did: a crisis line's menu answers first.
"""

from __future__ import annotations

import dataclasses

from rq import Queue
from sqlalchemy import select

from tests.dashboard.test_contacts import in_conversation, queued_jobs
from tests.factories import call_sid
from warmline import offers, urls
from warmline.gateway import TwilioRefused
from warmline.live import LiveLine
from warmline.models import AuditEvent

COUNSELOR_LEG = call_sid()


def counselor_leg(twilio, contact_id: int, status: str) -> None:
    response = twilio.post(
        urls.crisis_leg_status(contact_id), {"CallSid": COUNSELOR_LEG, "CallStatus": status}
    )
    assert response.status_code == 200


def state(browser) -> str:
    [mine] = browser.queue()["mine"]
    return mine["crisis_leg"]


def handed_off(browser, ana, line, twilio, session, redis_client) -> int:
    """Ana is on a call with her phone in it, and has asked for the crisis line."""
    contact_id = in_conversation(browser, line, twilio, session)
    LiveLine(redis_client, line.id).record_leg(contact_id, ana.id, call_sid())
    assert browser.post(f"/api/contacts/{contact_id}/transfer").status_code == 202
    return contact_id


def test_an_answered_crisis_line_waits_for_the_specialist_to_hear_a_person(
    ana_browser, ana, line, twilio, session, redis_client
):
    contact_id = handed_off(ana_browser, ana, line, twilio, session, redis_client)
    joined = f"/api/contacts/{contact_id}/counselor-joined"
    assert ana_browser.post(joined).status_code == 409, "nobody can be there before an answer"

    counselor_leg(twilio, contact_id, "ringing")
    assert state(ana_browser) == "ringing"
    counselor_leg(twilio, contact_id, "in-progress")
    assert state(ana_browser) == "answered"
    refused = ana_browser.post(f"/api/contacts/{contact_id}/hang-up")
    assert refused.status_code == 409
    assert "stay on" in refused.json["error"].lower()

    assert ana_browser.post(joined).status_code == 200
    assert state(ana_browser) == "joined"
    [event] = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "handoff.counselor_joined")
    )
    assert (event.target_id, event.actor_id, event.via) == (contact_id, ana.id, "dashboard")
    assert ana_browser.post(f"/api/contacts/{contact_id}/hang-up").status_code == 202


def test_late_or_repeated_progress_never_undoes_a_confirmed_counselor(
    ana_browser, ana, line, twilio, session, redis_client
):
    contact_id = handed_off(ana_browser, ana, line, twilio, session, redis_client)
    counselor_leg(twilio, contact_id, "in-progress")
    assert ana_browser.post(f"/api/contacts/{contact_id}/counselor-joined").status_code == 200

    counselor_leg(twilio, contact_id, "ringing")
    counselor_leg(twilio, contact_id, "in-progress")
    assert state(ana_browser) == "joined"
    counselor_leg(twilio, contact_id, "completed")
    assert state(ana_browser) == "left"
    counselor_leg(twilio, contact_id, "in-progress")
    assert state(ana_browser) == "left"


def test_a_second_transfer_while_the_crisis_line_rings_dials_nobody_twice(
    ana_browser, ana, line, twilio, session, redis_client
):
    contact_id = handed_off(ana_browser, ana, line, twilio, session, redis_client)
    counselor_leg(twilio, contact_id, "ringing")
    assert ana_browser.post(f"/api/contacts/{contact_id}/transfer").status_code == 202
    assert queued_jobs(redis_client).count("add_crisis_counselor") == 1
    assert state(ana_browser) == "ringing"


def test_an_unreached_crisis_line_lets_the_specialist_leave_and_dial_again(
    ana_browser, ana, line, twilio, session, redis_client
):
    contact_id = handed_off(ana_browser, ana, line, twilio, session, redis_client)
    counselor_leg(twilio, contact_id, "no-answer")
    assert state(ana_browser) == "unreached"
    assert ana_browser.post(f"/api/contacts/{contact_id}/counselor-joined").status_code == 409

    assert ana_browser.post(f"/api/contacts/{contact_id}/transfer").status_code == 202
    assert queued_jobs(redis_client).count("add_crisis_counselor") == 2
    assert state(ana_browser) == "dialing"


def test_the_counselor_leaving_after_the_specialist_takes_the_caller_back_once(
    ana_browser, ana, line, twilio, session, redis_client
):
    contact_id = handed_off(ana_browser, ana, line, twilio, session, redis_client)
    counselor_leg(twilio, contact_id, "in-progress")
    assert ana_browser.post(f"/api/contacts/{contact_id}/counselor-joined").status_code == 200
    live = LiveLine(redis_client, line.id)
    leg = live.offer_legs(contact_id)[ana.id]
    twilio.post(urls.offer_status(contact_id, ana.id), {"CallSid": leg, "CallStatus": "completed"})
    assert "say_goodbye" not in queued_jobs(redis_client), "the caller is with the counselor"

    counselor_leg(twilio, contact_id, "completed")
    counselor_leg(twilio, contact_id, "completed")
    goodbyes = [
        job
        for job in Queue("calls", connection=redis_client).jobs
        if "say_goodbye" in job.func_name
    ]
    assert [job.args for job in goodbyes] == [(contact_id,)]
    redirected = twilio.post(urls.goodbye(contact_id), {"CallSid": call_sid()})
    body = redirected.get_data(as_text=True)
    assert "Connecting you to the 9 8 8" in body
    assert "<Dial" in body and line.crisis_number in body


class RefusesTheCrisisNumber:
    """A gateway whose Twilio refuses to dial the crisis line (error 21211, an invalid To)."""

    def add_conference_participant(self, **_dialling) -> str:
        raise TwilioRefused(400, 21211)


def test_a_crisis_line_twilio_will_not_dial_is_shown_unreached_at_once(
    app, ana_browser, ana, line, twilio, session, redis_client
):
    contact_id = handed_off(ana_browser, ana, line, twilio, session, redis_client)
    services = dataclasses.replace(app.extensions["warmline"], gateway=RefusesTheCrisisNumber())

    offers.add_crisis_counselor(services, contact_id)

    assert state(ana_browser) == "unreached", "no leg, so no callback would ever say so"
    assert ana_browser.post(f"/api/contacts/{contact_id}/hang-up").status_code == 202
