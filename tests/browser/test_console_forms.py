"""The console's forms, reports and logs as a coordinator reads them in headless Chromium:
settings that refuse what the line cannot do, reports that explain themselves, an audit log
in sentences, and a roster that says when a shift ends the next day."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.test_accessibility import findings
from tests.browser.test_console import sign_in
from tests.clock import shown_clock
from tests.console.conftest import make_person
from tests.factories import make_line
from warmline import roster
from warmline.lines import assign_coordinator
from warmline.models import Channel, Contact, Outcome, Role


def _coordinated_line(session):
    line = make_line(session, timezone="America/Chicago")
    cora = make_person(session, "Cora", Role.COORDINATOR)
    assign_coordinator(session, line, cora)
    session.commit()
    return line, cora


def test_a_language_without_scripts_is_refused_beside_what_was_typed(page, server, session):
    line, cora = _coordinated_line(session)
    sign_in(page, server, cora.email)
    page.goto(f"{server}/console/lines/{line.id}/settings")
    expect(page.locator("#wrap_up_seconds_help")).to_contain_text("before the line offers them")
    expect(page.get_by_label("Wrap-up time after each contact, in seconds")).to_have_value("60")
    languages = page.get_by_label("Languages callers can choose")
    expect(languages).to_have_value("en")
    expect(page.locator("#languages_help")).to_contain_text("English (en), Spanish (es)")

    languages.fill("en, fr")
    page.get_by_label("Wrap-up time after each contact, in seconds").fill("120")
    page.get_by_role("button", name="Save settings").click()

    expect(page.get_by_role("alert")).to_contain_text("There are no scripts in 'fr'")
    expect(languages).to_have_value("en, fr")
    expect(languages).to_have_attribute("aria-invalid", "true")
    error = page.locator("#languages_error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("choose from English (en) and Spanish (es)")
    # The rest of what was typed is kept too; nothing was saved.
    expect(page.get_by_label("Wrap-up time after each contact, in seconds")).to_have_value("120")
    assert findings(page) == []
    shoot(page, "console-forms-01-language-refused")
    session.expire_all()
    assert (line.languages, line.wrap_up_seconds) == (["en"], 60)


def test_reports_show_chart_titles_rounded_figures_and_what_each_means(page, server, session):
    line, cora = _coordinated_line(session)
    ana = make_person(session, "Ana")
    now = datetime.now(UTC)
    outcomes = [Outcome.ANSWERED, Outcome.ANSWERED, Outcome.ABANDONED]
    for n, outcome in enumerate(outcomes):
        arrived = now - timedelta(hours=n + 1)
        answered = outcome == Outcome.ANSWERED
        session.add(
            Contact(
                line_id=line.id,
                channel=Channel.VOICE,
                caller_tag=hashlib.sha256(str(n).encode()).hexdigest(),
                arrived_at=arrived,
                connected_at=arrived + timedelta(seconds=31) if answered else None,
                wait_seconds=31 + n,
                talk_seconds=401 if answered else None,
                outcome=outcome,
                specialist_id=ana.id if answered else None,
            )
        )
    session.commit()
    sign_in(page, server, cora.email)
    page.goto(f"{server}/console/lines/{line.id}/reports")
    for title in (
        "Contacts by hour of day",
        "Contacts by day",
        "Specialist hours against contacts, by hour of week",
    ):
        caption = page.locator("figcaption").filter(has_text=title)
        expect(caption.get_by_role("heading", name=title)).to_be_visible()
        expect(caption.locator("p.help")).to_be_visible()
    expect(page.locator("#fig-answer")).to_have_text("67%")  # 2 of 3, not 66.66...%
    summary = page.locator("#table-summary")
    expect(summary.get_by_role("row", name="average talk (min)")).to_contain_text("6.7")
    expect(summary.get_by_role("row", name="answer rate")).to_contain_text(
        "Of the contacts that reached the line, the share a specialist answered."
    )
    rows = summary.locator("tbody tr")
    for index in range(rows.count()):
        expect(rows.nth(index).locator("td").nth(2)).to_have_text(re.compile(r"^[A-Z].{15,}\.$"))
    shoot(page, "console-forms-02-reports")


def test_the_audit_log_tells_each_change_in_a_sentence(page, server, session):
    line, cora = _coordinated_line(session)
    sign_in(page, server, cora.email)
    page.goto(f"{server}/console/lines/{line.id}/settings")
    page.get_by_label("Wrap-up time after each contact, in seconds").fill("120")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_have_text("Settings saved.")
    page.get_by_role("link", name="Audit log").click()
    log = page.locator("#audit")
    expect(log).to_contain_text(
        "Cora changed Riverside Warm Line's wrap-up time from 1 to 2 minutes."
    )
    expect(log).to_contain_text("The operator added the line Riverside Warm Line.")
    expect(log).not_to_contain_text("{")
    shoot(page, "console-forms-03-audit")


def test_an_overnight_shift_says_it_ends_next_day_and_give_to_and_swap_start_empty(
    page, server, session
):
    line, cora = _coordinated_line(session)
    make_person(session, "Ana", phone="+14155550171", line_ids=[line.id])
    make_person(session, "Bo", phone="+14155550172", line_ids=[line.id])
    # The server runs on the real clock: the shifts are two days ahead.
    day = roster.local_today(line) + timedelta(days=2)
    sign_in(page, server, cora.email)
    page.goto(f"{server}/console/lines/{line.id}/roster?week={day}")
    for who, start, end in (("Ana", "22:00", "06:00"), ("Bo", "09:00", "17:00")):
        page.locator("#shift-user").select_option(label=who)
        page.locator("#shift-date").fill(day.isoformat())
        page.locator("#shift-start").fill(start)
        page.locator("#shift-end").fill(end)
        page.get_by_role("button", name="Add shift").click()
        expect(page.get_by_role("status")).to_have_text("Shift added.")
    overnight = page.locator("#shifts tbody tr").filter(has_text=shown_clock("22:00"))
    expect(overnight).to_contain_text(f"{shown_clock('06:00')} ends next day")
    day_shift = page.locator("#shifts tbody tr").filter(has_text=shown_clock("17:00"))
    expect(day_shift).not_to_contain_text("next day")

    give_to = overnight.get_by_label("Give to")
    expect(give_to).to_have_value("")
    expect(page.get_by_label("Swap shift")).to_have_value("")
    expect(page.get_by_label("with", exact=True)).to_have_value("")
    overnight.get_by_role("button", name="Reassign").click()
    # The browser asks for a choice first: nothing is sent, nothing changes.
    assert give_to.evaluate("select => select.validity.valueMissing")
    expect(overnight.locator("td").nth(3)).to_have_text("Ana")
    give_to.select_option(label="Bo")
    expect(give_to).not_to_have_value("")
    shoot(page, "console-forms-04-roster")
