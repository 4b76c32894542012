"""The console's reports: how the line did over a period, as tables, charts, JSON and CSV."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import Markup

from warmline import people, reports, roster
from warmline.console import charts, forms
from warmline.console.blueprint import ID, coordinator_route
from warmline.models import Line, utcnow
from warmline.web import db_session, i18n
from warmline.web.access import coordinated_line

DEFAULT_REPORT_DAYS = 28


def period(line: Line) -> tuple[date, date]:
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


def percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f}%"


def rounded(value: float | None, places: int = 0) -> Any:
    """Round a figure for reading: whole seconds and counts, tenths of hours and minutes."""
    if value is None:
        return ""
    return round(value) if places == 0 else round(value, places)


@dataclass(frozen=True)
class Measure:
    """One figure of the summary: its name, what it means, and its value in a report.

    The name stays English: it is a cell of the summary's CSV, which spreadsheets read.
    The meaning is said in the reader's language, translated when the page shows it.
    """

    name: str
    meaning: LazyString
    value: Callable[[reports.Report], Any]


MEASURES = (
    Measure(
        "contacts",
        _l("Every call and text conversation that came to the line's number in the period."),
        lambda r: r.total,
    ),
    Measure(
        "calls", _l("The contacts that were phone calls."), lambda r: r.by_channel.get("voice", 0)
    ),
    Measure(
        "texts",
        _l("The contacts that were text conversations."),
        lambda r: r.by_channel.get("sms", 0),
    ),
    Measure(
        "reached the line",
        _l(
            "Contacts that could wait for a specialist: all but those turned away (closed, "
            "blocked, over the daily limit or opted out) and those still open."
        ),
        lambda r: r.reached,
    ),
    Measure(
        "answered",
        _l("Contacts that reached the line and talked with a specialist."),
        lambda r: r.answered,
    ),
    Measure(
        "answer rate",
        _l("Of the contacts that reached the line, the share a specialist answered."),
        lambda r: percent(r.answer_rate),
    ),
    Measure(
        "abandoned",
        _l("Contacts who hung up while waiting for a specialist."),
        lambda r: r.abandoned,
    ),
    Measure(
        "abandonment",
        _l("Of the contacts that reached the line, the share who hung up while waiting."),
        lambda r: percent(r.abandonment),
    ),
    Measure(
        "typical wait (s)",
        _l("Half the contacts that reached the line waited less than this many seconds."),
        lambda r: rounded(r.wait_p50),
    ),
    Measure(
        "long wait (s)",
        _l("Nine in ten contacts that reached the line waited less than this many seconds."),
        lambda r: rounded(r.wait_p90),
    ),
    Measure(
        "average talk (min)",
        _l("How long answered contacts lasted on average, in minutes."),
        lambda r: rounded(r.talk_mean_minutes, 1),
    ),
    Measure(
        "typical talk (min)",
        _l("Half the answered contacts lasted less than this many minutes."),
        lambda r: rounded(r.talk_p50_minutes, 1),
    ),
    Measure(
        "crisis flagged",
        _l("Contacts flagged for crisis signs, by the words used or by a specialist."),
        lambda r: r.crisis_flagged,
    ),
    Measure(
        "crisis referrals",
        _l("Contacts referred to the crisis line."),
        lambda r: r.crisis_referrals,
    ),
    Measure(
        "typical time to referral (s)",
        _l("Half the crisis referrals came less than this many seconds after the contact arrived."),
        lambda r: rounded(r.referral_p50_seconds),
    ),
    Measure(
        "long time to referral (s)",
        _l(
            "Nine in ten crisis referrals came less than this many seconds after the contact "
            "arrived."
        ),
        lambda r: rounded(r.referral_p90_seconds),
    ),
    Measure(
        "callbacks asked for",
        _l("Callers who asked, while waiting, to be called back when a specialist was free."),
        lambda r: r.callbacks_requested,
    ),
    Measure(
        "callbacks made",
        _l("Callers the line called back, once or twice, after they asked."),
        lambda r: r.callbacks_made,
    ),
    Measure(
        "callbacks reached",
        _l("Of the callers called back, those who answered and talked with a specialist."),
        lambda r: r.callbacks_reached,
    ),
    Measure(
        "blocked",
        _l("Contacts turned away because the caller is on the line's block list."),
        lambda r: r.blocked,
    ),
    Measure(
        "repeat-contact share",
        _l(
            "Of the contacts from a number the line can recognise, the share from a caller who "
            "made more than one contact in the period."
        ),
        lambda r: percent(r.repeat_share),
    ),
    Measure(
        "load evenness (1 = even)",
        _l(
            "How evenly the specialists shared the work, counted as contacts answered per hour on "
            "shift: 1 is perfectly even, and the lower it is the more one person carried."
        ),
        lambda r: rounded(r.evenness, 2),
    ),
)
MEANINGS = {measure.name: measure.meaning for measure in MEASURES}
# Each figure's name as the page shows it, by its English name in the CSV.
MEASURE_NAMES = {
    "contacts": _l("contacts"),
    "calls": _l("calls"),
    "texts": _l("texts"),
    "reached the line": _l("reached the line"),
    "answered": _l("answered"),
    "answer rate": _l("answer rate"),
    "abandoned": _l("abandoned"),
    "abandonment": _l("abandonment"),
    "typical wait (s)": _l("typical wait (s)"),
    "long wait (s)": _l("long wait (s)"),
    "average talk (min)": _l("average talk (min)"),
    "typical talk (min)": _l("typical talk (min)"),
    "crisis flagged": _l("crisis flagged"),
    "crisis referrals": _l("crisis referrals"),
    "typical time to referral (s)": _l("typical time to referral (s)"),
    "long time to referral (s)": _l("long time to referral (s)"),
    "blocked": _l("blocked"),
    "repeat-contact share": _l("repeat-contact share"),
    "load evenness (1 = even)": _l("load evenness (1 = even)"),
}
# What each table and chart shows, in a sentence.
ABOUT = {
    "summary": _l("The period in figures; each says what it counts."),
    "outcomes": _l("How each contact ended, from answered to turned away."),
    "hourly": _l("Contacts by the hour of the day they arrived, on the line's clock."),
    "daily": _l("Contacts by the day they arrived."),
    "load": _l(
        "For each specialist: contacts answered, minutes talking, hours on shift, and "
        "contacts answered for each hour on shift."
    ),
    "staffing": _l(
        "For each hour of the week: specialist hours on shift, and contacts that arrived."
    ),
}
# The tables' column names as the page shows them; the CSV and JSON keep the English keys.
HEADINGS = {
    "measure": _l("measure"),
    "value": _l("value"),
    "outcome": _l("outcome"),
    "contacts": _l("contacts"),
    "hour": _l("hour"),
    "calls": _l("calls"),
    "texts": _l("texts"),
    "date": _l("date"),
    "specialist": _l("specialist"),
    "talk minutes": _l("talk minutes"),
    "staffed hours": _l("staffed hours"),
    "per staffed hour": _l("per staffed hour"),
    "hour of week": _l("hour of week"),
    "specialist hours": _l("specialist hours"),
}


def report_tables(
    report: reports.Report,
) -> dict[str, tuple[LazyString, list[str], list[list[Any]]]]:
    """Every table the reports page shows, each also a CSV download.

    The title is said in the reader's language; the header and the rows stay as the CSV has
    them, in English, for the spreadsheets that read it.
    """
    summary = [[measure.name, measure.value(report)] for measure in MEASURES]
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
        [
            s.name,
            s.contacts,
            rounded(s.talk_minutes, 1),
            rounded(s.staffed_hours, 1),
            rounded(s.per_staffed_hour, 1),
        ]
        for s in report.load
    ]
    staffing = [
        [reports.weekday_label(i), rounded(report.staffed[i], 1), report.demand[i]]
        for i in range(168)
    ]
    return {
        "summary": (_l("Summary"), ["measure", "value"], summary),
        "outcomes": (_l("Outcomes"), ["outcome", "contacts"], outcomes),
        "hourly": (_l("Contacts by hour of day"), ["hour", "calls", "texts"], hourly),
        "daily": (_l("Contacts by day"), ["date", "calls", "texts"], daily),
        "load": (
            _l("Load per specialist"),
            ["specialist", "contacts", "talk minutes", "staffed hours", "per staffed hour"],
            load,
        ),
        "staffing": (
            _l("Staffed hours against demand, by hour of week"),
            ["hour of week", "specialist hours", "contacts"],
            staffing,
        ),
    }


def _first_cells(name: str, rows: list[list[Any]]) -> list[Any]:
    """Say each row's first cell as the page shows it: names, days and hours in the reader's
    language and way of writing them. The outcomes' names are the template's (labels.html)."""
    if name == "summary":
        return [MEASURE_NAMES.get(row[0], row[0]) for row in rows]
    if name == "hourly":
        return [i18n.hour_of_day(hour) for hour in range(len(rows))]
    if name == "daily":
        return [i18n.day_of_month(date.fromisoformat(row[0])) for row in rows]
    if name == "staffing":
        return [i18n.hour_of_week(index) for index in range(len(rows))]
    return [row[0] for row in rows]


def shown_tables(
    report: reports.Report,
) -> dict[str, tuple[LazyString, list[str], list[list[Any]]]]:
    """Every table as the page shows it: the CSV's rows, each first cell in the reader's words."""
    return {
        name: (
            title,
            header,
            [[first, *row[1:]] for first, row in zip(_first_cells(name, rows), rows, strict=True)],
        )
        for name, (title, header, rows) in report_tables(report).items()
    }


@dataclass(frozen=True)
class Chart:
    """A chart with the title and the sentence shown above it."""

    title: str
    about: str
    drawing: Markup


def _charts(report: reports.Report) -> list[Chart]:
    hours = [i18n.hour_of_day(h) for h in range(24)]
    days = list(report.per_day["voice"])
    how = [i18n.hour_of_week(i) for i in range(168)]
    busiest = max(range(24), key=lambda h: report.per_hour["voice"][h] + report.per_hour["sms"][h])
    titles = (
        (
            _("Contacts by hour of day"),
            _(
                "Calls and texts by the hour they arrived, on the line's clock, over the whole "
                "period; the busiest hour was %(hour)s.",
                hour=i18n.hour_of_day(busiest),
            ),
        ),
        (_("Contacts by day"), _("Calls and texts on each day of the period.")),
        (
            _("Specialist hours against contacts, by hour of week"),
            _(
                "For each hour from Monday 00:00 to Sunday 23:00, the specialist hours on shift "
                "beside the contacts that arrived: where contacts outgrow hours, the line needs "
                "more people."
            ),
        ),
    )
    drawings = (
        charts.bars(
            titles[0][0],
            hours,
            [(_("calls"), report.per_hour["voice"]), (_("texts"), report.per_hour["sms"])],
            every=3,
            summary=_("busiest hour %(hour)s", hour=i18n.hour_of_day(busiest)),
        ),
        charts.bars(
            titles[1][0],
            [i18n.day_of_month(date.fromisoformat(day)) for day in days],
            [
                (_("calls"), [report.per_day["voice"][d] for d in days]),
                (_("texts"), [report.per_day["sms"][d] for d in days]),
            ],
            every=max(1, len(days) // 7),
        ),
        charts.bars(
            titles[2][0],
            how,
            [(_("specialist hours"), report.staffed), (_("contacts"), report.demand)],
            every=24,
        ),
    )
    return [
        Chart(title, about, drawing)
        for (title, about), drawing in zip(titles, drawings, strict=True)
    ]


def _report(line_id: int) -> tuple[Line, date, date, reports.Report]:
    """Return the line and the report on the period the query asks for."""
    line = coordinated_line(line_id)
    first, last = period(line)
    return line, first, last, reports.build(db_session(), line, first, last)


@coordinator_route(f"/lines/<{ID}:line_id>/reports", methods=["GET"])
def reports_page(line_id: int):
    line, first, last, report = _report(line_id)
    return render_template(
        "console/reports.html",
        line=line,
        report=report,
        tables=report_tables(report),
        shown=shown_tables(report),
        charts=_charts(report),
        meanings=MEANINGS,
        about=ABOUT,
        headings=HEADINGS,
        first=first,
        last=last,
        crisis_week=_crisis_week(line),
    )


def _crisis_week(line: Line) -> list[tuple[str, int]]:
    """Return each of the line's specialists with the crisis contacts they took this week."""
    session = db_session()
    counts = reports.crisis_contacts_this_week(session, line, utcnow())
    team = people.specialists_of(session, line.id)
    return sorted(
        ((person.display_name, counts.get(person.id, 0)) for person in team),
        key=lambda named: (-named[1], named[0].casefold()),
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
