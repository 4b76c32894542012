"""Reports from contact metadata: counts, rates, percentiles, load and staffing by hour."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.console.conftest import BOTH
from tests.console.test_console_pages import Browser
from tests.factories import LONG_AGO
from warmline import reports, roster
from warmline.console.reports import ABOUT, MEANINGS, report_tables
from warmline.lines import assign_coordinator
from warmline.models import Channel, Contact, Outcome

DAY = date(2026, 6, 1)  # a Monday; Chicago is UTC-5 in June


def tag(n: int) -> str:
    return hashlib.sha256(f"caller {n}".encode()).hexdigest()


def _contact(session, line, hour, minute=0, *, outcome, channel=Channel.VOICE, caller=1, **kw):
    arrived = datetime(2026, 6, 1, 5, tzinfo=UTC) + timedelta(hours=hour, minutes=minute)
    connected = kw.pop("connected_after", None)
    contact = Contact(
        line_id=line.id,
        channel=channel,
        caller_tag=tag(caller),
        arrived_at=arrived,
        connected_at=arrived + timedelta(seconds=connected) if connected is not None else None,
        outcome=outcome,
        **kw,
    )
    session.add(contact)
    return contact


@pytest.fixture
def busy_day(session, line, ana, bo):
    roster.add_local_shift(
        session, now=LONG_AGO, line=line, user=ana, day=DAY, start="09:00", end="13:00"
    )
    roster.add_local_shift(
        session, now=LONG_AGO, line=line, user=bo, day=DAY, start="09:00", end="11:00"
    )
    answered = dict(outcome=Outcome.ANSWERED, talk_seconds=600)
    _contact(
        session,
        line,
        9,
        caller=1,
        connected_after=30,
        wait_seconds=30,
        specialist_id=ana.id,
        **answered,
    )
    _contact(
        session,
        line,
        9,
        30,
        caller=1,
        connected_after=60,
        wait_seconds=60,
        specialist_id=ana.id,
        **answered,
    )
    _contact(
        session,
        line,
        10,
        caller=2,
        connected_after=90,
        wait_seconds=90,
        specialist_id=bo.id,
        **answered,
    )
    _contact(session, line, 10, 15, caller=3, outcome=Outcome.ABANDONED, wait_seconds=300)
    _contact(
        session,
        line,
        11,
        caller=4,
        channel=Channel.SMS,
        outcome=Outcome.CRISIS_REFERRED,
        crisis_tier=2,
        wait_seconds=10,
        crisis_referred_at=datetime(2026, 6, 1, 16, 2, tzinfo=UTC),
    )
    _contact(session, line, 20, caller=5, outcome=Outcome.AFTER_HOURS)
    _contact(session, line, 12, caller=6, outcome=Outcome.BLOCKED)
    # The day before and the day after are outside the period.
    session.add(
        Contact(
            line_id=line.id,
            channel=Channel.VOICE,
            arrived_at=datetime(2026, 6, 1, 4, 59, tzinfo=UTC),
            outcome=Outcome.ANSWERED,
        )
    )
    session.commit()


@BOTH
def test_report_counts_rates_and_percentiles(session, line, ana, bo, busy_day):
    report = reports.build(session, line, DAY, DAY)
    assert report.total == 7
    assert report.by_channel == {"voice": 6, "sms": 1}
    assert report.blocked == 1
    assert report.reached == 5  # after hours and blocked never reached the line
    assert report.answered == 3 and report.answer_rate == 0.6
    assert report.abandoned == 1 and report.abandonment == 0.2
    assert (report.wait_p50, report.wait_p90) == (60.0, 300.0)
    assert report.talk_mean_minutes == 10.0
    assert report.crisis_flagged == 1 and report.crisis_referrals == 1
    assert report.referral_p50_seconds == 120.0
    assert report.repeat_contacts == 2 and report.tagged_contacts == 7
    assert report.per_hour["voice"][9] == 2 and report.per_hour["sms"][11] == 1
    assert report.per_day["voice"]["2026-06-01"] == 6
    loads = {s.name: (s.contacts, s.staffed_hours) for s in report.load}
    assert loads == {"Ana": (2, 4.0), "Bo": (1, 2.0)}
    assert report.evenness == 1.0  # both answered half a contact per staffed hour
    assert report.staffed[9] == 2.0 and report.staffed[12] == 1.0 and report.staffed[13] == 0
    assert report.demand[9] == 2 and report.demand[10] == 2


@BOTH
def test_staffing_on_the_fall_back_night_counts_the_extra_hour(session, line, ana):
    roster.add_local_shift(
        session,
        now=LONG_AGO,
        line=line,
        user=ana,
        day=date(2026, 10, 31),
        start="22:00",
        end="06:00",
    )
    session.commit()
    report = reports.build(session, line, date(2026, 10, 31), date(2026, 11, 1))
    assert report.load[0].staffed_hours == 9.0
    sunday_1am = 6 * 24 + 1
    assert report.staffed[sunday_1am] == 2.0


def test_an_empty_period_has_no_rates(session, line):
    report = reports.build(session, line, DAY, DAY)
    assert report.total == 0 and report.answer_rate is None and report.wait_p50 is None


def test_percentile_and_gini():
    assert reports.percentile([5, 1, 3, 2, 4], 0.5) == 3
    assert reports.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9
    assert reports.gini([1, 1, 1]) == 0
    assert reports.gini([0, 0, 3]) == pytest.approx(2 / 3)


def test_periods_are_bounded(session, line):
    with pytest.raises(ValueError):
        reports.build(session, line, DAY, DAY - timedelta(days=1))
    with pytest.raises(ValueError):
        reports.build(session, line, DAY, DAY + timedelta(days=400))


def test_the_pages_figures_are_rounded_for_reading(session, line, ana, bo, busy_day):
    roster.add_local_shift(
        session, now=LONG_AGO, line=line, user=bo, day=DAY, start="14:00", end="14:20"
    )
    _contact(
        session, line, 14, 5, caller=7, connected_after=7, wait_seconds=7,
        specialist_id=bo.id, outcome=Outcome.ANSWERED, talk_seconds=1001,
    )  # fmt: skip
    session.commit()
    tables = report_tables(reports.build(session, line, DAY, DAY))
    summary = dict(tables["summary"][2])
    assert summary["answer rate"] == "67%"  # 4 of 6
    # Waits 7, 10, 30, 60, 90 and 300 s: half waited 30 s or less, shown in whole seconds.
    assert summary["typical wait (s)"] == 30 and isinstance(summary["typical wait (s)"], int)
    assert summary["average talk (min)"] == 11.7  # (3 x 600 + 1001) s / 4 = 11.67 min
    bo_load = next(row for row in tables["load"][2] if row[0] == "Bo")
    assert bo_load[3] == 2.3  # 2 h 20 min on shift
    for name, (_title, _header, rows) in tables.items():
        for row in rows:
            for cell in row:
                if isinstance(cell, float):
                    assert cell == round(cell, 2), (name, row)


def test_every_measure_table_and_chart_says_what_it_shows_in_a_sentence(session, line):
    report = reports.build(session, line, DAY, DAY)
    tables = report_tables(report)
    assert [row[0] for row in tables["summary"][2]] == list(MEANINGS)
    for sentence in [*MEANINGS.values(), *ABOUT.values()]:
        assert sentence[:1].isupper() and sentence.endswith("."), sentence
    assert set(ABOUT) == set(tables)


def test_reports_count_callbacks_asked_for_made_and_reached_in_the_page_csv_and_json(
    app, session, line, ana, cora
):
    asked = datetime(2026, 6, 1, 14, tzinfo=UTC)
    _contact(session, line, 9, caller=1, outcome=Outcome.OPEN, callback_requested_at=asked)
    _contact(
        session,
        line,
        9,
        caller=2,
        outcome=Outcome.ANSWERED,
        connected_after=300,
        callback_requested_at=asked,
        callback_attempts=2,
        specialist_id=ana.id,
    )
    _contact(
        session,
        line,
        10,
        caller=3,
        outcome=Outcome.CALLBACK_NOT_REACHED,
        callback_requested_at=asked,
        callback_attempts=2,
    )
    _contact(session, line, 10, caller=4, outcome=Outcome.ANSWERED, connected_after=30)
    assign_coordinator(session, line, cora, via="cli")
    session.commit()

    report = reports.build(session, line, DAY, DAY)
    assert (report.callbacks_requested, report.callbacks_made, report.callbacks_reached) == (
        3,
        2,
        1,
    )
    summary = dict(report_tables(report)["summary"][2])
    assert (summary["callbacks made"], summary["callbacks reached"]) == (2, 1)
    console = Browser(app.test_client())
    console.sign_in(cora.email)
    period = f"from={DAY.isoformat()}&to={DAY.isoformat()}"
    data = console.get(f"/console/lines/{line.id}/reports.json?{period}").json
    rows = {row["measure"]: row["value"] for row in data["tables"]["summary"]}
    assert (rows["callbacks asked for"], rows["callbacks made"], rows["callbacks reached"]) == (
        3,
        2,
        1,
    )
    csv = console.get(f"/console/lines/{line.id}/reports/summary.csv?{period}").get_data(
        as_text=True
    )
    assert "callbacks reached,1" in csv.replace("\r", "")
    page = console.page(f"/console/lines/{line.id}/reports?{period}")
    assert "callbacks made" in page and "Callers the line called back" in page
