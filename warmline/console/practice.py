"""The console's practice page: a trainer sets up a practice call, then ticks its debrief."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from config.settings import SIMULATOR_ACCOUNT_SID
from warmline import practice
from warmline.console import forms
from warmline.console.blueprint import ID, bp, on_line
from warmline.models import Line, PracticeCall, User, utcnow
from warmline.web import db_session, i18n, runtime
from warmline.web.access import coordinates
from warmline.web.auth import require_user, signed_in_user


def _trained_line(line_id: int) -> Line:
    """Return a line the signed-in person may train on; 404 for any other."""
    session = db_session()
    line = session.get(Line, line_id)
    if line is None or not practice.may_train(session, signed_in_user(), line_id):
        abort(404, description=_("No such line."))
    return line


def _simulator_url() -> str | None:
    """Return the local Twilio simulator's address in embedded mode, where it places calls."""
    settings = runtime().settings
    if settings.twilio_account_sid != SIMULATOR_ACCOUNT_SID:
        return None
    return settings.twilio_api_base_url


@bp.get(f"/lines/<{ID}:line_id>/practice")
@require_user()
def practice_page(line_id: int):
    """The line's practice scenarios, a form to set up a practice call, and recent ones."""
    line = _trained_line(line_id)
    session, me = db_session(), signed_in_user()
    names = dict(session.execute(select(User.id, User.display_name)).all())
    phones = practice.caller_phones(session, line.id, me)
    caller = next((u for u in phones if u.id == request.args.get("caller", type=int)), None)
    return render_template(
        "console/practice.html",
        line=line,
        coordinator=coordinates(session, me, line_id),
        scenarios=practice.scenarios_for(line),
        known=practice.scenarios(),
        trainees=practice.trainees(session, line.id),
        phones=phones,
        calls=practice.recent(session, line.id),
        names=names,
        now=utcnow(),
        language=i18n.language(),
        local=lambda m: forms.local_time(line, m),
        window_minutes=int(practice.WINDOW.total_seconds() // 60),
        simulator=_simulator_url(),
        placed=request.args.get("placed", type=int),
        # In embedded mode, the phone the simulator dials the practice call from.
        caller=caller,
        caller_default=me.id,
    )


@bp.post(f"/lines/<{ID}:line_id>/practice")
@require_user()
def open_practice(line_id: int):
    """Set up a practice call: the next call from the chosen phone within the window is it."""
    line = _trained_line(line_id)
    session, me = db_session(), signed_in_user()
    try:
        caller_id = forms.whole_number("caller_id", 1, forms.MAX_ID)
        placed = practice.open_practice(
            session,
            line=line,
            trainer=me,
            trainee_id=forms.whole_number("trainee_id", 1, forms.MAX_ID),
            scenario_key=forms.text("scenario", limit=40),
            caller_id=caller_id,
            caller_key=runtime().settings.caller_key,
            at=utcnow(),
        )
        session.commit()
    except ValueError as error:
        return forms.refused(error, "console.practice_page", line_id=line.id)
    message = _(
        "Practice call set up: call %(number)s from %(name)s's phone within %(minutes)s "
        "minutes; the line offers it to the trainee alone.",
        number=line.twilio_number,
        name=session.get(User, caller_id).display_name,
        minutes=int(practice.WINDOW.total_seconds() // 60),
    )
    return forms.done(
        message, "console.practice_page", line_id=line.id, placed=placed.id, caller=caller_id
    )


@bp.post(f"/lines/<{ID}:line_id>/practice/<{ID}:practice_id>/debrief")
@require_user()
def debrief_practice(line_id: int, practice_id: int):
    """Keep the debrief items the trainer ticked after a practice call."""
    line = _trained_line(line_id)
    call = on_line(PracticeCall, practice_id, line, _("No such practice call on this line."))
    try:
        practice.tick_debrief(
            db_session(),
            call,
            request.form.getlist("ticked"),
            trainer=signed_in_user(),
            at=utcnow(),
        )
        db_session().commit()
    except ValueError as error:
        return forms.refused(error, "console.practice_page", line_id=line.id)
    return forms.done(_("Debrief saved."), "console.practice_page", line_id=line.id)
