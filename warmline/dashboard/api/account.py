"""Signing in and out of the dashboard, and saying who is signed in."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify

from warmline.dashboard.api.blueprint import _body, bp
from warmline.models import User
from warmline.web import i18n
from warmline.web.auth import choose_password, current_user, require_user, sign_in, sign_out
from warmline.web.security import csrf_token


def _user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "display_name": user.display_name,
        "role": user.role.value,
        "languages": user.languages,
        "must_choose_password": user.must_choose_password,
    }


@bp.get("/session")
def who_am_i():
    """Say who is signed in, with the CSRF token every change must carry."""
    user = current_user()
    return jsonify(user=_user_json(user) if user else None, csrf_token=csrf_token())


@bp.post("/session")
def start_session():
    data = _body({"email": str, "password": str})
    result = sign_in(data["email"], data["password"])
    if result.user is None:
        response = jsonify(error=result.error)
        if result.retry_after_seconds:
            response.headers["Retry-After"] = str(result.retry_after_seconds)
        return response, result.status
    return jsonify(user=_user_json(result.user), csrf_token=csrf_token())


@bp.delete("/session")
def end_session():
    sign_out()
    return "", 204


@bp.post("/session/password")
@require_user(while_choosing_password=True)
def choose_own_password():
    """Replace your password with one you choose; the first thing after someone set it."""
    data = _body({"current_password": str, "new_password": str})
    try:
        choose_password(data["current_password"], data["new_password"])
    except ValueError as error:
        abort(400, description=i18n.refusal(error) + ".")
    return "", 204
