"""Specialists, coordinators and administrators, and their passwords."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from warmline import audit
from warmline.models import Line, LineCoordinator, LineSpecialist, Role, User
from warmline.sentences import N_, Refused

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()


class UserExists(Refused):
    """Someone already signs in with that email."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Refused(
            N_("a password needs at least %(length)s characters"), length=MIN_PASSWORD_LENGTH
        )
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
    # Supports the specialists of the lines they serve during contacts (warmline.supervision).
    supervisor: bool = False
    # Takes practice calls only, never a real caller or texter (warmline.practice).
    in_training: bool = False


def add_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str,
    role: Role = Role.SPECIALIST,
    phone: str | None = None,
    languages: list[str] | None = None,
    line_ids: Iterable[int] = (),
    actor_id: int | None = None,
    via: str = "cli",
) -> User:
    """Create a user with an argon2 password hash, serving `line_ids`, and audit it."""
    if not display_name.strip():
        raise Refused(N_("display name is required"))
    user = User(
        email=email,
        display_name=display_name.strip(),
        role=role,
        phone=phone,
        languages=languages or ["en"],
        password_hash=hash_password(password),
    )
    if find_user(session, user.email) is not None:
        raise UserExists(N_("someone already signs in with that email"))
    session.add(user)
    session.flush()
    served = _serve(session, user, set(line_ids))
    audit.record(
        session,
        "user.add",
        "user",
        user.id,
        actor_id=actor_id,
        via=via,
        detail={"role": user.role.value, "line_ids": served},
    )
    return user


def update_user(
    session: Session, user: User, profile: Profile, *, actor_id: int | None, via: str
) -> dict[str, list]:
    """Give someone a new profile, auditing what changed; return the changes."""
    if not profile.active and user.id == actor_id:
        raise Refused(N_("you cannot deactivate yourself"))
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
    """Give someone a new password, which signs them out of every browser, and audit it.

    A password someone else chose is known to them: its owner must choose their own at
    their next sign-in before they can do anything else.
    """
    user.password_hash = hash_password(password)
    user.must_choose_password = actor_id != user.id
    audit.record(session, "user.password_reset", "user", user.id, actor_id=actor_id, via=via)


def choose_password(session: Session, user: User, current: str, new: str) -> None:
    """Replace a password with one its owner chose, checking the current one; audit it."""
    if not verify_password(user, current):
        raise Refused(N_("the current password is not right"))
    if new == current:
        raise Refused(N_("choose a password different from the one you were given"))
    user.password_hash = hash_password(new)
    user.must_choose_password = False
    audit.record(session, "user.password_chosen", "user", user.id, actor_id=user.id, via="web")


def lines_served(session: Session, user_id: int) -> set[int]:
    """Return the ids of the lines someone answers as a specialist."""
    return set(
        session.scalars(select(LineSpecialist.line_id).where(LineSpecialist.user_id == user_id))
    )


def serves(session: Session, user_id: int, line_id: int) -> bool:
    """Whether someone is one of the line's specialists."""
    return line_id in lines_served(session, user_id)


def specialists_of(session: Session, line_id: int) -> list[User]:
    """Return the line's specialists, by name."""
    return list(
        session.scalars(
            select(User)
            .join(LineSpecialist, LineSpecialist.user_id == User.id)
            .where(LineSpecialist.line_id == line_id)
            .order_by(User.display_name, User.id)
        )
    )


def _serve(session: Session, user: User, line_ids: set[int]) -> list[int]:
    found = set(session.scalars(select(Line.id).where(Line.id.in_(line_ids))))
    if found != line_ids:
        raise Refused(N_("no such line"))
    session.execute(delete(LineSpecialist).where(LineSpecialist.user_id == user.id))
    session.add_all(LineSpecialist(line_id=line_id, user_id=user.id) for line_id in found)
    session.flush()
    return sorted(found)


def set_lines(
    session: Session, user: User, line_ids: Iterable[int], *, actor_id: int | None, via: str
) -> bool:
    """Make someone a specialist of exactly these lines, auditing a change; True if changed."""
    before, after = sorted(lines_served(session, user.id)), sorted(set(line_ids))
    if before == after:
        return False
    _serve(session, user, set(after))
    audit.record(
        session,
        "user.lines",
        "user",
        user.id,
        actor_id=actor_id,
        via=via,
        detail={"changed": {"line_ids": [before, after]}},
    )
    return True


def coordinated_lines(session: Session, user: User) -> set[int] | None:
    """Return the ids of the lines someone coordinates; None for an administrator (all)."""
    if user.role == Role.ADMIN:
        return None
    if user.role != Role.COORDINATOR:
        return set()
    return set(
        session.scalars(select(LineCoordinator.line_id).where(LineCoordinator.user_id == user.id))
    )


def may_act_on(session: Session, actor: User, person: User) -> bool:
    """Whether `actor` may change `person`: an administrator anyone, anyone themselves, and a
    coordinator a specialist every one of whose lines they coordinate (one line at least)."""
    mine = coordinated_lines(session, actor)
    if mine is None or actor.id == person.id:
        return True
    if person.role != Role.SPECIALIST:
        return False
    theirs = lines_served(session, person.id)
    return bool(theirs) and theirs <= mine


def visible_to(session: Session, actor: User) -> list[User]:
    """Return the people `actor` sees: everyone for an administrator, else themselves and
    the specialists of the lines they coordinate."""
    mine = coordinated_lines(session, actor)
    if mine is None:
        return everyone(session)
    serving = select(LineSpecialist.user_id).where(LineSpecialist.line_id.in_(mine))
    return list(
        session.scalars(
            select(User)
            .where((User.id == actor.id) | User.id.in_(serving))
            .order_by(User.display_name, User.id)
        )
    )


def everyone(session: Session) -> list[User]:
    """Return every user, by name."""
    return list(session.scalars(select(User).order_by(User.display_name, User.id)))


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))
