"""Roster CSV import and export: all or nothing, with an error message per bad row."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests.console.conftest import BOTH
from tests.factories import LONG_AGO
from warmline import roster, roster_csv
from warmline.models import Shift, ShiftPattern

GOOD = (
    "email,date,start,end,repeat,until\r\n"
    "ana@example.org,2026-06-01,09:00,13:00,,\r\n"
    "bo@example.org,2026-06-02,18:00,22:00,weekly,2026-06-30\r\n"
)


@BOTH
def test_import_adds_shifts_and_weekly_patterns_and_export_gives_them_back(session, line, ana, bo):
    result = roster_csv.import_csv(session, line, "\ufeff" + GOOD, now=LONG_AGO)
    session.commit()
    assert result.ok and (result.shifts, result.patterns) == (1, 1)
    exported = roster_csv.export(session, line, date(2026, 6, 1), date(2026, 6, 30))
    assert exported.splitlines() == [
        "email,date,start,end,repeat,until",
        "bo@example.org,2026-06-02,18:00,22:00,weekly,2026-06-30",
        "ana@example.org,2026-06-01,09:00,13:00,,",
    ]


@BOTH
def test_one_bad_row_saves_nothing_and_every_bad_row_is_named(session, line, ana, bo):
    text = (
        "email,date,start,end\n"
        "ana@example.org,2026-06-01,09:00,13:00\n"
        "nobody@example.org,2026-06-01,09:00,13:00\n"
        "bo@example.org,01/06/2026,09:00,13:00\n"
        "bo@example.org,2026-06-01,9am,13:00\n"
        "ana@example.org,2026-06-01,12:00,14:00\n"
    )
    result = roster_csv.import_csv(session, line, text, now=LONG_AGO)
    session.commit()
    assert [str(e) for e in result.errors] == [
        "row 3: nobody signs in as 'nobody@example.org'",
        "row 4: date '01/06/2026' is not a date like 2026-11-21",
        "row 5: '9am' is not a time of day like 18:00",
        "row 6: Ana already has a shift at that time",
    ]
    assert session.scalar(select(func.count()).select_from(Shift)) == 0
    assert session.scalar(select(func.count()).select_from(ShiftPattern)) == 0


def test_a_file_without_the_columns_is_refused(session, line):
    result = roster_csv.import_csv(session, line, "name,when\nAna,today\n", now=LONG_AGO)
    assert [str(e) for e in result.errors] == ["row 1: the header lacks email, date, start, end"]


def test_export_never_hands_a_spreadsheet_a_formula(session, line):
    text = roster_csv.write_csv(["a", "b"], [["=HYPERLINK(1)", "+1"], ["-x", "ok"]])
    assert text.splitlines()[1:] == ["'=HYPERLINK(1),'+1", "'-x,ok"]


@BOTH
def test_export_lists_one_off_shifts_in_local_time(session, line, ana):
    roster.add_local_shift(
        session, now=LONG_AGO, line=line, user=ana, day=date(2026, 3, 8), start="01:00", end="05:00"
    )
    session.commit()
    exported = roster_csv.export(session, line, date(2026, 3, 8), date(2026, 3, 8))
    assert exported.splitlines()[1] == "ana@example.org,2026-03-08,01:00,05:00,,"
