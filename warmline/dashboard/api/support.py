"""Live support: a specialist asks for a supervisor; a supervisor listens, coaches or joins."""

from __future__ import annotations

from flask import abort, jsonify
from flask_babel import gettext as _

from warmline import supervision
from warmline.dashboard import board, events
from warmline.dashboard.api.blueprint import _body, bp
from warmline.live import now_ms
from warmline.models import Line
from warmline.web import db_session, runtime
from warmline.web.access import coordinates
from warmline.web.auth import COORDINATORS, require_user
from warmline.web.auth import signed_in_user as _me

# Status and words for each refusal, said in the supervisor's language.
_REFUSALS = {
    supervision.Refusal.NO_SUCH_CONTACT: (404, lambda: _("That contact is over.")),
    supervision.Refusal.NOT_A_SUPERVISOR: (404, lambda: _("That contact is over.")),
    supervision.Refusal.NOT_A_CALL: (
        409,
        lambda: _("Only a call in progress can be listened to; a text conversation cannot."),
    ),
    supervision.Refusal.NOT_MONITORED: (
        409,
        lambda: _(
            "This line does not tell callers that a supervisor may listen, so nobody may. "
            "A coordinator can change that in the line's settings."
        ),
    ),
    supervision.Refusal.NO_PHONE: (
        409,
        lambda: _("Set a phone number for yourself first: the line rings it into the call."),
    ),
    supervision.Refusal.ANOTHER_SUPERVISOR: (
        409,
        lambda: _("Another supervisor is already with this call."),
    ),
    supervision.Refusal.OWN_CONTACT: (409, lambda: _("You are the specialist on this call.")),
}


def board_line(line_id: int) -> Line:
    """Return a line whose live board the signed-in person may see; 404 for any other."""
    session, user = db_session(), _me()
    if user.role not in COORDINATORS and not user.supervisor:
        abort(403, description=_("Your role cannot do that."))
    line = session.get(Line, line_id)
    if line is None or not (
        coordinates(session, user, line_id) or supervision.serves(session, user, line_id)
    ):
        abort(404, description=_("No such line."))
    return line


@bp.post("/contacts/<int(max=2147483647):contact_id>/support")
@require_user()
def ask_for_support(contact_id: int):
    """Ask the supervisors on duty for support during your call or text conversation."""
    user, session, client = _me(), db_session(), runtime().redis
    contact = board.find_own_contact(session, contact_id, user.id)
    if contact is None:
        abort(404, description=_("No such contact of yours."))
    if contact.ended_at is not None or contact.connected_at is None:
        abort(409, description=_("That conversation is over."))
    heard = supervision.ask_for_support(
        session, client, contact=contact, specialist_id=user.id, at_ms=now_ms()
    )
    return jsonify(supervisors_on_duty=heard), 202


@bp.post("/supervisor/contacts/<int(max=2147483647):contact_id>")
@require_user()
def supervise(contact_id: int):
    """Listen to a call, coach its specialist (heard by them alone), or join it."""
    data = _body({"mode": str})
    try:
        mode = supervision.Mode(data["mode"])
    except ValueError:
        abort(400, description=_("'mode' is 'listen', 'coach' or 'join'."))
    services = runtime()
    try:
        state = supervision.supervise(
            db_session(),
            services.redis,
            services.jobs,
            supervisor=_me(),
            contact_id=contact_id,
            mode=mode,
        )
    except supervision.Refused as refused:
        status, words = _REFUSALS[refused.reason]
        abort(status, description=words())
    return jsonify(support=state), 202


@bp.get("/supervisor/lines/<int(max=2147483647):line_id>/events")
@require_user()
def supervisor_events(line_id: int):
    """Stream a line's events to the live board of one of its supervisors."""
    line = board_line(line_id)
    if not supervision.serves(db_session(), _me(), line.id):
        return "", 204
    return events.stream(runtime().redis, line.id, _me().id)
