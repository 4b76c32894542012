"""Lines are a trust boundary: a coordinator changes only the specialists of their own lines.

A coordinator of another line, or of none, who tries to reset the password of, change the
phone of, deactivate, or issue the calendar link of a specialist of line A is refused and
changes nothing, audits nothing. The people and audit pages show them only their lines' people.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.console.conftest import PASSWORD, make_person
from tests.console.test_console_pages import Browser
from tests.factories import make_line
from warmline import people
from warmline.lines import assign_coordinator
from warmline.models import AuditEvent, CalendarFeed, Role, Shift, User, utcnow

HILLSIDE = "+15017122662"


@pytest.fixture
def hillside(session):
    return make_line(session, name="Hillside Warm Line", twilio_number=HILLSIDE)


@pytest.fixture
def cora_runs_a(session, line, cora):
    assign_coordinator(session, line, cora, via="cli")
    session.commit()
    return cora


@pytest.fixture
def bea(session, hillside):
    """A coordinator of line B (Hillside) only."""
    user = make_person(session, "Bea", Role.COORDINATOR)
    assign_coordinator(session, hillside, user, via="cli")
    session.commit()
    return user


@pytest.fixture
def nel(session):
    """A coordinator of no line at all."""
    return make_person(session, "Nel", Role.COORDINATOR)


def browser_for(app, user: User) -> Browser:
    browser = Browser(app.test_client())
    browser.sign_in(user.email)
    return browser


def _profile(phone: str, active: str, line_id: int) -> dict[str, str]:
    return {
        "display_name": "Ana",
        "phone": phone,
        "languages": "en",
        "active": active,
        "line_ids": str(line_id),
    }


ACTIONS = {
    "change the phone": lambda ana, b: (
        f"/console/people/{ana.id}",
        _profile("+14155550999", "yes", b),
    ),
    "deactivate": lambda ana, b: (f"/console/people/{ana.id}", _profile("", "no", b)),
    "reset the password": lambda ana, b: (
        f"/console/people/{ana.id}/password",
        {"password": "a password I now know"},
    ),
    "issue the calendar link": lambda ana, b: (f"/console/people/{ana.id}/calendar", {}),
}


def _snapshot(session, user_id: int) -> tuple:
    session.expire_all()
    user = session.get(User, user_id)
    feed = session.scalar(select(CalendarFeed.id).where(CalendarFeed.user_id == user_id))
    return (
        user.phone,
        user.active,
        user.password_hash,
        user.must_choose_password,
        feed,
        people.lines_served(session, user_id),
    )


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("outsider", ["bea", "nel"])
def test_a_coordinator_of_another_line_changes_nothing_about_a_line_a_specialist(
    app, request, session, line, hillside, ana, action, outsider
):
    actor = request.getfixturevalue(outsider)
    before = _snapshot(session, ana.id)
    path, form = ACTIONS[action](ana, hillside.id)
    response = browser_for(app, actor).post(path, form)
    assert response.status_code in (403, 404), response.status_code
    assert _snapshot(session, ana.id) == before
    assert session.scalars(select(AuditEvent).where(AuditEvent.actor_id == actor.id)).all() == []


def test_the_dashboard_api_refuses_an_outsiders_password_reset_too(app, session, ana, bea):
    browser = browser_for(app, bea)
    before = _snapshot(session, ana.id)
    response = browser.client.post(
        f"/api/coordinator/users/{ana.id}/password",
        json={"password": "a password I now know"},
        headers={"X-CSRF-Token": browser.csrf},
    )
    assert response.status_code == 404
    assert _snapshot(session, ana.id) == before


def test_someone_serving_two_lines_is_changed_only_by_an_administrator(
    app, session, line, hillside, cora_runs_a
):
    dee = make_person(session, "Dee", phone="+14155550174", line_ids=[line.id, hillside.id])
    cora_page = browser_for(app, cora_runs_a)
    assert "dee@example.org" in cora_page.page("/console/people")  # on her line: shown
    refused = cora_page.post(f"/console/people/{dee.id}/password", {"password": "x" * 20})
    assert refused.status_code == 403
    admin = make_person(session, "Ada", Role.ADMIN)
    done = browser_for(app, admin).post(
        f"/console/people/{dee.id}/password", {"password": "a new long password"}
    )
    assert done.status_code == 303
    session.expire_all()
    assert session.get(User, dee.id).must_choose_password is True


def test_a_coordinator_of_the_line_still_manages_its_specialists(
    app, session, line, ana, cora_runs_a
):
    browser = browser_for(app, cora_runs_a)
    response = browser.post(f"/console/people/{ana.id}", _profile("+14155550998", "yes", line.id))
    assert response.status_code == 303
    session.expire_all()
    assert session.get(User, ana.id).phone == "+14155550998"


def test_a_coordinator_cannot_give_someone_a_line_they_do_not_run(
    app, session, line, hillside, ana, cora_runs_a
):
    browser = browser_for(app, cora_runs_a)
    browser.post(f"/console/people/{ana.id}", _profile("", "yes", hillside.id))
    assert "Choose lines from the list" in browser.page("/console/people")
    assert people.lines_served(session, ana.id) == {line.id}
    browser.post(
        "/console/people",
        {
            "email": "eve@example.org",
            "display_name": "Eve",
            "languages": "en",
            "role": "specialist",
            "password": PASSWORD,
        },
    )
    assert "Choose at least one of your lines" in browser.page("/console/people")
    assert session.scalar(select(User).where(User.email == "eve@example.org")) is None


def test_the_people_page_shows_a_coordinator_only_their_lines_people(
    app, session, line, hillside, ana, bea, nel, cora_runs_a
):
    hugo = make_person(session, "Hugo", phone="+14155550175", line_ids=[hillside.id])
    on_b = browser_for(app, bea).page("/console/people")
    assert "hugo@example.org" in on_b and "ana@example.org" not in on_b
    assert "+14155550171" not in on_b  # nor Ana's phone
    on_a = browser_for(app, cora_runs_a).page("/console/people")
    assert "ana@example.org" in on_a and "hugo@example.org" not in on_a
    on_none = browser_for(app, nel).page("/console/people")
    assert "nel@example.org" in on_none
    assert "ana@example.org" not in on_none and hugo.email not in on_none


def test_the_audit_page_shows_a_coordinator_only_their_lines_events(
    app, session, line, hillside, ana, bea, cora_runs_a
):
    admin = make_person(session, "Ada", Role.ADMIN)
    browser_for(app, admin).post(
        f"/console/people/{ana.id}/password", {"password": "a new long password"}
    )
    assert "Someone set a new password for Ana." in browser_for(app, cora_runs_a).page(
        "/console/audit"
    )
    on_b = browser_for(app, bea).page("/console/audit")
    assert "new password for" not in on_b
    assert "Ana" not in on_b
    assert "The operator added the line Hillside Warm Line." in on_b  # Hillside's own events


# Putting someone on shift: only an active specialist of the line, with a phone.


def test_the_roster_refuses_someone_who_is_not_the_lines_specialist(
    app, session, line, hillside, cora_runs_a
):
    hugo = make_person(session, "Hugo", phone="+14155550175", line_ids=[hillside.id])
    browser = browser_for(app, cora_runs_a)
    day = (utcnow() + timedelta(days=2)).date().isoformat()
    browser.post(
        f"/console/lines/{line.id}/shifts",
        {"user_id": hugo.id, "date": day, "start": "09:00", "end": "13:00"},
    )
    assert "Hugo is not one of this line" in browser.page(f"/console/lines/{line.id}/roster")
    assert session.scalars(select(Shift)).first() is None


def test_the_roster_refuses_a_specialist_without_a_phone(app, session, line, cora_runs_a):
    ivy = make_person(session, "Ivy", line_ids=[line.id])
    browser = browser_for(app, cora_runs_a)
    day = (utcnow() + timedelta(days=2)).date().isoformat()
    browser.post(
        f"/console/lines/{line.id}/patterns",
        {"user_id": ivy.id, "starts_on": day, "start": "18:00", "end": "22:00"},
    )
    assert "Ivy has no phone for offers to ring" in browser.page(f"/console/lines/{line.id}/roster")
    assert session.scalars(select(Shift)).first() is None


def test_a_csv_import_names_the_row_of_someone_not_on_the_line(
    app, session, line, hillside, ana, cora_runs_a
):
    make_person(session, "Hugo", phone="+14155550175", line_ids=[hillside.id])
    csv = (
        "email,date,start,end\n"
        "ana@example.org,2026-06-01,09:00,13:00\n"
        "hugo@example.org,2026-06-02,09:00,13:00\n"
    )
    browser = browser_for(app, cora_runs_a)
    browser.post(
        f"/console/lines/{line.id}/roster/import",
        {"file": (io.BytesIO(csv.encode()), "roster.csv")},
        content_type="multipart/form-data",
    )
    page = browser.page(f"/console/lines/{line.id}/roster?week=2026-06-01")
    assert "row 3: Hugo is not one of this line" in page
    assert session.scalars(select(Shift)).first() is None
