"""The dashboard's pages: sign-in, and the shell the script fills from the JSON API."""

from __future__ import annotations

import re
from datetime import datetime

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline import feedback, people, reports, roster, supervision
from warmline.models import INTERFACE_LANGUAGES, Line, utcnow
from warmline.web import db_session, i18n
from warmline.web.auth import choose_password, current_user, sign_in, sign_out
from warmline.web.security import require_csrf

# How many of a person's coming shifts their own page lists.
NEXT_SHIFTS = 8

bp = Blueprint(
    "dashboard",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/dashboard/static",
)
bp.before_request(require_csrf)


# A console path as the console's own redirect writes it: no scheme, host, backslash or
# control character (a line break in a Location header is an application error).
CONSOLE_PATH = re.compile(r"/console/[A-Za-z0-9_.~%/-]{0,500}")


def _landing(target: str) -> str:
    """Return where to go after sign-in: the console page asked for, else the dashboard."""
    if CONSOLE_PATH.fullmatch(target) and "//" not in target:
        return target
    return url_for("dashboard.shift_page")


def _same_site(path: str) -> str:
    """Return a path on this site to go back to, else the dashboard.

    Only printable ASCII: a line break or control character in a Location header is an
    application error, and a backslash or a second slash would name another host.
    """
    if (
        path.startswith("/")
        and not path.startswith("//")
        and "\\" not in path
        and path.isascii()
        and path.isprintable()
        and len(path) <= 512
    ):
        return path
    return url_for("dashboard.shift_page")


@bp.get("/sign-in")
def sign_in_page():
    landing = _landing(request.args.get("next", ""))
    if current_user() is not None:
        return redirect(landing)
    return render_template("dashboard/sign_in.html", error="", email="", landing=landing)


@bp.post("/sign-in")
def sign_in_form():
    email = request.form.get("email", "")
    landing = _landing(request.form.get("next", ""))
    result = sign_in(email, request.form.get("password", ""))
    if result.user is None:
        page = render_template(
            "dashboard/sign_in.html", error=result.error, email=email[:254], landing=landing
        )
        headers = {"Retry-After": str(result.retry_after_seconds)} if result.status == 429 else {}
        return page, result.status, headers
    if result.user.must_choose_password:
        return redirect(url_for("dashboard.choose_password_page"))
    return redirect(landing)


@bp.get("/choose-password")
def choose_password_page():
    if current_user() is None:
        return redirect(url_for("dashboard.sign_in_page"))
    return render_template("dashboard/choose_password.html", error="")


@bp.post("/choose-password")
def choose_password_form():
    if current_user() is None:
        return redirect(url_for("dashboard.sign_in_page"))
    try:
        choose_password(request.form.get("password", ""), request.form.get("new_password", ""))
    except ValueError as error:
        message = i18n.refusal(error) + "."
        page = render_template("dashboard/choose_password.html", error=message)
        return page, 400
    return redirect(url_for("dashboard.shift_page"))


@bp.post("/sign-out")
def sign_out_form():
    sign_out()
    return redirect(url_for("dashboard.sign_in_page"))


@bp.post("/language")
def choose_language_form():
    """Keep the language the person reads the dashboard and console in, then show the page."""
    user = current_user()
    if user is None:
        return redirect(url_for("dashboard.sign_in_page"))
    choice = request.form.get("language", "")
    if choice not in INTERFACE_LANGUAGES:
        abort(400, description=_("Choose one of the languages offered."))
    user.interface_language = choice
    db_session().commit()
    return redirect(_same_site(request.form.get("next", "")), code=303)


@bp.get("/dashboard")
def shift_page():
    user = current_user()
    if user is None:
        return redirect(url_for("dashboard.sign_in_page"))
    if user.must_choose_password:
        return redirect(url_for("dashboard.choose_password_page"))
    supervised = supervision.supervised_lines(db_session(), user) if user.supervisor else []
    return render_template("dashboard/shift.html", user=user, supervised=supervised)


@bp.get("/me")
def own_page():
    """A specialist's own page: their next shifts, and what they did this shift and month."""
    user = current_user()
    if user is None:
        return redirect(url_for("dashboard.sign_in_page"))
    if user.must_choose_password:
        return redirect(url_for("dashboard.choose_password_page"))
    session, at = db_session(), utcnow()
    served = people.lines_served(session, user.id)
    lines = session.scalars(select(Line).where(Line.id.in_(served)).order_by(Line.name)).all()
    by_id = {line.id: line for line in lines}
    shifts = [
        (by_id[shift.line_id], shift, roster.ends_next_day(by_id[shift.line_id], shift))
        for shift in roster.next_shifts(session, user.id, at, NEXT_SHIFTS)
        if shift.line_id in by_id
    ]
    records = [reports.own_record(session, line, user.id, at) for line in lines]
    answers = {line.id: _own_feedback(session, line, user.id, at) for line in lines}
    return render_template(
        "dashboard/me.html", user=user, shifts=shifts, records=records, answers=answers
    )


def _own_feedback(session: Session, line: Line, specialist_id: int, at: datetime) -> feedback.Tally:
    """Add up what this month's contacts of one specialist answered: theirs, nobody else's."""
    today = roster.local_today(line, at)
    mine = feedback.report(session, line, today.replace(day=1), today, specialist_id=specialist_id)
    return mine.overall
