"""The line's clock: hours, holidays, "today / tomorrow / on Monday" and the daily limit,
at every hour of a day and on both days the clocks change, in New York, Madrid and Sydney.

The webhooks read the process clock; time-machine freezes it at each instant, so what a
caller hears is checked at the hour it would be wrong, whatever the hour the tests run at.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests import twiml
from tests.clock import ALL_DAYS, CHANGE_DAYS, EVERY_DAY, HOURS_LONG, instants, local, midnight
from tests.factories import LINE_NUMBER, call_sid, make_line, message_sid
from warmline import wording
from warmline.admission import over_daily_limit
from warmline.lines import is_open, next_opening
from warmline.models import WEEKDAYS, Channel, Contact, Line, Outcome
from warmline.wording import Form

NINE_TO_FIVE = {day: [["09:00", "17:00"]] for day in WEEKDAYS}
WEEKDAYS_NINE_TO_FIVE = {day: [["09:00", "17:00"]] for day in WEEKDAYS[:5]}
HALF_HOUR = timedelta(minutes=30)
# (today, tomorrow, on Monday) at 9 AM, in each language and form.
NINE_AM = {
    ("en", Form.SPOKEN): ("today at 9 AM", "tomorrow at 9 AM", "on Monday at 9 AM"),
    ("en", Form.WRITTEN): ("today at 9 AM", "tomorrow at 9 AM", "on Monday at 9 AM"),
    ("es", Form.SPOKEN): ("hoy a las 09:00", "mañana a las 09:00", "el lunes a las 09:00"),
    ("es", Form.WRITTEN): ("hoy a las 09:00", "manana a las 09:00", "el lunes a las 09:00"),
}


def a_line(zone: str, hours: dict[str, list[list[str]]], holidays: list[str] = ()) -> Line:
    return Line(timezone=zone, opening_hours=hours, holidays=list(holidays))


@EVERY_DAY
def test_each_day_is_as_long_as_its_clock_change_makes_it(zone, day, kind):
    # instants() adds the day's last minute to its whole hours.
    assert len(instants(zone, day)) - 1 == HOURS_LONG[kind]
    assert day.weekday() == 6 or kind == "ordinary"


@EVERY_DAY
def test_open_nine_to_five_and_reopening_today_or_tomorrow_at_every_half_hour(zone, day, kind):
    line = a_line(zone, NINE_TO_FIVE)
    for now in instants(zone, day, HALF_HOUR):
        hour = local(zone, now).hour
        assert is_open(line, now) == (9 <= hour < 17), now
        opens_at = next_opening(line, now)
        assert opens_at > now and (opens_at.hour, opens_at.minute) == (9, 0), now
        for (language, form), (today, tomorrow, _monday) in NINE_AM.items():
            expected = today if hour < 9 else tomorrow
            assert wording.reopens(opens_at, now, language, form) == expected, (now, language)


@CHANGE_DAYS
def test_a_weekday_line_reopens_on_monday_from_saturday_and_tomorrow_from_sunday(zone, day, kind):
    line = a_line(zone, WEEKDAYS_NINE_TO_FIVE)
    saturday = day - timedelta(days=1)
    for sunday_now in instants(zone, day, HALF_HOUR):
        opens_at = next_opening(line, sunday_now)
        for (language, form), (_today, tomorrow, _monday) in NINE_AM.items():
            assert wording.reopens(opens_at, sunday_now, language, form) == tomorrow, sunday_now
    for saturday_now in instants(zone, saturday, HALF_HOUR):
        opens_at = next_opening(line, saturday_now)
        for (language, form), (_today, _tomorrow, monday) in NINE_AM.items():
            assert wording.reopens(opens_at, saturday_now, language, form) == monday


@CHANGE_DAYS
def test_a_holiday_closes_its_local_day_on_the_lines_clock_and_no_more(zone, day, kind):
    line = a_line(zone, {weekday: [["00:00", "24:00"]] for weekday in WEEKDAYS}, [str(day)])
    tomorrow = midnight(zone, day + timedelta(days=1))
    for now in instants(zone, day, HALF_HOUR):
        assert not is_open(line, now), now
        assert next_opening(line, now) == tomorrow
        assert wording.reopens(next_opening(line, now), now, "en", Form.SPOKEN) == (
            "tomorrow at 12 AM"
        )
    assert is_open(line, midnight(zone, day) - timedelta(minutes=1))
    assert is_open(line, tomorrow)


@pytest.mark.parametrize(
    ("zone", "day", "skipped"),
    [
        ("America/New_York", "2026-03-08", "02:30"),
        ("Europe/Madrid", "2026-03-29", "02:30"),
        ("Australia/Sydney", "2026-10-04", "02:30"),
    ],
)
def test_an_opening_in_the_hour_the_clocks_skip_is_said_as_the_clock_shows_it(zone, day, skipped):
    line = a_line(zone, {"sun": [[skipped, "12:00"]]})
    before = midnight(zone, datetime.fromisoformat(day).date()) + timedelta(hours=1)
    opens_at = next_opening(line, before)
    # 01:00 standard time, then half an hour after the clocks jump from 02:00 to 03:00.
    assert opens_at.astimezone(UTC) - before == timedelta(hours=1, minutes=30)
    assert wording.reopens(opens_at, before, "en", Form.SPOKEN) == "today at 3:30 AM"
    assert wording.reopens(opens_at, before, "es", Form.WRITTEN) == "hoy a las 03:30"


def tag(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def answered(session, line: Line, caller: str, arrived: datetime) -> None:
    session.add(
        Contact(
            line_id=line.id,
            channel=Channel.VOICE,
            caller_tag=tag(caller),
            arrived_at=arrived,
            connected_at=arrived,
            ended_at=arrived + timedelta(minutes=10),
            language="en",
            outcome=Outcome.ANSWERED,
        )
    )


def test_the_daily_limit_is_the_lines_day_at_every_hour_around_midnight(session):
    """A talk half an hour ago counts against a call now only on the same local date.

    One database for every zone and day (each line its own), as a migration costs more
    than the hundreds of checks.
    """
    for number, (zone, day) in enumerate(ALL_DAYS):
        line = make_line(
            session, timezone=zone, daily_contact_limit=1, twilio_number=f"+1501712{number:04d}"
        )
        moments = [*instants(zone, day), midnight(zone, day + timedelta(days=1)) + HALF_HOUR / 2]
        for index, now in enumerate(moments):
            answered(session, line, f"caller {index}", now - HALF_HOUR)
        session.commit()
        for index, now in enumerate(moments):
            same_day = local(zone, now - HALF_HOUR).date() == local(zone, now).date()
            assert over_daily_limit(session, line, tag(f"caller {index}"), now) == same_day, now


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_the_daily_limit_on_postgresql_counts_from_the_lines_midnight(session):
    zone, day = "America/New_York", datetime(2026, 11, 1).date()
    line = make_line(session, timezone=zone, daily_contact_limit=1)
    first = midnight(zone, day)
    answered(session, line, "before", first - timedelta(minutes=40))
    answered(session, line, "after", first + timedelta(seconds=1))
    session.commit()
    at = first + timedelta(minutes=20)
    assert not over_daily_limit(session, line, tag("before"), at)
    assert over_daily_limit(session, line, tag("after"), at)


def caller_hears(twilio) -> str:
    params = {"CallSid": call_sid(), "To": LINE_NUMBER, "From": "+14155550123"}
    root = twiml.parse(twilio.post("/webhooks/voice/incoming", params))
    twiml.assert_valid_voice(root)
    return twiml.spoken(root)


def texter_reads(twilio, sender: str) -> str:
    params = {
        "MessageSid": message_sid(),
        "To": LINE_NUMBER,
        "From": sender,
        "Body": "hola, necesito hablar con alguien por favor",
        "NumMedia": "0",
    }
    root = twiml.parse(twilio.post("/webhooks/sms/incoming", params))
    return " ".join(message.text for message in root.iter("Message"))


@pytest.mark.parametrize(
    ("zone", "day"),
    [("America/New_York", "2026-11-01"), ("Australia/Sydney", "2026-10-04")],
    ids=["New_York-fall back", "Sydney-spring forward"],
)
def test_callers_and_texters_hear_the_lines_today_or_tomorrow_at_every_hour(
    twilio, session, zone, day
):
    """The process clock frozen at each hour: the webhooks' own "now" decides the words."""
    make_line(session, timezone=zone, opening_hours=NINE_TO_FIVE, languages=["en", "es"])
    for index, now in enumerate(instants(zone, datetime.fromisoformat(day).date())):
        hour = local(zone, now).hour
        if 9 <= hour < 17:
            continue
        english, spanish = ("today", "hoy") if hour < 9 else ("tomorrow", "manana")
        with time_machine.travel(now, tick=False):
            heard = caller_hears(twilio)
            read = texter_reads(twilio, f"+1415555{index:04d}")
        assert f"We are open again {english} at 9 AM." in heard, now
        assert f"Abrimos de nuevo {spanish} a las 09:00." in read, now
