"""The waiting line and the specialist's own contacts: take one, transfer a call, hang up."""

from __future__ import annotations

from flask import abort, jsonify
from flask_babel import gettext as _

from warmline import calls, offers, texts
from warmline.dashboard import board
from warmline.dashboard.api.blueprint import bp
from warmline.dashboard.api.shift import _shift_json, _shift_or_409
from warmline.live import LiveLine
from warmline.models import Channel, Contact, User, utcnow
from warmline.web import db_session, runtime
from warmline.web.auth import require_user
from warmline.web.auth import signed_in_user as _me


@bp.get("/queue")
@require_user()
def queue():
    user, session, client, at = _me(), db_session(), runtime().redis, utcnow()
    shift = board.current_shift(session, client, user.id)
    waiting = board.waiting(session, client, shift.line, at, taker=user) if shift else []
    mine = board.own_contacts(session, client, user.id, at)
    return jsonify(
        waiting=[c.as_json() for c in waiting],
        mine=[c.as_json() for c in mine],
    )


def _own_live_voice_contact(contact_id: int, user: User) -> Contact:
    contact = board.find_own_contact(db_session(), contact_id, user.id)
    if contact is None:
        abort(404, description=_("No such contact of yours."))
    if contact.channel is not Channel.VOICE or contact.ended_at is not None:
        abort(409, description=_("That call is over."))
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
        abort(404, description=_("No such waiting contact on your line."))
    if contact.language not in user.languages:
        abort(409, description=_("That contact asked for a language you do not speak."))
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
        if not taken:
            session.refresh(contact)
            if contact.specialist_id not in (None, user.id) or contact.ended_at is not None:
                abort(409, description=_("Someone else took that text conversation."))
    else:
        taken = offers.accept(
            session, services.redis, services.jobs, contact_id=contact_id, specialist_id=user.id
        )
    if not taken:
        abort(409, description=_("Someone else took that contact, or you are not free."))
    return jsonify(_shift_json(user))


@bp.post("/contacts/<int(max=2147483647):contact_id>/pass")
@require_user()
def pass_offer(contact_id: int):
    """Let the text offered to you pass: it goes to the next specialist, and stays in the list."""
    user, services = _me(), runtime()
    shift = _shift_or_409(user)
    passed = texts.pass_text_offer(
        LiveLine(services.redis, shift.line.id),
        services.jobs,
        contact_id=contact_id,
        specialist_id=user.id,
    )
    if not passed:
        abort(
            409,
            description=_(
                "That text is no longer offered to you: someone else took it, or its time ran out."
            ),
        )
    return jsonify(_shift_json(user))


@bp.post("/contacts/<int(max=2147483647):contact_id>/transfer")
@require_user()
def transfer(contact_id: int):
    """Dial the crisis line into your call; stay on until you hear the counselor."""
    user, services = _me(), runtime()
    _own_live_voice_contact(contact_id, user)
    started = calls.transfer_to_crisis(
        db_session(), services.redis, services.jobs, contact_id=contact_id, at=utcnow()
    )
    if not started:
        abort(409, description=_("The caller is not connected yet."))
    return jsonify(state="dialing"), 202


@bp.post("/contacts/<int(max=2147483647):contact_id>/counselor-joined")
@require_user()
def counselor_joined(contact_id: int):
    """You hear a person from the crisis line (not its menu): the counselor has joined."""
    user, services = _me(), runtime()
    _own_live_voice_contact(contact_id, user)
    confirmed = calls.confirm_counselor(
        db_session(), services.redis, contact_id=contact_id, specialist_id=user.id
    )
    if not confirmed:
        abort(409, description=_("The crisis line has not answered this call."))
    return jsonify(state="joined")


@bp.post("/contacts/<int(max=2147483647):contact_id>/hang-up")
@require_user()
def hang_up(contact_id: int):
    """Leave your call: your phone hangs up; the caller hears a goodbye (or stays with crisis)."""
    user, services = _me(), runtime()
    contact = _own_live_voice_contact(contact_id, user)
    leg = LiveLine(services.redis, contact.line_id).offer_legs(contact_id).get(user.id)
    if leg is None:
        abort(409, description=_("Your phone is not in the call yet."))
    if not calls.may_leave_call(services.redis, line_id=contact.line_id, contact_id=contact_id):
        abort(409, description=_("Please stay on: the crisis counselor has not joined yet."))
    services.jobs.hang_up([leg])
    return jsonify(state="hanging_up"), 202
