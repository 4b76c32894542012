"""The feedback report in real headless Chromium: figures, charts, CSV, Spanish, and axe."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.test_accessibility import findings
from tests.browser.test_console import sign_in
from tests.console.conftest import make_person
from tests.factories import make_line
from warmline.lines import assign_coordinator
from warmline.models import Channel, Contact, Outcome, Role


def _answers(session):
    """A line asking for feedback, its coordinator, and a few days of answers from two people."""
    line = make_line(session, timezone="America/Chicago", survey_enabled=True)
    cora = make_person(session, "Cora", Role.COORDINATOR)
    assign_coordinator(session, line, cora)
    ana = make_person(session, "Ana", line_ids=[line.id])
    bo = make_person(session, "Bo", line_ids=[line.id])
    now = datetime.now(UTC)
    scores = [(ana, 5, True), (ana, 4, None), (bo, 2, False), (bo, None, None)]
    for n, (specialist, helpful, would_return) in enumerate(scores):
        arrived = now - timedelta(days=n, hours=2)
        session.add(
            Contact(
                line_id=line.id,
                channel=Channel.SMS if n % 2 else Channel.VOICE,
                caller_tag=hashlib.sha256(str(n).encode()).hexdigest(),
                arrived_at=arrived,
                connected_at=arrived + timedelta(seconds=30),
                ended_at=arrived + timedelta(minutes=15),
                outcome=Outcome.ANSWERED,
                specialist_id=specialist.id,
                survey_asked_at=arrived + timedelta(minutes=14),
                survey_helpful=helpful,
                survey_would_return=would_return,
            )
        )
    session.commit()
    return line, cora


def test_a_coordinator_reads_the_feedback_report_and_downloads_it(page, server, session):
    line, cora = _answers(session)
    sign_in(page, server, cora.email)

    page.goto(f"{server}/console/lines/{line.id}")
    page.get_by_role("link", name="Feedback").click()

    expect(page.get_by_role("heading", name="Feedback", exact=True)).to_be_visible()
    expect(page.locator("#fig-asked")).to_have_text("4")
    expect(page.locator("#fig-response-rate")).to_have_text("75%")
    expect(page.locator("#fig-average-helpfulness")).to_have_text("3.67")
    expect(page.locator("#fig-would-call-again")).to_have_text("50%")
    expect(page.locator("svg.chart")).to_have_count(3)
    expect(page.locator("#table-specialists tbody tr")).to_have_count(2)
    expect(page.locator("#table-specialists")).to_contain_text("Ana")
    assert findings(page) == []
    shoot(page, "feedback-01-report")

    with page.expect_download() as download:
        page.locator("#table-scores").get_by_role("link", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert rows == [
        ["score", "answers"],
        ["1", "0"],
        ["2", "1"],
        ["3", "0"],
        ["4", "1"],
        ["5", "1"],
    ]


def test_the_feedback_report_reads_in_spanish(page, server, session):
    line, cora = _answers(session)
    sign_in(page, server, cora.email)
    page.get_by_label("Language").select_option(label="Español")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")

    page.goto(f"{server}/console/lines/{line.id}/feedback")

    expect(page.get_by_role("heading", name="Opiniones", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Utilidad media por día")).to_be_visible()
    expect(page.locator("#table-specialists thead")).to_contain_text("tasa de respuesta")
    assert findings(page) == []
    shoot(page, "feedback-02-report-in-spanish")
