"""A crisis flag is never forgotten: closing a flagged conversation, and the caller's next contact.

A flag carries over to the same caller tag's next call or text for the line's
crisis_carry_hours (24 by default), read from the contacts table alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.e2e.test_texts import DEADLINE, Dashboard, received
from tests.services import wait_for
from warmline.crisis.scripts import referral_script
from warmline.models import Channel, Contact, Outcome, utcnow
from warmline.privacy import caller_tag

# The texter of issue 13: imminent (tier 2).
CRISIS_TEXT = "took all my pills an hour ago"


@pytest.fixture
def dashboard_of(stack) -> Iterator:
    """Sign a specialist in on a browser of their own, their shift started on the line."""
    opened: list[Dashboard] = []

    def open_for(specialist, line) -> Dashboard:
        dashboard = Dashboard(stack.settings.public_url)
        opened.append(dashboard)
        dashboard.sign_in(specialist.email)
        dashboard.start_shift(line.id)
        return dashboard

    yield open_for
    for dashboard in opened:
        dashboard.http.close()


def queue(dashboard: Dashboard) -> dict[str, list[dict]]:
    """The dashboard's waiting list and own contacts, as its page reads them."""
    response = dashboard.http.get(f"{dashboard.base_url}/api/queue", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_flagged_texter_closed_then_back_is_flagged_and_gets_the_crisis_reply(
    scenario, dashboard_of
):
    line = scenario.line()
    ana = scenario.specialist(line, "Ana", on_shift=False)
    browser = dashboard_of(ana, line)
    texter = scenario.phone()
    texter.send_text(line.twilio_number, CRISIS_TEXT)
    wait_for(lambda: len(received(texter, line)) == 1, timeout=DEADLINE, what="the crisis reply")
    first = scenario.contact(line)
    assert browser.post(f"/api/contacts/{first.id}/accept").status_code == 200

    unconfirmed = browser.post(f"/api/contacts/{first.id}/close")
    assert unconfirmed.status_code == 409
    assert "crisis signs" in unconfirmed.json()["error"]
    assert scenario.contact(line).ended_at is None
    confirmed = browser.post(f"/api/contacts/{first.id}/close", {"confirm": True})
    assert confirmed.status_code == 200, confirmed.text
    closing = referral_script("close_flagged", "sms", "en")
    wait_for(lambda: closing in received(texter, line), timeout=DEADLINE, what="the closing text")

    texter.send_text(line.twilio_number, "hi, me again")
    wait_for(lambda: len(received(texter, line)) == 3, timeout=DEADLINE, what="the reply")

    # A crisis text is answered with the crisis reply alone, then and when they come back.
    referral, closed, again = received(texter, line)
    assert referral == again == referral_script("caller", "sms", "en")
    assert closed == closing
    _first, second = scenario.contacts(line)
    assert second.crisis_tier == first.crisis_tier > 0
    assert second.crisis_referred_at is not None
    assert scenario.live(line).recall(second.id, "tier") == str(first.crisis_tier)
    [shown] = [c for c in queue(browser)["waiting"] if c["id"] == second.id]
    assert shown["flagged_hours_ago"] == 0
    assert scenario.errors() == []


def _earlier_flagged_call(stack, line, number: str, hours_ago: float) -> None:
    at = utcnow() - timedelta(hours=hours_ago)
    with stack.services.sessions() as session:
        session.add(
            Contact(
                line_id=line.id,
                channel=Channel.VOICE,
                caller_tag=caller_tag(number, stack.settings.caller_key),
                arrived_at=at,
                ended_at=at + timedelta(minutes=5),
                outcome=Outcome.CRISIS_REFERRED,
                crisis_tier=2,
                crisis_referred_at=at,
            )
        )
        session.commit()


def _two_callers_hold(scenario, dashboard_of, flagged_hours_ago: float):
    """An unflagged caller waits first, then the caller with an earlier crisis flag calls."""
    line = scenario.line()
    ana = scenario.specialist(line, "Ana", on_shift=False)
    browser = dashboard_of(ana, line)
    assert browser.post("/api/shift/status", {"status": "break"}).status_code == 200
    first, flagged = scenario.phone(), scenario.phone()
    _earlier_flagged_call(scenario.stack, line, flagged.number, flagged_hours_ago)
    first.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(first), what="the first caller holds")
    flagged.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(flagged), what="the second caller holds")
    _earlier, first_call, second_call = scenario.contacts(line)
    return line, browser, first_call, second_call


def test_a_caller_flagged_yesterday_within_the_period_is_flagged_and_moved_ahead(
    scenario, dashboard_of
):
    line, browser, first_call, second_call = _two_callers_hold(scenario, dashboard_of, 20)

    assert second_call.crisis_tier == 2
    assert first_call.crisis_tier == 0
    assert scenario.live(line).waiting() == [second_call.id, first_call.id]
    shown = {c["id"]: c for c in queue(browser)["waiting"]}
    assert shown[second_call.id]["flagged_hours_ago"] == 20
    assert shown[second_call.id]["crisis_tier"] == 2
    assert shown[first_call.id]["flagged_hours_ago"] is None
    assert scenario.errors() == []


def test_a_caller_flagged_longer_ago_than_the_period_is_not_flagged(scenario, dashboard_of):
    line, browser, first_call, second_call = _two_callers_hold(scenario, dashboard_of, 25)

    assert second_call.crisis_tier == 0
    assert scenario.live(line).waiting() == [first_call.id, second_call.id]
    shown = {c["id"]: c for c in queue(browser)["waiting"]}
    assert shown[second_call.id]["flagged_hours_ago"] is None
    assert scenario.errors() == []
