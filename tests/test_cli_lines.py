"""The operator names the lines a specialist answers, and rosters only someone with a phone."""

from __future__ import annotations

from sqlalchemy import select

from tests.test_cli import PASSWORD, db, operator, stand_up  # noqa: F401 (fixtures)
from warmline.models import Line, Shift, User
from warmline.people import lines_served


def _add(run, email: str, *extra: str):
    return run(
        "user", "add", "--email", email, "--name", email.split("@")[0].title(), *extra,
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip


def test_user_add_names_the_lines_they_answer(operator, db):  # noqa: F811
    stand_up(operator)
    added = _add(operator, "bo@example.org", "--phone", "+14155550172", "--line", "+15017122661")
    assert added.exit_code == 0, added.output
    bo = db.scalars(select(User).where(User.email == "bo@example.org")).one()
    assert lines_served(db, bo.id) == {db.scalars(select(Line)).one().id}
    unknown = _add(operator, "cy@example.org", "--line", "+15017129999")
    assert unknown.exit_code != 0 and "no line answers that number" in unknown.output


def test_shift_add_refuses_someone_without_a_phone(operator, db):  # noqa: F811
    stand_up(operator)
    assert _add(operator, "dee@example.org").exit_code == 0
    shift = operator(
        "shift", "add", "--line", "+15017122661", "--user", "dee@example.org",
        "--start", "2026-11-21 18:00", "--end", "2026-11-21 22:00",
    )  # fmt: skip
    assert shift.exit_code != 0
    assert "Dee has no phone for offers to ring" in shift.output
    assert db.scalars(select(Shift)).first() is None
    dee = db.scalars(select(User).where(User.email == "dee@example.org")).one()
    assert lines_served(db, dee.id) == set()  # the refusal undid joining the line too


def test_line_add_refuses_a_language_the_line_has_no_scripts_in(operator, db):  # noqa: F811
    assert operator("db", "upgrade").exit_code == 0
    added = operator(
        "line", "add", "--name", "Riverside", "--number", "+15017122661",
        "--language", "en", "--language", "fr",
    )  # fmt: skip
    assert added.exit_code != 0
    assert "there are no scripts in 'fr'" in added.output
    assert "choose from English (en) and Spanish (es)" in added.output
    assert db.scalars(select(Line)).first() is None
