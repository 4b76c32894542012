"""Starting, pausing and ending a shift from the dashboard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.dashboard.conftest import (
    PASSWORD,
    caller_arrives,
    caller_connects,
    caller_hangs_up,
    signed_in,
)
from warmline.live import LiveLine
from warmline.models import AuditEvent, Role, Shift, utcnow
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
