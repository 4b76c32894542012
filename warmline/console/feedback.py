"""The console's feedback report: what callers and texters answered, as tables, charts and CSV."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from warmline import feedback
from warmline.console import charts, forms
from warmline.console.blueprint import ID, coordinator_route
from warmline.console.reports import Chart, percent, period, rounded
from warmline.models import Line
from warmline.web import db_session
from warmline.web.access import coordinated_line

# What each table shows, in a sentence.
ABOUT = {
    "summary": _l("The period's feedback in figures."),
    "daily": _l("Answers by the day the contact arrived."),
    "hourly": _l("Answers by the hour of the day the contact arrived, on the line's clock."),
    "specialists": _l("For each specialist: how often their contacts were asked and answered."),
    "scores": _l("How many answers gave each score, from 1 (not helpful) to 5 (very helpful)."),
}
# The tables' column names as the page shows them; the CSV keeps the English keys.
HEADINGS = {
    "measure": _l("measure"),
    "value": _l("value"),
    "date": _l("date"),
    "hour": _l("hour"),
    "specialist": _l("specialist"),
    "asked": _l("asked"),
    "answered": _l("answered"),
    "response rate": _l("response rate"),
    "average helpfulness": _l("average helpfulness"),
    "would call again": _l("would call again"),
    "score": _l("score"),
    "answers": _l("answers"),
}
# What each figure of the summary means, by its English name.
MEANINGS = {
    "asked": _l("Contacts asked how helpful their conversation was."),
    "answered": _l("Contacts who answered with a score."),
    "response rate": _l("Of the contacts asked, the share who answered."),
    "average helpfulness": _l("The average score, from 1 (not helpful) to 5 (very helpful)."),
    "would call again": _l(
        "Of the callers who answered the second question, the share who said yes."
    ),
    "calls asked": _l("Callers asked, on the keypad, after their specialist hung up."),
    "texts asked": _l("Texters asked by text after their conversation closed."),
}


def _row(tally: feedback.Tally) -> list[Any]:
    return [
        tally.asked,
        tally.answered,
        percent(tally.response_rate),
        rounded(tally.mean, 2),
        percent(tally.return_share),
    ]


def feedback_tables(
    result: feedback.FeedbackReport,
) -> dict[str, tuple[LazyString, list[str], list[list[Any]]]]:
    """Every table the feedback page shows, each also a CSV download (English headers)."""
    overall = result.overall
    summary = [
        ["asked", overall.asked],
        ["answered", overall.answered],
        ["response rate", percent(overall.response_rate)],
        ["average helpfulness", rounded(overall.mean, 2)],
        ["would call again", percent(overall.return_share)],
        ["calls asked", result.by_channel["voice"].asked],
        ["texts asked", result.by_channel["sms"].asked],
    ]
    columns = ["asked", "answered", "response rate", "average helpfulness", "would call again"]
    daily = [[day, *_row(tally)] for day, tally in result.per_day.items()]
    hourly = [[f"{hour:02d}:00", *_row(tally)] for hour, tally in enumerate(result.per_hour)]
    specialists = sorted(
        (
            [result.names.get(uid, "former specialist"), *_row(tally)]
            for uid, tally in result.by_specialist.items()
        ),
        key=lambda row: row[0],
    )
    scores = [[score, result.scores.get(score, 0)] for score in range(1, 6)]
    return {
        "summary": (_l("Summary"), ["measure", "value"], summary),
        "daily": (_l("Helpfulness by day"), ["date", *columns], daily),
        "hourly": (_l("Helpfulness by hour of day"), ["hour", *columns], hourly),
        "specialists": (_l("Helpfulness by specialist"), ["specialist", *columns], specialists),
        "scores": (_l("Answers by score"), ["score", "answers"], scores),
    }


def _means(tallies: list[feedback.Tally]) -> list[float]:
    return [tally.mean or 0 for tally in tallies]


def _charts(result: feedback.FeedbackReport) -> list[Chart]:
    days = list(result.per_day)
    by_day = _("Average helpfulness by day")
    by_hour = _("Average helpfulness by hour of day")
    by_score = _("Answers by score")
    return [
        Chart(
            by_day,
            _("The average score (1 to 5) of the answers given on each day; 0 is a day without."),
            charts.bars(
                by_day,
                days,
                [(_("average helpfulness"), _means(list(result.per_day.values())))],
                every=max(1, len(days) // 7),
            ),
        ),
        Chart(
            by_hour,
            _("The average score by the hour the contact arrived, on the line's clock."),
            charts.bars(
                by_hour,
                [f"{hour:02d}" for hour in range(24)],
                [(_("average helpfulness"), _means(result.per_hour))],
                every=3,
            ),
        ),
        Chart(
            by_score,
            _("How many answers gave each score."),
            charts.bars(
                by_score,
                [str(score) for score in range(1, 6)],
                [(_("answers"), [result.scores.get(score, 0) for score in range(1, 6)])],
            ),
        ),
    ]


def _feedback(line_id: int) -> tuple[Line, feedback.FeedbackReport]:
    line = coordinated_line(line_id)
    first, last = period(line)
    return line, feedback.report(db_session(), line, first, last)


@coordinator_route(f"/lines/<{ID}:line_id>/feedback", methods=["GET"])
def feedback_page(line_id: int):
    """Show what callers and texters answered: over time, by hour, by specialist."""
    line, result = _feedback(line_id)
    return render_template(
        "console/feedback.html",
        line=line,
        result=result,
        tables=feedback_tables(result),
        charts=_charts(result),
        meanings=MEANINGS,
        about=ABOUT,
        headings=HEADINGS,
        first=result.first,
        last=result.last,
    )


@coordinator_route(f"/lines/<{ID}:line_id>/feedback/<name>.csv", methods=["GET"])
def feedback_csv(line_id: int, name: str):
    line, result = _feedback(line_id)
    tables = feedback_tables(result)
    if name not in tables:
        abort(404, description=_("No such table."))
    _title, header, rows = tables[name]
    return forms.csv_download(
        f"feedback-{name}-{line.id}-{result.first}-{result.last}.csv", header, rows
    )
