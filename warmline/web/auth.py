"""Who is signed in: sign-in and sign-out, and the role checks every route makes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import abort, g, request, session
from flask_babel import gettext as _

from warmline import people, presence
from warmline.models import Role, User
from warmline.web import db_session, runtime
from warmline.web.attempts import SignInAttempts
from warmline.web.security import csrf_token

# argon2 hashes whatever it is given: a cap keeps a huge "password" from costing CPU.
MAX_PASSWORD_LENGTH = 1024
MAX_EMAIL_LENGTH = 254
COORDINATORS = (Role.COORDINATOR, Role.ADMIN)


@dataclass(frozen=True)
class SignIn:
    """The result of a sign-in attempt: the user, or why not (and the HTTP status)."""

    user: User | None
    error: str = ""
    status: int = 200
    retry_after_seconds: int = 0


def _bad_credentials() -> str:
    return _("That email and password do not match an active account.")


def _fingerprint(user: User) -> str:
    # Changing the password changes the hash, which signs out every other browser.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def attempts() -> SignInAttempts:
    services = runtime()
    return SignInAttempts(services.redis, services.settings.secret_key)


def sign_in(email: str, password: str) -> SignIn:
    """Check a password under the failed-attempt limits and start the browser session."""
    email = email.strip().lower()
    if not email or len(email) > MAX_EMAIL_LENGTH or len(password) > MAX_PASSWORD_LENGTH:
        return SignIn(None, _bad_credentials(), 401)
    limits = attempts()
    address = request.remote_addr or "unknown"
    lockout = limits.lockout(email, address)
    if lockout.locked:
        return SignIn(None, lockout.wait_message, 429, lockout.retry_after_seconds)
    user = people.find_user(db_session(), email)
    if user is None or not user.active or not people.verify_password(user, password):
        limits.failed(email, address)
        return SignIn(None, _bad_credentials(), 401)
    limits.succeeded(email)
    session.clear()
    session["user_id"] = user.id
    session["password"] = _fingerprint(user)
    csrf_token()
    return SignIn(user)


def sign_out() -> None:
    """End the browser session; a specialist on shift stops being offered anything.

    A call they are on goes on to its end (see `presence.sign_off`), so no caller is cut.
    """
    user = current_user()
    if user is not None:
        services = runtime()
        presence.sign_off_everywhere(
            db_session(), services.redis, services.jobs, specialist_id=user.id
        )
    session.clear()


def choose_password(current: str, new: str) -> None:
    """Let the signed-in user replace their password, keeping this browser signed in.

    Raises ValueError (a wrong current password, a short or unchanged new one).
    """
    if len(current) > MAX_PASSWORD_LENGTH or len(new) > MAX_PASSWORD_LENGTH:
        raise ValueError(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    user = signed_in_user()
    people.choose_password(db_session(), user, current, new)
    db_session().commit()
    session["password"] = _fingerprint(user)


def current_user() -> User | None:
    """Return the signed-in, still active user whose password has not changed since."""
    if "user" not in g:
        user = None
        user_id = session.get("user_id")
        if isinstance(user_id, int):
            found = db_session().get(User, user_id)
            if (
                found is not None
                and found.active
                and session.get("password") == _fingerprint(found)
            ):
                user = found
        g.user = user
    return g.user


def signed_in_user() -> User:
    """Return the user a route guarded by `require_user` is serving."""
    user = current_user()
    assert user is not None
    return user


def require_user(
    *roles: Role, while_choosing_password: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Refuse a request without a signed-in user (401), or with the wrong role (403).

    Someone whose password was set by another person is refused everything (403) but the
    routes that let them choose their own (`while_choosing_password`).
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                abort(401, description=_("Please sign in."))
            if user.must_choose_password and not while_choosing_password:
                abort(
                    403,
                    description=_(
                        "Choose a new password first: the one you signed in with was given to you."
                    ),
                )
            if roles and user.role not in roles:
                abort(403, description=_("Your role cannot do that."))
            return view(*args, **kwargs)

        return wrapper

    return decorator
