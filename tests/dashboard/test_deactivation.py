"""Deactivating a specialist mid-shift: nobody rings their phone again, their texts go back
in line, and a claim never chooses them even if Redis still lists them.

Through signed webhooks, the console, a real RQ worker process and a recording Twilio API.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from tests import twiml
from tests.dashboard.conftest import LINE_NUMBER, texter_sends
from tests.factories import call_sid
from tests.fake_twilio import fake_twilio
from tests.processes import work
from warmline.live import LiveLine
from warmline.models import Contact, User

CALLER = "+14155550123"
ANA_PHONE = "+14155550171"
BO_PHONE = "+14155550172"


@pytest.fixture
def twilio_api():
    with fake_twilio() as fake:
        yield fake


@pytest.fixture
def settings(settings, twilio_api):
    return replace(settings, twilio_api_base_url=twilio_api.base_url)


def caller_waits(twilio) -> int:
    """A caller rings and is put on hold at once; return the contact."""
    return twiml.held_contact(
        twiml.parse(
            twilio.post(
                "/webhooks/voice/incoming",
                {"CallSid": call_sid(), "To": LINE_NUMBER, "From": CALLER, "CallStatus": "ringing"},
            )
        )
    )


def rung(twilio_api, seen: list) -> list[str]:
    """Return the phones new Calls.json requests rang, remembering what was seen."""
    fresh = twilio_api.requests[len(seen) :]
    seen.extend(fresh)
    return [r.form["To"][0] for r in fresh if r.path.endswith("/Calls.json")]


def deactivate(coordinator_browser, user: User, line_id: int):
    """The coordinator sets the person inactive on the console's people page."""
    form = {
        "csrf_token": coordinator_browser.csrf,
        "display_name": user.display_name,
        "phone": user.phone or "",
        "languages": "en",
        "active": "no",
        "line_ids": str(line_id),
    }
    response = coordinator_browser.client.post(
        f"/console/people/{user.id}", data=form, follow_redirects=True
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_deactivating_takes_back_the_offer_ringing_them_and_the_next_caller_rings_another(
    twilio, settings, session, line, ana, bo, ana_browser, bo_browser, coordinator_browser,
    twilio_api, redis_client,
):  # fmt: skip
    assert ana_browser.start_shift(line.id).status_code == 200
    assert bo_browser.start_shift(line.id).status_code == 200
    seen: list = []
    first = caller_waits(twilio)
    work(settings)
    assert rung(twilio_api, seen) == [ANA_PHONE]  # longest idle first
    ring_ana = seen[-1]

    page = deactivate(coordinator_browser, ana, line.id)
    assert "Taken off shift on 1 line(s)" in page
    live = LiveLine(redis_client, line.id)
    assert live.specialist(ana.id) == {}
    assert ana.id not in live.free_specialists(10**15)
    work(settings)
    hang_up = [
        r for r in twilio_api.requests if r.path.endswith(f"/Calls/{ring_ana.created_sid}.json")
    ]
    # Ending the ringing leg is an update of the Call to Status=completed, as Twilio documents:
    # https://www.twilio.com/docs/voice/api/call-resource#update-a-call-resource
    assert [r.form.get("Status") for r in hang_up] == [["completed"]]
    assert rung(twilio_api, seen) == [BO_PHONE]  # the waiting caller goes to Bo
    assert live.specialist(bo.id)["offer"] == str(first)

    caller_waits(twilio)
    work(settings)
    assert ANA_PHONE not in rung(twilio_api, seen)
    assert ana_browser.get("/api/shift").status_code == 401


def test_deactivating_returns_their_open_texts_to_the_line_for_another_to_take(
    twilio, session, line, ana, bo, ana_browser, bo_browser, coordinator_browser, redis_client
):
    assert ana_browser.start_shift(line.id).status_code == 200
    assert bo_browser.start_shift(line.id).status_code == 200
    contact_id = texter_sends(twilio, session, "hi, is anyone there")
    assert ana_browser.post(f"/api/contacts/{contact_id}/accept").status_code == 200
    assert bo_browser.get(f"/api/contacts/{contact_id}/messages").status_code in (403, 404)

    page = deactivate(coordinator_browser, ana, line.id)
    assert "1 open text(s) back in line" in page
    live = LiveLine(redis_client, line.id)
    assert live.texts_held(ana.id) == []
    assert contact_id in live.waiting()
    session.expire_all()
    assert session.get(Contact, contact_id).specialist_id is None

    assert bo_browser.post(f"/api/contacts/{contact_id}/accept").status_code == 200
    messages = bo_browser.get(f"/api/contacts/{contact_id}/messages")
    assert messages.status_code == 200
    assert "hi, is anyone there" in messages.get_data(as_text=True)
    assert ana_browser.get(f"/api/contacts/{contact_id}/messages").status_code == 401


def test_a_claim_never_rings_someone_inactive_that_redis_still_lists(
    twilio, settings, session, line, ana, bo, ana_browser, bo_browser, twilio_api, redis_client
):
    assert ana_browser.start_shift(line.id).status_code == 200
    assert bo_browser.start_shift(line.id).status_code == 200
    # Deactivated behind the console's back: Redis still lists Ana as free.
    session.get(User, ana.id).active = False
    session.commit()
    live = LiveLine(redis_client, line.id)
    assert ana.id in live.free_specialists(10**15)
    seen: list = []
    caller_waits(twilio)
    work(settings)
    assert rung(twilio_api, seen) == [BO_PHONE]
    assert live.specialist(ana.id) == {}
    assert ana.id not in live.free_specialists(10**15)
    assert session.scalars(select(Contact)).one().ended_at is None
