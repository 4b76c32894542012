"""Twilio-facing blueprints under /webhooks, every one behind the signature check.

An adapter: imports Flask, twilio's TwiML builders and the domain; never workers or the dashboard.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from warmline import wording
from webhooks import safety, sms, twiml, voice
from webhooks.signature import require_twilio_signature

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
bp.before_request(require_twilio_signature)
bp.register_error_handler(Exception, safety.handle_webhook_error)
bp.register_blueprint(voice.bp)
bp.register_blueprint(sms.bp)


@bp.post("/fallback")
def fallback():
    """Answer for the primary handler when Twilio could not reach or use it."""
    if safety.is_sms_request():
        return safety.twiml_response(twiml.message(wording.fallback("no_line")))
    return safety.failed_hold_loop_response() or safety.emergency_voice_response()


def init_app(app: Flask) -> None:
    safety.init_app(app)
    app.register_blueprint(bp)
