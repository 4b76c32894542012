"""The specialist's shift: where they may start, going available or on break, ending it."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify
from flask_babel import gettext as _

from warmline import presence, roster
from warmline.dashboard import board
from warmline.dashboard.api.blueprint import _body, bp
from warmline.live import LiveLine, now_ms
from warmline.models import Line, User, utcnow
from warmline.web import db_session, i18n, runtime
from warmline.web.access import visible_lines
from warmline.web.auth import COORDINATORS, require_user
from warmline.web.auth import signed_in_user as _me

BREAK_REASONS = ("rest", "meal", "debrief", "technical", "other")


def _shift_or_409(user: User) -> board.Shift:
    shift = board.current_shift(db_session(), runtime().redis, user.id)
    if shift is None:
        abort(409, description=_("Start your shift first."))
    return shift


def _line_json(line: Line) -> dict[str, Any]:
    return {
        "id": line.id,
        "name": line.name,
        "languages": line.languages,
        "wrap_up_topics": line.wrap_up_topics,
        "wrap_up_seconds": line.wrap_up_seconds,
        "recovery_seconds": line.recovery_seconds,
    }


def _shift_json(user: User) -> dict[str, Any]:
    shift = board.current_shift(db_session(), runtime().redis, user.id)
    if shift is None:
        return {"on_shift": False, "status": "offline"}
    at_ms = now_ms()
    return {
        "on_shift": True,
        "line": _line_json(shift.line),
        "status": shift.status_at(at_ms),
        "reason": shift.reason,
        "wrap_up_seconds_left": shift.wrap_up_seconds_left(at_ms),
        "recovery_seconds_left": shift.recovery_seconds_left(at_ms),
        "contact_id": shift.contact_id,
        "offer_contact_id": shift.offer_id,
        "text_offer_contact_id": shift.text_offer_id,
        "ending": shift.ending,
    }


@bp.get("/shift")
@require_user()
def shift_state():
    """Say where the user is on shift; asking counts as their dashboard being open."""
    user = _me()
    shift = board.current_shift(db_session(), runtime().redis, user.id)
    if shift is not None:
        LiveLine(runtime().redis, shift.line.id).saw(user.id, now_ms())
    return jsonify(_shift_json(user))


@bp.get("/lines")
@require_user()
def lines_to_start_on():
    """List the lines the user is rostered on now (the lines they run, for a coordinator)."""
    user, at, session = _me(), utcnow(), db_session()
    if user.role in COORDINATORS:
        return jsonify(lines=[_line_json(line) for line in visible_lines(session, user)])
    return jsonify(lines=[_line_json(line) for line in roster.lines_rostered(session, user.id, at)])


def _start(line_id: int, specialist_id: int, override_by: int | None) -> None:
    session, services = db_session(), runtime()
    if session.get(Line, line_id) is None:
        abort(404, description=_("No such line."))
    if board.current_shift(session, services.redis, specialist_id) is not None:
        abort(409, description=_("Already on shift."))
    try:
        presence.start_shift(
            session,
            services.redis,
            services.jobs,
            line_id=line_id,
            specialist_id=specialist_id,
            at=utcnow(),
            override_by=override_by,
        )
    except presence.NotRostered as refused:
        abort(403, description=i18n.refusal(refused))
    # Started from a dashboard, by the specialist or by a coordinator for them: the shift is
    # followed from now, so one whose dashboard is not open within the grace ends
    # (repairs.end_absent_shifts) rather than ringing a phone nobody watches.
    LiveLine(services.redis, line_id).saw(specialist_id, now_ms())


@bp.post("/shift/start")
@require_user()
def start_shift():
    data = _body({"line_id": int})
    user = _me()
    _start(data["line_id"], user.id, None)
    return jsonify(_shift_json(user))


@bp.post("/shift/status")
@require_user()
def change_status():
    """Go available (ending a break or a wrap-up early) or go on break with a reason."""
    data = _body({"status": str}, {"reason": str})
    user, services = _me(), runtime()
    shift = _shift_or_409(user)
    if _busy(shift, user):
        abort(409, description=_("Finish the current contact first."))
    if data["status"] == "available":
        presence.become_available(
            db_session(),
            services.redis,
            services.jobs,
            line_id=shift.line.id,
            specialist_id=user.id,
        )
    elif data["status"] == "break":
        reason = data.get("reason", "rest")
        if reason not in BREAK_REASONS:
            abort(400, description=_("Choose a break reason from the list."))
        presence.take_break(
            services.redis, line_id=shift.line.id, specialist_id=user.id, reason=reason
        )
    else:
        abort(400, description=_("'status' is 'available' or 'break'."))
    return jsonify(_shift_json(user))


@bp.post("/shift/end")
@require_user()
def end_shift():
    """End the shift now, or once the current contact is over (202)."""
    user, client = _me(), runtime().redis
    shift = _shift_or_409(user)
    if _busy(shift, user):
        board.mark_ending(client, line_id=shift.line.id, specialist_id=user.id, ending=True)
        return jsonify(_shift_json(user)), 202
    _end(shift, user.id)
    return jsonify(_shift_json(user))


def _busy(shift: board.Shift, user: User) -> bool:
    """Whether the specialist is being offered a contact (a call or a text) or is in a
    conversation now."""
    if shift.status in board.BUSY_STATUSES or shift.offer_id is not None:
        return True
    if shift.text_offer_id is not None:
        return True
    mine = board.own_contacts(db_session(), runtime().redis, user.id, utcnow())
    return any(contact.state == "live" for contact in mine)


def _end(shift: board.Shift, specialist_id: int) -> None:
    client = runtime().redis
    board.mark_ending(client, line_id=shift.line.id, specialist_id=specialist_id, ending=False)
    presence.end_shift(db_session(), client, line_id=shift.line.id, specialist_id=specialist_id)
