"""What a coordinator does from the dashboard: start a shift, reset a password, watch a line."""

from __future__ import annotations

from flask import abort, jsonify
from flask_babel import gettext as _

from warmline import people, supervision
from warmline.dashboard import board
from warmline.dashboard.api.blueprint import _body, bp
from warmline.dashboard.api.shift import _start
from warmline.dashboard.api.support import board_line
from warmline.models import Line, Role, User, utcnow
from warmline.web import db_session, i18n, runtime
from warmline.web.access import coordinates
from warmline.web.auth import COORDINATORS, MAX_PASSWORD_LENGTH, require_user
from warmline.web.auth import signed_in_user as _me


def _coordinated_line(line_id: int) -> Line:
    """Return a line the signed-in coordinator runs; answer 404 for any other."""
    line = db_session().get(Line, line_id)
    if line is None or not coordinates(db_session(), _me(), line_id):
        abort(404, description=_("No such line."))
    return line


@bp.post("/coordinator/shifts")
@require_user(*COORDINATORS)
def override_start():
    """Start a specialist's shift although they are not rostered now (audited)."""
    data = _body({"line_id": int, "specialist_id": int})
    _coordinated_line(data["line_id"])
    specialist = db_session().get(User, data["specialist_id"])
    if specialist is None:
        abort(404, description=_("No such person."))
    _start(data["line_id"], specialist.id, _me().id)
    return jsonify(specialist_id=specialist.id, line_id=data["line_id"]), 201


@bp.post("/coordinator/users/<int(max=2147483647):user_id>/password")
@require_user(*COORDINATORS)
def reset_password(user_id: int):
    """Set a new password for someone; it signs them out of every browser."""
    data = _body({"password": str})
    session = db_session()
    user = session.get(User, user_id)
    if user is None or user not in people.visible_to(session, _me()):
        abort(404, description=_("No such person."))
    if user.role is not Role.SPECIALIST and _me().role is not Role.ADMIN:
        abort(403, description=_("Only an administrator resets a coordinator's password."))
    if not people.may_act_on(session, _me(), user):
        abort(403, description=_("Only an administrator changes someone who serves other lines."))
    if len(data["password"]) > MAX_PASSWORD_LENGTH:
        abort(400, description=_("That password is too long."))
    try:
        people.set_password(session, user, data["password"], actor_id=_me().id, via="dashboard")
    except ValueError as error:
        abort(400, description=i18n.refusal(error) + ".")
    session.commit()
    return "", 204


@bp.get("/coordinator/lines/<int(max=2147483647):line_id>/queue")
@require_user(*COORDINATORS)
def line_queue(line_id: int):
    line = _coordinated_line(line_id)
    waiting = board.waiting(db_session(), runtime().redis, line, utcnow())
    return jsonify(waiting=[c.as_json() for c in waiting])


@bp.get("/coordinator/lines/<int(max=2147483647):line_id>/board")
@require_user()
def line_board(line_id: int):
    """The console's live board: who is on shift and in what state, the calls and texts in
    progress, who is waiting. A supervisor who has it open is on duty on the line."""
    line = board_line(line_id)
    session, client, me = db_session(), runtime().redis, _me()
    at = utcnow()
    at_ms = int(at.timestamp() * 1000)
    supervising = supervision.serves(session, me, line.id)
    if supervising:
        supervision.keep_on_duty(client, line_id=line.id, supervisor_id=me.id, at_ms=at_ms)
    return jsonify(
        specialists=[person.as_json() for person in board.on_shift(session, client, line, at_ms)],
        waiting=[c.as_json() for c in board.waiting(session, client, line, at)],
        conversations=[c.as_json() for c in board.in_conversation(session, client, line, at)],
        supervising=supervising,
        monitoring=line.monitoring_enabled,
        supervisors_on_duty=len(supervision.on_duty(client, line.id, at_ms)),
    )
