"""Specialists, coordinators and administrators, and their passwords."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline import audit
from warmline.models import Role, User

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()


class UserExists(ValueError):
    """Someone already signs in with that email."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Profile:
    """What a coordinator changes about someone on the console's people page."""

    display_name: str
    phone: str | None
    languages: list[str]
    # Fewer texts at once than the line allows; None takes the line's.
    max_texts: int | None
    active: bool
    role: Role


def add_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str,
    role: Role = Role.SPECIALIST,
    phone: str | None = None,
    languages: list[str] | None = None,
    actor_id: int | None = None,
    via: str = "cli",
) -> User:
    """Create a user with an argon2 password hash and audit it."""
    if not display_name.strip():
        raise ValueError("display name is required")
    user = User(
        email=email,
        display_name=display_name.strip(),
        role=role,
        phone=phone,
        languages=languages or ["en"],
        password_hash=hash_password(password),
    )
    if find_user(session, user.email) is not None:
        raise UserExists("someone already signs in with that email")
    session.add(user)
    session.flush()
    audit.record(
        session,
        "user.add",
        "user",
        user.id,
        actor_id=actor_id,
        via=via,
        detail={"role": user.role.value},
    )
    return user


def update_user(
    session: Session, user: User, profile: Profile, *, actor_id: int | None, via: str
) -> dict[str, list]:
    """Give someone a new profile, auditing what changed; return the changes."""
    if not profile.active and user.id == actor_id:
        raise ValueError("you cannot deactivate yourself")
    return audit.update(
        session,
        user,
        profile,
        action="user.update",
        target_type="user",
        actor_id=actor_id,
        via=via,
    )


def set_password(
    session: Session, user: User, password: str, *, actor_id: int | None, via: str
) -> None:
    """Give someone a new password, which signs them out of every browser, and audit it."""
    user.password_hash = hash_password(password)
    audit.record(session, "user.password_reset", "user", user.id, actor_id=actor_id, via=via)


def everyone(session: Session) -> list[User]:
    """Return every user, by name."""
    return list(session.scalars(select(User).order_by(User.display_name, User.id)))


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))
