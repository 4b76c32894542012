"""A coordinator who chose Spanish reads the console in Spanish: the line's refusals, the
reports' outcomes, days and hours, dates and times in the way Spanish writes them.

The domain raises its refusals in English words kept for the translator (warmline.sentences);
the console says them through its gettext. The CSV and JSON keep their English keys.
"""

# The console pages' and the reports' fixtures are imported from their modules, then named
# as test arguments, which ruff takes for redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import html
import io
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from tests.console.conftest import make_person
from tests.console.test_console_pages import (  # noqa: F401
    SETTINGS,
    Browser,
    console,
    coordinated,
)
from tests.console.test_reports import DAY, busy_day  # noqa: F401
from warmline.console.lines import SETTINGS_RANGES
from warmline.models import Role, Shift

REPORT = f"?from={DAY.isoformat()}&to={DAY.isoformat()}"


@pytest.fixture
def spanish(session, cora):
    cora.interface_language = "es"
    session.commit()
    return cora


@pytest.fixture
def may_morning():
    """Freeze the clock at Wednesday 2026-05-20, 07:00 in Chicago."""
    with time_machine.travel(datetime(2026, 5, 20, 12, tzinfo=UTC), tick=False):
        yield


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_spanish_coordinator_reads_the_rosters_refusals_in_spanish(
    may_morning, spanish, console, session, coordinated, ana
):
    url = f"/console/lines/{coordinated.id}/shifts"
    shift = {"user_id": ana.id, "date": "2026-05-20"}

    page = _text(
        console.post(url, {**shift, "start": "09:00", "end": "09:00"}, follow_redirects=True)
    )
    assert (
        "Un turno de 09:00 a 09:00 no dura nada; para un día entero, escribe 00:00 a 24:00" in page
    )
    page = _text(
        console.post(url, {**shift, "start": "06:59", "end": "09:00"}, follow_redirects=True)
    )
    assert "Un turno que empieza el 2026-05-20 a las 06:59 (America/Chicago) ya pasó" in page
    ana.active = False
    session.commit()
    page = _text(
        console.post(url, {**shift, "start": "10:00", "end": "12:00"}, follow_redirects=True)
    )
    assert "Ana tiene la cuenta desactivada" in page
    assert session.scalars(select(Shift)).first() is None


def test_a_spanish_coordinator_sees_a_roster_import_refused_row_by_row_in_spanish(
    spanish, console, coordinated
):
    upload = b"email,date,start,end\nnadie@example.org,2026-05-21,09:00,10:00\n"

    page = _text(
        console.post(
            f"/console/lines/{coordinated.id}/roster/import",
            {"file": (io.BytesIO(upload), "roster.csv")},
            content_type="multipart/form-data",
            follow_redirects=True,
        )
    )

    assert "No se importó: fila 2: nadie entra como 'nadie@example.org'" in page


def test_a_spanish_coordinator_reads_outcomes_days_and_hours_in_spanish(
    spanish,
    console,
    coordinated,
    busy_day,
):
    page = _text(console.get(f"/console/lines/{coordinated.id}/reports{REPORT}"))

    assert "<td>colgó esperando</td>" in page and "<td>abandoned</td>" not in page
    assert "<td>atendido</td>" in page
    assert "<td>espera típica (s)</td>" in page
    # Monday 1 June 2026 at nine on the line's clock, as Spanish writes the hour.
    assert "<td>lun 9:00</td>" in page
    assert "<td>9:00</td>" in page
    assert "<td>lun, 1 jun</td>" in page


def test_the_reports_csv_and_json_keep_their_english_keys_for_a_spanish_reader(
    spanish,
    console,
    coordinated,
    busy_day,
):
    csv = console.get(f"/console/lines/{coordinated.id}/reports/staffing.csv{REPORT}").text
    assert csv.splitlines()[0] == "hour of week,specialist hours,contacts"
    assert "mon 09:00" in csv
    data = console.get(f"/console/lines/{coordinated.id}/reports.json{REPORT}").json
    assert {"outcome": "abandoned", "contacts": 1} in data["tables"]["outcomes"]


def test_an_english_coordinator_reads_the_hours_as_english_writes_them(
    console,
    coordinated,
    busy_day,
):
    page = _text(console.get(f"/console/lines/{coordinated.id}/reports{REPORT}"))
    assert "<td>Mon 9:00\u202fAM</td>" in page or "<td>Mon 9:00 AM</td>" in page
    assert "<td>hung up waiting</td>" in page


def test_a_value_the_database_refuses_is_named_by_its_field_not_in_the_databases_words(
    spanish, console, session, coordinated, monkeypatch
):
    # The form's own range let through what the database's check refuses.
    monkeypatch.setitem(SETTINGS_RANGES, "ring_timeout_seconds", (5, 500))
    settings = {**SETTINGS, "ring_timeout_seconds": "500"}

    response = console.post(f"/console/lines/{coordinated.id}/settings", settings)

    assert response.status_code == 422
    page = _text(response)
    assert "Segundos de timbre: la línea no admite este valor" in page
    assert "constraint" not in page.lower() and "ring_timeout" not in page.split("<form")[0]
    session.expire_all()
    assert coordinated.ring_timeout_seconds != 500


def test_a_specialist_following_a_console_link_gets_a_page_in_their_language_and_a_way_back(
    app, session
):
    dee = make_person(session, "Dee", Role.SPECIALIST)
    dee.interface_language = "es"
    session.commit()
    browser = Browser(app.test_client())
    browser.sign_in(dee.email)

    response = browser.get("/console/")

    assert response.status_code == 403
    page = _text(response)
    assert '<html lang="es">' in page
    assert "Solo la coordinación puede usar la consola." in page
    assert 'href="/dashboard"' in page and "Volver al panel" in page
