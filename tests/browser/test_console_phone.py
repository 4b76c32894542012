"""Every console page on a phone's screen (375 px) with a busy line: nothing wider than the
screen, the main actions in reach with a thumb-sized target, text readable without zoom;
the specialist's own page and the sign-in pages too (the dashboard: test_phone_screen.py)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import shoot
from tests.browser.test_accessibility import findings
from tests.browser.test_console import sign_in
from tests.console.conftest import PASSWORD
from warmline import audit, blocks, presence, roster
from warmline.lines import add_line, assign_coordinator
from warmline.live import LiveLine, now_ms
from warmline.models import Channel, Contact, Outcome, Role, User, utcnow
from warmline.people import add_user, set_password

PHONE = {"width": 375, "height": 740}
# The smallest target a thumb hits reliably (WCAG 2.5.5, Apple's and Google's guidance).
TOUCH_PX = 44
# Text smaller than this, in CSS pixels as drawn, needs a zoom to read on a phone.
SMALLEST_TEXT_PX = 12
LONG_LINE_NAME = "Riverside and Lower Tri-County Community Peer Support Warm Line"
SPECIALISTS = [
    ("Maximiliana Featherstonehaugh-Worthington", "maximiliana.featherstonehaugh@example.org"),
    ("Bartholomew Oyelaran-Castellanos", "bartholomew.oyelaran-castellanos@example.org"),
    ("Ana", "ana@example.org"),
]

# What a phone must show on each page: its path, then the main actions, by role and name
# (a pattern where the name goes on to say which shift or contact).
PAGES = {
    "lines": ("/console/", [("link", LONG_LINE_NAME)]),
    "overview": ("/console/lines/{line}", [("link", "Roster"), ("link", "Reports")]),
    "live": ("/console/lines/{line}/live", [("link", "Overview")]),
    "roster": (
        "/console/lines/{line}/roster",
        [
            ("link", "Next week →"),
            ("button", re.compile(r"^Cancel .*'s shift on ")),
            ("button", "Reassign"),
            ("button", "Add shift"),
            ("button", "Add weekly shift"),
        ],
    ),
    "settings": ("/console/lines/{line}/settings", [("button", "Save settings")]),
    "scripts": ("/console/lines/{line}/scripts", [("button", "Check")]),
    "contacts": ("/console/lines/{line}/contacts", [("button", "Block")]),
    "blocks": ("/console/lines/{line}/blocks", [("button", "Lift")]),
    "reports": ("/console/lines/{line}/reports", [("button", "Show")]),
    "people": ("/console/people", [("button", "Add")]),
    "audit": ("/console/audit", [("link", "People")]),
    "my calendar": ("/console/my-calendar", [("button", "Get a new calendar link")]),
}

# What stops a page from fitting: the widest elements that stick out past the screen's
# right edge, outside any container that scrolls sideways on its own.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const inScroller = (el) => {
    for (let up = el.parentElement; up; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (overflow === "auto" || overflow === "scroll") return true;
    }
    return false;
  };
  const sticksOut = (el) => el.getBoundingClientRect().right > width + 0.5 && !inScroller(el);
  return [...document.querySelectorAll("body *")]
    .filter((el) => sticksOut(el) && ![...el.children].some(sticksOut))
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className}: `
      + `${Math.round(el.getBoundingClientRect().right)} px`);
}"""

# The smallest text drawn on the page, in CSS pixels, SVG text scaled as it is drawn.
SMALLEST_TEXT = """() => {
  let smallest = Infinity, where = "";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el.checkVisibility() || el.closest("title, .sr")) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement) size *= el.getScreenCTM().a;
    if (size < smallest) { smallest = size; where = `${el.tagName}: ${node.textContent.trim()}`; }
  }
  return [smallest, where.slice(0, 60)];
}"""

# Containers that scroll sideways and have more to show: each must say so with a cue.
SCROLLERS = """() => [...document.querySelectorAll("main *")]
  .filter((el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX)
    && el.scrollWidth > el.clientWidth)
  .map((el) => ({
    what: `${el.tagName.toLowerCase()}.${el.className}`,
    cue: getComputedStyle(el).backgroundImage,
    focusable: el.tabIndex >= 0,
  }))"""


@pytest.fixture
def busy_line(session, app):
    """A line with a long name, a week's roster, a month of contacts, a block and a queue."""
    line = add_line(
        session, name=LONG_LINE_NAME, twilio_number="+15017122661",
        timezone="America/Chicago", languages=["en", "es"],
    )  # fmt: skip
    cora = add_user(
        session, email="cora.montgomery-vanderberg@example.org", password=PASSWORD,
        display_name="Cora Montgomery-Vanderberg", role=Role.COORDINATOR,
    )  # fmt: skip
    session.flush()
    assign_coordinator(session, line, cora, actor_id=cora.id, via="console")
    team = [
        add_user(
            session,
            email=email,
            display_name=name,
            password=PASSWORD,
            phone=f"+1415555017{n}",
            languages=["en", "es"],
            line_ids=[line.id],
            actor_id=cora.id,
            via="console",
        )
        for n, (name, email) in enumerate(SPECIALISTS)
    ]
    session.flush()
    monday = roster.local_today(line) - timedelta(days=roster.local_today(line).weekday())
    for day in range(7):
        for n, (start, end) in enumerate(
            [("08:00", "14:00"), ("14:00", "20:00"), ("20:00", "02:00")]
        ):
            # The whole week, days gone by included, as an operator may roster it.
            window = roster.local_window(line, monday + timedelta(days=day), start, end)
            roster.add_shift(
                session, line=line, user=team[(day + n) % len(team)], starts_at=window.starts_at,
                ends_at=window.ends_at, actor_id=cora.id, via="console",
            )  # fmt: skip
    roster.add_pattern(
        session, line=line, user=team[0], weekday=5, start="10:00", end="16:00",
        starts_on=monday + timedelta(weeks=1), actor_id=cora.id,
    )  # fmt: skip
    now = datetime.now(UTC)
    outcomes = [Outcome.ANSWERED] * 5 + [Outcome.ABANDONED, Outcome.CRISIS_REFERRED]
    contacts = []
    for n in range(40):
        outcome = outcomes[n % len(outcomes)]
        arrived = now - timedelta(days=n % 20, hours=n % 24, minutes=5)
        contacts.append(
            Contact(
                line_id=line.id,
                channel=Channel.SMS if n % 3 == 0 else Channel.VOICE,
                caller_tag=hashlib.sha256(str(n % 9).encode()).hexdigest(),
                arrived_at=arrived,
                language="es" if n % 4 == 0 else "en",
                connected_at=arrived + timedelta(seconds=40)
                if outcome == Outcome.ANSWERED
                else None,
                wait_seconds=20 + n * 7,
                talk_seconds=420 + n * 30 if outcome == Outcome.ANSWERED else None,
                outcome=outcome,
                crisis_tier=2 if outcome == Outcome.CRISIS_REFERRED else n % 2,
                crisis_referred_at=arrived + timedelta(minutes=2)
                if outcome == Outcome.CRISIS_REFERRED
                else None,
                specialist_id=team[n % len(team)].id if outcome == Outcome.ANSWERED else None,
            )
        )
    session.add_all(contacts)
    session.flush()
    blocks.block_from_contact(
        session, contacts[1], reason="Repeated abusive calls to the specialists on the night shift",
        actor_id=cora.id,
    )  # fmt: skip
    audit.record(session, "retention.purge", "line", None, detail={"removed": {str(line.id): 12}})
    session.commit()
    live = LiveLine(app.extensions["warmline"].redis, line.id)
    live.go_available(team[0].id, ["en", "es"], ready_ms=now_ms())
    live.go_on_break(team[1].id, "meal")
    waiting = contacts[-1]
    live.enqueue(waiting.id, language="en", tier=2, arrived_ms=now_ms() - 200_000)
    return line, cora


def fits_a_phone(page) -> list[str]:
    """Return what is wrong with the page on a phone's screen, one line each."""
    # A page just navigated to may be measured before its stylesheet applies (its scrolling
    # boxes then stick out): measure it once loaded.
    page.wait_for_load_state("load")
    wrong = [f"sticks out: {offender}" for offender in page.evaluate(OVERFLOW)]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > PHONE["width"]:
        wrong.append(f"the page scrolls sideways: {scroll_width} px wide")
    smallest, where = page.evaluate(SMALLEST_TEXT)
    if smallest < SMALLEST_TEXT_PX:
        wrong.append(f"text of {smallest:.1f} px ({where})")
    for scroller in page.evaluate(SCROLLERS):
        if scroller["cue"] == "none":
            wrong.append(f"{scroller['what']} scrolls sideways without a cue")
        if not scroller["focusable"]:
            wrong.append(f"{scroller['what']} scrolls sideways out of a keyboard's reach")
    return wrong


def small_targets(page, actions) -> list[str]:
    """Return the main actions hidden or smaller than a thumb, and the header's and nav's."""
    wrong = []
    for role, name in actions:
        target = page.get_by_role(role, name=name, exact=isinstance(name, str)).first
        target.scroll_into_view_if_needed()
        expect(target).to_be_visible()
        box = target.bounding_box()
        if box["height"] < TOUCH_PX or box["width"] < TOUCH_PX:
            wrong.append(f"{role} {name!s}: {box['width']:.0f} by {box['height']:.0f} px")
        if box["x"] < -0.5 or box["x"] + box["width"] > PHONE["width"] + 0.5:
            wrong.append(f"{role} {name!s} off the screen at x={box['x']:.0f}")
    for link in page.locator("header a, header button, nav a").all():
        box = link.bounding_box()
        if box["height"] < TOUCH_PX:
            wrong.append(f"navigation {link.inner_text()!r}: {box['height']:.0f} px tall")
    return wrong


def test_every_console_page_fits_a_phone_with_a_busy_line(page, server, busy_line):
    line, cora = busy_line
    page.set_viewport_size(PHONE)
    sign_in(page, server, cora.email)

    wrong = {}
    for name, (path, actions) in PAGES.items():
        page.goto(server + path.format(line=line.id))
        page.wait_for_load_state("networkidle")
        # axe too: a box that scrolls only on a phone must still be reachable by keyboard.
        wrong[name] = fits_a_phone(page) + small_targets(page, actions) + findings(page)
        shoot(page, f"console-phone-{name.replace(' ', '-')}")
    assert_nothing_wrong(wrong)


def test_what_a_console_action_shows_still_fits_a_phone(page, server, busy_line):
    line, cora = busy_line
    page.set_viewport_size(PHONE)
    sign_in(page, server, cora.email)
    wrong = {}

    page.goto(f"{server}/console/my-calendar")
    page.get_by_role("button", name="Get a new calendar link").click()
    expect(page.locator("#feed-url")).to_be_visible()
    wrong["calendar link"] = fits_a_phone(page)

    page.goto(f"{server}/console/lines/{line.id}/scripts")
    page.get_by_label("Draft").fill(
        "If you are in danger call 911 or text 988, https://988lifeline.org/"
        "get-help/a-very-long-address-with-no-place-to-break-it-at-all " * 3
    )
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#problems")).to_be_visible()
    wrong["script checked"] = fits_a_phone(page) + small_targets(
        page, [("button", "Save as this line's script")]
    )

    page.goto(f"{server}/console/people")
    edit = page.get_by_text(f"Edit {SPECIALISTS[0][0]}")
    edit.scroll_into_view_if_needed()
    edit.click()
    wrong["person opened"] = small_targets(page, [("button", "Save"), ("button", "Set password")])
    page.get_by_role("button", name="New calendar link").first.click()
    expect(page.locator("#feed-url")).to_be_visible()
    wrong["person's calendar link"] = fits_a_phone(page)
    shoot(page, "console-phone-after-actions")
    assert_nothing_wrong(wrong)


def test_a_specialists_own_pages_and_sign_in_fit_a_phone(page, server, session, app, busy_line):
    line, cora = busy_line
    # On shift whatever the hour (the roster's shifts may not cover now): the sign-out
    # warning below is for a specialist on shift.
    maximiliana = session.scalars(select(User).where(User.email == SPECIALISTS[0][1])).one()
    services = app.extensions["warmline"]
    presence.start_shift(
        session, services.redis, services.jobs, line_id=line.id, specialist_id=maximiliana.id,
        at=utcnow(), override_by=cora.id,
    )  # fmt: skip
    page.set_viewport_size(PHONE)
    wrong = {}
    page.goto(f"{server}/sign-in")
    wrong["sign-in"] = fits_a_phone(page) + small_targets(page, [("button", "Sign in")])
    page.get_by_label("Email").fill(SPECIALISTS[0][1])
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    wrong["sign-in refused"] = fits_a_phone(page)

    sign_in(page, server, SPECIALISTS[0][1])
    wrong["dashboard's header"] = small_targets(page, [])
    page.get_by_role("link", name=SPECIALISTS[0][0]).click()
    expect(page.locator("#shift-list li").first).to_be_visible()
    wrong["own page"] = fits_a_phone(page) + small_targets(
        page, [("link", "Put your shifts in your calendar app")]
    )
    shoot(page, "phone-own-page")

    bo = session.scalars(select(User).where(User.email == SPECIALISTS[1][1])).one()
    set_password(session, bo, "a password cora chose", actor_id=cora.id, via="console")
    session.commit()
    page.get_by_role("link", name="Back to your shift").click()
    # The warning is for a shift the page knows of: wait until it has read it.
    expect(page.locator("#status-badge")).to_have_text("Available")
    page.get_by_role("button", name="Sign out").click()
    warning = page.get_by_role("dialog", name="Sign out and end your shift?")
    expect(warning).to_be_visible()
    wrong["sign-out warning"] = fits_a_phone(page)
    warning.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email").fill(bo.email)
    page.get_by_label("Password").fill("a password cora chose")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Choose your own password")).to_be_visible()
    wrong["choose a password"] = fits_a_phone(page) + small_targets(
        page, [("button", "Save and go on")]
    )
    assert_nothing_wrong(wrong)


def assert_nothing_wrong(wrong: dict[str, list[str]]) -> None:
    problems = [f"{where}: {problem}" for where, found in wrong.items() for problem in found]
    assert not problems, "\n".join(problems)
