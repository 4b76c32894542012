"""The console's reports: how the line did over a period, as tables, charts, JSON and CSV."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import abort, jsonify, render_template, request
from flask_babel import gettext as _

from warmline import reports, roster
from warmline.console import charts, forms
from warmline.console.blueprint import ID, coordinator_route
from warmline.models import Line
from warmline.web import db_session
from warmline.web.access import coordinated_line

DEFAULT_REPORT_DAYS = 28


def _period(line: Line) -> tuple[date, date]:
    today = roster.local_today(line)
    try:
        last = forms.day(request.args.get("to"), "to") if request.args.get("to") else today
        first = (
            forms.day(request.args.get("from"), "from")
            if request.args.get("from")
            else last - timedelta(days=DEFAULT_REPORT_DAYS - 1)
        )
    except forms.FormError as error:
        abort(400, description=str(error))
    if last < first or (last - first).days >= reports.MAX_DAYS:
        abort(400, description=_("choose a period of 1 to %(days)s days", days=reports.MAX_DAYS))
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


def _report(line_id: int) -> tuple[Line, date, date, reports.Report]:
    """Return the line and the report on the period the query asks for."""
    line = coordinated_line(line_id)
    first, last = _period(line)
    return line, first, last, reports.build(db_session(), line, first, last)


@coordinator_route(f"/lines/<{ID}:line_id>/reports", methods=["GET"])
def reports_page(line_id: int):
    line, first, last, report = _report(line_id)
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
    line, first, last, report = _report(line_id)
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
    line, first, last, report = _report(line_id)
    tables = report_tables(report)
    if name not in tables:
        abort(404, description=_("No such table."))
    _title, header, rows = tables[name]
    return forms.csv_download(f"{name}-{line.id}-{first}-{last}.csv", header, rows)
