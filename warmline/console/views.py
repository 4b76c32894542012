"""The console's pages, its JSON and its CSV downloads.

Pages are server-rendered forms: no script at all, so nothing here needs the CSP loosened.
Every route but the calendar feed needs a signed-in coordinator or administrator (the
dashboard's sign-in and role check); a line the coordinator does not run answers 404.
Every change is audited with who made it, and goes through a domain function.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from warmline import (
    audit,
    blocks,
    calendar_feed,
    coverage,
    line_scripts,
    people,
    reports,
    roster,
    roster_csv,
)
from warmline.console import access, charts
from warmline.crisis import detect
from warmline.crisis.scripts import CHANNELS, KINDS, check_script, referral_script
from warmline.dashboard.auth import COORDINATORS, current_user, require_user
from warmline.dashboard.security import require_csrf
from warmline.lines import context
from warmline.models import (
    WEEKDAYS,
    AuditEvent,
    Block,
    Contact,
    Line,
    Role,
    RoutingStrategy,
    Shift,
    ShiftPattern,
    User,
    utcnow,
)
from warmline.web import db_session

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
# The calendar feed is fetched by calendar apps that never sign in: its secret is the URL.
feeds = Blueprint("feeds", __name__)

VIA = "console"
ID = "int(max=2147483647)"
MAX_FIELD = 500
MAX_CONTACTS_LISTED = 200
DEFAULT_REPORT_DAYS = 28
CONTACT_DAYS = 30
SETTINGS_RANGES = {
    "ring_timeout_seconds": (5, 120),
    "wrap_up_seconds": (0, 3600),
    "max_wait_seconds": (60, 7200),
    "daily_contact_limit": (0, 100),
    "retention_days": (1, 3650),
    "max_texts_per_specialist": (1, 10),
    "min_specialists": (0, 50),
}
HOURS = re.compile(r"^\s*(\d\d:\d\d)\s*-\s*(\d\d:\d\d)\s*$")


class FormError(ValueError):
    """A form value the console refuses, with what to fix."""


@bp.before_request
def _coordinators_only() -> Any:
    require_csrf()
    user = current_user()
    if user is None:
        if request.method == "GET" and not request.path.endswith((".json", ".csv")):
            return redirect(url_for("dashboard.sign_in_page"))
        abort(401, description="Please sign in.")
    if user.role not in COORDINATORS:
        abort(403, description="Only coordinators can use the console.")
    return None


def coordinator_route(rule: str, **options: Any) -> Callable:
    """Register a console route that also checks the role itself, in case of a refactor."""

    def decorator(view: Callable) -> Callable:
        return bp.route(rule, **options)(require_user(*COORDINATORS)(view))

    return decorator


def _me() -> User:
    user = current_user()
    assert user is not None
    return user


def _line(line_id: int) -> Line:
    session = db_session()
    line = session.get(Line, line_id)
    if line is None or not access.coordinates(session, _me(), line_id):
        abort(404, description="No such line.")
    return line


def _audit(action: str, target_type: str, target_id: int | None, **detail: Any) -> None:
    audit.record(
        db_session(), action, target_type, target_id, actor_id=_me().id, via=VIA, detail=detail
    )


def _text(name: str, *, required: bool = True, limit: int = MAX_FIELD) -> str:
    value = request.form.get(name, "").strip()
    if required and not value:
        raise FormError(f"{name.replace('_', ' ')} is required")
    if len(value) > limit:
        raise FormError(f"{name.replace('_', ' ')} has at most {limit} characters")
    return value


def _int(name: str, low: int, high: int, source: Any = None) -> int:
    raw = (source or request.form).get(name, "").strip()
    if not re.fullmatch(r"-?\d{1,9}", raw) or not low <= int(raw) <= high:
        raise FormError(f"{name.replace('_', ' ')} must be a whole number from {low} to {high}")
    return int(raw)


def _date(raw: str | None, name: str = "date") -> date:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        raise FormError(f"{name} must be a date like 2026-11-21") from None


def _languages(raw: str) -> list[str]:
    codes = [code.strip().lower() for code in raw.split(",") if code.strip()]
    if not codes:
        raise FormError("give at least one language code, such as en")
    return codes


def _done(message: str, endpoint: str, **values: Any) -> Response:
    flash(message, "ok")
    return redirect(url_for(endpoint, **values), code=303)


def _refused(error: Exception, endpoint: str, **values: Any) -> Response:
    db_session().rollback()
    text = str(error)
    flash(text[:1].upper() + text[1:], "error")
    return redirect(url_for(endpoint, **values), code=303)


def _csv(name: str, header: list[str], rows: list[list[Any]]) -> Response:
    body = roster_csv.write_csv(header, rows)
    safe = re.sub(r"[^a-z0-9_.-]", "-", name.lower())
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


def _local(line: Line, moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(roster.zone(line)).strftime("%Y-%m-%d %H:%M")


def _people() -> list[User]:
    return list(db_session().scalars(select(User).order_by(User.display_name, User.id)))


# Lines.


@coordinator_route("/", methods=["GET"])
def index():
    return render_template("console/index.html", lines=access.visible_lines(db_session(), _me()))


def last_purge(session, line: Line) -> dict[str, Any] | None:
    """Return when the retention purge last ran and how many of this line's contacts it removed."""
    event = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "retention.purge")
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()
    if event is None:
        return None
    removed = (event.detail or {}).get("removed", {})
    return {"at": event.at, "removed": int(removed.get(str(line.id), 0))}


@coordinator_route(f"/lines/<{ID}:line_id>", methods=["GET"])
def line_page(line_id: int):
    session = db_session()
    line = _line(line_id)
    coordinators = [u for u in _people() if u.role == Role.COORDINATOR]
    return render_template(
        "console/line.html",
        line=line,
        purge=last_purge(session, line),
        local=lambda m: _local(line, m),
        linked=access.coordinators_of(session, line.id),
        coordinators=coordinators,
        is_admin=_me().role == Role.ADMIN,
    )


@coordinator_route(f"/lines/<{ID}:line_id>/coordinators", methods=["POST"])
def line_coordinators(line_id: int):
    line = _line(line_id)
    if _me().role != Role.ADMIN:
        abort(403, description="Only an administrator decides who coordinates a line.")
    session = db_session()
    try:
        user = session.get(User, _int("user_id", 1, 2**31 - 1))
        if user is None:
            raise FormError("no such person")
        if request.form.get("action") == "remove":
            access.unassign(session, line, user, actor_id=_me().id, via=VIA)
        else:
            access.assign(session, line, user, actor_id=_me().id, via=VIA)
    except ValueError as error:
        return _refused(error, "console.line_page", line_id=line.id)
    session.commit()
    return _done("Coordinators updated.", "console.line_page", line_id=line.id)


# Line settings.


def _hours_text(line: Line) -> dict[str, str]:
    return {
        day: ", ".join(f"{a}-{b}" for a, b in line.opening_hours.get(day, [])) for day in WEEKDAYS
    }


def _terms_text(line: Line) -> str:
    return "\n".join(
        f"{category}: {term}" for category, terms in line.crisis_terms.items() for term in terms
    )


@coordinator_route(f"/lines/<{ID}:line_id>/settings", methods=["GET"])
def settings_page(line_id: int):
    line = _line(line_id)
    return render_template(
        "console/settings.html",
        line=line,
        hours=_hours_text(line),
        terms=_terms_text(line),
        strategies=list(RoutingStrategy),
        ranges=SETTINGS_RANGES,
        weekdays=WEEKDAYS,
    )


def _opening_hours() -> dict[str, list[list[str]]]:
    hours: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        raw = _text(f"hours_{day}", required=False, limit=200)
        ranges = []
        for part in filter(None, (p.strip() for p in raw.split(","))):
            match = HOURS.match(part)
            if not match:
                raise FormError(f"opening hours on {day} must look like 09:00-17:00, 18:00-21:00")
            ranges.append([match.group(1), match.group(2)])
        if ranges:
            hours[day] = ranges
    return hours


def _crisis_terms() -> dict[str, list[str]]:
    terms: dict[str, list[str]] = {}
    for number, row in enumerate(_text("crisis_terms", required=False, limit=5000).splitlines(), 1):
        if not row.strip():
            continue
        category, sep, term = row.partition(":")
        if not sep or not term.strip() or not category.strip():
            raise FormError(f"crisis terms line {number} must look like 'means: word'")
        terms.setdefault(category.strip().lower(), []).append(" ".join(term.split()).lower())
    try:
        detect("", extra_terms=terms)
    except ValueError as error:
        raise FormError(f"crisis terms: {error}") from None
    return terms


@coordinator_route(f"/lines/<{ID}:line_id>/settings", methods=["POST"])
def save_settings(line_id: int):
    line = _line(line_id)
    session = db_session()
    fields = (
        "name",
        "opening_hours",
        "holidays",
        "languages",
        "routing_strategy",
        "crisis_number",
        "overflow_number",
        "wrap_up_topics",
        "crisis_terms",
        *SETTINGS_RANGES,
    )
    before = {name: _plain(getattr(line, name)) for name in fields}
    try:
        line.name = _text("name", limit=120)
        line.opening_hours = _opening_hours()
        line.holidays = _text("holidays", required=False, limit=2000).split()
        line.languages = _languages(_text("languages", limit=100))
        strategy = request.form.get("routing_strategy", "")
        if strategy not in {s.value for s in RoutingStrategy}:
            raise FormError("choose a routing strategy from the list")
        line.routing_strategy = RoutingStrategy(strategy)
        line.crisis_number = _text("crisis_number", limit=30)
        line.overflow_number = _text("overflow_number", required=False, limit=30) or None
        line.wrap_up_topics = [
            t for t in _text("wrap_up_topics", limit=3000).splitlines() if t.strip()
        ]
        line.crisis_terms = _crisis_terms()
        for name, (low, high) in SETTINGS_RANGES.items():
            setattr(line, name, _int(name, low, high))
        changed = {
            name: [before[name], _plain(getattr(line, name))]
            for name in fields
            if before[name] != _plain(getattr(line, name))
        }
        if changed:
            _audit("line.update", "line", line.id, line_id=line.id, changed=changed)
        session.commit()
    except (ValueError, IntegrityError) as error:
        return _refused(error, "console.settings_page", line_id=line.id)
    return _done("Settings saved.", "console.settings_page", line_id=line.id)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, RoutingStrategy) else value


@coordinator_route(f"/lines/<{ID}:line_id>/scripts", methods=["GET", "POST"])
def scripts_page(line_id: int):
    """Show the line's referral scripts; check a draft, save it as the line's own, or reset."""
    line = _line(line_id)
    draft, problems, checked = "", [], False
    kind, channel, language = "caller", "sms", line.languages[0]
    if request.method == "POST":
        try:
            draft = _text("draft", required=False, limit=1600)
            kind = request.form.get("kind", "caller")
            channel = request.form.get("channel", "")
            language = request.form.get("language", "")
            if kind not in KINDS or channel not in CHANNELS or language not in line.languages:
                raise FormError("choose a kind, a channel and one of the line's languages")
            action = request.form.get("action", "check")
            if action in ("save", "reset"):
                return _save_script(line, action, kind, channel, language, draft)
            if not draft:
                raise FormError("write a draft to check")
        except FormError as error:
            flash(str(error), "error")
        else:
            problems, checked = check_script(draft, channel, language), True
    own = context(line).scripts
    scripts = []
    for script_language in line.languages:
        for script_kind in KINDS:
            for script_channel in CHANNELS:
                try:
                    text = referral_script(script_kind, script_channel, script_language, own)
                except LookupError:
                    continue
                mine = (script_kind, script_channel, script_language) in own
                scripts.append((script_kind, script_channel, script_language, text, mine))
    return render_template(
        "console/scripts.html",
        line=line,
        scripts=scripts,
        draft=draft,
        problems=problems,
        checked=checked,
        kind=kind,
        channel=channel,
        language=language,
        kinds=KINDS,
        channels=CHANNELS,
    )


def _save_script(line: Line, action: str, kind: str, channel: str, language: str, draft: str):
    which = {"kind": kind, "channel": channel, "language": language, "actor_id": _me().id}
    try:
        if action == "save":
            line_scripts.save(db_session(), line, text=draft, **which)
        else:
            line_scripts.reset(db_session(), line, **which)
        db_session().commit()
    except (line_scripts.ScriptRefused, LookupError) as error:
        return _refused(error, "console.scripts_page", line_id=line.id)
    message = "Script saved." if action == "save" else "Script reset."
    return _done(message, "console.scripts_page", line_id=line.id)


# Roster.


def _week_start(line: Line) -> date:
    raw = request.args.get("week")
    try:
        day = date.fromisoformat(raw) if raw else roster.local_today(line)
    except ValueError:
        abort(400, description="week must be a date like 2026-11-16")
    return coverage.monday_of(day)


@coordinator_route(f"/lines/<{ID}:line_id>/roster", methods=["GET"])
def roster_page(line_id: int):
    line = _line(line_id)
    session = db_session()
    monday = _week_start(line)
    if roster.extend_patterns(session, line=line):
        session.commit()
    grid = coverage.week(session, line, monday)
    first, last = roster.local_day_bounds(line, monday, monday + timedelta(days=6))
    names = {u.id: u.display_name for u in _people()}
    shifts = [
        {"shift": s, "who": names.get(s.user_id, "?"), **roster.describe(line, s)}
        for s in roster.shifts_between(session, line.id, first, last)
    ]
    patterns = session.scalars(
        select(ShiftPattern)
        .where(ShiftPattern.line_id == line.id)
        .order_by(ShiftPattern.weekday, ShiftPattern.start_time)
    ).all()
    return render_template(
        "console/roster.html",
        line=line,
        grid=grid,
        monday=monday,
        previous=monday - timedelta(weeks=1),
        following=monday + timedelta(weeks=1),
        shifts=shifts,
        patterns=patterns,
        names=names,
        specialists=[u for u in _people() if u.active],
        weekdays=WEEKDAYS,
        timedelta=timedelta,
    )


def _roster_back(line: Line) -> dict[str, Any]:
    week = request.form.get("week", "")
    return {
        "line_id": line.id,
        **({"week": week} if re.fullmatch(r"\d{4}-\d\d-\d\d", week) else {}),
    }


def _person(field: str = "user_id") -> User:
    user = db_session().get(User, _int(field, 1, 2**31 - 1))
    if user is None:
        raise FormError("no such person")
    return user


def _shift(line: Line, shift_id: int) -> Shift:
    shift = db_session().get(Shift, shift_id)
    if shift is None or shift.line_id != line.id:
        abort(404, description="No such shift on this line.")
    return shift


@coordinator_route(f"/lines/<{ID}:line_id>/shifts", methods=["POST"])
def add_shift(line_id: int):
    line = _line(line_id)
    try:
        roster.add_local_shift(
            db_session(),
            line=line,
            user=_person(),
            day=_date(request.form.get("date")),
            start=_text("start", limit=5),
            end=_text("end", limit=5),
            actor_id=_me().id,
            via=VIA,
        )
        db_session().commit()
    except ValueError as error:
        return _refused(error, "console.roster_page", **_roster_back(line))
    return _done("Shift added.", "console.roster_page", **_roster_back(line))


@coordinator_route(f"/lines/<{ID}:line_id>/patterns", methods=["POST"])
def add_pattern(line_id: int):
    line = _line(line_id)
    try:
        starts_on = _date(request.form.get("starts_on"), "first date")
        until = request.form.get("ends_on", "").strip()
        roster.add_pattern(
            db_session(),
            line=line,
            user=_person(),
            weekday=starts_on.weekday(),
            start=_text("start", limit=5),
            end=_text("end", limit=5),
            starts_on=starts_on,
            ends_on=_date(until, "last date") if until else None,
            actor_id=_me().id,
            via=VIA,
        )
        db_session().commit()
    except (ValueError, IntegrityError) as error:
        return _refused(error, "console.roster_page", **_roster_back(line))
    return _done("Weekly shift added.", "console.roster_page", **_roster_back(line))


@coordinator_route(f"/lines/<{ID}:line_id>/patterns/<{ID}:pattern_id>/end", methods=["POST"])
def end_pattern(line_id: int, pattern_id: int):
    line = _line(line_id)
    pattern = db_session().get(ShiftPattern, pattern_id)
    if pattern is None or pattern.line_id != line.id:
        abort(404, description="No such weekly shift on this line.")
    try:
        removed = roster.end_pattern(
            db_session(),
            pattern,
            line=line,
            last_day=_date(request.form.get("last_day"), "last date"),
            actor_id=_me().id,
            via=VIA,
        )
        db_session().commit()
    except ValueError as error:
        return _refused(error, "console.roster_page", **_roster_back(line))
    return _done(
        f"Weekly shift ended; {removed} later shifts removed.",
        "console.roster_page",
        **_roster_back(line),
    )


@coordinator_route(f"/lines/<{ID}:line_id>/shifts/<{ID}:shift_id>/cancel", methods=["POST"])
def cancel_shift(line_id: int, shift_id: int):
    line = _line(line_id)
    roster.cancel_shift(db_session(), _shift(line, shift_id), actor_id=_me().id, via=VIA)
    db_session().commit()
    return _done("Shift cancelled.", "console.roster_page", **_roster_back(line))


@coordinator_route(f"/lines/<{ID}:line_id>/shifts/<{ID}:shift_id>/reassign", methods=["POST"])
def reassign_shift(line_id: int, shift_id: int):
    line = _line(line_id)
    shift = _shift(line, shift_id)
    try:
        roster.reassign_shift(db_session(), shift, _person(), actor_id=_me().id, via=VIA)
        db_session().commit()
    except ValueError as error:
        return _refused(error, "console.roster_page", **_roster_back(line))
    return _done("Shift given to someone else.", "console.roster_page", **_roster_back(line))


@coordinator_route(f"/lines/<{ID}:line_id>/shifts/swap", methods=["POST"])
def swap_shifts(line_id: int):
    line = _line(line_id)
    try:
        first = _shift(line, _int("first", 1, 2**31 - 1))
        second = _shift(line, _int("second", 1, 2**31 - 1))
        roster.swap_shifts(db_session(), first, second, actor_id=_me().id, via=VIA)
        db_session().commit()
    except ValueError as error:
        return _refused(error, "console.roster_page", **_roster_back(line))
    return _done("Shifts swapped.", "console.roster_page", **_roster_back(line))


@coordinator_route(f"/lines/<{ID}:line_id>/roster.csv", methods=["GET"])
def roster_csv_export(line_id: int):
    line = _line(line_id)
    monday = _week_start(line)
    weeks = _int("weeks", 1, 52, request.args) if request.args.get("weeks") else 4
    last = monday + timedelta(weeks=weeks) - timedelta(days=1)
    body = roster_csv.export(db_session(), line, monday, last)
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="roster-{line.id}-{monday}.csv"'},
    )


@coordinator_route(f"/lines/<{ID}:line_id>/roster/import", methods=["POST"])
def roster_csv_import(line_id: int):
    line = _line(line_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("Choose a CSV file to import.", "error")
        return redirect(url_for("console.roster_page", line_id=line.id), code=303)
    try:
        text = upload.read(roster_csv.MAX_BYTES + 1).decode("utf-8")
    except UnicodeDecodeError:
        flash("The file is not UTF-8 text; save it from your spreadsheet as CSV UTF-8.", "error")
        return redirect(url_for("console.roster_page", line_id=line.id), code=303)
    session = db_session()
    result = roster_csv.import_csv(session, line, text, actor_id=_me().id, via=VIA)
    if not result.ok:
        session.rollback()
        for error in result.errors[:50]:
            flash(f"Not imported: {error}", "error")
        return redirect(url_for("console.roster_page", line_id=line.id), code=303)
    session.commit()
    return _done(
        f"Imported {result.shifts} shifts and {result.patterns} weekly shifts.",
        "console.roster_page",
        line_id=line.id,
    )


def _coverage_rows(grid: coverage.Week) -> list[list[Any]]:
    return [
        [h.day.isoformat(), f"{h.hour:02d}:00", h.on_shift, h.needed, h.open, h.gap, h.exists]
        for h in grid.hours
    ]


COVERAGE_HEADER = ["date", "hour", "on_shift", "needed", "open", "gap", "exists"]


@coordinator_route(f"/lines/<{ID}:line_id>/coverage.json", methods=["GET"])
def coverage_json(line_id: int):
    line = _line(line_id)
    grid = coverage.week(db_session(), line, _week_start(line))
    hours = [dict(zip(COVERAGE_HEADER, row, strict=True)) for row in _coverage_rows(grid)]
    return jsonify(
        line_id=line.id,
        week=grid.monday.isoformat(),
        timezone=grid.timezone,
        min_specialists=grid.min_specialists,
        gaps=len(grid.gaps),
        hours=hours,
    )


@coordinator_route(f"/lines/<{ID}:line_id>/coverage.csv", methods=["GET"])
def coverage_csv(line_id: int):
    line = _line(line_id)
    grid = coverage.week(db_session(), line, _week_start(line))
    return _csv(f"coverage-{line.id}-{grid.monday}.csv", COVERAGE_HEADER, _coverage_rows(grid))


# Contacts and the block list.


@coordinator_route(f"/lines/<{ID}:line_id>/contacts", methods=["GET"])
def contacts_page(line_id: int):
    line = _line(line_id)
    since = utcnow() - timedelta(days=CONTACT_DAYS)
    contacts = db_session().scalars(
        select(Contact)
        .where(Contact.line_id == line.id, Contact.arrived_at >= since)
        .order_by(Contact.arrived_at.desc(), Contact.id.desc())
        .limit(MAX_CONTACTS_LISTED)
    )
    return render_template(
        "console/contacts.html",
        line=line,
        contacts=list(contacts),
        reference=blocks.reference,
        local=lambda m: _local(line, m),
        days=CONTACT_DAYS,
    )


@coordinator_route(f"/lines/<{ID}:line_id>/contacts/<{ID}:contact_id>/block", methods=["POST"])
def block_contact(line_id: int, contact_id: int):
    line = _line(line_id)
    contact = db_session().get(Contact, contact_id)
    if contact is None or contact.line_id != line.id:
        abort(404, description="No such contact on this line.")
    try:
        days = request.form.get("days", "").strip()
        expires = utcnow() + timedelta(days=_int("days", 1, 3650)) if days else None
        blocks.block_from_contact(
            db_session(),
            contact,
            reason=_text("reason"),
            expires_at=expires,
            actor_id=_me().id,
            via=VIA,
        )
        db_session().commit()
    except ValueError as error:
        return _refused(error, "console.contacts_page", line_id=line.id)
    return _done("Caller blocked.", "console.blocks_page", line_id=line.id)


def _block_rows(line: Line) -> list[list[Any]]:
    names = {u.id: u.display_name for u in _people()}
    return [
        [
            b.id,
            b.reference,
            b.reason,
            _local(line, b.created_at),
            names.get(b.created_by_id or 0, ""),
            _local(line, b.expires_at),
            _local(line, b.lifted_at),
            "yes" if b.active else "no",
        ]
        for b in blocks.list_blocks(db_session(), line.id)
    ]


BLOCK_HEADER = ["id", "caller", "reason", "blocked", "by", "expires", "lifted", "in_force"]


@coordinator_route(f"/lines/<{ID}:line_id>/blocks", methods=["GET"])
def blocks_page(line_id: int):
    line = _line(line_id)
    return render_template(
        "console/blocks.html", line=line, header=BLOCK_HEADER, rows=_block_rows(line)
    )


@coordinator_route(f"/lines/<{ID}:line_id>/blocks.json", methods=["GET"])
def blocks_json(line_id: int):
    line = _line(line_id)
    return jsonify(blocks=[dict(zip(BLOCK_HEADER, r, strict=True)) for r in _block_rows(line)])


@coordinator_route(f"/lines/<{ID}:line_id>/blocks.csv", methods=["GET"])
def blocks_csv(line_id: int):
    line = _line(line_id)
    return _csv(f"blocks-{line.id}.csv", BLOCK_HEADER, _block_rows(line))


@coordinator_route(f"/lines/<{ID}:line_id>/blocks/<{ID}:block_id>/lift", methods=["POST"])
def lift_block(line_id: int, block_id: int):
    line = _line(line_id)
    block = db_session().get(Block, block_id)
    if block is None or block.line_id != line.id:
        abort(404, description="No such block on this line.")
    try:
        blocks.lift_block(db_session(), block, actor_id=_me().id, via=VIA)
        db_session().commit()
    except ValueError as error:
        return _refused(error, "console.blocks_page", line_id=line.id)
    return _done("Block lifted.", "console.blocks_page", line_id=line.id)


# Reports.


def _period(line: Line) -> tuple[date, date]:
    today = roster.local_today(line)
    try:
        last = _date(request.args.get("to"), "to") if request.args.get("to") else today
        first = (
            _date(request.args.get("from"), "from")
            if request.args.get("from")
            else last - timedelta(days=DEFAULT_REPORT_DAYS - 1)
        )
    except FormError as error:
        abort(400, description=str(error))
    if last < first or (last - first).days >= reports.MAX_DAYS:
        abort(400, description=f"choose a period of 1 to {reports.MAX_DAYS} days")
    return first, last


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None) -> Any:
    return "" if value is None else value


def report_tables(report: reports.Report) -> dict[str, tuple[str, list[str], list[list[Any]]]]:
    """Every table the reports page shows, each also a CSV download."""
    summary = [
        ["contacts", report.total],
        ["voice", report.by_channel.get("voice", 0)],
        ["text", report.by_channel.get("sms", 0)],
        ["reached the line", report.reached],
        ["answered", report.answered],
        ["answer rate", _pct(report.answer_rate)],
        ["abandoned", report.abandoned],
        ["abandonment", _pct(report.abandonment)],
        ["wait p50 (s)", _num(report.wait_p50)],
        ["wait p90 (s)", _num(report.wait_p90)],
        ["talk mean (min)", _num(report.talk_mean_minutes)],
        ["talk p50 (min)", _num(report.talk_p50_minutes)],
        ["crisis flagged", report.crisis_flagged],
        ["crisis referrals", report.crisis_referrals],
        ["time to referral p50 (s)", _num(report.referral_p50_seconds)],
        ["time to referral p90 (s)", _num(report.referral_p90_seconds)],
        ["blocked", report.blocked],
        ["repeat-contact share", _pct(report.repeat_share)],
        ["load evenness (1 = even)", _num(report.evenness)],
    ]
    outcomes = [[name, count] for name, count in sorted(report.by_outcome.items())]
    hourly = [
        [f"{hour:02d}:00", report.per_hour["voice"][hour], report.per_hour["sms"][hour]]
        for hour in range(24)
    ]
    daily = [
        [day, report.per_day["voice"][day], report.per_day["sms"][day]]
        for day in report.per_day["voice"]
    ]
    load = [
        [s.name, s.contacts, s.talk_minutes, s.staffed_hours, _num(s.per_staffed_hour)]
        for s in report.load
    ]
    staffing = [
        [reports.weekday_label(i), round(report.staffed[i], 2), report.demand[i]]
        for i in range(168)
    ]
    return {
        "summary": ("Summary", ["measure", "value"], summary),
        "outcomes": ("Outcomes", ["outcome", "contacts"], outcomes),
        "hourly": ("Contacts by hour of day", ["hour", "voice", "text"], hourly),
        "daily": ("Contacts by day", ["date", "voice", "text"], daily),
        "load": (
            "Load per specialist",
            ["specialist", "contacts", "talk minutes", "staffed hours", "per staffed hour"],
            load,
        ),
        "staffing": (
            "Staffed hours against demand, by hour of week",
            ["hour of week", "specialist hours", "contacts"],
            staffing,
        ),
    }


def _charts(report: reports.Report) -> list[Any]:
    hours = [f"{h:02d}" for h in range(24)]
    days = list(report.per_day["voice"])
    how = [reports.weekday_label(i) for i in range(168)]
    busiest = max(range(24), key=lambda h: report.per_hour["voice"][h] + report.per_hour["sms"][h])
    return [
        charts.bars(
            "Contacts by hour of day",
            hours,
            [("voice", report.per_hour["voice"]), ("text", report.per_hour["sms"])],
            every=3,
            summary=f"busiest hour {busiest:02d}:00",
        ),
        charts.bars(
            "Contacts by day",
            days,
            [
                ("voice", [report.per_day["voice"][d] for d in days]),
                ("text", [report.per_day["sms"][d] for d in days]),
            ],
            every=max(1, len(days) // 7),
        ),
        charts.bars(
            "Specialist hours against contacts, by hour of week",
            how,
            [("specialist hours", report.staffed), ("contacts", report.demand)],
            every=24,
        ),
    ]


@coordinator_route(f"/lines/<{ID}:line_id>/reports", methods=["GET"])
def reports_page(line_id: int):
    line = _line(line_id)
    first, last = _period(line)
    report = reports.build(db_session(), line, first, last)
    return render_template(
        "console/reports.html",
        line=line,
        report=report,
        tables=report_tables(report),
        charts=_charts(report),
        first=first,
        last=last,
    )


@coordinator_route(f"/lines/<{ID}:line_id>/reports.json", methods=["GET"])
def reports_json(line_id: int):
    line = _line(line_id)
    first, last = _period(line)
    report = reports.build(db_session(), line, first, last)
    return jsonify(
        line_id=line.id,
        first=first.isoformat(),
        last=last.isoformat(),
        timezone=line.timezone,
        tables={
            name: [dict(zip(header, row, strict=True)) for row in rows]
            for name, (_title, header, rows) in report_tables(report).items()
        },
    )


@coordinator_route(f"/lines/<{ID}:line_id>/reports/<name>.csv", methods=["GET"])
def reports_csv(line_id: int, name: str):
    line = _line(line_id)
    first, last = _period(line)
    tables = report_tables(reports.build(db_session(), line, first, last))
    if name not in tables:
        abort(404, description="No such table.")
    _title, header, rows = tables[name]
    return _csv(f"{name}-{line.id}-{first}-{last}.csv", header, rows)


# People.


def _may_edit(actor: User, user: User) -> bool:
    return actor.role == Role.ADMIN or user.role == Role.SPECIALIST or user.id == actor.id


@coordinator_route("/people", methods=["GET"])
def people_page():
    me = _me()
    return render_template(
        "console/people.html",
        people=_people(),
        me=me,
        may_edit=lambda u: _may_edit(me, u),
        roles=list(Role) if me.role == Role.ADMIN else [Role.SPECIALIST],
        feed_url=None,
    )


def _role() -> Role:
    raw = request.form.get("role", Role.SPECIALIST.value)
    if raw not in {r.value for r in Role}:
        raise FormError("choose a role from the list")
    role = Role(raw)
    if role != Role.SPECIALIST and _me().role != Role.ADMIN:
        raise FormError("only an administrator can make coordinators and administrators")
    return role


@coordinator_route("/people", methods=["POST"])
def add_person():
    session = db_session()
    try:
        user = User(
            email=_text("email", limit=254),
            display_name=_text("display_name", limit=120),
            role=_role(),
            phone=_text("phone", required=False, limit=30) or None,
            languages=_languages(_text("languages", limit=100)),
            password_hash=people.hash_password(_text("password", limit=1024)),
        )
        if people.find_user(session, user.email) is not None:
            raise FormError("someone already signs in with that email")
        session.add(user)
        session.flush()
        _audit("user.add", "user", user.id, role=user.role.value)
        session.commit()
    except (ValueError, IntegrityError) as error:
        return _refused(error, "console.people_page")
    return _done(f"{user.display_name} added.", "console.people_page")


def _editable(user_id: int) -> User:
    user = db_session().get(User, user_id)
    if user is None:
        abort(404, description="No such person.")
    if not _may_edit(_me(), user):
        abort(403, description="Only an administrator can change coordinators.")
    return user


@coordinator_route(f"/people/<{ID}:user_id>", methods=["POST"])
def edit_person(user_id: int):
    user = _editable(user_id)
    session = db_session()
    fields = ("display_name", "phone", "languages", "max_texts", "active", "role")
    before = {name: _plain_user(getattr(user, name)) for name in fields}
    try:
        user.display_name = _text("display_name", limit=120)
        user.phone = _text("phone", required=False, limit=30) or None
        user.languages = _languages(_text("languages", limit=100))
        user.max_texts = _optional_int("max_texts", 1, 10)
        active = request.form.get("active") == "yes"
        if not active and user.id == _me().id:
            raise FormError("you cannot deactivate yourself")
        user.active = active
        if _me().role == Role.ADMIN and user.id != _me().id:
            user.role = _role()
        changed = {
            name: [before[name], _plain_user(getattr(user, name))]
            for name in fields
            if before[name] != _plain_user(getattr(user, name))
        }
        if changed:
            _audit("user.update", "user", user.id, changed=changed)
        session.commit()
    except ValueError as error:
        return _refused(error, "console.people_page")
    return _done(f"{user.display_name} saved.", "console.people_page")


def _optional_int(name: str, low: int, high: int) -> int | None:
    """Return a whole number in [low, high] from the form, or None when left empty."""
    if not request.form.get(name, "").strip():
        return None
    return _int(name, low, high)


def _plain_user(value: Any) -> Any:
    return value.value if isinstance(value, Role) else value


@coordinator_route(f"/people/<{ID}:user_id>/password", methods=["POST"])
def reset_password(user_id: int):
    user = _editable(user_id)
    try:
        user.password_hash = people.hash_password(_text("password", limit=1024))
    except ValueError as error:
        return _refused(error, "console.people_page")
    _audit("user.password_reset", "user", user.id)
    db_session().commit()
    return _done(f"New password set for {user.display_name}.", "console.people_page")


@coordinator_route(f"/people/<{ID}:user_id>/calendar", methods=["POST"])
def issue_calendar(user_id: int):
    user = _editable(user_id)
    token = calendar_feed.issue_token(db_session(), user, actor_id=_me().id, via=VIA)
    db_session().commit()
    me = _me()
    return render_template(
        "console/people.html",
        people=_people(),
        me=me,
        may_edit=lambda u: _may_edit(me, u),
        roles=list(Role) if me.role == Role.ADMIN else [Role.SPECIALIST],
        feed_url=url_for("feeds.calendar", token=token, _external=True),
        feed_for=user,
    )


# The audit log.


@coordinator_route("/audit", methods=["GET"])
def audit_page():
    session, me = db_session(), _me()
    mine = {line.id for line in access.visible_lines(session, me)}
    events = session.scalars(
        select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(1000)
    )
    shown = [
        e
        for e in events
        if me.role == Role.ADMIN
        or (e.detail or {}).get("line_id") in mine
        or (e.target_type == "line" and e.target_id in mine)
        or e.target_type == "user"
    ][:300]
    names = {u.id: u.display_name for u in _people()}
    return render_template("console/audit.html", events=shown, names=names)


# Calendar feeds.


@feeds.get("/calendar/<token>.ics")
def calendar(token: str):
    session = db_session()
    user = calendar_feed.user_for_token(session, token[:100])
    if user is None:
        abort(404)
    return Response(
        calendar_feed.feed(session, user),
        mimetype="text/calendar",
        headers={"Cache-Control": "private, max-age=300"},
    )


@feeds.route("/console/my-calendar", methods=["GET", "POST"])
@require_user()
def my_calendar():
    """Let anyone signed in, specialists included, get or renew their own feed URL."""
    require_csrf()
    user, url = _me(), None
    if request.method == "POST":
        token = calendar_feed.issue_token(db_session(), user, actor_id=user.id, via=VIA)
        db_session().commit()
        url = url_for("feeds.calendar", token=token, _external=True)
    return render_template("console/my_calendar.html", user=user, feed_url=url)
