"""A person who picks Spanish reads the dashboard and console in Spanish, even after signing
out and in again: the page's own words, what the script writes, and dates."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time
from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.test_accessibility import findings
from tests.console.conftest import make_person
from tests.dashboard.conftest import PASSWORD
from tests.factories import make_line
from warmline.lines import assign_coordinator
from warmline.live import LiveLine
from warmline.models import Channel, Contact, Role, Shift, utcnow


def _sign_in(page, server: str, email: str) -> None:
    # Signed out, the page follows the browser, which asks for English.
    page.goto(f"{server}/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_person_who_picks_spanish_reads_dashboard_and_console_in_spanish(
    page, server, session, app
):
    line = make_line(session, timezone="America/Chicago")
    cora = make_person(session, "Cora", Role.COORDINATOR, phone="+14155550171", line_ids=[line.id])
    assign_coordinator(session, line, cora)
    now = utcnow()
    later = now + timedelta(days=2)
    session.add_all(
        [
            Shift(line_id=line.id, user_id=cora.id, starts_at=now - timedelta(hours=1),
                  ends_at=now + timedelta(hours=3)),
            Shift(line_id=line.id, user_id=cora.id, starts_at=later,
                  ends_at=later + timedelta(hours=4)),
        ]
    )  # fmt: skip
    arrived = now - timedelta(minutes=3)
    waiting = Contact(
        line_id=line.id, channel=Channel.VOICE, caller_tag="c" * 64, arrived_at=arrived,
        language="en",
    )  # fmt: skip
    session.add(waiting)
    session.commit()
    LiveLine(app.extensions["warmline"].redis, line.id).enqueue(
        waiting.id, language="en", tier=0, arrived_ms=int(arrived.timestamp() * 1000)
    )
    _sign_in(page, server, cora.email)
    expect(page.get_by_role("heading", name="Your shift")).to_be_visible()

    page.get_by_label("Language").select_option(label="Español")
    page.get_by_role("button", name="Change language").click()

    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name="Tu turno")).to_be_visible()
    page.get_by_role("button", name="Empezar turno").click()
    # What the script writes: the status, the waiting caller, the button to take them.
    expect(page.locator("#status-badge")).to_have_text("Disponible")
    queued = page.locator("#queue-list li")
    expect(queued).to_have_count(1)
    expect(queued.locator(".what")).to_have_text("Llamada · Inglés · primer contacto este mes")
    expect(queued.locator(".waited")).to_contain_text("Esperando 3 min")
    expect(
        queued.get_by_role("button", name="Aceptar Llamada en espera desde hace 3 min")
    ).to_be_visible()
    assert findings(page) == []
    shoot(page, "languages-01-dashboard-in-spanish")

    page.get_by_role("link", name="Consola").click()
    expect(page.get_by_role("heading", name="Tus líneas")).to_be_visible()
    page.get_by_role("link", name=line.name).click()
    page.get_by_role("link", name="En vivo").click()
    expect(page.get_by_role("heading", name=f"{line.name} ahora")).to_be_visible()
    expect(page.locator("#on-shift tr")).to_have_text(["CoraLibre para el siguiente contacto0"])
    expect(page.locator("#waiting tr")).to_contain_text(f"Llamada #{waiting.id} (en)")
    expect(page.locator("#waiting tr")).to_contain_text("Ninguna")
    assert findings(page) == []
    shoot(page, "languages-02-console-in-spanish")

    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    _sign_in(page, server, cora.email)
    expect(page.get_by_role("heading", name="Tu turno")).to_be_visible()

    page.get_by_role("link", name="Cora").click()
    expect(page.get_by_role("heading", name="Tus próximos turnos")).to_be_visible()
    starts = later.astimezone(ZoneInfo("America/Chicago"))
    ends = starts + timedelta(hours=4)
    day = format_skeleton("yMMMEd", starts, locale="es")
    hours = "\u2013".join(format_time(moment, "short", locale="es") for moment in (starts, ends))
    expect(page.locator("#shift-list li").last).to_have_text(
        f"{day}, {hours} (America/Chicago) · {line.name}"
    )
    # "jue, 3 dic 2026": the day and month as Spanish writes them, the hours on a 24-hour clock.
    assert any(
        month in day
        for month in (
            " ene ",
            " feb ",
            " mar ",
            " abr ",
            " may ",
            " jun ",
            " jul ",
            " ago ",
            " sept ",
            " oct ",
            " nov ",
            " dic ",
        )
    )
    assert ":" in hours and "PM" not in hours and "AM" not in hours
    shoot(page, "languages-03-own-page-in-spanish")
