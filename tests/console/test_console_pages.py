"""The console over HTTP: coordinators only, their own lines only, every change audited."""

from __future__ import annotations

import hashlib
import html
import io
import re
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from tests.clock import shown_clock, shown_date, shown_weekday_date
from tests.console.conftest import BOTH, PASSWORD, make_person
from tests.factories import make_line
from warmline import audit, people
from warmline.crisis.scripts import referral_script
from warmline.lines import assign_coordinator, context
from warmline.models import (
    AuditEvent,
    Block,
    Channel,
    Contact,
    Line,
    LineScript,
    Outcome,
    Role,
    Shift,
    User,
)
from warmline.web.access import visible_lines


class Browser:
    """A test client that signs in through the dashboard and posts forms with the CSRF token."""

    def __init__(self, client) -> None:
        self.client = client
        self.csrf = ""

    def sign_in(self, email: str) -> None:
        token = self.client.get("/api/session").json["csrf_token"]
        response = self.client.post(
            "/api/session",
            json={"email": email, "password": PASSWORD},
            headers={"X-CSRF-Token": token},
        )
        assert response.status_code == 200, response.json
        self.csrf = response.json["csrf_token"]

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, data=None, **kwargs):
        return self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)

    def page(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, response.data[:500]
        return response.get_data(as_text=True)


@pytest.fixture
def coordinated(session, line, cora):
    assign_coordinator(session, line, cora, via="cli")
    session.commit()
    return line


@pytest.fixture
def console(app, coordinated, cora):
    browser = Browser(app.test_client())
    browser.sign_in(cora.email)
    return browser


def _actions(session) -> list[tuple[str, int | None, str]]:
    session.expire_all()
    return [
        (e.action, e.actor_id, e.via)
        for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]


def test_specialists_are_refused_from_every_console_route(app, session, coordinated, ana):
    browser = Browser(app.test_client())
    browser.sign_in(ana.email)
    line = coordinated.id
    for path in (
        "/console/",
        f"/console/lines/{line}",
        f"/console/lines/{line}/roster",
        f"/console/lines/{line}/settings",
        f"/console/lines/{line}/reports",
        f"/console/lines/{line}/reports.json",
        f"/console/lines/{line}/reports/summary.csv",
        f"/console/lines/{line}/blocks.csv",
        f"/console/lines/{line}/coverage.json",
        "/console/people",
        "/console/audit",
    ):
        assert browser.get(path).status_code == 403, path
    for path in (
        f"/console/lines/{line}/settings",
        f"/console/lines/{line}/shifts",
        f"/console/lines/{line}/patterns",
        "/console/people",
        f"/console/people/{ana.id}/password",
    ):
        assert browser.post(path, {"password": "x" * 20}).status_code == 403, path
    assert not [a for a in _actions(session) if a[2] == "console"]


def test_signed_out_visitors_go_to_sign_in_and_json_says_401(client, coordinated):
    page = client.get("/console/")
    assert page.status_code == 302 and page.location.endswith("/sign-in?next=/console/")
    assert client.get(f"/console/lines/{coordinated.id}/reports.json").status_code == 401


def _sign_in_through_the_page(client, sign_in_url: str, email: str):
    page = client.get(sign_in_url).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    landing = re.search(r'name="next" value="([^"]*)"', page).group(1)
    form = {"csrf_token": csrf, "next": landing, "email": email, "password": PASSWORD}
    return client.post("/sign-in", data=form)


def test_a_coordinator_sent_to_sign_in_from_the_console_lands_back_on_it(client, coordinated, cora):
    sign_in_url = client.get(f"/console/lines/{coordinated.id}/settings").location
    response = _sign_in_through_the_page(client, sign_in_url, cora.email)
    assert response.status_code == 302
    assert response.location == f"/console/lines/{coordinated.id}/settings"
    assert client.get("/sign-in?next=/console/").location == "/console/"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/console/",
        "//evil.example/console/",
        "/console//evil.example",
        "/console/\\evil",
        "/\\evil.example",
        "/console/\r\nSet-Cookie: x=1",
        "/console/" + "a" * 600,
        "/api/x",
    ],
)
def test_sign_in_never_sends_anyone_outside_the_console_or_dashboard(client, cora, target):
    response = _sign_in_through_the_page(
        client, "/sign-in?" + urlencode({"next": target}), cora.email
    )
    assert response.status_code == 302 and response.location == "/dashboard"


def test_the_dashboard_links_to_the_console_only_for_coordinators(app, console, ana):
    assert 'href="/console/"' in console.page("/dashboard")
    assert 'href="/dashboard"' in console.page("/console/")
    specialist = Browser(app.test_client())
    specialist.sign_in(ana.email)
    assert 'href="/console/"' not in specialist.page("/dashboard")


def test_forms_without_the_csrf_token_are_refused(console, coordinated, ana):
    response = console.client.post(
        f"/console/lines/{coordinated.id}/shifts",
        data={"user_id": ana.id, "date": "2026-06-01", "start": "09:00", "end": "10:00"},
    )
    assert response.status_code == 403


def test_a_coordinator_sees_only_the_lines_they_coordinate(console, session, coordinated):
    other = make_line(session, name="Hillside Warm Line", twilio_number="+15017122662")
    index = console.page("/console/")
    assert "Riverside Warm Line" in index and "Hillside" not in index
    for path in ("", "/roster", "/reports", "/settings", "/blocks.csv", "/reports.json"):
        assert console.get(f"/console/lines/{other.id}{path}").status_code == 404, path


def test_an_administrator_links_coordinators_to_lines(app, session, coordinated, cora):
    admin = make_person(session, "Ada", Role.ADMIN)
    other = make_line(session, name="Hillside Warm Line", twilio_number="+15017122662")
    browser = Browser(app.test_client())
    browser.sign_in(admin.email)
    response = browser.post(f"/console/lines/{other.id}/coordinators", {"user_id": cora.id})
    assert response.status_code == 303
    assert other.id in {line.id for line in visible_lines(session, cora)}
    assert ("line.coordinator_add", admin.id, "console") in _actions(session)


def test_coordinators_cannot_link_themselves_to_lines(console, session, coordinated, cora):
    response = console.post(f"/console/lines/{coordinated.id}/coordinators", {"user_id": cora.id})
    assert response.status_code == 403


SETTINGS = {
    "name": "Riverside <Warm> Line",
    "hours_mon": "09:00-13:00, 17:00-21:00",
    "hours_sat": "10:00-14:00",
    "languages": "en, es",
    "routing_strategy": "round_robin",
    "crisis_number": "+18002738255",
    "overflow_number": "",
    "wrap_up_topics": "loneliness\nhousing\n",
    "crisis_terms": "means: rat poison",
    "holidays": "2027-01-01\n2026-12-25",
    "ring_timeout_seconds": "25",
    "wrap_up_seconds": "90",
    "max_wait_seconds": "900",
    "daily_contact_limit": "4",
    "retention_days": "180",
    "max_texts_per_specialist": "3",
    "min_specialists": "2",
    "crisis_carry_hours": "24",
    "survey_window_hours": "24",
    "recovery_seconds": "300",
    "long_call_minutes": "45",
    "contacts_before_break": "0",
    "max_pending_callbacks": "5",
    "callback_retry_seconds": "180",
}


@BOTH
def test_settings_are_saved_audited_and_escaped(console, session, coordinated, cora):
    response = console.post(f"/console/lines/{coordinated.id}/settings", SETTINGS)
    assert response.status_code == 303
    session.expire_all()
    line = session.get(Line, coordinated.id)
    assert line.opening_hours == {
        "mon": [["09:00", "13:00"], ["17:00", "21:00"]],
        "sat": [["10:00", "14:00"]],
    }
    assert (line.languages, line.routing_strategy.value, line.min_specialists) == (
        ["en", "es"],
        "round_robin",
        2,
    )
    assert line.crisis_terms == {"means": ["rat poison"]}
    assert line.holidays == ["2026-12-25", "2027-01-01"]
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "line.update")).one()
    assert event.actor_id == cora.id
    assert event.detail["changed"]["ring_timeout_seconds"] == [20, 25]
    page = console.page(f"/console/lines/{coordinated.id}/settings")
    assert "Riverside &lt;Warm&gt; Line" in page and "<Warm>" not in page
    assert "Settings saved." in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ring_timeout_seconds", "500", "ring timeout seconds must be a whole number"),
        ("hours_tue", "9 to 5", "opening hours on tue"),
        ("hours_tue", "17:00-09:00", "opening first"),
        ("languages", "english", "ISO 639"),
        ("languages", "en, fr", "there are no scripts in 'fr'"),
        ("routing_strategy", "random", "routing strategy"),
        ("crisis_terms", "nonsense: word", "crisis terms"),
        ("crisis_number", "12", ""),
        ("wrap_up_topics", "  \n ", "wrap up topics is required"),
        ("holidays", "christmas", "holidays must be dates"),
    ],
)
def test_bad_settings_are_refused_with_a_reason_and_nothing_changes(
    console, session, coordinated, field, value, message
):
    response = console.post(f"/console/lines/{coordinated.id}/settings", {**SETTINGS, field: value})
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert 'class="error"' in page and message.lower() in page.lower()
    session.expire_all()
    assert session.get(Line, coordinated.id).ring_timeout_seconds == 20
    assert not [a for a in _actions(session) if a[0] == "line.update"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "ring_timeout_seconds",
            "500",
            "Segundos de timbre: debe ser un número entero de 5 a 120",
        ),
        ("wrap_up_topics", "  \n ", "Temas del cierre: este campo es obligatorio"),
        ("name", "x" * 121, "Nombre: escribe como máximo 120 caracteres"),
    ],
)
def test_a_spanish_coordinator_is_told_in_spanish_which_field_to_fix(
    console, session, coordinated, cora, field, value, message
):
    cora.interface_language = "es"
    session.commit()

    response = console.post(f"/console/lines/{coordinated.id}/settings", {**SETTINGS, field: value})

    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("field", "typed", "shown"),
    [
        ("languages", "en, fr", 'value="en, fr"'),
        ("ring_timeout_seconds", "500", 'value="500"'),
        ("hours_tue", "9 to 5", 'value="9 to 5"'),
        ("crisis_terms", "nonsense: word", ">nonsense: word</textarea>"),
    ],
)
def test_a_refused_setting_keeps_what_was_typed_with_the_reason_beside_it(
    console, coordinated, field, typed, shown
):
    response = console.post(f"/console/lines/{coordinated.id}/settings", {**SETTINGS, field: typed})

    page = response.get_data(as_text=True)
    assert shown in page
    assert f'id="{field}_error"' in page
    assert f'aria-describedby="{field}_help {field}_error"' in page or (
        f'aria-describedby="{field}_error"' in page
    )
    # Everything else the coordinator typed is kept too, not the saved values.
    assert 'value="Riverside &lt;Warm&gt; Line"' in page


def test_every_setting_has_a_plain_label_and_a_line_of_help(console, coordinated):
    page = console.page(f"/console/lines/{coordinated.id}/settings")
    fields = set(re.findall(r'<(?:input|select|textarea) id="(\w+)"', page))
    helped = set(re.findall(r'<p class="help" id="(\w+)_help">[^<]{20,}</p>', page))
    days = {f"hours_{day}" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    assert fields - days - {"voice_en"} <= helped
    assert "hours" in helped
    labels = re.findall(r"<label[^>]*>([^<]*)</label>", page)
    assert not [label for label in labels if "_" in label]
    assert "scripts for: English (en), Spanish (es)." in page


@BOTH
def test_a_coordinator_chooses_the_voice_each_language_is_read_in(console, session, coordinated):
    page = console.page(f"/console/lines/{coordinated.id}/settings")
    assert 'name="voice_en"' in page and 'name="voice_es"' not in page
    chosen = {"voice_en": "Polly.Matthew-Neural", "voice_es": "Polly.Pedro-Neural"}

    response = console.post(f"/console/lines/{coordinated.id}/settings", {**SETTINGS, **chosen})

    assert response.status_code == 303
    session.expire_all()
    line = session.get(Line, coordinated.id)
    assert line.voices == {"en": "Polly.Matthew-Neural", "es": "Polly.Pedro-Neural"}
    assert context(line).voices == line.voices
    page = console.page(f"/console/lines/{coordinated.id}/settings")
    assert '<option value="Polly.Pedro-Neural" selected>' in page
    assert "Each voice speaks only one language" in page


@pytest.mark.parametrize(
    ("language", "voice"),
    [
        ("es", "Polly.Joanna-Neural"),  # an English voice for Spanish words
        ("en", "Polly.Lupe-Neural"),
        ("es", "Polly.Mia"),  # Mexican Spanish, where the line reads US Spanish
        ("en", "man"),  # Twilio's man voice does not speak en-US
        ("en", "Polly.Nobody"),
    ],
)
def test_a_coordinator_cannot_save_a_voice_for_the_wrong_language(
    console, session, coordinated, language, voice
):
    """https://www.twilio.com/docs/voice/twiml/say: such a <Say> fails and says nothing."""
    response = console.post(
        f"/console/lines/{coordinated.id}/settings", {**SETTINGS, f"voice_{language}": voice}
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error"' in page and "is not one of the voices that speak" in page
    assert 'id="voices_error"' in page
    session.expire_all()
    line = session.get(Line, coordinated.id)
    assert line.voices == {}
    assert line.ring_timeout_seconds == 20
    assert not [a for a in _actions(session) if a[0] == "line.update"]


def test_script_check_previews_a_draft_and_names_the_broken_rules(console, coordinated):
    page = console.post(
        f"/console/lines/{coordinated.id}/scripts",
        {"draft": "<b>Call us</b> any time.", "channel": "sms", "language": "en"},
    ).get_data(as_text=True)
    assert "&lt;b&gt;Call us&lt;/b&gt;" in page
    assert "it does not name 988" in page


def test_script_check_warns_of_every_rule_that_saving_enforces(console, coordinated):
    shipped = referral_script("after_hours", "voice", "en")
    without_nine = shipped.replace(" Press 9 now to be connected to the crisis line.", "")
    which = {"kind": "after_hours", "channel": "voice", "language": "en"}
    url = f"/console/lines/{coordinated.id}/scripts"
    page = console.post(url, {"draft": without_nine, **which}).get_data(as_text=True)
    assert "it does not say to press 9 for the crisis line (en)" in page
    page = console.post(url, {"draft": shipped, **which}).get_data(as_text=True)
    assert "This script keeps every rule." in page


def next_clock_change(zone: str, today: date) -> tuple[date, bool]:
    """Return the first Sunday the line's clocks change more than a week after `today` (the
    line's date), and whether they go forward."""
    tz = ZoneInfo(zone)
    day = today + timedelta(days=8)
    while True:
        before = datetime.combine(day, time(0), tzinfo=tz).utcoffset()
        after = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).utcoffset()
        if before != after:
            return day, after > before
        day += timedelta(days=1)


@pytest.fixture(params=[date(2026, 2, 26), date(2026, 10, 22)], ids=["forward", "back"])
def before_a_clock_change(request):
    """Freeze the clock ten days before one of Chicago's clock changes, before signing in."""
    with time_machine.travel(datetime.combine(request.param, time(12), tzinfo=UTC)):
        yield request.param


@BOTH
def test_roster_editing_across_a_daylight_saving_week(
    before_a_clock_change, console, session, coordinated, ana, bo
):
    line_id = coordinated.id
    session.get(Line, line_id).timezone = "America/Chicago"
    session.commit()
    sunday, forward = next_clock_change("America/Chicago", before_a_clock_change)
    assert forward == (sunday.month == 3)
    monday, following = sunday - timedelta(days=6), sunday + timedelta(days=1)
    response = console.post(
        f"/console/lines/{line_id}/patterns",
        {"user_id": ana.id, "starts_on": monday.isoformat(), "start": "18:00", "end": "22:00"},
    )
    assert response.status_code == 303
    response = console.post(
        f"/console/lines/{line_id}/shifts",
        {"user_id": bo.id, "date": sunday.isoformat(), "start": "01:00", "end": "05:00"},
    )
    assert response.status_code == 303
    page = console.page(f"/console/lines/{line_id}/roster?week={sunday.isoformat()}")
    assert f"week of {shown_date(monday)}" in page
    evening = f"<td>{shown_clock('18:00')}</td><td>{shown_clock('22:00')}</td><td>Ana</td>"
    assert f"<td>{shown_weekday_date(monday)}</td>{evening}" in page
    night = f"<td>{shown_clock('01:00')}</td><td>{shown_clock('05:00')}</td><td>Bo</td>"
    assert f"<td>{shown_weekday_date(sunday)}</td>{night}" in page
    if forward:
        assert f'data-cell="{sunday}T02">skipped' in page  # the hour the clocks skip
    after = console.page(f"/console/lines/{line_id}/roster?week={following.isoformat()}")
    assert f"<td>{shown_weekday_date(following)}</td>{evening}" in after
    grid = console.get(f"/console/lines/{line_id}/coverage.json?week={following}").json
    evening = [h for h in grid["hours"] if h["date"] == following.isoformat() and h["on_shift"]]
    assert [h["hour"] for h in evening] == ["18:00", "19:00", "20:00", "21:00"]
    shift = session.scalars(select(Shift).where(Shift.occurrence == following)).one()
    assert (shift.ends_at - shift.starts_at) == timedelta(hours=4)
    assert (
        console.post(
            f"/console/lines/{line_id}/shifts/{shift.id}/reassign", {"user_id": bo.id}
        ).status_code
        == 303
    )
    assert console.post(f"/console/lines/{line_id}/shifts/{shift.id}/cancel").status_code == 303
    actions = [a[0] for a in _actions(session) if a[2] == "console"]
    assert actions == ["pattern.add", "shift.add", "shift.reassign", "shift.cancel"]


@pytest.fixture
def may_morning():
    """Freeze the clock at Wednesday 2026-05-20, 07:00 in Chicago, before signing in."""
    with time_machine.travel(datetime(2026, 5, 20, 12, tzinfo=UTC), tick=False):
        yield


def test_the_roster_refuses_a_shift_in_the_past_or_of_no_length_and_shows_overnight_ones(
    may_morning, console, session, coordinated, ana
):
    url = f"/console/lines/{coordinated.id}/shifts"
    shift = {"user_id": ana.id, "date": "2026-05-20"}
    page = console.post(url, {**shift, "start": "06:59", "end": "09:00"}, follow_redirects=True)
    assert "A shift starting 2026-05-20 06:59 (America/Chicago) is in the past" in page.text
    page = console.post(url, {**shift, "start": "09:00", "end": "09:00"}, follow_redirects=True)
    assert "lasts no time at all" in page.text
    assert session.scalars(select(Shift)).first() is None
    page = console.post(url, {**shift, "start": "22:00", "end": "06:00"}, follow_redirects=True)
    assert "Shift added." in page.text
    night = f"<td>{shown_clock('22:00')}</td><td>{shown_clock('06:00')} "
    assert night + '<span class="next-day">ends next day</span></td>' in page.text
    assert session.scalars(select(Shift)).one().starts_at == datetime(2026, 5, 21, 3, tzinfo=UTC)


def test_give_to_and_swap_start_on_an_empty_choice_and_refuse_it(
    may_morning, console, session, coordinated, ana, bo
):
    url = f"/console/lines/{coordinated.id}/shifts"
    for who, start in ((ana, "09:00"), (bo, "13:00")):
        console.post(url, {"user_id": who.id, "date": "2026-05-21", "start": start, "end": "17:00"})
    mine, _theirs = session.scalars(select(Shift).order_by(Shift.id)).all()
    page = console.page(f"/console/lines/{coordinated.id}/roster")
    for select_id in (f"to-{mine.id}", "swap-first", "swap-second"):
        chosen = re.search(rf'<select id="{select_id}"[^>]*required>(<option[^>]*>)', page)
        assert chosen and chosen.group(1) == '<option value="" selected>', select_id
    page = console.post(f"{url}/{mine.id}/reassign", {"user_id": ""}, follow_redirects=True).text
    assert "Choose who takes the shift" in page
    page = console.post(
        f"{url}/swap", {"first": str(mine.id), "second": ""}, follow_redirects=True
    ).text
    assert "Choose the two shifts to swap" in page
    session.expire_all()
    assert [s.user_id for s in session.scalars(select(Shift).order_by(Shift.id))] == [ana.id, bo.id]


def test_roster_csv_round_trip_and_row_errors(may_morning, console, session, coordinated, ana):
    line_id = coordinated.id
    good = "email,date,start,end\nana@example.org,2026-06-01,09:00,13:00\n"
    bad = "email,date,start,end\nana@example.org,2026-06-02,09:00,13:00\nx@y.z,2026-06-02,9,1\n"
    response = console.post(
        f"/console/lines/{line_id}/roster/import",
        {"file": (io.BytesIO(bad.encode()), "roster.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    page = console.page(f"/console/lines/{line_id}/roster?week=2026-06-01")
    assert "Not imported: row 3: nobody signs in as" in page
    assert session.scalars(select(Shift)).first() is None
    console.post(
        f"/console/lines/{line_id}/roster/import",
        {"file": (io.BytesIO(good.encode()), "roster.csv")},
        content_type="multipart/form-data",
    )
    exported = console.get(f"/console/lines/{line_id}/roster.csv?week=2026-06-01")
    assert exported.mimetype == "text/csv"
    assert "ana@example.org,2026-06-01,09:00,13:00,," in exported.get_data(as_text=True)


TAG = hashlib.sha256(b"someone").hexdigest()


@BOTH
def test_block_from_a_past_contact_then_lift_it(console, session, coordinated, cora):
    contact = Contact(
        line_id=coordinated.id, channel=Channel.SMS, caller_tag=TAG, outcome=Outcome.ANSWERED
    )
    session.add(contact)
    session.commit()
    page = console.page(f"/console/lines/{coordinated.id}/contacts")
    assert TAG[:8] in page and TAG not in page
    response = console.post(
        f"/console/lines/{coordinated.id}/contacts/{contact.id}/block",
        {"reason": "<i>threats</i>", "days": "30"},
    )
    assert response.status_code == 303
    blocks_page = console.page(f"/console/lines/{coordinated.id}/blocks")
    assert "&lt;i&gt;threats&lt;/i&gt;" in blocks_page
    block = session.scalars(select(Block)).one()
    csv = console.get(f"/console/lines/{coordinated.id}/blocks.csv").get_data(as_text=True)
    assert TAG not in csv and TAG[:8] in csv
    console.post(f"/console/lines/{coordinated.id}/blocks/{block.id}/lift")
    session.expire_all()
    assert session.get(Block, block.id).lifted_at is not None
    assert [a[0] for a in _actions(session) if a[2] == "console"] == ["block.add", "block.lift"]


def test_reports_render_charts_tables_and_every_csv(console, session, coordinated, ana):
    arrived = datetime.now(UTC) - timedelta(hours=2)
    for n, outcome in enumerate([Outcome.ANSWERED, Outcome.ABANDONED, Outcome.BLOCKED]):
        session.add(
            Contact(
                line_id=coordinated.id,
                channel=Channel.VOICE,
                caller_tag=hashlib.sha256(str(n).encode()).hexdigest(),
                arrived_at=arrived,
                connected_at=arrived if outcome == Outcome.ANSWERED else None,
                wait_seconds=40,
                talk_seconds=300 if outcome == Outcome.ANSWERED else None,
                outcome=outcome,
                specialist_id=ana.id if outcome == Outcome.ANSWERED else None,
            )
        )
    session.commit()
    page = console.page(f"/console/lines/{coordinated.id}/reports")
    # The charts are drawn on the server: the only scripts are every console page's notices.
    scripts = re.findall(r"<script[^>]*src=\"([^\"]+)\"", page)
    assert page.count("<svg") == 3
    assert [name.rsplit("/", 1)[-1] for name in scripts] == ["words.js", "alerts.js", "notices.js"]
    assert 'id="fig-total">3<' in page and 'id="fig-answer">50%<' in page
    data = console.get(f"/console/lines/{coordinated.id}/reports.json").json
    assert {row["measure"]: row["value"] for row in data["tables"]["summary"]}["blocked"] == 1
    for name in data["tables"]:
        response = console.get(f"/console/lines/{coordinated.id}/reports/{name}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv", name
    assert console.get(f"/console/lines/{coordinated.id}/reports/nope.csv").status_code == 404
    bad = console.get(f"/console/lines/{coordinated.id}/reports?from=2026-01-01&to=2025-01-01")
    assert bad.status_code == 400


def test_a_spanish_coordinator_reads_the_reports_in_spanish_and_the_csv_stays_english(
    console, session, coordinated, cora
):
    cora.interface_language = "es"
    session.commit()

    page = html.unescape(console.page(f"/console/lines/{coordinated.id}/reports"))
    assert "<h2>Resumen</h2>" in page and "<h2>Contactos por día</h2>" in page
    assert "Llamadas y mensajes de cada día del periodo." in page
    assert "La mitad de los contactos que llegaron a la línea esperó menos" in page
    assert '<th scope="col">medida</th>' in page and "Summary" not in page
    assert "Half the contacts" not in page
    # Spreadsheets read the CSV by its English column and measure names, whoever downloads it.
    summary = console.get(f"/console/lines/{coordinated.id}/reports/summary.csv").text
    assert summary.splitlines()[:2] == ["measure,value", "contacts,0"]
    data = console.get(f"/console/lines/{coordinated.id}/reports.json").json
    assert data["tables"]["summary"][0] == {"measure": "contacts", "value": 0}


def test_the_overview_shows_when_the_purge_last_ran(console, session, coordinated):
    audit.record(
        session,
        "retention.purge",
        "contact",
        None,
        via="worker",
        detail={"removed": {str(coordinated.id): 42}},
    )
    session.commit()
    page = console.page(f"/console/lines/{coordinated.id}")
    assert 'id="purge-removed">42<' in page


def test_people_are_added_edited_and_audited(console, session, coordinated, cora, ana):
    response = console.post(
        "/console/people",
        {
            "email": "dee@example.org",
            "display_name": "Dee",
            "phone": "(415) 555-0199",
            "languages": "es",
            "role": "specialist",
            "password": PASSWORD,
            "line_ids": str(coordinated.id),
        },
    )
    assert response.status_code == 303
    dee = session.scalars(select(User).where(User.email == "dee@example.org")).one()
    assert (dee.phone, dee.languages, dee.role) == ("+14155550199", ["es"], Role.SPECIALIST)
    assert people.lines_served(session, dee.id) == {coordinated.id}
    console.post(
        f"/console/people/{ana.id}",
        {
            "display_name": "Ana M",
            "phone": "",
            "languages": "en, es",
            "active": "no",
            "line_ids": str(coordinated.id),
        },
    )
    session.expire_all()
    assert (ana.display_name, ana.active, ana.phone) == ("Ana M", False, None)
    refused = console.post(
        "/console/people",
        {
            "email": "boss@example.org",
            "display_name": "Boss",
            "languages": "en",
            "role": "admin",
            "password": PASSWORD,
        },
    )
    assert refused.status_code == 303
    assert "only an administrator" in console.page("/console/people").lower()
    actions = [a[0] for a in _actions(session) if a[2] == "console" and a[1] == cora.id]
    assert actions == ["user.add", "user.update"]
    log = console.page("/console/audit")
    assert "Cora added Dee as a specialist." in log
    assert "Cora changed Ana M&#39;s name from Ana to Ana M." in log
    assert "Cora changed Ana M&#39;s languages from en to en, es." in log
    assert "Cora deactivated Ana M." in log
    assert "Cora changed Ana M&#39;s phone." in log and "+14155550171" not in log

    # Read by a coordinator who chose Spanish, the same trail says the same, in Spanish.
    cora.interface_language = "es"
    session.commit()
    log = html.unescape(console.page("/console/audit"))
    assert "Cora agregó a Dee como especialista." in log
    assert "Cora cambió «nombre» de Ana M de Ana a Ana M." in log
    assert "Cora cambió «idiomas» de Ana M de en a en, es." in log
    assert "Cora desactivó a Ana M." in log
    assert "Cora cambió «teléfono» de Ana M." in log and "+14155550171" not in log


def test_coordinators_cannot_change_other_coordinators(console, session):
    other = make_person(session, "Otto", Role.COORDINATOR)
    response = console.post(
        f"/console/people/{other.id}/password", {"password": "another long password"}
    )
    # Otto serves no line of theirs: to them he is nobody they can see.
    assert response.status_code == 404


def test_calendar_feed_behind_a_secret_url(console, app, session, coordinated, ana):
    page = console.post(f"/console/people/{ana.id}/calendar").get_data(as_text=True)
    url = page.split('id="feed-url">', 1)[1].split("<", 1)[0]
    path = url.split("localhost", 1)[1]
    feed = app.test_client().get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert b"BEGIN:VCALENDAR" in feed.data
    assert app.test_client().get("/calendar/" + "a" * 43 + ".ics").status_code == 404


def test_a_specialist_gets_their_own_calendar_link(app, session, ana):
    browser = Browser(app.test_client())
    browser.sign_in(ana.email)
    page = browser.post("/console/my-calendar").get_data(as_text=True)
    assert 'id="feed-url">http' in page


def test_a_line_can_word_its_own_script_but_never_one_that_breaks_the_rules(
    console, session, coordinated
):
    form = {"kind": "after_hours", "channel": "sms", "language": "en"}
    broken = {**form, "action": "save", "draft": "Sorry, we are closed. Call back tomorrow."}
    console.post(f"/console/lines/{coordinated.id}/scripts", broken)
    assert "does not name 988" in console.page(f"/console/lines/{coordinated.id}/scripts")
    assert session.scalars(select(LineScript)).all() == []

    own = (
        "Riverside is closed now, but you are not alone and help is real. Call or text 988 "
        "any time, or text HOME to 741741. If you are in immediate danger, call 911."
    )
    console.post(
        f"/console/lines/{coordinated.id}/scripts", {**form, "action": "save", "draft": own}
    )
    page = console.page(f"/console/lines/{coordinated.id}/scripts")
    assert "Script saved." in page and "the line's own" in page
    assert "script.save" in [action for action, _actor, _via in _actions(session)]
    session.expire_all()
    scripts = context(session.get(Line, coordinated.id)).scripts
    assert referral_script("after_hours", "sms", "en", scripts) == own

    console.post(f"/console/lines/{coordinated.id}/scripts", {**form, "action": "reset"})
    session.expire_all()
    assert session.scalars(select(LineScript)).all() == []


def test_a_coordinator_makes_someone_a_supervisor_and_lets_the_line_be_listened_to(
    console, session, coordinated, cora, ana
):
    profile = {
        "display_name": "Ana",
        "phone": "+14155550171",
        "languages": "en",
        "active": "yes",
        "supervisor": "yes",
        "line_ids": str(coordinated.id),
    }
    assert console.post(f"/console/people/{ana.id}", profile).status_code == 303
    assert (
        console.post(
            f"/console/lines/{coordinated.id}/settings", {**SETTINGS, "monitoring": "yes"}
        ).status_code
        == 303
    )

    session.expire_all()
    assert session.get(User, ana.id).supervisor is True
    assert session.get(Line, coordinated.id).monitoring_enabled is True
    log = console.page("/console/audit")
    assert "Cora changed Ana&#39;s supervisor from no to yes." in log
    assert "whether supervisors may listen to calls from no to yes" in log
    console.post(f"/console/lines/{coordinated.id}/settings", SETTINGS)
    session.expire_all()
    assert session.get(Line, coordinated.id).monitoring_enabled is False
