"""The console's line pages: the list, a line and its coordinators, its settings, its scripts."""

from __future__ import annotations

import re

from flask import abort, flash, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from warmline import audit, line_scripts, lines, people, sentences, supervision, voices, wording
from warmline.console import forms
from warmline.console.blueprint import ID, bp, coordinator_route
from warmline.crisis.scripts import CHANNELS, EDITABLE_KINDS, line_script
from warmline.models import WEEKDAYS, Line, Role, RoutingStrategy
from warmline.web import db_session, i18n
from warmline.web.access import coordinated_line, coordinates, visible_lines
from warmline.web.auth import require_user, signed_in_user

SETTINGS_RANGES = {
    "ring_timeout_seconds": (5, 120),
    "wrap_up_seconds": (0, 3600),
    "max_wait_seconds": (60, 7200),
    "daily_contact_limit": (0, 100),
    "retention_days": (1, 3650),
    "max_texts_per_specialist": (1, 10),
    "min_specialists": (0, 50),
    "crisis_carry_hours": (0, 168),
    "survey_window_hours": (1, 72),
    "recovery_seconds": (0, 3600),
    "long_call_minutes": (0, 240),
    "contacts_before_break": (0, 50),
    "max_pending_callbacks": (1, 100),
    "callback_retry_seconds": (10, 3600),
}
HOURS = re.compile(r"^\s*(\d\d:\d\d)\s*-\s*(\d\d:\d\d)\s*$")
# Who answers STOP, START and HELP texts: Twilio's opt-out handling (its default), or the line.
OPT_OUT_HANDLING = {"twilio": True, "line": False}
# Which feedback questions the line asks after a conversation: (asks at all, asks a caller
# whether they would call again).
SURVEY_CHOICES = {"off": (False, False), "helpful": (True, False), "both": (True, True)}
# Whether a waiting caller may ask to be called back.
CALLBACKS = {"on": True, "off": False}


@coordinator_route("/", methods=["GET"])
def index():
    lines_run = visible_lines(db_session(), signed_in_user())
    return render_template("console/index.html", lines=lines_run)


@coordinator_route(f"/lines/<{ID}:line_id>", methods=["GET"])
def line_page(line_id: int):
    session = db_session()
    line = coordinated_line(line_id)
    coordinators = [u for u in people.everyone(session) if u.role == Role.COORDINATOR]
    return render_template(
        "console/line.html",
        line=line,
        purge=audit.last_purge(session, line.id),
        local=lambda m: forms.local_time(line, m),
        linked=lines.coordinators_of(session, line.id),
        coordinators=coordinators,
        is_admin=signed_in_user().role == Role.ADMIN,
    )


@bp.get(f"/lines/<{ID}:line_id>/live")
@require_user()
def live_page(line_id: int):
    """Who is on shift and in what state, the calls and texts in progress, who waits and how
    long, kept current by the page; for a supervisor of the line, where support is asked."""
    session, me = db_session(), signed_in_user()
    line = session.get(Line, line_id)
    if line is None or not (
        coordinates(session, me, line_id) or supervision.serves(session, me, line_id)
    ):
        abort(404, description=_("No such line."))
    return render_template(
        "console/live.html", line=line, coordinator=coordinates(session, me, line_id)
    )


@coordinator_route(f"/lines/<{ID}:line_id>/coordinators", methods=["POST"])
def line_coordinators(line_id: int):
    line = coordinated_line(line_id)
    me = signed_in_user()
    if me.role != Role.ADMIN:
        abort(403, description=_("Only an administrator decides who coordinates a line."))
    session = db_session()
    try:
        user = forms.person()
        change = (
            lines.unassign_coordinator
            if request.form.get("action") == "remove"
            else lines.assign_coordinator
        )
        change(session, line, user, actor_id=me.id, via=forms.VIA)
    except ValueError as error:
        return forms.refused(error, "console.line_page", line_id=line.id)
    session.commit()
    return forms.done(_("Coordinators updated."), "console.line_page", line_id=line.id)


# Line settings.


def _hours_text(line: Line) -> dict[str, str]:
    return {
        day: ", ".join(f"{a}-{b}" for a, b in line.opening_hours.get(day, [])) for day in WEEKDAYS
    }


def _voice_choices(line: Line) -> list[tuple[str, voices.Reading, str]]:
    """Return, for each of the line's languages read in its own voice, the voice it uses."""
    return [
        (language, voices.readings()[language], voices.speaker(language, line.voices).voice)
        for language in line.languages
        if language in voices.readings()
    ]


def _terms_text(line: Line) -> str:
    return "\n".join(
        f"{category}: {term}" for category, terms in line.crisis_terms.items() for term in terms
    )


# A model field's error is shown beside the form field that sets it.
FORM_FIELD = {
    "opening_hours": "hours",
    "twilio_opt_out": "opt_out_handling",
    "survey_enabled": "survey",
    "survey_asks_return": "survey",
    "monitoring_enabled": "monitoring",
    "callbacks_enabled": "callbacks",
}


def _survey_choice(line: Line) -> str:
    if not line.survey_enabled:
        return "off"
    return "both" if line.survey_asks_return else "helpful"


def _settings_values(line: Line) -> dict[str, str]:
    """Return what the settings form shows for the line, field by field, as typed text."""
    return {
        "name": line.name,
        **{f"hours_{day}": hours for day, hours in _hours_text(line).items()},
        "languages": ", ".join(line.languages),
        **{f"voice_{language}": chosen for language, _reading, chosen in _voice_choices(line)},
        "routing_strategy": line.routing_strategy.value,
        **{name: str(getattr(line, name)) for name in SETTINGS_RANGES},
        "holidays": "\n".join(line.holidays),
        "opt_out_handling": "twilio" if line.twilio_opt_out else "line",
        "survey": _survey_choice(line),
        "monitoring": "yes" if line.monitoring_enabled else "no",
        "callbacks": "on" if line.callbacks_enabled else "off",
        "crisis_number": line.crisis_number,
        "overflow_number": line.overflow_number or "",
        "wrap_up_topics": "\n".join(line.wrap_up_topics),
        "crisis_terms": _terms_text(line),
    }


def _settings_form(line: Line, values: dict[str, str], errors: dict[str, str], status: int = 200):
    words = wording.shipped()
    return (
        render_template(
            "console/settings.html",
            line=line,
            values=values,
            errors=errors,
            voice_choices=_voice_choices(line),
            strategies=list(RoutingStrategy),
            ranges=SETTINGS_RANGES,
            weekdays=WEEKDAYS,
            answered=[
                f"{words.language_name(code, wording.ENGLISH)} ({code})"
                for code in words.answered_languages()
            ],
        ),
        status,
    )


@coordinator_route(f"/lines/<{ID}:line_id>/settings", methods=["GET"])
def settings_page(line_id: int):
    line = coordinated_line(line_id)
    return _settings_form(line, _settings_values(line), {})


def _opening_hours() -> dict[str, list[list[str]]]:
    hours: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        raw = forms.text(f"hours_{day}", required=False, limit=200)
        ranges = []
        for part in filter(None, (p.strip() for p in raw.split(","))):
            match = HOURS.match(part)
            if not match:
                raise forms.FormError(
                    _(
                        "opening hours on %(day)s must look like 09:00-17:00, 18:00-21:00",
                        day=i18n.weekday_name(WEEKDAYS.index(day)),
                    ),
                    f"hours_{day}",
                )
            ranges.append([match.group(1), match.group(2)])
        if ranges:
            hours[day] = ranges
    return hours


def _crisis_terms() -> dict[str, list[str]]:
    terms: dict[str, list[str]] = {}
    rows = forms.text("crisis_terms", required=False, limit=5000).splitlines()
    for number, row in enumerate(rows, 1):
        if not row.strip():
            continue
        category, sep, term = row.partition(":")
        if not sep or not term.strip() or not category.strip():
            raise forms.FormError(
                _("crisis terms line %(number)s must look like 'means: word'", number=number),
                "crisis_terms",
            )
        terms.setdefault(category.strip().lower(), []).append(" ".join(term.split()).lower())
    return terms


def _routing_strategy() -> RoutingStrategy:
    strategy = request.form.get("routing_strategy", "")
    if strategy not in {s.value for s in RoutingStrategy}:
        raise forms.FormError(_("choose a routing strategy from the list"), "routing_strategy")
    return RoutingStrategy(strategy)


def _twilio_opt_out() -> bool:
    choice = request.form.get("opt_out_handling", "twilio")
    if choice not in OPT_OUT_HANDLING:
        raise forms.FormError(
            _("choose who answers STOP, START and HELP texts from the list"), "opt_out_handling"
        )
    return OPT_OUT_HANDLING[choice]


def _survey() -> tuple[bool, bool]:
    choice = request.form.get("survey", "off")
    if choice not in SURVEY_CHOICES:
        raise forms.FormError(_("choose which feedback questions to ask from the list"), "survey")
    return SURVEY_CHOICES[choice]


def _callbacks_enabled() -> bool:
    choice = request.form.get("callbacks", "on")
    if choice not in CALLBACKS:
        raise forms.FormError(_("choose whether callers may ask for a call back"), "callbacks")
    return CALLBACKS[choice]


def _voices(languages: list[str]) -> dict[str, str]:
    """Return the voice chosen for each language that has voices; the model checks each one."""
    chosen = {}
    for language in languages:
        voice = forms.text(f"voice_{language}", required=False, limit=100)
        if voice and language in voices.readings():
            chosen[language] = voice
    return chosen


def _line_settings() -> lines.LineSettings:
    languages = forms.language_codes(forms.text("languages", limit=100))
    survey_enabled, survey_asks_return = _survey()
    return lines.LineSettings(
        name=forms.text("name", limit=120),
        opening_hours=_opening_hours(),
        holidays=forms.text("holidays", required=False, limit=2000).split(),
        languages=languages,
        voices=_voices(languages),
        routing_strategy=_routing_strategy(),
        crisis_number=forms.text("crisis_number", limit=30),
        overflow_number=forms.text("overflow_number", required=False, limit=30) or None,
        wrap_up_topics=[
            t for t in forms.text("wrap_up_topics", limit=3000).splitlines() if t.strip()
        ],
        crisis_terms=_crisis_terms(),
        twilio_opt_out=_twilio_opt_out(),
        survey_enabled=survey_enabled,
        survey_asks_return=survey_asks_return,
        monitoring_enabled=request.form.get("monitoring") == "yes",
        callbacks_enabled=_callbacks_enabled(),
        **{name: forms.whole_number(name, *limits) for name, limits in SETTINGS_RANGES.items()},
    )


@coordinator_route(f"/lines/<{ID}:line_id>/settings", methods=["POST"])
def save_settings(line_id: int):
    """Save the settings, or show the form again as typed with what to fix beside the field."""
    line = coordinated_line(line_id)
    session = db_session()
    try:
        lines.update_settings(
            session, line, _line_settings(), actor_id=signed_in_user().id, via=forms.VIA
        )
        session.commit()
    except (ValueError, IntegrityError) as error:
        refused = forms.flash_refusal(error)
        field = refused.field
        shown = _settings_values(line)
        typed = {name: request.form.get(name, value) for name, value in shown.items()}
        errors = {FORM_FIELD.get(field, field): str(refused)} if field else {}
        return _settings_form(line, typed, errors, 422)
    return forms.done(_("Settings saved."), "console.settings_page", line_id=line.id)


# The line's referral scripts.


@coordinator_route(f"/lines/<{ID}:line_id>/scripts", methods=["GET", "POST"])
def scripts_page(line_id: int):
    """Show the line's referral scripts; check a draft, save it as the line's own, or reset."""
    line = coordinated_line(line_id)
    draft, problems, checked = "", [], False
    kind, channel, language = "caller", "sms", line.languages[0]
    if request.method == "POST":
        try:
            draft = forms.text("draft", required=False, limit=1600)
            kind = request.form.get("kind", "caller")
            channel = request.form.get("channel", "")
            language = request.form.get("language", "")
            if (
                kind not in EDITABLE_KINDS
                or channel not in CHANNELS
                or language not in line.languages
            ):
                raise forms.FormError(_("choose a kind, a channel and one of the line's languages"))
            action = request.form.get("action", "check")
            if action in ("save", "reset"):
                return _save_script(line, action, kind, channel, language, draft)
            if not draft:
                raise forms.FormError(_("write a draft to check"))
        except forms.FormError as error:
            flash(i18n.refusal(error), "error")
        else:
            problems = [
                sentences.said(problem, _)
                for problem in line_scripts.script_problems(
                    " ".join(draft.split()), kind=kind, channel=channel, language=language
                )
            ]
            checked = True
    return render_template(
        "console/scripts.html",
        line=line,
        scripts=_scripts(line),
        draft=draft,
        problems=problems,
        checked=checked,
        kind=kind,
        channel=channel,
        language=language,
        kinds=EDITABLE_KINDS,
        channels=CHANNELS,
    )


def _scripts(line: Line) -> list[tuple[str, str, str, str, bool]]:
    """Return every referral and survey script the line sends, and whether it is its own."""
    own = lines.context(line).scripts
    scripts = []
    for script_language in line.languages:
        for script_kind in EDITABLE_KINDS:
            for script_channel in CHANNELS:
                try:
                    text = line_script(script_kind, script_channel, script_language, own)
                except LookupError:
                    continue
                mine = (script_kind, script_channel, script_language) in own
                scripts.append((script_kind, script_channel, script_language, text, mine))
    return scripts


def _save_script(line: Line, action: str, kind: str, channel: str, language: str, draft: str):
    which = {
        "kind": kind,
        "channel": channel,
        "language": language,
        "actor_id": signed_in_user().id,
    }
    try:
        if action == "save":
            line_scripts.save(db_session(), line, text=draft, **which)
        else:
            line_scripts.reset(db_session(), line, **which)
        db_session().commit()
    except (line_scripts.ScriptRefused, LookupError) as error:
        return forms.refused(error, "console.scripts_page", line_id=line.id)
    message = _("Script saved.") if action == "save" else _("Script reset.")
    return forms.done(message, "console.scripts_page", line_id=line.id)
