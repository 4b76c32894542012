"""When the line reopens, and the words every caller and texter gets, from config/scripts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from warmline import wording
from warmline.lines import next_opening
from warmline.models import WEEKDAYS, Line
from warmline.wording import Form

NEW_YORK = ZoneInfo("America/New_York")
# An ordinary day, the day clocks spring forward (23 hours) and the day they fall back (25).
DAYS = ["2026-12-02", "2026-03-08", "2026-11-01"]
NINE_AM = {
    ("en", Form.SPOKEN): ("today at 9 AM", "tomorrow at 9 AM"),
    ("en", Form.WRITTEN): ("today at 9 AM", "tomorrow at 9 AM"),
    ("es", Form.SPOKEN): ("hoy a las 09:00", "mañana a las 09:00"),
    ("es", Form.WRITTEN): ("hoy a las 09:00", "manana a las 09:00"),
}


def every_hour_of(day: str) -> list[datetime]:
    """Return each whole hour of a New York day, as UTC instants, as a webhook sees them."""
    start = datetime.fromisoformat(day).replace(tzinfo=NEW_YORK).astimezone(UTC)
    end = (datetime.fromisoformat(day) + timedelta(days=1)).replace(tzinfo=NEW_YORK)
    hours = int((end.astimezone(UTC) - start).total_seconds() // 3600)
    return [start + timedelta(hours=hour) for hour in range(hours)]


def line_open(hours: dict[str, list[list[str]]]) -> Line:
    return Line(timezone="America/New_York", opening_hours=hours, holidays=[])


def test_a_spring_forward_day_has_23_hours_and_a_fall_back_day_25():
    assert [len(every_hour_of(day)) for day in DAYS] == [24, 23, 25]


@pytest.mark.parametrize(("language", "form"), list(NINE_AM))
@pytest.mark.parametrize("day", DAYS)
def test_reopening_at_nine_is_today_before_nine_and_tomorrow_after_in_the_lines_timezone(
    day, language, form
):
    line = line_open({weekday: [["09:00", "17:00"]] for weekday in WEEKDAYS})
    today, tomorrow = NINE_AM[language, form]
    for now in every_hour_of(day):
        expected = today if now.astimezone(NEW_YORK).hour < 9 else tomorrow
        assert wording.reopens(next_opening(line, now), now, language, form) == expected, now


# Three days on from each day in DAYS, said in each language and form.
THREE_DAYS_ON = {
    "2026-12-02": ("Saturday", "sábado", "sabado"),
    "2026-03-08": ("Wednesday", "miércoles", "miercoles"),
    "2026-11-01": ("Wednesday", "miércoles", "miercoles"),
}


@pytest.mark.parametrize("day", DAYS)
def test_reopening_three_days_on_names_the_weekday_at_every_hour(day):
    english, spoken, written = THREE_DAYS_ON[day]
    opening_day = datetime.fromisoformat(day) + timedelta(days=3)
    line = line_open({WEEKDAYS[opening_day.weekday()]: [["10:30", "12:00"]]})
    for now in every_hour_of(day):
        opens_at = next_opening(line, now)
        assert opens_at.date() == opening_day.date()
        assert wording.reopens(opens_at, now, "en", Form.SPOKEN) == f"on {english} at 10:30 AM"
        assert wording.reopens(opens_at, now, "en", Form.WRITTEN) == f"on {english} at 10:30 AM"
        assert wording.reopens(opens_at, now, "es", Form.SPOKEN) == f"el {spoken} a las 10:30"
        assert wording.reopens(opens_at, now, "es", Form.WRITTEN) == f"el {written} a las 10:30"


def test_between_utc_midnight_and_new_york_midnight_tomorrow_is_new_yorks_tomorrow():
    # 01:00 UTC on 3 December is 20:00 on 2 December in New York.
    now = datetime(2026, 12, 3, 1, tzinfo=UTC)
    opens_at = datetime(2026, 12, 3, 9, tzinfo=NEW_YORK)
    assert wording.reopens(opens_at, now, "en", Form.SPOKEN) == "tomorrow at 9 AM"
    assert wording.reopens(opens_at, now, "es", Form.WRITTEN) == "manana a las 09:00"


@pytest.mark.parametrize(
    ("hour", "minute", "english", "spanish"),
    [
        (0, 0, "12 AM", "00:00"),
        (9, 5, "9:05 AM", "09:05"),
        (12, 0, "12 PM", "12:00"),
        (12, 30, "12:30 PM", "12:30"),
        (17, 0, "5 PM", "17:00"),
        (23, 45, "11:45 PM", "23:45"),
    ],
)
def test_clock_is_twelve_hour_in_english_and_twenty_four_hour_in_spanish(
    hour, minute, english, spanish
):
    now = datetime(2026, 12, 2, 0, 0, tzinfo=NEW_YORK)
    opens_at = now.replace(hour=hour, minute=minute) + timedelta(days=1)
    assert wording.reopens(opens_at, now, "en", Form.WRITTEN) == f"tomorrow at {english}"
    assert wording.reopens(opens_at, now, "es", Form.SPOKEN) == f"mañana a las {spanish}"


def test_a_language_without_its_own_words_hears_english():
    now = datetime(2026, 12, 2, 8, tzinfo=NEW_YORK)
    opens_at = now.replace(hour=9)
    assert wording.reopens(opens_at, now, "fr", Form.SPOKEN) == "today at 9 AM"
    assert wording.text("stopped", "fr") == wording.text("stopped", "en")
    assert wording.spoken("hold", "fr") == wording.spoken("hold", "en")
    assert wording.spoken("hold", "fr").language == "en"


@pytest.mark.parametrize(
    ("opens_at", "now"),
    [
        (datetime(2026, 12, 2, 9), datetime(2026, 12, 2, 8, tzinfo=UTC)),
        (datetime(2026, 12, 2, 9, tzinfo=UTC), datetime(2026, 12, 2, 8, tzinfo=UTC)),
        (datetime(2026, 12, 2, 9, tzinfo=NEW_YORK), datetime(2026, 12, 2, 8)),
    ],
    ids=["naive opening", "opening in UTC, not the line's timezone", "naive now"],
)
def test_reopening_refuses_times_that_would_guess_the_lines_day(opens_at, now):
    with pytest.raises(ValueError):
        wording.reopens(opens_at, now, "en", Form.SPOKEN)


def test_still_waiting_names_the_place_in_line_in_each_language():
    assert "number 4 in line" in wording.text("still_waiting", "en", position=4)
    assert "el lugar 4 en la fila" in wording.text("still_waiting", "es", position=4)


def test_crisis_numbers_are_said_in_both_languages_unless_the_caller_speaks_spanish():
    assert [s.language for s in wording.crisis_numbers("en")] == ["en", "es"]
    assert [s.language for s in wording.crisis_numbers("fr")] == ["en", "es"]
    assert [s.language for s in wording.crisis_numbers("es")] == ["es"]


def test_language_menu_offers_each_extra_language_once_in_its_own_language():
    menu = [(s.text, s.language) for s in wording.language_menu(("en", "es"), "en")]
    assert menu == [("Para español, marque 2.", "es")]
    assert [s.text for s in wording.language_menu(("en", "es"), "es")] == ["For English, press 1."]
    assert wording.language_menu(("en",), "en") == ()


@pytest.mark.parametrize(
    ("minutes", "waited"), [(0, "less than a minute"), (1, "1 minute"), (7, "7 minutes")]
)
def test_whisper_tells_the_specialist_the_wait_and_the_language(minutes, waited):
    assert wording.whisper(minutes, "es") == (
        f"Warm line call, waiting {waited}, in Spanish. Press 1 to accept."
    )
