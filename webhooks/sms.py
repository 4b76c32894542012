"""Messaging webhooks: a text comes in, a sent text's status changes."""

from __future__ import annotations

from flask import Blueprint, request

from warmline import feedback, texts, wording
from warmline.crisis.scripts import (
    MAX_SMS_SEGMENTS,
    interpreter_script,
    referral_script,
    sms_segments,
    survey_script,
)
from warmline.models import utcnow
from warmline.web import db_session, runtime
from webhooks import forms, twiml
from webhooks.safety import CALLBACK, TEXTER, fallback, remember_line, twiml_response

bp = Blueprint("sms", __name__, url_prefix="/sms")
# The referral script each crisis reply sends.
SCRIPTS = {
    texts.Say.REFERRAL: "caller",
    texts.Say.THIRD_PARTY: "third_party",
    texts.Say.STOPPED_FLAGGED: "stop_flagged",
}


def render(plan: texts.TextPlan) -> list[str]:
    """Turn the domain's decision into the texts the reply sends, in order."""
    line_name = plan.line.name if plan.line else ""
    sent = []
    for say in plan.says:
        if say in SCRIPTS:
            sent.append(referral_script(SCRIPTS[say], "sms", plan.language, _own_scripts(plan)))
        elif say is texts.Say.SURVEY_THANKS:
            sent.append(survey_script(feedback.THANKS, "sms", plan.language, _own_scripts(plan)))
        elif say is texts.Say.NO_LINE:
            sent.append(wording.fallback("no_line"))
        elif say is texts.Say.CLOSED:
            sent.append(_closed(plan, line_name))
        elif say is texts.Say.INTERPRETER:
            sent.append(interpreter_script(plan.unspoken))
        else:
            position = plan.position or 1
            sent.append(wording.text(say.value, plan.language, name=line_name, position=position))
    return sent


def _own_scripts(plan: texts.TextPlan):
    return plan.line.scripts if plan.line else None


def _closed(plan: texts.TextPlan, line_name: str) -> str:
    """Name the line when two segments allow it, then the after-hours script and the hours."""
    closed = referral_script("after_hours", "sms", plan.language, _own_scripts(plan))
    if plan.reopens_at is not None:
        when = wording.reopens(plan.reopens_at, utcnow(), plan.language, wording.Form.WRITTEN)
        closed += " " + wording.text("reopens", plan.language, when=when)
    named = wording.text("thanks", plan.language, name=line_name) + " " + closed
    return named if sms_segments(named) <= MAX_SMS_SEGMENTS else closed


@bp.post("/incoming")
@fallback(TEXTER)
def incoming():
    """Take a text into its conversation; a retried webhook gets silence, never a second reply."""
    services = runtime()
    text = forms.text_arrival(request.form, services.settings.caller_key, services.sealer)
    plan = texts.receive_text(
        db_session(),
        services.redis,
        services.jobs,
        services.sealer,
        text,
        lines=services.lines,
        at=utcnow(),
    )
    sent = render(plan)
    if plan.line is not None:
        remember_line(text.line_number, plan.line)
    if plan.line is not None and plan.contact_id is not None:
        texts.keep_line_texts(
            services.redis,
            services.sealer,
            line_id=plan.line.id,
            contact_id=plan.contact_id,
            sent=[(say.value, body) for say, body in zip(plan.says, sent, strict=True)],
            at=utcnow(),
        )
    return twiml_response(twiml.messages(sent))


@bp.post("/status")
@fallback(CALLBACK)
def status():
    """Record a sent text's delivery; repeats and late arrivals change nothing twice."""
    report = forms.text_delivery(request.form, request.args)
    if report.line_id is not None and report.contact_id is not None:
        services = runtime()
        texts.delivery_report(
            services.redis,
            services.jobs,
            line_id=report.line_id,
            contact_id=report.contact_id,
            message_sid=report.message_sid,
            status=report.status,
            error_code=report.error_code,
        )
    return twiml_response(twiml.empty())
