"""What the browser-facing blueprints share: connections per request, sign-in, CSRF, access.

Imports Flask and the domain; neither `warmline.console` nor `warmline.dashboard` owns it.
"""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

from warmline.runtime import Runtime


def runtime() -> Runtime:
    """Return the running app's connections."""
    return current_app.extensions["warmline"]


def db_session() -> Session:
    """Return this request's database session, opened on first use."""
    if "db_session" not in g:
        g.db_session = runtime().sessions()
    return g.db_session


def close_session(_error: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
