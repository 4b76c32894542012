"""The wrap-up a specialist records once a contact is over."""

from __future__ import annotations

from flask import abort, jsonify
from flask_babel import gettext as _

from warmline import wrapups
from warmline.dashboard import board
from warmline.dashboard.api.blueprint import _body, bp
from warmline.dashboard.api.shift import _busy, _end, _shift_json
from warmline.models import utcnow
from warmline.web import db_session, i18n, runtime
from warmline.web.auth import require_user
from warmline.web.auth import signed_in_user as _me

MAX_TOPICS_SUBMITTED = 50


@bp.post("/contacts/<int(max=2147483647):contact_id>/wrap-up")
@require_user()
def wrap_up(contact_id: int):
    data = _body(
        {"topics": list, "crisis_referral_offered": bool, "follow_up_needed": bool},
    )
    topics = data["topics"]
    if len(topics) > MAX_TOPICS_SUBMITTED or not all(isinstance(t, str) for t in topics):
        abort(400, description=_("'topics' is a short list of topic names."))
    user, session, client = _me(), db_session(), runtime().redis
    mine = {c.id: c for c in board.own_contacts(session, client, user.id, utcnow())}
    if contact_id not in mine:
        abort(404, description=_("No contact of yours waits for a wrap-up with that id."))
    if mine[contact_id].state == "live":
        abort(409, description=_("Wrap up once the conversation is over."))
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
        abort(409, description=i18n.refusal(refused) + ".")
    shift = board.current_shift(session, client, user.id)
    if shift is not None and shift.ending and not _busy(shift, user):
        _end(shift, user.id)
    return jsonify(_shift_json(user)), 201
