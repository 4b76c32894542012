"""The line's live events, streamed to the dashboard as Server-Sent Events."""

from __future__ import annotations

from warmline.dashboard import board, events
from warmline.dashboard.api.blueprint import bp
from warmline.web import db_session, runtime
from warmline.web.auth import require_user
from warmline.web.auth import signed_in_user as _me


@bp.get("/events")
@require_user()
def live_events():
    """Stream the line's events (Server-Sent Events); the page refetches what changed."""
    user = _me()
    shift = board.current_shift(db_session(), runtime().redis, user.id)
    if shift is None:
        # 204 tells EventSource not to reconnect; the page opens a stream once on shift.
        return "", 204
    return events.stream(runtime().redis, shift.line.id, user.id)
