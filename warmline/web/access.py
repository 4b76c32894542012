"""Which lines a coordinator runs: an administrator runs them all, a coordinator only
the lines linked to them. A line someone does not run does not exist for them (404)."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline.models import Line, LineCoordinator, Role, User
from warmline.web import db_session
from warmline.web.auth import signed_in_user


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


def coordinated_line(line_id: int) -> Line:
    """Return the line, answering 404 when the signed-in user does not run it."""
    session = db_session()
    line = session.get(Line, line_id)
    if line is None or not coordinates(session, signed_in_user(), line_id):
        abort(404, description=_("No such line."))
    return line
