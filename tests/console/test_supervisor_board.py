"""The live board for supervisors: a supervisor of the line opens it and nothing else of the
console; anyone else is turned away as before."""

from __future__ import annotations

from tests.console.conftest import make_person
from tests.console.test_console_pages import Browser
from tests.factories import make_line
from warmline import supervision


def supervisor_of(session, line, name: str = "Sam"):
    person = make_person(session, name, phone="+14155550199", line_ids=[line.id])
    person.supervisor = True
    session.commit()
    return person


def test_a_supervisor_opens_the_live_board_of_their_line_and_no_other_console_page(
    app, session, line
):
    browser = Browser(app.test_client())
    browser.sign_in(supervisor_of(session, line).email)

    page = browser.get(f"/console/lines/{line.id}/live")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f"/console/lines/{line.id}/settings" not in text and "/console/people" not in text
    for path in ("/console/", f"/console/lines/{line.id}", f"/console/lines/{line.id}/settings"):
        assert browser.get(path).status_code == 403, path


def test_a_supervisor_of_another_line_and_a_plain_specialist_do_not_see_the_board(
    app, session, line, ana
):
    hillside = make_line(session, name="Hillside", twilio_number="+15017122662")
    for person in (supervisor_of(session, hillside), ana):
        browser = Browser(app.test_client())
        browser.sign_in(person.email)
        assert browser.get(f"/console/lines/{line.id}/live").status_code in (403, 404)
        assert browser.get(f"/api/coordinator/lines/{line.id}/board").status_code in (403, 404)


def test_an_inactive_supervisor_is_no_supervisor(app, session, line):
    sam = supervisor_of(session, line)
    sam.active = False
    session.commit()

    assert supervision.serves(session, sam, line.id) is False
