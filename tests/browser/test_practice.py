"""Issue 17 in Chromium: a specialist's "I need support" button during a call sounds on the
supervisor's live board; a trainer sets up a practice call on the practice page, sees it on
the board as practice, coaches it, and ticks its debrief; axe-clean, in English and Spanish."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import DEADLINE_MS, shoot
from tests.browser.test_accessibility import findings
from tests.browser.test_alerts import SOUND_SPY
from tests.browser.test_shift import sign_in, start_shift, take_from_queue
from tests.browser.test_supervision import sign_in_es
from tests.dashboard.conftest import caller_arrives, caller_connects
from tests.factories import call_sid, make_line, make_specialist
from warmline.lines import assign_coordinator
from warmline.live import LiveLine, now_ms
from warmline.models import Channel, Contact, PracticeCall, Role, utcnow


def test_the_specialists_i_need_support_button_sounds_on_the_supervisors_board(
    page, chromium, server, session, twilio, redis_client
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana", phone="+14155550171")
    sam = make_specialist(session, line, name="Sam", phone="+14155550199")
    sam.supervisor = True
    session.commit()
    board_context = chromium.new_context(viewport={"width": 1100, "height": 900})
    board_context.set_default_timeout(DEADLINE_MS)
    board = board_context.new_page()
    board.add_init_script(SOUND_SPY)
    sign_in(board, server, sam.email)
    board.goto(f"{server}/console/lines/{line.id}/live")
    expect(board.locator("#duty")).to_contain_text("You are on duty as a supervisor")

    sign_in(page, server, ana.email)
    start_shift(page)
    contact_id = caller_arrives(twilio, session)
    mine = take_from_queue(page, contact_id)
    expect(mine.get_by_role("button", name="Transfer to crisis line")).to_be_visible()
    caller_connects(twilio, session, contact_id)
    LiveLine(redis_client, line.id).record_leg(contact_id, ana.id, call_sid())
    mine.get_by_role("button", name="I need support").click()

    expect(
        page.get_by_role("status").filter(has_text="supervisor on duty was alerted")
    ).to_be_visible()
    expect(mine.locator(".support-state")).to_contain_text("You asked for support")
    alert = board.get_by_role("alert").filter(has_text="A specialist asks for support")
    expect(alert).to_contain_text(f"Ana, on Call #{contact_id} (en)")
    assert [s["kind"] for s in board.evaluate("window.sounds")] == ["support"]
    assert findings(page) == [] and findings(board) == []
    board_context.close()


def a_trainer_and_a_trainee(session):
    """Cora coordinates the line and supervises; Tia is in training; Bo plays the caller."""
    line = make_line(session, timezone="America/Chicago", languages=["en", "es"])
    tia = make_specialist(session, line, name="Tia", phone="+14155550172")
    tia.in_training = True
    make_specialist(session, line, name="Bo", phone="+14155550173")
    cora = make_specialist(session, line, name="Cora", phone="+14155550160")
    cora.role, cora.supervisor = Role.COORDINATOR, True
    assign_coordinator(session, line, cora)
    session.commit()
    return line, cora, tia


def test_a_trainer_sets_up_a_practice_call_coaches_it_and_ticks_its_debrief(
    page, server, session, app
):
    line, cora, tia = a_trainer_and_a_trainee(session)
    sign_in(page, server, cora.email)
    page.goto(f"{server}/console/lines/{line.id}/practice")
    expect(page.get_by_role("heading", name="Practice calls", exact=True)).to_be_visible()
    expect(page.locator("#scenario-becomes_at_risk")).to_contain_text("warm handoff")
    assert findings(page) == []

    page.get_by_label("Scenario").select_option(label="A caller who becomes at risk (en)")
    page.get_by_label("Trainee").select_option(label="Tia")
    page.get_by_label("The phone you will call from").select_option(label="Bo's phone")
    page.get_by_role("button", name="Set up the practice call").click()

    expect(page.get_by_role("status").first).to_contain_text(
        f"call {line.twilio_number} from Bo's phone within 10 minutes"
    )
    practice = page.locator(".practice-call")
    expect(practice).to_have_count(1)
    expect(practice).to_contain_text("Waiting for the call.")
    assert "+14155550173" not in page.content()
    shoot(page, "practice-page-set-up")

    # Bo's call arrives and Tia answers it: the live board shows it as practice, to coach.
    placed = session.scalar(select(PracticeCall).where(PracticeCall.line_id == line.id))
    now = utcnow()
    contact = Contact(
        line_id=line.id, channel=Channel.VOICE, language="en", practice=True,
        arrived_at=now - timedelta(minutes=2), connected_at=now - timedelta(minutes=1),
        specialist_id=tia.id,
    )  # fmt: skip
    session.add(contact)
    session.flush()
    placed.contact_id = contact.id
    session.commit()
    LiveLine(app.extensions["warmline"].redis, line.id).go_available(
        tia.id, ["en"], ready_ms=now_ms(), training=True
    )
    page.get_by_role("link", name="Live").click()
    row = page.locator("#conversations tr")
    expect(row).to_contain_text(f"Call #{contact.id} (en) · practice call")
    expect(
        page.get_by_role("button", name=f"Coach: Call #{contact.id} (en) · practice call, Tia")
    ).to_be_visible()

    page.get_by_role("link", name="Practice").click()
    debrief = page.locator(f"#practice-{placed.id}")
    expect(debrief).to_contain_text("Called.")
    debrief.get_by_label("Noticed the change and asked directly about suicide").check()
    debrief.get_by_label("Gave the crisis numbers (988, and 911 for immediate danger)").check()
    debrief.get_by_role("button", name="Save the debrief").click()

    expect(page.get_by_role("status").first).to_have_text("Debrief saved.")
    debrief = page.locator(f"#practice-{placed.id}")
    expect(
        debrief.get_by_label("Noticed the change and asked directly about suicide")
    ).to_be_checked()
    expect(debrief.get_by_label("Stayed calm and kept listening")).not_to_be_checked()
    expect(debrief).to_contain_text("saved at")
    assert findings(page) == []
    session.expire_all()
    assert session.get(PracticeCall, placed.id).debrief == ["noticed", "numbers"]


def test_the_practice_page_speaks_spanish_to_a_trainer_who_reads_it(page, server, session):
    line, cora, _tia = a_trainer_and_a_trainee(session)
    cora.interface_language = "es"
    session.commit()
    sign_in_es(page, server, cora.email)
    page.goto(f"{server}/console/lines/{line.id}/practice")

    expect(page.get_by_role("heading", name="Llamadas de práctica", exact=True)).to_be_visible()
    expect(page.get_by_label("Caso")).to_contain_text("Una persona que llama en español")
    expect(page.locator("#scenario-quiet_caller")).to_contain_text("Dejó los silencios")
    assert findings(page) == []
