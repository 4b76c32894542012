"""Issue 17 item 2 in Chromium: a supervisor's live board of the line (calls in progress with
their length ticking, crisis flags, texts waiting), a specialist's request for support
sounding on it, and the supervisor listening from it; axe-clean, in English and Spanish."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.test_accessibility import findings
from tests.browser.test_alerts import SOUND_SPY
from tests.browser.test_console import sign_in
from tests.factories import make_line, make_specialist
from warmline import supervision
from warmline.live import LiveLine, now_ms
from warmline.models import Channel, Contact, utcnow

TEXTER_TAG = "c" * 64


def a_call_in_progress(session, app, *, monitoring: bool = True):
    """Ana talking with a crisis-flagged caller for two minutes, a text waiting, and Sam, a
    specialist of the line who supervises it."""
    line = make_line(session, monitoring_enabled=monitoring)
    ana = make_specialist(session, line, name="Ana", phone="+14155550171")
    sam = make_specialist(session, line, name="Sam", phone="+14155550199")
    sam.supervisor = True
    now = utcnow()
    call = Contact(
        line_id=line.id, channel=Channel.VOICE, caller_tag="b" * 64, language="en",
        arrived_at=now - timedelta(minutes=3), connected_at=now - timedelta(minutes=2),
        crisis_tier=1, specialist_id=ana.id,
    )  # fmt: skip
    text = Contact(
        line_id=line.id, channel=Channel.SMS, caller_tag=TEXTER_TAG, language="en",
        arrived_at=now - timedelta(minutes=1),
    )  # fmt: skip
    session.add_all([call, text])
    session.commit()
    live = LiveLine(app.extensions["warmline"].redis, line.id)
    live.go_available(ana.id, ["en"], ready_ms=now_ms())
    live.enqueue(text.id, language="en", tier=0, arrived_ms=now_ms() - 60_000)
    return line, ana, sam, call


def open_the_board(page, server, sam, line) -> None:
    page.add_init_script(SOUND_SPY)
    sign_in(page, server, sam.email)
    page.get_by_role("link", name=f"Supervise {line.name}").click()
    expect(page.locator("#duty")).to_contain_text("You are on duty as a supervisor")


def test_a_supervisor_sees_calls_ticking_hears_a_request_for_support_and_listens(
    page, server, session, app
):
    line, ana, sam, call = a_call_in_progress(session, app)
    open_the_board(page, server, sam, line)

    row = page.locator("#conversations tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"Call #{call.id} (en)")
    expect(row).to_contain_text("Ana")
    expect(row).to_contain_text("Risk")
    expect(row).to_have_class("crisis")
    length = row.locator("td").nth(2)
    first = length.inner_text()
    assert first.startswith("2:")
    expect(length).not_to_have_text(first)
    expect(page.locator("#texts-waiting")).to_have_text("1 text waiting.")
    expect(page.locator("#support-alert")).to_be_hidden()

    with app.app_context():
        supervision.ask_for_support(
            session,
            app.extensions["warmline"].redis,
            contact=session.get(Contact, call.id),
            specialist_id=ana.id,
            at_ms=now_ms(),
        )

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("A specialist asks for support")
    expect(alert).to_contain_text(f"Ana, on Call #{call.id} (en)")
    expect(row).to_contain_text("Asks for support")
    sounds = page.evaluate("window.sounds")
    assert [s["kind"] for s in sounds] == ["support"]
    assert findings(page) == []
    shoot(page, "supervisor-board-support-requested")

    page.get_by_role("button", name=f"Listen: Call #{call.id} (en), Ana").click()

    expect(page.locator("#supervise-notice")).to_contain_text("Your phone rings now")
    expect(row).to_contain_text("A supervisor is listening")
    expect(page.locator("#support-alert")).to_be_hidden()
    expect(page.get_by_role("button", name=f"Coach: Call #{call.id} (en), Ana")).to_be_visible()
    body = page.content()
    assert "+1415" not in body and TEXTER_TAG not in body
    assert findings(page) == []


def test_on_a_line_that_does_not_say_so_the_board_offers_no_listening(page, server, session, app):
    line, _ana, sam, call = a_call_in_progress(session, app, monitoring=False)
    open_the_board(page, server, sam, line)

    expect(page.locator("#duty")).to_contain_text("you cannot listen to its calls")
    expect(page.locator("#conversations tr")).to_contain_text(f"Call #{call.id}")
    expect(page.locator("#conversations button")).to_have_count(0)


def test_the_board_speaks_spanish_to_a_supervisor_who_reads_it(page, server, session, app):
    line, _ana, sam, call = a_call_in_progress(session, app)
    sam.interface_language = "es"
    session.commit()
    page.add_init_script(SOUND_SPY)
    sign_in_es(page, server, sam.email)
    page.goto(f"{server}/console/lines/{line.id}/live")

    expect(page.get_by_role("heading", name="En conversación")).to_be_visible()
    expect(page.locator("#duty")).to_contain_text("Estás de guardia como supervisor")
    expect(
        page.get_by_role("button", name=f"Escuchar: Llamada #{call.id} (en), Ana")
    ).to_be_visible()
    assert findings(page) == []


def sign_in_es(page, server: str, email: str) -> None:
    """Sign in as someone whose pages are in Spanish."""
    page.goto(f"{server}/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Tu turno")).to_be_visible()
