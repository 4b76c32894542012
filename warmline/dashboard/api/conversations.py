"""Text conversations: read one, reply, close it."""

from __future__ import annotations

from flask import abort, jsonify, request
from flask_babel import gettext as _

from warmline import texts
from warmline.crisis.scripts import referral_script
from warmline.dashboard.api.blueprint import _body, bp
from warmline.dashboard.api.shift import _shift_json
from warmline.lines import context
from warmline.models import Contact, Line, utcnow
from warmline.web import db_session, i18n, runtime
from warmline.web.auth import require_user
from warmline.web.auth import signed_in_user as _me


def _not_yours() -> str:
    return _("No open text conversation of yours has that id.")


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
        abort(404, description=_not_yours())
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
                "kind": message.kind,
            }
            for message in opened
        ],
        referral_script=referral_script("caller", "sms", contact.language, line_scripts),
        referral_sent_at=_referral_sent_at(opened),
    )


def _referral_sent_at(opened: list[texts.TextMessage]) -> str | None:
    """When the line last texted the referral script the button inserts, if it did."""
    sent = [m.at for m in opened if m.sender == texts.LINE and m.kind == texts.Say.REFERRAL.value]
    return sent[-1].isoformat() if sent else None


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
        abort(404, description=_not_yours())
    except ValueError as error:
        abort(400, description=i18n.refusal(error) + ".")
    return jsonify(index=sent.index), 201


@bp.post("/contacts/<int(max=2147483647):contact_id>/close")
@require_user()
def close(contact_id: int):
    """Close your text conversation; its number and messages are deleted.

    A crisis-flagged one needs `confirm: true`, and its texter gets the crisis numbers.
    """
    user, services = _me(), runtime()
    # The body is optional: only a flagged conversation needs {"confirm": true}.
    data = _body({}, {"confirm": bool}) if request.get_data() else {}
    try:
        closed = texts.close_by_specialist(
            db_session(),
            services.redis,
            services.jobs,
            sealer=services.sealer,
            contact_id=contact_id,
            specialist_id=user.id,
            confirmed=data.get("confirm") is True,
            at=utcnow(),
        )
    except (texts.ConversationUnavailable, texts.NotYourConversation):
        abort(404, description=_not_yours())
    except texts.ConfirmFlaggedClose:
        abort(
            409,
            description=_(
                "This conversation showed crisis signs. Confirm closing it (confirm: true); "
                "the texter is sent the crisis numbers."
            ),
        )
    if not closed:
        abort(404, description=_not_yours())
    return jsonify(_shift_json(user))
