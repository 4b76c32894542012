"""Refuse any webhook request that Twilio did not sign for the URL it called."""

from __future__ import annotations

import logging

from flask import abort, request
from twilio.request_validator import RequestValidator

from warmline.web import runtime

log = logging.getLogger(__name__)


def called_url(public_url: str) -> str:
    """Rebuild the URL as Twilio called it: the public base URL, path and query."""
    query = request.query_string.decode("ascii", "replace")
    return f"{public_url}{request.path}" + (f"?{query}" if query else "")


def require_twilio_signature() -> None:
    """Abort with 403 before anything runs unless X-Twilio-Signature is valid."""
    settings = runtime().settings
    signature = request.headers.get("X-Twilio-Signature", "")
    validator = RequestValidator(settings.twilio_auth_token)
    if not signature or not validator.validate(
        called_url(settings.public_url), request.form, signature
    ):
        log.warning("refused a webhook request to %s: no valid Twilio signature", request.path)
        abort(403)
