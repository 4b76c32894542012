"""A password someone else set is known to them: its owner chooses their own before all else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.dashboard.conftest import Dashboard, signed_in
from warmline import people
from warmline.models import AuditEvent, Role, User

GIVEN = "a password the coordinator knows"
CHOSEN = "only I know this one"


@pytest.fixture
def reset_ana(coordinator_browser, ana):
    response = coordinator_browser.post(
        f"/api/coordinator/users/{ana.id}/password", {"password": GIVEN}
    )
    assert response.status_code == 204
    return ana


def test_after_a_reset_the_api_refuses_everything_until_a_new_password_is_chosen(
    app, session, line, reset_ana
):
    browser = Dashboard(app.test_client())
    signed = browser.sign_in(reset_ana.email, GIVEN)
    assert signed.status_code == 200
    assert signed.json["user"]["must_choose_password"] is True
    for path in ("/api/shift", "/api/queue", "/api/lines"):
        refused = browser.get(path)
        assert refused.status_code == 403, path
        assert "Choose a new password first" in refused.json["error"]
    assert browser.start_shift(line.id).status_code == 403
    assert browser.get("/console/my-calendar").status_code == 403

    wrong = {"current_password": "not the one", "new_password": CHOSEN}
    assert browser.post("/api/session/password", wrong).status_code == 400
    same = {"current_password": GIVEN, "new_password": GIVEN}
    assert browser.post("/api/session/password", same).status_code == 400
    chosen = {"current_password": GIVEN, "new_password": CHOSEN}
    assert browser.post("/api/session/password", chosen).status_code == 204

    assert browser.get("/api/shift").status_code == 200  # this browser stays signed in
    assert browser.get("/api/session").json["user"]["must_choose_password"] is False
    session.expire_all()
    ana = session.get(User, reset_ana.id)
    assert people.verify_password(ana, CHOSEN) and not ana.must_choose_password
    assert (
        session.scalar(
            select(AuditEvent.actor_id).where(AuditEvent.action == "user.password_chosen")
        )
        == ana.id
    )


def test_the_sign_in_form_leads_to_choosing_a_password_first(app, session, reset_ana):
    client = app.test_client()
    token = client.get("/api/session").json["csrf_token"]
    form = {"csrf_token": token, "email": reset_ana.email, "password": GIVEN}
    signed = client.post("/sign-in", data=form)
    assert signed.status_code == 302 and signed.location.endswith("/choose-password")
    assert client.get("/dashboard").location.endswith("/choose-password")
    token = client.get("/api/session").json["csrf_token"]  # signing in gave a new one
    page = client.get("/choose-password").get_data(as_text=True)
    assert "Choose your own password" in page
    short = client.post(
        "/choose-password", data={"csrf_token": token, "password": GIVEN, "new_password": "short"}
    )
    assert short.status_code == 400
    done = client.post(
        "/choose-password", data={"csrf_token": token, "password": GIVEN, "new_password": CHOSEN}
    )
    assert done.status_code == 302 and done.location.endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200


def test_a_coordinator_whose_password_was_reset_cannot_use_the_console_first(
    app, session, coordinator
):
    admin = people.add_user(
        session, email="ada@example.org", display_name="Ada", password=GIVEN, role=Role.ADMIN
    )
    people.set_password(session, coordinator, GIVEN, actor_id=admin.id, via="console")
    session.commit()
    browser = Dashboard(app.test_client())
    assert browser.sign_in(coordinator.email, GIVEN).status_code == 200
    assert browser.get("/console/people").status_code == 403
    assert browser.get("/api/coordinator/lines/1/queue").status_code == 403


def test_choosing_your_own_password_asks_nothing_more(app, session, ana):
    people.set_password(session, ana, CHOSEN, actor_id=ana.id, via="console")
    session.commit()
    browser = signed_in_with(app, ana, CHOSEN)
    assert browser.get("/api/shift").status_code == 200


def signed_in_with(app, user, password: str) -> Dashboard:
    browser = Dashboard(app.test_client())
    assert browser.sign_in(user.email, password).status_code == 200
    return browser


def test_the_old_browser_of_someone_reset_is_signed_out(app, session, ana, coordinator_browser):
    before = signed_in(app, ana)
    coordinator_browser.post(f"/api/coordinator/users/{ana.id}/password", {"password": GIVEN})
    assert before.get("/api/shift").status_code == 401
