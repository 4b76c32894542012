"""Specialists, coordinators and administrators, and their passwords."""

from __future__ import annotations

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
) -> User:
    """Create a user with an argon2 password hash and audit it."""
    user = User(
        email=email,
        display_name=display_name.strip(),
        role=role,
        phone=phone,
        languages=languages or ["en"],
        password_hash=hash_password(password),
    )
    if session.scalar(select(User.id).where(User.email == user.email)) is not None:
        raise UserExists("someone already signs in with that email")
    session.add(user)
    session.flush()
    audit.record(
        session, "user.add", "user", user.id, actor_id=actor_id, detail={"role": user.role.value}
    )
    return user


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))
