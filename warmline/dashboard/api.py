"""The dashboard's JSON API under /api; the pages use nothing else.

Every route checks, on the server, who is asking: a specialist sees the waiting line of
the line they are on shift on and their own contacts; coordinator routes refuse anyone
else with 403.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from warmline import audit, calls, offers, people, presence, texts, wrapups
from warmline.console import access
from warmline.crisis.scripts import referral_script
from warmline.dashboard import board, events, openapi
from warmline.dashboard.auth import (
    COORDINATORS,
    MAX_PASSWORD_LENGTH,
    current_user,
    require_user,
    sign_in,
    sign_out,
)
from warmline.dashboard.security import csrf_token, require_csrf
from warmline.lines import context
from warmline.live import LiveLine, now_ms
from warmline.models import Channel, Contact, Line, Role, Shift, User, utcnow
from warmline.web import db_session, runtime

bp = Blueprint("api", __name__, url_prefix="/api")
bp.before_request(require_csrf)

BREAK_REASONS = ("rest", "meal", "debrief", "technical", "other")
# Ids are 32-bit integers in PostgreSQL; anything larger names nothing.
MAX_ID = 2**31 - 1
MAX_TOPICS_SUBMITTED = 50


@bp.errorhandler(HTTPException)
def _as_json(error: HTTPException) -> tuple[Response, int]:
    return jsonify(error=error.description or error.name), error.code or 500


def _body(required: dict[str, type], optional: dict[str, type] | None = None) -> dict[str, Any]:
    """Return the request's JSON object, refusing unknown fields and wrong types."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="Send a JSON object with Content-Type: application/json.")
    fields = {**required, **(optional or {})}
    if set(data) - set(fields):
        abort(400, description="The request has a field this route does not take.")
    for name, kind in fields.items():
        if name not in data:
            if name in required:
                abort(400, description=f"The request needs '{name}'.")
            continue
        value = data[name]
        # JSON true is a Python int too: only a real int counts as an id.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            abort(400, description=f"'{name}' has the wrong type.")
        if kind is int and not 0 <= value <= MAX_ID:
            abort(400, description=f"'{name}' is out of range.")
    return data


def _me() -> User:
    user = current_user()
    assert user is not None
    return user


def _shift_or_409(user: User) -> board.Shift:
    shift = board.current_shift(db_session(), runtime().redis, user.id)
    if shift is None:
        abort(409, description="Start your shift first.")
    return shift


def _user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "display_name": user.display_name,
        "role": user.role.value,
        "languages": user.languages,
    }


def _line_json(line: Line) -> dict[str, Any]:
    return {
        "id": line.id,
        "name": line.name,
        "languages": line.languages,
        "wrap_up_topics": line.wrap_up_topics,
        "wrap_up_seconds": line.wrap_up_seconds,
    }


# The API document.


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())


# Signing in and out.


@bp.get("/session")
def who_am_i():
    """Say who is signed in, with the CSRF token every change must carry."""
    user = current_user()
    return jsonify(user=_user_json(user) if user else None, csrf_token=csrf_token())


@bp.post("/session")
def start_session():
    data = _body({"email": str, "password": str})
    result = sign_in(data["email"], data["password"])
    if result.user is None:
        response = jsonify(error=result.error)
        if result.retry_after_seconds:
            response.headers["Retry-After"] = str(result.retry_after_seconds)
        return response, result.status
    return jsonify(user=_user_json(result.user), csrf_token=csrf_token())


@bp.delete("/session")
def end_session():
    sign_out()
    return "", 204


# The shift.


def _shift_json(user: User) -> dict[str, Any]:
    shift = board.current_shift(db_session(), runtime().redis, user.id)
    if shift is None:
        return {"on_shift": False, "status": "offline"}
    return {
        "on_shift": True,
        "line": _line_json(shift.line),
        "status": shift.status,
        "reason": shift.reason,
        "wrap_up_seconds_left": shift.wrap_up_seconds_left(now_ms()),
        "contact_id": shift.contact_id,
        "offer_contact_id": shift.offer_id,
        "ending": shift.ending,
    }


@bp.get("/shift")
@require_user()
def shift_state():
    return jsonify(_shift_json(_me()))


@bp.get("/lines")
@require_user()
def lines_to_start_on():
    """List the lines the user is rostered on now (the lines they run, for a coordinator)."""
    user, at, session = _me(), utcnow(), db_session()
    if user.role in COORDINATORS:
        return jsonify(lines=[_line_json(line) for line in access.visible_lines(session, user)])
    query = (
        select(Line)
        .order_by(Line.name)
        .join(Shift, Shift.line_id == Line.id)
        .where(Shift.user_id == user.id, Shift.starts_at <= at, Shift.ends_at > at)
    )
    return jsonify(lines=[_line_json(line) for line in session.scalars(query).unique()])


def _coordinated_line(line_id: int) -> None:
    """Answer 404 for a line the signed-in coordinator does not run."""
    if not access.coordinates(db_session(), _me(), line_id):
        abort(404, description="No such line.")


def _start(line_id: int, specialist_id: int, override_by: int | None) -> None:
    session, services = db_session(), runtime()
    if session.get(Line, line_id) is None:
        abort(404, description="No such line.")
    if board.current_shift(session, services.redis, specialist_id) is not None:
        abort(409, description="Already on shift.")
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
    except presence.NotRostered:
        abort(403, description="No shift on this line now: ask a coordinator to start yours.")


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
        abort(409, description="Finish the current contact first.")
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
            abort(400, description="Choose a break reason from the list.")
        presence.take_break(
            services.redis, line_id=shift.line.id, specialist_id=user.id, reason=reason
        )
    else:
        abort(400, description="'status' is 'available' or 'break'.")
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
    """Whether the specialist is being offered a contact or is in a conversation now."""
    if shift.status in board.BUSY_STATUSES or shift.offer_id is not None:
        return True
    mine = board.own_contacts(db_session(), runtime().redis, user.id, utcnow())
    return any(contact.state == "live" for contact in mine)


def _end(shift: board.Shift, specialist_id: int) -> None:
    client = runtime().redis
    board.mark_ending(client, line_id=shift.line.id, specialist_id=specialist_id, ending=False)
    presence.end_shift(client, line_id=shift.line.id, specialist_id=specialist_id)


# The waiting line and the specialist's own contacts.


@bp.get("/queue")
@require_user()
def queue():
    user, session, client, at = _me(), db_session(), runtime().redis, utcnow()
    shift = board.current_shift(session, client, user.id)
    waiting = board.waiting(session, client, shift.line, at) if shift else []
    mine = board.own_contacts(session, client, user.id, at)
    return jsonify(
        waiting=[c.as_json() for c in waiting],
        mine=[c.as_json() for c in mine],
    )


def _own_live_voice_contact(contact_id: int, user: User) -> Contact:
    contact = board.find_own_contact(db_session(), contact_id, user.id)
    if contact is None:
        abort(404, description="No such contact of yours.")
    if contact.channel is not Channel.VOICE or contact.ended_at is not None:
        abort(409, description="That call is over.")
    return contact


@bp.post("/contacts/<int(max=2147483647):contact_id>/accept")
@require_user()
def accept(contact_id: int):
    """Take a waiting contact (or the one being offered to you) from the screen."""
    user, session, services = _me(), db_session(), runtime()
    shift = _shift_or_409(user)
    contact = session.get(Contact, contact_id)
    waiting_here = contact is not None and contact.line_id == shift.line.id
    if not waiting_here or contact.ended_at is not None:
        abort(404, description="No such waiting contact on your line.")
    if contact.language not in user.languages:
        abort(409, description="That contact asked for a language you do not speak.")
    if contact.channel is Channel.SMS:
        taken = (
            texts.accept_text(
                session,
                services.redis,
                services.jobs,
                line_id=shift.line.id,
                specialist_id=user.id,
                contact_id=contact_id,
                at=utcnow(),
            )
            == contact_id
        )
    else:
        taken = offers.accept(
            session, services.redis, services.jobs, contact_id=contact_id, specialist_id=user.id
        )
    if not taken:
        abort(409, description="Someone else took that contact, or you are not free.")
    return jsonify(_shift_json(user))


@bp.post("/contacts/<int(max=2147483647):contact_id>/transfer")
@require_user()
def transfer(contact_id: int):
    """Dial the crisis line into your call; stay on until the counselor has joined."""
    user, services = _me(), runtime()
    _own_live_voice_contact(contact_id, user)
    started = calls.transfer_to_crisis(
        db_session(), services.redis, services.jobs, contact_id=contact_id, at=utcnow()
    )
    if not started:
        abort(409, description="The caller is not connected yet.")
    return jsonify(state="dialing"), 202


@bp.post("/contacts/<int(max=2147483647):contact_id>/hang-up")
@require_user()
def hang_up(contact_id: int):
    """Leave your call: your phone hangs up; the caller hears a goodbye (or stays with crisis)."""
    user, services = _me(), runtime()
    contact = _own_live_voice_contact(contact_id, user)
    leg = LiveLine(services.redis, contact.line_id).offer_legs(contact_id).get(user.id)
    if leg is None:
        abort(409, description="Your phone is not in the call yet.")
    services.jobs.hang_up([leg])
    return jsonify(state="hanging_up"), 202


# Text conversations.

NOT_YOUR_CONVERSATION = "No open text conversation of yours has that id."


@bp.get("/contacts/<int(max=2147483647):contact_id>/messages")
@require_user()
def messages(contact_id: int):
    """Open your text conversation: its messages, oldest first, and the referral script."""
    user, session, services = _me(), db_session(), runtime()
    try:
        opened = texts.conversation_messages(
            session,
            services.redis,
            sealer=services.sealer,
            contact_id=contact_id,
            specialist_id=user.id,
        )
    except (texts.ConversationUnavailable, texts.NotYourConversation):
        abort(404, description=NOT_YOUR_CONVERSATION)
    contact = session.get(Contact, contact_id)
    line_scripts = context(session.get(Line, contact.line_id)).scripts
    return jsonify(
        messages=[
            {
                "index": message.index,
                "sender": message.sender,
                "body": message.body,
                "at": message.at.isoformat(),
                "pictures": message.pictures,
                "status": message.status,
            }
            for message in opened
        ],
        referral_script=referral_script("caller", "sms", contact.language, line_scripts),
    )


@bp.post("/contacts/<int(max=2147483647):contact_id>/messages")
@require_user()
def send_reply(contact_id: int):
    data = _body({"body": str})
    user, services = _me(), runtime()
    try:
        sent = texts.reply(
            db_session(),
            services.redis,
            services.jobs,
            sealer=services.sealer,
            contact_id=contact_id,
            specialist_id=user.id,
            body=data["body"],
            at=utcnow(),
        )
    except (texts.ConversationUnavailable, texts.NotYourConversation):
        abort(404, description=NOT_YOUR_CONVERSATION)
    except ValueError as error:
        abort(400, description=str(error).capitalize() + ".")
    return jsonify(index=sent.index), 201


@bp.post("/contacts/<int(max=2147483647):contact_id>/close")
@require_user()
def close(contact_id: int):
    """Close your text conversation; its number and messages are deleted."""
    user, services = _me(), runtime()
    try:
        closed = texts.close_conversation(
            db_session(),
            services.redis,
            services.jobs,
            contact_id=contact_id,
            reason=texts.CloseReason.SPECIALIST,
            at=utcnow(),
            specialist_id=user.id,
        )
    except texts.NotYourConversation:
        closed = False
    if not closed:
        abort(404, description=NOT_YOUR_CONVERSATION)
    return jsonify(_shift_json(user))


@bp.post("/contacts/<int(max=2147483647):contact_id>/wrap-up")
@require_user()
def wrap_up(contact_id: int):
    data = _body(
        {"topics": list, "crisis_referral_offered": bool, "follow_up_needed": bool},
    )
    topics = data["topics"]
    if len(topics) > MAX_TOPICS_SUBMITTED or not all(isinstance(t, str) for t in topics):
        abort(400, description="'topics' is a short list of topic names.")
    user, session, client = _me(), db_session(), runtime().redis
    mine = {c.id: c for c in board.own_contacts(session, client, user.id, utcnow())}
    if contact_id not in mine:
        abort(404, description="No contact of yours waits for a wrap-up with that id.")
    if mine[contact_id].state == "live":
        abort(409, description="Wrap up once the conversation is over.")
    try:
        wrapups.record_wrap_up(
            session,
            contact_id=contact_id,
            specialist_id=user.id,
            topics=topics,
            crisis_referral_offered=data["crisis_referral_offered"],
            follow_up_needed=data["follow_up_needed"],
        )
    except wrapups.WrapUpRefused as refused:
        abort(409, description=str(refused).capitalize() + ".")
    shift = board.current_shift(session, client, user.id)
    if shift is not None and shift.ending and not _busy(shift, user):
        _end(shift, user.id)
    return jsonify(_shift_json(user)), 201


# Live events.


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


# Coordinators.


@bp.post("/coordinator/shifts")
@require_user(*COORDINATORS)
def override_start():
    """Start a specialist's shift although they are not rostered now (audited)."""
    data = _body({"line_id": int, "specialist_id": int})
    _coordinated_line(data["line_id"])
    specialist = db_session().get(User, data["specialist_id"])
    if specialist is None:
        abort(404, description="No such person.")
    _start(data["line_id"], specialist.id, _me().id)
    return jsonify(specialist_id=specialist.id, line_id=data["line_id"]), 201


@bp.post("/coordinator/users/<int(max=2147483647):user_id>/password")
@require_user(*COORDINATORS)
def reset_password(user_id: int):
    """Set a new password for someone; it signs them out of every browser."""
    data = _body({"password": str})
    session = db_session()
    user = session.get(User, user_id)
    if user is None:
        abort(404, description="No such person.")
    if user.role is not Role.SPECIALIST and _me().role is not Role.ADMIN:
        abort(403, description="Only an administrator resets a coordinator's password.")
    if len(data["password"]) > MAX_PASSWORD_LENGTH:
        abort(400, description="That password is too long.")
    try:
        user.password_hash = people.hash_password(data["password"])
    except ValueError as error:
        abort(400, description=str(error).capitalize() + ".")
    audit.record(
        session, "user.password_reset", "user", user.id, actor_id=_me().id, via="dashboard"
    )
    session.commit()
    return "", 204


@bp.get("/coordinator/lines/<int(max=2147483647):line_id>/queue")
@require_user(*COORDINATORS)
def line_queue(line_id: int):
    _coordinated_line(line_id)
    session = db_session()
    line = session.get(Line, line_id)
    if line is None:
        abort(404, description="No such line.")
    waiting = board.waiting(session, runtime().redis, line, utcnow())
    return jsonify(waiting=[c.as_json() for c in waiting])
