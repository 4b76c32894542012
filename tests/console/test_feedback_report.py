"""The feedback report: by the line's local day and hour, by specialist, as a page and CSV."""

from __future__ import annotations

import csv
import hashlib
import html
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.console.conftest import BOTH, make_person
from tests.console.test_console_pages import SETTINGS, Browser
from warmline import feedback
from warmline.console.feedback import feedback_tables
from warmline.lines import assign_coordinator
from warmline.models import Channel, Contact, Line, Outcome, Role

# Chicago is UTC-6 in November: 05:30 UTC on the 20th is 23:30 on the 19th there.
LATE_EVENING = datetime(2026, 11, 20, 5, 30, tzinfo=UTC)
MORNING = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def asked(session, line, specialist, at, *, helpful=None, would_return=None, channel=Channel.VOICE):
    contact = Contact(
        line_id=line.id,
        channel=channel,
        caller_tag=hashlib.sha256(str(at).encode()).hexdigest(),
        arrived_at=at,
        connected_at=at + timedelta(minutes=1),
        ended_at=at + timedelta(minutes=20),
        outcome=Outcome.ANSWERED,
        specialist_id=specialist.id,
        survey_asked_at=at + timedelta(minutes=19),
        survey_helpful=helpful,
        survey_would_return=would_return,
    )
    session.add(contact)
    return contact


@pytest.fixture
def answers(session, line, ana, bo):
    asked(session, line, ana, LATE_EVENING, helpful=5, would_return=True)
    asked(session, line, ana, LATE_EVENING + timedelta(minutes=10), helpful=3, channel=Channel.SMS)
    asked(session, line, bo, MORNING, helpful=1, would_return=False)
    asked(session, line, bo, MORNING + timedelta(minutes=5))
    # Never asked (the line asked nothing then): counted nowhere.
    session.add(
        Contact(
            line_id=line.id,
            channel=Channel.VOICE,
            arrived_at=MORNING,
            outcome=Outcome.ANSWERED,
            specialist_id=bo.id,
        )
    )
    session.commit()


@BOTH
def test_answers_add_up_by_the_lines_local_day_and_hour_and_by_specialist(
    session, line, ana, bo, answers
):
    result = feedback.report(session, line, date(2026, 11, 19), date(2026, 11, 20))

    assert (result.overall.asked, result.overall.answered) == (4, 3)
    assert result.overall.response_rate == 0.75
    assert result.overall.mean == 3.0
    assert result.overall.return_share == 0.5
    assert result.per_day["2026-11-19"].answered == 2 and result.per_day["2026-11-19"].mean == 4.0
    assert result.per_day["2026-11-20"].asked == 2 and result.per_day["2026-11-20"].mean == 1.0
    assert result.per_hour[23].answered == 2 and result.per_hour[9].asked == 2
    assert result.by_specialist[ana.id].mean == 4.0
    assert result.by_specialist[bo.id].response_rate == 0.5
    assert (result.by_channel["voice"].asked, result.by_channel["sms"].asked) == (3, 1)
    assert dict(result.scores) == {5: 1, 3: 1, 1: 1}


def test_a_specialist_adds_up_only_their_own(session, line, ana, bo, answers):
    mine = feedback.report(
        session, line, date(2026, 11, 19), date(2026, 11, 20), specialist_id=ana.id
    )

    assert (mine.overall.asked, mine.overall.mean) == (2, 4.0)
    assert set(mine.by_specialist) == {ana.id}


def test_the_day_in_utc_is_not_the_lines_day(session, line, ana, bo, answers):
    only_the_20th = feedback.report(session, line, date(2026, 11, 20), date(2026, 11, 20))

    assert only_the_20th.overall.asked == 2, "23:30 on the 19th in Chicago is the 20th in UTC"


def test_the_tables_keep_english_headers_and_name_every_score(session, line, ana, bo, answers):
    tables = feedback_tables(feedback.report(session, line, date(2026, 11, 19), date(2026, 11, 20)))

    assert tables["scores"][2] == [[1, 1], [2, 0], [3, 1], [4, 0], [5, 1]]
    assert dict(tables["summary"][2])["response rate"] == "75%"
    assert tables["specialists"][1][0] == "specialist"
    assert [row[0] for row in tables["specialists"][2]] == ["Ana", "Bo"]


@pytest.fixture
def console(app, session, line, cora):
    assign_coordinator(session, line, cora, via="cli")
    session.commit()
    browser = Browser(app.test_client())
    browser.sign_in(cora.email)
    return browser


def test_the_coordinator_reads_the_feedback_page_and_downloads_each_table(console, line, answers):
    page = html.unescape(
        console.page(f"/console/lines/{line.id}/feedback?from=2026-11-19&to=2026-11-20")
    )

    assert 'id="fig-response-rate">75%' in page
    assert "Average helpfulness by day" in page and "<svg" in page
    assert "Ana" in page and "Bo" in page
    response = console.get(
        f"/console/lines/{line.id}/feedback/specialists.csv?from=2026-11-19&to=2026-11-20"
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [
        "specialist",
        "asked",
        "answered",
        "response rate",
        "average helpfulness",
        "would call again",
    ]
    assert rows[1][:4] == ["Ana", "2", "2", "100%"]


@pytest.mark.parametrize(
    "query", ["from=2026-11-20&to=2026-11-19", "from=yesterday", "from=2024-01-01&to=2026-01-01"]
)
def test_an_odd_period_is_refused(console, line, query):
    assert console.get(f"/console/lines/{line.id}/feedback?{query}").status_code == 400


def test_an_unknown_table_is_not_found(console, line):
    assert console.get(f"/console/lines/{line.id}/feedback/people.csv").status_code == 404


def test_the_page_is_spanish_for_a_spanish_reader(console, line, answers):
    page = console.get(
        f"/console/lines/{line.id}/feedback", headers={"Accept-Language": "es"}
    ).get_data(as_text=True)

    assert "Utilidad media por día" in html.unescape(page)


def test_another_lines_coordinator_and_a_specialist_see_nothing(app, session, line, ana, answers):
    other = Line(name="Other line", twilio_number="+15017129999")
    session.add(other)
    dora = make_person(session, "Dora", Role.COORDINATOR)
    assign_coordinator(session, other, dora, via="cli")
    session.commit()
    for email in (dora.email, ana.email):
        browser = Browser(app.test_client())
        browser.sign_in(email)
        assert browser.get(f"/console/lines/{line.id}/feedback").status_code in {403, 404}
        assert browser.get(f"/console/lines/{line.id}/feedback/daily.csv").status_code in {
            403,
            404,
        }


def test_the_settings_turn_the_questions_on_and_set_the_window(console, session, line):
    response = console.post(
        f"/console/lines/{line.id}/settings",
        {**SETTINGS, "survey": "helpful", "survey_window_hours": "12"},
    )

    assert response.status_code == 303
    session.expire_all()
    saved = session.get(Line, line.id)
    assert (saved.survey_enabled, saved.survey_asks_return, saved.survey_window_hours) == (
        True,
        False,
        12,
    )


@pytest.mark.parametrize(
    "change", [{"survey": "always"}, {"survey_window_hours": "0"}, {"survey_window_hours": "73"}]
)
def test_odd_survey_settings_are_refused_and_nothing_changes(console, session, line, change):
    response = console.post(f"/console/lines/{line.id}/settings", {**SETTINGS, **change})

    assert response.status_code == 422
    session.expire_all()
    assert session.get(Line, line.id).survey_enabled is False


def test_a_specialist_sees_their_own_feedback_on_their_page_and_nobody_elses(
    app, session, line, ana, bo
):
    now = datetime.now(UTC)
    asked(session, line, ana, now - timedelta(minutes=30), helpful=4)
    asked(session, line, ana, now - timedelta(minutes=20))
    asked(session, line, bo, now - timedelta(minutes=10), helpful=1)
    session.commit()
    browser = Browser(app.test_client())
    browser.sign_in(ana.email)

    page = html.unescape(browser.page("/me"))

    assert "1 of 2 asked answered" in page
    assert "average helpfulness 4.0 of 5" in page
    assert "1.0 of 5" not in page


def test_the_scripts_page_lists_the_questions_and_checks_a_draft_under_their_rules(
    console, session, line
):
    path = f"/console/lines/{line.id}/scripts"
    listed = html.unescape(console.page(path))
    assert "survey_helpful" in listed and "Press 9 at any time for the crisis line" in listed

    checked = console.post(
        path,
        {"kind": "survey_helpful", "channel": "voice", "language": "en", "action": "check",
         "draft": "How was it? Press 1 to 5."},
    )  # fmt: skip
    assert "it does not say to press 9 for the crisis line (en)" in html.unescape(
        checked.get_data(as_text=True)
    )
    refused = console.post(
        path,
        {"kind": "survey_return", "channel": "sms", "language": "en", "action": "save",
         "draft": "Again? 1 yes, 2 no. In crisis, call or text 988."},
    )  # fmt: skip
    assert refused.status_code in {303, 422}
    session.expire_all()
    assert session.get(Line, line.id).scripts == []
