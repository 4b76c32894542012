"""Issue 13, items 3 and 5 in Chromium: a crisis text nobody can miss, and a chat that shows
what the line already sent."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.test_shift import sign_in, start_shift
from tests.dashboard.conftest import texter_sends
from tests.factories import make_line, make_specialist

IMMINENT = "I took all my pills an hour ago"
TITLE = "Shift — warmline"
# Stand-ins for the browser's sound and notifications, recording what the page asks of them.
RECORDERS = """
window.recorded = { tones: 0, notifications: [], asked: 0 };
window.AudioContext = class {
  constructor() { this.currentTime = 0; this.state = "running"; this.destination = {}; }
  resume() { return Promise.resolve(); }
  createOscillator() {
    window.recorded.tones += 1;
    return { frequency: { value: 0 }, connect: (next) => next, start() {}, stop() {} };
  }
  createGain() {
    return {
      gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} },
      connect: (next) => next,
    };
  }
};
window.Notification = class {
  static permission = "default";
  static requestPermission() {
    window.recorded.asked += 1;
    window.Notification.permission = "granted";
    return Promise.resolve("granted");
  }
  constructor(title, options) { window.recorded.notifications.push({ title, ...options }); }
};
Object.defineProperty(document, "hidden", { get: () => window.inBackground === true });
"""


def recorded(page) -> dict:
    return page.evaluate("window.recorded")


def test_a_crisis_text_alerts_with_banner_sound_title_and_notification_until_taken(
    page, server, session, twilio
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    page.add_init_script(RECORDERS)
    sign_in(page, server, ana.email)
    start_shift(page)
    assert recorded(page)["asked"] == 1, "permission is asked for on starting the shift"
    page.evaluate("window.inBackground = true")
    banner = page.get_by_role("alert")
    expect(banner).to_be_hidden()

    contact_id = texter_sends(twilio, session, IMMINENT)

    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Crisis: imminent")
    expect(page).to_have_title(f"(!) Crisis — {TITLE}")
    page.wait_for_function("window.recorded.tones > 0 && window.recorded.notifications.length")
    [notification] = recorded(page)["notifications"]
    assert notification["title"].startswith("(!) Crisis")
    assert IMMINENT not in str(notification), "the texter's words never leave the page"
    shoot(page, "crisis-alert")

    # Another texter's arrival refreshes the page: the alert stays, it does not sound again.
    calm_id = texter_sends(twilio, session, "hi, just wanted to talk", texter="+14155550199")
    expect(page.locator(f'#queue-list li[data-contact-id="{calm_id}"]')).to_be_visible()
    expect(banner).to_be_visible()
    expect(page).to_have_title(f"(!) Crisis — {TITLE}")
    crisis = [n for n in recorded(page)["notifications"] if n["tag"] == "warmline-crisis"]
    assert len(crisis) == 1
    [text] = [n for n in recorded(page)["notifications"] if n["tag"] == "warmline-text"]
    assert "just wanted to talk" not in str(text), "a new text says it came, never its words"

    banner.get_by_role("button", name="Accept the crisis contact").click()
    expect(page.locator(f'#mine-list li[data-contact-id="{contact_id}"]')).to_be_visible()
    expect(banner).to_be_hidden()
    expect(page).to_have_title(TITLE)


def test_the_chat_shows_the_line_s_crisis_reply_with_its_time_and_the_script_as_sent(
    page, server, session, twilio
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    page.add_init_script(RECORDERS)
    sign_in(page, server, ana.email)
    start_shift(page)

    contact_id = texter_sends(twilio, session, IMMINENT)
    page.get_by_role("button", name="Accept the crisis contact").click()

    mine = page.locator(f'#mine-list li[data-contact-id="{contact_id}"]')
    log = mine.get_by_role("log", name="Conversation")
    from_line = log.locator(".message.line")
    expect(from_line).to_have_count(1)
    expect(from_line).to_contain_text("The line (automatic)")
    expect(from_line).to_contain_text("988")
    # The time as the reader's language writes it: a 12-hour clock in US English.
    hour = re.compile(r"^\d\d:\d\d(\s[AP]M)?$")
    expect(from_line.locator("time")).to_have_text(hour)
    expect(log.locator(".message.received time")).to_have_text(hour)
    expect(mine.get_by_role("button", name=re.compile("Insert referral script"))).to_have_text(
        re.compile(r"already sent at \d\d:\d\d")
    )
    shoot(page, "crisis-chat")
