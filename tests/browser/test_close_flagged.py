"""A crisis-flagged text conversation in real headless Chromium: closing it asks first, and a
texter flagged before shows why in the waiting list."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.test_shift import sign_in, start_shift, take_from_queue
from tests.dashboard.conftest import TEXTER, texter_sends
from tests.factories import make_line, make_specialist
from warmline.models import Channel, Contact, Outcome, utcnow
from warmline.privacy import caller_tag

CRISIS_TEXT = "took all my pills an hour ago"


def test_closing_a_flagged_conversation_asks_for_confirmation_first(page, server, session, twilio):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    sign_in(page, server, ana.email)
    start_shift(page)
    contact_id = texter_sends(twilio, session, CRISIS_TEXT)
    mine = take_from_queue(page, contact_id)
    close = mine.get_by_role("button", name="Close conversation")
    dialogs: list[str] = []

    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    close.click()
    expect(mine.get_by_role("log", name="Conversation")).to_contain_text(CRISIS_TEXT)
    expect(close).to_be_visible()

    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    close.click()
    expect(mine.get_by_role("button", name="Save wrap-up")).to_be_visible()
    shoot(page, "close-flagged-confirmed")

    assert len(dialogs) == 2
    assert "crisis signs" in dialogs[0] and "988" in dialogs[0]
    session.expire_all()
    assert session.get(Contact, contact_id).ended_at is not None


def test_a_texter_flagged_hours_ago_is_flagged_in_the_waiting_list_with_why(
    page, server, session, twilio, settings
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    earlier = utcnow() - timedelta(hours=3, minutes=10)
    session.add(
        Contact(
            line_id=line.id,
            channel=Channel.SMS,
            caller_tag=caller_tag(TEXTER, settings.caller_key),
            arrived_at=earlier,
            ended_at=earlier + timedelta(minutes=20),
            outcome=Outcome.ANSWERED,
            crisis_tier=2,
        )
    )
    session.commit()
    sign_in(page, server, ana.email)
    start_shift(page)

    contact_id = texter_sends(twilio, session, "hi, me again")

    waiting = page.locator(f'#queue-list li[data-contact-id="{contact_id}"]')
    expect(waiting).to_contain_text("flagged: crisis signs in a contact 3 hours ago")
    expect(waiting.locator(".tier")).to_be_visible()
    shoot(page, "flagged-waiting")
