"""Voice webhooks: a caller's whole way through the line, and the specialist's phone."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request

from warmline import callbacks, calls, feedback, lines, offers, supervision, urls, wording
from warmline.crisis.scripts import referral_script, survey_script
from warmline.lines import LineContext
from warmline.models import utcnow
from warmline.web import db_session, runtime
from webhooks import forms, twiml
from webhooks.safety import (
    CALLBACK,
    GOODBYE,
    LEAVE,
    QUEUE,
    SPECIALIST,
    fallback,
    onward_number,
    remember_line,
)
from webhooks.safety import twiml_response as xml

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__, url_prefix="/voice")


def _services():
    services = runtime()
    return db_session(), services.redis, services.jobs


def queue_name(line_id: int) -> str:
    return f"warmline-line-{line_id}"


def _render(plan: calls.CallPlan) -> str:
    """Turn the domain's decision into what the caller hears."""
    line, contact, language = plan.line, plan.contact_id, plan.language
    if plan.step is calls.Step.NOTHING:
        return twiml.empty()
    if line is None or contact is None:
        # A menu answer for a call we no longer know: still help, never silence.
        return twiml.emergency(onward_number(request.form.get("To", "")))
    if plan.step is calls.Step.QUEUE:
        return twiml.enqueue(
            queue_name(line.id), urls.wait(line.id, contact), urls.queue_exit(contact)
        )
    if plan.step is calls.Step.CRISIS:
        return twiml.crisis_line(
            line.crisis_number, language, voices=line.voices, dial=not plan.practice
        )
    if plan.step is calls.Step.CALLBACK:
        return twiml.callback_confirmed(language, urls.crisis(contact), voices=line.voices)
    if plan.step is calls.Step.OVERFLOW_MENU:
        return twiml.overflow_menu(
            language, urls.overflow(contact), line.speech_enabled, voices=line.voices
        )
    return twiml.onward(line.name, line.onward_number, language, voices=line.voices)


@bp.post("/incoming")
def incoming():
    """Answer a new call: blocked, limited, closed, or put in line at once and welcomed.

    A line that listens for words greets before the queue, where speech can be heard.
    """
    session, client, jobs = _services()
    call = forms.incoming_call(request.form, runtime().settings.caller_key)
    at = utcnow()
    plan = calls.arrive(
        session,
        client,
        jobs,
        lines=runtime().lines,
        call_sid=call.call_sid,
        line_number=call.line_number,
        caller_tag=call.caller_tag,
        at=at,
    )
    line: LineContext | None = plan.line
    if line is None or plan.contact_id is None:
        return xml(twiml.emergency(runtime().settings.crisis_number))
    remember_line(call.line_number, line)
    if plan.step is calls.Step.BLOCKED:
        return xml(twiml.blocked(urls.crisis(plan.contact_id), voices=line.voices))
    if plan.step is calls.Step.LIMITED:
        return xml(twiml.limited(line.name, urls.crisis(plan.contact_id), voices=line.voices))
    if plan.step is calls.Step.ONWARD:
        return xml(twiml.onward(line.name, line.onward_number, plan.language, voices=line.voices))
    if plan.step is calls.Step.AFTER_HOURS:
        reopens = (
            wording.reopens(plan.reopens_at, at, "en", wording.Form.SPOKEN)
            if plan.reopens_at
            else None
        )
        script = referral_script("after_hours", "voice", "en", line.scripts)
        return xml(
            twiml.after_hours(
                line.name,
                script,
                reopens,
                urls.crisis(plan.contact_id),
                line.overflow_number,
                voices=line.voices,
            )
        )
    if plan.step is calls.Step.QUEUE:
        return xml(_render(plan))
    return xml(
        twiml.welcome(
            line.name,
            line.languages,
            plan.language,
            urls.language(plan.contact_id),
            line.speech_enabled,
            monitored=line.monitoring_enabled,
            voices=line.voices,
        )
    )


def _decide_for_contact(decide, **values):
    """Hand the contact this URL names to one domain decision; render what the caller hears."""
    session, client, jobs = _services()
    plan = decide(
        session,
        client,
        jobs,
        contact_id=forms.query_id(request.args, "contact"),
        at=utcnow(),
        **values,
    )
    return xml(_render(plan))


def _menu_answer(*, picks_language: bool):
    heard = forms.heard(request.form)
    return _decide_for_contact(
        calls.answer_menu,
        digits=heard.digits,
        speech=heard.speech,
        picks_language=picks_language,
    )


@bp.post("/language")
def language():
    """After the greeting: a language choice, 9, crisis words, or silence; then the line."""
    return _menu_answer(picks_language=True)


@bp.post("/crisis")
def crisis():
    """From a closing message: 9 (or crisis words) reaches the crisis line; else goodbye."""
    heard = forms.heard(request.form)
    tier = calls.heard_from_contact(
        db_session(), forms.query_id(request.args, "contact"), heard.digits, heard.speech
    )
    if not tier:
        return _goodbye()
    return _decide_for_contact(calls.refer_to_crisis, tier=tier)


@bp.post("/wait")
@fallback(QUEUE)
def wait():
    """One turn of the hold loop, from Redis alone."""
    services = runtime()
    hold = forms.queue_wait(request.form)
    line_id = forms.query_id(request.args, "line")
    contact_id = forms.query_id(request.args, "contact")
    plan = calls.wait(
        services.redis,
        services.jobs,
        line_id=line_id,
        contact_id=contact_id,
        queue_seconds=hold.queue_time,
        average_wait_seconds=hold.average_queue_time,
        twilio_position=hold.position,
    )
    if plan.leave:
        return xml(twiml.leave_queue())
    if plan.greeting is not None:
        return xml(
            twiml.welcome_on_hold(
                plan.greeting.line_name,
                plan.greeting.languages,
                plan.language,
                urls.wait_key(line_id, contact_id),
                monitored=plan.greeting.monitored,
                voices=plan.voices,
            )
        )
    return xml(
        twiml.wait_cycle(
            language=plan.language,
            first_turn=plan.first_turn,
            key_url=urls.wait_key(line_id, contact_id),
            position=plan.position,
            average_wait_seconds=plan.average_wait_seconds,
            announce=plan.announce,
            hold_music_url=plan.hold_music_url,
            voices=plan.voices,
            callback_key=plan.callback_key,
        )
    )


@bp.post("/wait/key")
@fallback(LEAVE)
def wait_key():
    """A key while holding: 9 leaves the line for the crisis line; the call-back key leaves it
    to be called back, keeping the caller's place; a language's number switches to it;
    anything else goes on holding."""
    session, client, jobs = _services()
    services = runtime()
    heard = forms.heard(request.form)
    line_id = forms.query_id(request.args, "line")
    contact_id = forms.query_id(request.args, "contact")
    if calls.pressed_while_waiting(
        session,
        client,
        line_id=line_id,
        contact_id=contact_id,
        digits=heard.digits,
        speech=heard.speech,
    ):
        return xml(twiml.leave_queue())
    if callbacks.choose_callback(
        session,
        client,
        services.sealer,
        line_id=line_id,
        contact_id=contact_id,
        digits=heard.digits,
        number=forms.caller_number(request.form),
        caller_key=services.settings.caller_key,
        at=utcnow(),
    ):
        return xml(twiml.leave_queue())
    calls.choose_language_on_hold(
        session, client, jobs, line_id=line_id, contact_id=contact_id, digits=heard.digits
    )
    return xml(twiml.back_to_waiting(urls.wait(line_id, contact_id)))


@bp.post("/queue/exit")
def queue_exit():
    """The caller left Twilio's queue: for help, after the longest wait, or hung up."""
    return _decide_for_contact(calls.left_queue, result=forms.queue_result(request.form))


@bp.post("/overflow")
def overflow():
    """The overflow menu's answer: keep holding (or silence), or 9 for the crisis line."""
    return _menu_answer(picks_language=False)


@bp.post("/connect")
def connect():
    """The caller, out of the queue: connected once their specialist's phone is answered.

    Until then they hear that they are being connected; 9 (a key pressed while they hear
    either) reaches the crisis line.
    """
    session, client, _jobs = _services()
    contact_id = forms.query_id(request.args, "contact")
    heard = forms.heard(request.form)
    tier = calls.heard_from_contact(session, contact_id, heard.digits, heard.speech)
    if tier:
        return _decide_for_contact(calls.refer_to_crisis, tier=tier)
    plan = calls.caller_connected(session, client, contact_id=contact_id, at=utcnow())
    if plan.step is calls.Step.UNKNOWN:
        return xml(twiml.goodbye("en", urls.crisis(contact_id)))
    if plan.step is calls.Step.CONNECTING:
        connecting = twiml.connecting(
            plan.language, urls.connect(contact_id), voices=plan.line.voices
        )
        return xml(connecting)
    return xml(
        twiml.join_as_caller(
            calls.conference_name(contact_id),
            plan.language,
            urls.after(contact_id),
            urls.connect(contact_id),
            monitored=plan.line.monitoring_enabled,
            voices=plan.line.voices,
        )
    )


def _crisis_url() -> str:
    """Return where 9 goes for this URL's contact: the crisis line, or help if it is gone."""
    return urls.crisis(forms.query_id(request.args, "contact"))


def _goodbye() -> Response:
    """Say goodbye to this URL's contact in their language (English for none), 988 for later."""
    session = db_session()
    contact = calls.contact_line(session, forms.query_id(request.args, "contact"))
    if contact is None:
        return xml(twiml.goodbye("en", _crisis_url()))
    voices = lines.voices_of(session, contact.line_id)
    return xml(twiml.goodbye(contact.language, _crisis_url(), voices=voices))


@bp.post("/after")
@fallback(GOODBYE)
def after():
    """The conversation's conference ended: say goodbye, with 988 for later."""
    return _goodbye()


@bp.post("/goodbye")
@fallback(GOODBYE)
def goodbye():
    """Nobody is left with the caller: the feedback question where the line asks it, else a
    goodbye with 988, or the crisis line after a handoff."""
    session, client, _jobs = _services()
    plan = feedback.after_specialist(
        session, client, contact_id=forms.query_id(request.args, "contact"), at=utcnow()
    )
    if isinstance(plan, feedback.SurveyPlan):
        return xml(_survey(plan))
    if plan.step is calls.Step.CRISIS:
        return xml(
            twiml.crisis_line(plan.line.crisis_number, plan.language, voices=plan.line.voices)
        )
    return _goodbye()


def _survey(plan: feedback.SurveyPlan) -> str:
    """Say the survey's next question, or its thanks, in the caller's language."""
    line = plan.line
    text = survey_script(plan.kind, "voice", plan.language, line.scripts)
    if plan.next is feedback.Next.THANKS:
        return twiml.survey_thanks(
            text, plan.language, urls.crisis(plan.contact_id), voices=line.voices
        )
    answer_url = urls.survey(plan.contact_id, plan.question, plan.attempt)
    return twiml.survey_question(
        text, plan.language, answer_url, line.speech_enabled, voices=line.voices
    )


@bp.post("/survey")
@fallback(GOODBYE)
def survey():
    """A key at a feedback question: kept when it answers, asked once more, or 9 for help."""
    session, client, jobs = _services()
    heard = forms.heard(request.form)
    contact_id = forms.query_id(request.args, "contact")
    plan = feedback.answer_call(
        session,
        client,
        jobs,
        contact_id=contact_id,
        question=forms.query_choice(request.args, "question", feedback.QUESTIONS),
        attempt=forms.query_id(request.args, "attempt"),
        digits=heard.digits,
        speech=heard.speech,
        at=utcnow(),
    )
    if isinstance(plan, feedback.SurveyPlan):
        return xml(_survey(plan))
    if plan.step is calls.Step.UNKNOWN:
        return xml(twiml.goodbye("en", urls.crisis(contact_id)))
    return xml(_render(plan))


@bp.post("/status")
@fallback(CALLBACK)
def status():
    """Close the contact when the caller's call ends; repeats change nothing twice."""
    session, client, jobs = _services()
    update = forms.call_status(request.form)
    calls.call_status(
        session,
        client,
        jobs,
        call_sid=update.call_sid,
        status=update.status,
        at=utcnow(),
    )
    return xml(twiml.empty())


@bp.post("/callback")
def callback():
    """Say who calls to the person the line called back, then put them through.

    A voicemail box keeps what it hears for whoever plays it next: it hears nothing, not even
    the line's name, and the call ends as a try nobody answered.
    """
    session = db_session()
    contact_id = forms.query_id(request.args, "contact")
    if forms.answered_by_machine(request.form):
        log.info("A machine answered the call back of contact %s", contact_id)
        return xml(twiml.hang_up())
    found = calls.open_call(session, contact_id)
    if found is None:
        return xml(twiml.goodbye("en", urls.crisis(contact_id)))
    contact, line = found
    return xml(
        twiml.callback_intro(
            line.name, contact.language, urls.connect(contact_id), voices=line.voices
        )
    )


@bp.post("/callback/unreached")
@fallback(SPECIALIST)
def callback_unreached():
    """Tell the specialist waiting for a call back that nobody answered."""
    contact = calls.contact_line(db_session(), forms.query_id(request.args, "contact"))
    return xml(twiml.callback_unreached(given_up=contact is None or contact.ended_at is not None))


@bp.post("/offer/caller-gone")
@fallback(SPECIALIST)
def caller_gone():
    """Tell a specialist why the caller they accepted is not coming: hung up, or went to 988."""
    return xml(twiml.caller_gone(request.args.get("why", "")))


@bp.post("/offer/whisper")
@fallback(SPECIALIST)
def offer_whisper():
    """The specialist picked up: tell them what waits, press 1 to accept."""
    session = db_session()
    contact_id = forms.query_id(request.args, "contact")
    specialist_id = forms.query_id(request.args, "specialist")
    offer = offers.describe_offer(session, contact_id=contact_id, at=utcnow())
    if offer is None:
        return xml(twiml.offer_missed(taken=True))
    return xml(
        twiml.whisper(
            minutes=offer.waited_minutes,
            language=offer.language,
            answer_url=urls.offer_answer(contact_id, specialist_id),
            ring_timeout=offer.ring_timeout,
            callback=offer.callback,
        )
    )


@bp.post("/offer/answer")
@fallback(SPECIALIST)
def offer_answer():
    """The specialist's key: 1 takes the caller into the conference; anything else passes."""
    session, client, jobs = _services()
    contact_id = forms.query_id(request.args, "contact")
    digits = forms.heard(request.form).digits
    won = offers.offer_answered(
        session,
        client,
        jobs,
        contact_id=contact_id,
        specialist_id=forms.query_id(request.args, "specialist"),
        digits=digits,
    )
    if won:
        contact = calls.contact_line(session, contact_id)
        calling_back = contact is not None and calls.awaits_callback(contact)
        return xml(
            twiml.join_as_specialist(calls.conference_name(contact_id), calling_back=calling_back)
        )
    return xml(twiml.offer_missed(taken=digits == offers.ACCEPT_KEY))


@bp.post("/offer/status")
@fallback(CALLBACK)
def offer_status():
    """The specialist's phone call changed: missed, declined, or their conversation ended."""
    session, client, jobs = _services()
    update = forms.call_status(request.form)
    calls.specialist_picked_up(
        session,
        client,
        jobs,
        contact_id=forms.query_id(request.args, "contact"),
        specialist_id=forms.query_id(request.args, "specialist"),
        call_sid=update.call_sid,
        status=update.status,
    )
    offers.specialist_leg_ended(
        session,
        client,
        jobs,
        contact_id=forms.query_id(request.args, "contact"),
        specialist_id=forms.query_id(request.args, "specialist"),
        call_sid=update.call_sid,
        status=update.status,
    )
    return xml(twiml.empty())


@bp.post("/crisis-leg/status")
@fallback(CALLBACK)
def crisis_leg_status():
    """Follow the crisis counselor's leg of a warm handoff."""
    session, client, jobs = _services()
    update = forms.call_status(request.form)
    contact = calls.contact_line(session, forms.query_id(request.args, "contact"))
    if contact is not None:
        calls.crisis_leg_status(
            client, jobs, line_id=contact.line_id, contact_id=contact.id, status=update.status
        )
    return xml(twiml.empty())


@bp.post("/supervisor-leg/status")
@fallback(CALLBACK)
def supervisor_leg_status():
    """Follow a supervisor's leg: once it is over, the specialist sees nobody listening."""
    session, client, _jobs = _services()
    update = forms.call_status(request.form)
    contact = calls.contact_line(session, forms.query_id(request.args, "contact"))
    if contact is not None:
        supervision.supervisor_leg_status(
            client, contact=contact, call_sid=update.call_sid, status=update.status
        )
    return xml(twiml.empty())
