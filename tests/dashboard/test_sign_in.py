"""Signing in and out: argon2 passwords, failed-attempt limits, CSRF, password resets."""

from __future__ import annotations

from sqlalchemy import select

from tests.dashboard.conftest import PASSWORD, Dashboard
from warmline.models import AuditEvent
from warmline.web.attempts import MAX_FAILURES, WINDOW_SECONDS


def test_the_right_password_signs_in_and_the_session_cookie_is_httponly_and_lax(browser, ana):
    response = browser.sign_in(ana.email)
    assert response.status_code == 200
    assert response.json["user"]["display_name"] == "Ana"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert browser.get("/api/shift").status_code == 200


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(browser, ana):
    wrong = browser.sign_in(ana.email, "not the right password")
    unknown = browser.sign_in("nobody@example.org")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json
    assert browser.get("/api/shift").status_code == 401


def test_five_failures_lock_the_account_even_against_the_right_password(app, browser, ana):
    for _ in range(MAX_FAILURES):
        assert browser.sign_in(ana.email, "not the right password").status_code == 401
    locked = browser.sign_in(ana.email)
    assert locked.status_code == 429
    assert "wait 15 minutes" in locked.json["error"]
    assert 0 < int(locked.headers["Retry-After"]) <= WINDOW_SECONDS
    # From another address too: the account itself is locked.
    other = Dashboard(app.test_client())
    elsewhere = other.sign_in(ana.email, environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert elsewhere.status_code == 429


def test_five_failures_from_one_address_lock_that_address_for_every_account(app, browser, ana, bo):
    for attempt in range(MAX_FAILURES):
        assert browser.sign_in(f"guess{attempt}@example.org").status_code == 401
    assert browser.sign_in(bo.email).status_code == 429
    other = Dashboard(app.test_client())
    assert other.sign_in(bo.email, environ_base={"REMOTE_ADDR": "192.0.2.9"}).status_code == 200


def test_the_sign_in_form_shows_the_wait_message(client, ana):
    token = client.get("/api/session").json["csrf_token"]
    for _ in range(MAX_FAILURES):
        client.post(
            "/sign-in", data={"csrf_token": token, "email": ana.email, "password": "wrong one!!"}
        )
    page = client.post(
        "/sign-in", data={"csrf_token": token, "email": ana.email, "password": PASSWORD}
    )
    assert page.status_code == 429
    assert b"Please wait 15 minutes and try again." in page.data


def test_failure_counters_in_redis_name_neither_the_email_nor_the_address(
    browser, ana, redis_client
):
    browser.sign_in(ana.email, "not the right password")
    keys = [key.decode() for key in redis_client.keys("warmline:signin:*")]
    assert len(keys) == 2
    for key in keys:
        assert "ana" not in key and "example" not in key and "127.0.0.1" not in key


def test_sign_in_without_the_csrf_token_is_refused(client, ana):
    response = client.post("/api/session", json={"email": ana.email, "password": PASSWORD})
    assert response.status_code == 403
    form = client.post("/sign-in", data={"email": ana.email, "password": PASSWORD})
    assert form.status_code == 403
    assert client.get("/api/shift").status_code == 401


def test_a_change_with_a_wrong_csrf_token_is_refused_and_changes_nothing(ana_browser, line):
    response = ana_browser.post(
        "/api/shift/start", {"line_id": line.id}, headers={"X-CSRF-Token": "forged"}
    )
    assert response.status_code == 403
    assert ana_browser.get("/api/shift").json["on_shift"] is False


def test_a_token_from_before_sign_in_no_longer_works_after_it(browser, ana, line):
    before = browser.token()
    browser.sign_in(ana.email)
    response = browser.post(
        "/api/shift/start", {"line_id": line.id}, headers={"X-CSRF-Token": before}
    )
    assert response.status_code == 403


def test_signing_out_ends_the_session(ana_browser):
    assert (
        ana_browser.client.delete(
            "/api/session", headers={"X-CSRF-Token": ana_browser.csrf}
        ).status_code
        == 204
    )
    assert ana_browser.get("/api/shift").status_code == 401
    assert ana_browser.get("/dashboard").status_code == 302


def test_a_huge_password_is_refused_without_hashing_it(browser, ana):
    response = browser.sign_in(ana.email, "x" * 100_000)
    assert response.status_code == 401


def test_a_coordinator_resets_a_password_and_the_old_sessions_end(
    app, coordinator_browser, ana, ana_browser, session
):
    response = coordinator_browser.post(
        f"/api/coordinator/users/{ana.id}/password", {"password": "a brand new password"}
    )
    assert response.status_code == 204
    assert ana_browser.get("/api/shift").status_code == 401
    fresh = Dashboard(app.test_client())
    assert fresh.sign_in(ana.email).status_code == 401
    assert fresh.sign_in(ana.email, "a brand new password").status_code == 200
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.password_reset"))
    assert event.target_id == ana.id and event.via == "dashboard"


def test_a_specialist_cannot_reset_anyones_password(ana_browser, bo):
    response = ana_browser.post(
        f"/api/coordinator/users/{bo.id}/password", {"password": "a brand new password"}
    )
    assert response.status_code == 403


def test_a_short_new_password_is_refused(coordinator_browser, ana):
    response = coordinator_browser.post(
        f"/api/coordinator/users/{ana.id}/password", {"password": "short"}
    )
    assert response.status_code == 400


def test_a_deactivated_specialist_is_signed_out(ana_browser, ana, session):
    ana.active = False
    session.commit()
    assert ana_browser.get("/api/shift").status_code == 401
