"""Starting, pausing and ending a shift from the dashboard."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.dashboard.conftest import (
    PASSWORD,
    caller_arrives,
    caller_connects,
    caller_hangs_up,
    signed_in,
)
from warmline import presence
from warmline.live import LiveLine
from warmline.models import AuditEvent, Line, Role, Shift, utcnow
from warmline.people import add_user
from warmline.roster import add_shift


@pytest.fixture
def cal(session, line):
    """A specialist of the line, with a phone, but no shift now."""
    user = add_user(
        session,
        email="cal@example.org",
        display_name="Cal",
        password=PASSWORD,
        phone="+14155550179",
        line_ids=[line.id],
    )
    session.commit()
    return user


def test_a_rostered_specialist_starts_their_shift_and_is_free_for_offers(
    ana_browser, ana, line, redis_client
):
    assert [each["id"] for each in ana_browser.get("/api/lines").json["lines"]] == [line.id]
    response = ana_browser.start_shift(line.id)
    assert response.status_code == 200
    assert response.json["status"] == "available"
    assert response.json["line"]["wrap_up_topics"][0] == "loneliness"
    assert ana.id in LiveLine(redis_client, line.id).free_specialists(10**15)


def test_starting_twice_is_refused(ana_browser, line):
    ana_browser.start_shift(line.id)
    assert ana_browser.start_shift(line.id).status_code == 409


def test_someone_not_rostered_now_cannot_start_a_shift(app, session, line, cal):
    later = utcnow() + timedelta(days=1)
    add_shift(session, line=line, user=cal, starts_at=later, ends_at=later + timedelta(hours=4))
    session.commit()
    browser = signed_in(app, cal)
    assert browser.get("/api/lines").json["lines"] == []
    response = browser.start_shift(line.id)
    assert response.status_code == 403
    assert "coordinator" in response.json["error"]


def test_a_coordinator_override_starts_the_shift_and_is_audited(
    app, session, line, coordinator_browser, coordinator, cal
):
    response = coordinator_browser.post(
        "/api/coordinator/shifts", {"line_id": line.id, "specialist_id": cal.id}
    )
    assert response.status_code == 201
    assert signed_in(app, cal).get("/api/shift").json["status"] == "available"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "shift.override"))
    assert (event.actor_id, event.target_id, event.via) == (coordinator.id, cal.id, "dashboard")


def _sweep(app, session, at_ms: int) -> int:
    """Run the clock's absence sweep over every line at `at_ms`, with the app's grace."""
    services = app.extensions["warmline"]
    return sum(
        presence.end_absent_shifts(
            session,
            services.redis,
            services.jobs,
            line_id=line_id,
            grace_ms=services.settings.presence_grace_seconds * 1000,
            at_ms=at_ms,
        )
        for line_id in session.scalars(select(Line.id))
    )


def test_a_specialist_put_on_shift_whose_dashboard_never_opens_stops_being_rung(
    app, session, line, coordinator_browser, cal, redis_client
):
    live = LiveLine(redis_client, line.id)
    grace_ms = app.extensions["warmline"].settings.presence_grace_seconds * 1000
    started = utcnow().replace(microsecond=0)
    started_ms = int(started.timestamp() * 1000)
    with time_machine.travel(started, tick=False):
        response = coordinator_browser.post(
            "/api/coordinator/shifts", {"line_id": line.id, "specialist_id": cal.id}
        )
    assert response.status_code == 201

    assert _sweep(app, session, started_ms + grace_ms) == 0, "within the grace, kept"
    assert cal.id in live.free_specialists(started_ms + grace_ms)
    assert _sweep(app, session, started_ms + grace_ms + 1) == 1
    assert live.present() == [] and live.free_specialists(started_ms * 2) == []


def test_a_specialist_put_on_shift_who_opens_the_dashboard_stays_on_shift(
    app, session, line, coordinator_browser, cal, redis_client
):
    grace_ms = app.extensions["warmline"].settings.presence_grace_seconds * 1000
    started = utcnow().replace(microsecond=0)
    started_ms = int(started.timestamp() * 1000)
    with time_machine.travel(started, tick=False):
        coordinator_browser.post(
            "/api/coordinator/shifts", {"line_id": line.id, "specialist_id": cal.id}
        )
    with time_machine.travel(started + timedelta(minutes=2), tick=False):
        assert signed_in(app, cal).get("/api/shift").json["status"] == "available"

    assert _sweep(app, session, started_ms + grace_ms + 1) == 0
    assert LiveLine(redis_client, line.id).present() == [cal.id]


def test_a_specialist_who_starts_and_closes_the_tab_at_once_is_signed_off_after_the_grace(
    app, session, line, ana_browser, ana, redis_client
):
    grace_ms = app.extensions["warmline"].settings.presence_grace_seconds * 1000
    started = utcnow().replace(microsecond=0)
    with time_machine.travel(started, tick=False):
        assert ana_browser.start_shift(line.id).status_code == 200
    started_ms = int(started.timestamp() * 1000)

    assert _sweep(app, session, started_ms + grace_ms + 1) == 1
    assert LiveLine(redis_client, line.id).present() == []


def test_a_specialist_cannot_override_the_roster(app, line, ana_browser, cal):
    response = ana_browser.post(
        "/api/coordinator/shifts", {"line_id": line.id, "specialist_id": cal.id}
    )
    assert response.status_code == 403
    assert signed_in(app, cal).get("/api/shift").json["on_shift"] is False


def test_a_break_with_a_reason_then_back_to_available(ana_browser, ana, line, redis_client):
    ana_browser.start_shift(line.id)
    on_break = ana_browser.post("/api/shift/status", {"status": "break", "reason": "meal"})
    assert (on_break.json["status"], on_break.json["reason"]) == ("break", "meal")
    assert ana.id not in LiveLine(redis_client, line.id).free_specialists(10**15)
    back = ana_browser.post("/api/shift/status", {"status": "available"})
    assert back.json["status"] == "available"


def test_a_break_reason_outside_the_list_is_refused(ana_browser, line):
    ana_browser.start_shift(line.id)
    response = ana_browser.post(
        "/api/shift/status", {"status": "break", "reason": "<script>alert(1)</script>"}
    )
    assert response.status_code == 400
    assert ana_browser.get("/api/shift").json["status"] == "available"


def test_ending_a_shift_with_nobody_on_the_line_ends_it_at_once(
    ana_browser, ana, line, redis_client
):
    ana_browser.start_shift(line.id)
    response = ana_browser.post("/api/shift/end")
    assert response.status_code == 200
    assert response.json == {"on_shift": False, "status": "offline"}
    assert not LiveLine(redis_client, line.id).anyone_present()


def test_ending_a_shift_during_a_call_waits_for_the_wrap_up(
    ana_browser, line, twilio, session, redis_client
):
    ana_browser.start_shift(line.id)
    contact_id = caller_arrives(twilio, session)
    ana_browser.post(f"/api/contacts/{contact_id}/accept")
    ending = ana_browser.post("/api/shift/end")
    assert ending.status_code == 202
    assert ending.json["ending"] is True and ending.json["status"] == "on_call"

    caller_connects(twilio, session, contact_id)
    caller_hangs_up(twilio, session, contact_id)
    assert ana_browser.get("/api/shift").json["status"] == "wrap_up"
    done = ana_browser.post(
        f"/api/contacts/{contact_id}/wrap-up",
        {"topics": [], "crisis_referral_offered": False, "follow_up_needed": False},
    )
    assert done.status_code == 201
    assert done.json["on_shift"] is False


def test_a_coordinator_on_shift_is_not_special_for_the_queue_routes(session, line, app):
    admin = add_user(
        session,
        email="adi@example.org",
        display_name="Adi",
        password=PASSWORD,
        role=Role.ADMIN,
    )
    session.commit()
    browser = signed_in(app, admin)
    assert [each["id"] for each in browser.get("/api/lines").json["lines"]] == [line.id]
    assert browser.get(f"/api/coordinator/lines/{line.id}/queue").json == {"waiting": []}


@pytest.mark.parametrize(
    ("phone", "serves", "complaint"),
    [
        ("+14155550178", False, "Only the line's own specialists"),
        (None, True, "Set a phone number"),
    ],
)
def test_only_the_lines_specialists_with_a_phone_go_on_shift(
    app, session, line, coordinator_browser, redis_client, phone, serves, complaint
):
    kim = add_user(
        session,
        email="kim@example.org",
        display_name="Kim",
        password=PASSWORD,
        phone=phone,
        line_ids=[line.id] if serves else [],
    )
    now = utcnow()
    # A shift row as older data may hold it, made before the roster checked anything.
    session.add(
        Shift(
            line_id=line.id,
            user_id=kim.id,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=1),
        )
    )
    session.commit()
    refused = signed_in(app, kim).start_shift(line.id)
    assert refused.status_code == 403 and complaint in refused.json["error"]
    override = coordinator_browser.post(
        "/api/coordinator/shifts", {"line_id": line.id, "specialist_id": kim.id}
    )
    assert override.status_code == 403 and complaint in override.json["error"]
    assert LiveLine(redis_client, line.id).specialist(kim.id) == {}


def test_a_specialist_who_chose_spanish_is_told_in_spanish_why_the_shift_cannot_start(
    app, session, line, cal
):
    cal.interface_language = "es"
    session.commit()

    refused = signed_in(app, cal).start_shift(line.id)

    assert refused.status_code == 403
    assert refused.json["error"] == (
        "Ahora no tienes turno en esta línea: pide a la coordinación que empiece el tuyo."
    )
