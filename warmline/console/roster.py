"""The console's roster: the week's shifts and coverage, weekly shifts, swaps, CSV in and out."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from warmline import coverage, people, roster, roster_csv
from warmline.console import forms
from warmline.console.blueprint import ID, coordinator_route, on_line
from warmline.models import Line, Shift, ShiftPattern, utcnow
from warmline.web import db_session
from warmline.web.access import coordinated_line
from warmline.web.auth import signed_in_user

COVERAGE_HEADER = ["date", "hour", "on_shift", "needed", "open", "gap", "exists"]


def _week_start(line: Line) -> date:
    raw = request.args.get("week")
    try:
        day = date.fromisoformat(raw) if raw else roster.local_today(line)
    except ValueError:
        abort(400, description=_("week must be a date like 2026-11-16"))
    return coverage.monday_of(day)


@coordinator_route(f"/lines/<{ID}:line_id>/roster", methods=["GET"])
def roster_page(line_id: int):
    line = coordinated_line(line_id)
    session = db_session()
    monday = _week_start(line)
    if roster.extend_patterns(session, line=line):
        session.commit()
    grid = coverage.week(session, line, monday)
    first, last = roster.local_day_bounds(line, monday, monday + timedelta(days=6))
    everyone = people.everyone(session)
    names = {u.id: u.display_name for u in everyone}
    shifts = [
        {
            "shift": s,
            "who": names.get(s.user_id, "?"),
            "next_day": roster.ends_next_day(line, s),
            **roster.describe(line, s),
        }
        for s in roster.shifts_between(session, line.id, first, last)
    ]
    return render_template(
        "console/roster.html",
        line=line,
        grid=grid,
        monday=monday,
        previous=monday - timedelta(weeks=1),
        following=monday + timedelta(weeks=1),
        shifts=shifts,
        patterns=roster.patterns_of(session, line.id),
        names=names,
        specialists=[u for u in people.specialists_of(session, line.id) if u.active and u.phone],
        timedelta=timedelta,
    )


def _back(line: Line) -> dict[str, Any]:
    """Return where a roster change sends the browser: the week it was made on."""
    week = request.form.get("week", "")
    return {
        "line_id": line.id,
        **({"week": week} if re.fullmatch(r"\d{4}-\d\d-\d\d", week) else {}),
    }


def _shift(line: Line, shift_id: int) -> Shift:
    return on_line(Shift, shift_id, line, _("No such shift on this line."))


@coordinator_route(f"/lines/<{ID}:line_id>/shifts", methods=["POST"])
def add_shift(line_id: int):
    line = coordinated_line(line_id)
    try:
        roster.add_local_shift(
            db_session(),
            line=line,
            user=forms.person(),
            day=forms.day(request.form.get("date")),
            start=forms.text("start", limit=5),
            end=forms.text("end", limit=5),
            now=utcnow(),
            actor_id=signed_in_user().id,
            via=forms.VIA,
        )
        db_session().commit()
    except ValueError as error:
        return forms.refused(error, "console.roster_page", **_back(line))
    return forms.done(_("Shift added."), "console.roster_page", **_back(line))


@coordinator_route(f"/lines/<{ID}:line_id>/patterns", methods=["POST"])
def add_pattern(line_id: int):
    line = coordinated_line(line_id)
    try:
        starts_on = forms.day(request.form.get("starts_on"), "first date")
        until = request.form.get("ends_on", "").strip()
        roster.add_pattern(
            db_session(),
            line=line,
            user=forms.person(),
            weekday=starts_on.weekday(),
            start=forms.text("start", limit=5),
            end=forms.text("end", limit=5),
            starts_on=starts_on,
            ends_on=forms.day(until, "last date") if until else None,
            actor_id=signed_in_user().id,
            via=forms.VIA,
        )
        db_session().commit()
    except (ValueError, IntegrityError) as error:
        return forms.refused(error, "console.roster_page", **_back(line))
    return forms.done(_("Weekly shift added."), "console.roster_page", **_back(line))


@coordinator_route(f"/lines/<{ID}:line_id>/patterns/<{ID}:pattern_id>/end", methods=["POST"])
def end_pattern(line_id: int, pattern_id: int):
    line = coordinated_line(line_id)
    pattern = on_line(ShiftPattern, pattern_id, line, _("No such weekly shift on this line."))
    try:
        removed = roster.end_pattern(
            db_session(),
            pattern,
            line=line,
            last_day=forms.day(request.form.get("last_day"), "last date"),
            actor_id=signed_in_user().id,
            via=forms.VIA,
        )
        db_session().commit()
    except ValueError as error:
        return forms.refused(error, "console.roster_page", **_back(line))
    return forms.done(
        _("Weekly shift ended; %(count)s later shifts removed.", count=removed),
        "console.roster_page",
        **_back(line),
    )


@coordinator_route(f"/lines/<{ID}:line_id>/shifts/<{ID}:shift_id>/cancel", methods=["POST"])
def cancel_shift(line_id: int, shift_id: int):
    line = coordinated_line(line_id)
    shift = _shift(line, shift_id)
    roster.cancel_shift(db_session(), shift, actor_id=signed_in_user().id, via=forms.VIA)
    db_session().commit()
    return forms.done(_("Shift cancelled."), "console.roster_page", **_back(line))


@coordinator_route(f"/lines/<{ID}:line_id>/shifts/<{ID}:shift_id>/reassign", methods=["POST"])
def reassign_shift(line_id: int, shift_id: int):
    line = coordinated_line(line_id)
    shift = _shift(line, shift_id)
    try:
        to = forms.chosen_person("choose who takes the shift")
        roster.reassign_shift(db_session(), shift, to, actor_id=signed_in_user().id, via=forms.VIA)
        db_session().commit()
    except ValueError as error:
        return forms.refused(error, "console.roster_page", **_back(line))
    return forms.done(_("Shift given to someone else."), "console.roster_page", **_back(line))


@coordinator_route(f"/lines/<{ID}:line_id>/shifts/swap", methods=["POST"])
def swap_shifts(line_id: int):
    line = coordinated_line(line_id)
    try:
        if not (request.form.get("first") and request.form.get("second")):
            raise forms.FormError(_("choose the two shifts to swap"))
        first = _shift(line, forms.whole_number("first", 1, forms.MAX_ID))
        second = _shift(line, forms.whole_number("second", 1, forms.MAX_ID))
        roster.swap_shifts(db_session(), first, second, actor_id=signed_in_user().id, via=forms.VIA)
        db_session().commit()
    except ValueError as error:
        return forms.refused(error, "console.roster_page", **_back(line))
    return forms.done(_("Shifts swapped."), "console.roster_page", **_back(line))


@coordinator_route(f"/lines/<{ID}:line_id>/roster.csv", methods=["GET"])
def roster_csv_export(line_id: int):
    line = coordinated_line(line_id)
    monday = _week_start(line)
    weeks = forms.whole_number("weeks", 1, 52, request.args) if request.args.get("weeks") else 4
    last = monday + timedelta(weeks=weeks) - timedelta(days=1)
    body = roster_csv.export(db_session(), line, monday, last)
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="roster-{line.id}-{monday}.csv"'},
    )


@coordinator_route(f"/lines/<{ID}:line_id>/roster/import", methods=["POST"])
def roster_csv_import(line_id: int):
    line = coordinated_line(line_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a CSV file to import."), "error")
        return redirect(url_for("console.roster_page", line_id=line.id), code=303)
    try:
        text = upload.read(roster_csv.MAX_BYTES + 1).decode("utf-8")
    except UnicodeDecodeError:
        flash(_("The file is not UTF-8 text; save it from your spreadsheet as CSV UTF-8."), "error")
        return redirect(url_for("console.roster_page", line_id=line.id), code=303)
    session = db_session()
    result = roster_csv.import_csv(
        session, line, text, now=utcnow(), actor_id=signed_in_user().id, via=forms.VIA
    )
    if not result.ok:
        session.rollback()
        for error in result.errors[:50]:
            flash(_("Not imported: %(error)s", error=error.said(_)), "error")
        return redirect(url_for("console.roster_page", line_id=line.id), code=303)
    session.commit()
    return forms.done(
        _(
            "Imported %(shifts)s shifts and %(patterns)s weekly shifts.",
            shifts=result.shifts,
            patterns=result.patterns,
        ),
        "console.roster_page",
        line_id=line.id,
    )


def _coverage_rows(grid: coverage.Week) -> list[list[Any]]:
    return [
        [h.day.isoformat(), f"{h.hour:02d}:00", h.on_shift, h.needed, h.open, h.gap, h.exists]
        for h in grid.hours
    ]


@coordinator_route(f"/lines/<{ID}:line_id>/coverage.json", methods=["GET"])
def coverage_json(line_id: int):
    line = coordinated_line(line_id)
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
    line = coordinated_line(line_id)
    grid = coverage.week(db_session(), line, _week_start(line))
    name = f"coverage-{line.id}-{grid.monday}.csv"
    return forms.csv_download(name, COVERAGE_HEADER, _coverage_rows(grid))
