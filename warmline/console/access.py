"""Which lines a coordinator runs: an administrator runs them all, a coordinator only
the lines linked to them. A line someone does not run does not exist for them (404)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline import audit
from warmline.models import Line, LineCoordinator, Role, User


def visible_lines(session: Session, user: User) -> list[Line]:
    """Return the lines `user` coordinates, by name."""
    query = select(Line).order_by(Line.name, Line.id)
    if user.role == Role.ADMIN:
        return list(session.scalars(query))
    if user.role != Role.COORDINATOR:
        return []
    query = query.join(LineCoordinator, LineCoordinator.line_id == Line.id).where(
        LineCoordinator.user_id == user.id
    )
    return list(session.scalars(query))


def coordinates(session: Session, user: User, line_id: int) -> bool:
    if user.role == Role.ADMIN:
        return session.get(Line, line_id) is not None
    if user.role != Role.COORDINATOR:
        return False
    return (
        session.scalar(
            select(LineCoordinator.id).where(
                LineCoordinator.user_id == user.id, LineCoordinator.line_id == line_id
            )
        )
        is not None
    )


def coordinators_of(session: Session, line_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(LineCoordinator, LineCoordinator.user_id == User.id)
            .where(LineCoordinator.line_id == line_id)
            .order_by(User.display_name)
        )
    )


def assign(
    session: Session, line: Line, user: User, *, actor_id: int | None = None, via: str = "console"
) -> LineCoordinator:
    """Make `user` (a coordinator) a coordinator of `line`, audited; idempotent."""
    if user.role != Role.COORDINATOR:
        raise ValueError("only a coordinator can be given a line to run")
    link = session.scalar(
        select(LineCoordinator).where(
            LineCoordinator.line_id == line.id, LineCoordinator.user_id == user.id
        )
    )
    if link is None:
        link = LineCoordinator(line_id=line.id, user_id=user.id)
        session.add(link)
        session.flush()
        audit.record(
            session,
            "line.coordinator_add",
            "line",
            line.id,
            actor_id=actor_id,
            via=via,
            detail={"line_id": line.id, "user_id": user.id},
        )
    return link


def unassign(
    session: Session, line: Line, user: User, *, actor_id: int | None = None, via: str = "console"
) -> bool:
    link = session.scalar(
        select(LineCoordinator).where(
            LineCoordinator.line_id == line.id, LineCoordinator.user_id == user.id
        )
    )
    if link is None:
        return False
    session.delete(link)
    audit.record(
        session,
        "line.coordinator_remove",
        "line",
        line.id,
        actor_id=actor_id,
        via=via,
        detail={"line_id": line.id, "user_id": user.id},
    )
    session.flush()
    return True
