"""Text conversations through gunicorn and RQ workers, carried by the Twilio simulator."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
import requests

from tests.e2e.stack import PASSWORD
from tests.services import wait_for
from warmline.crisis.scripts import referral_script
from warmline.models import Outcome
from warmline.simulator.texts import REPLIES

DEADLINE = 30


class Dashboard:
    """One specialist's browser, talking to the dashboard's API over HTTP."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        self.csrf = self.http.get(f"{base_url}/api/session", timeout=10).json()["csrf_token"]

    def post(self, path: str, body: dict | None = None) -> requests.Response:
        return self.http.post(
            self.base_url + path, json=body, headers={"X-CSRF-Token": self.csrf}, timeout=10
        )

    def sign_in(self, email: str) -> None:
        response = self.post("/api/session", {"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        self.csrf = response.json()["csrf_token"]

    def start_shift(self, line_id: int) -> None:
        response = self.post("/api/shift/start", {"line_id": line_id})
        assert response.status_code == 200, response.text

    def shift(self) -> dict:
        return self.http.get(f"{self.base_url}/api/shift", timeout=10).json()

    def text_offered(self) -> int | None:
        """The texter being offered on this dashboard, as its page asks for it."""
        return self.shift().get("text_offer_contact_id")


@pytest.fixture
def open_dashboard(stack) -> Iterator[Callable[..., Dashboard]]:
    """Sign a specialist in on a browser of their own and start their shift on a line."""
    opened: list[Dashboard] = []

    def open_for(specialist, line) -> Dashboard:
        dashboard = Dashboard(stack.settings.public_url)
        opened.append(dashboard)
        dashboard.sign_in(specialist.email)
        dashboard.start_shift(line.id)
        return dashboard

    yield open_for
    for dashboard in opened:
        dashboard.http.close()


def received(phone, line) -> list[str]:
    return [text.body for text in phone.texts if text.sender == line.twilio_number]


def test_two_specialists_race_to_accept_the_same_texter_and_exactly_one_wins(
    scenario, open_dashboard
):
    line = scenario.line()
    ana = scenario.specialist(line, "Ana", on_shift=False)
    bo = scenario.specialist(line, "Bo", on_shift=False)
    browsers = {ana.name: open_dashboard(ana, line), bo.name: open_dashboard(bo, line)}
    texter = scenario.phone()

    texter.send_text(line.twilio_number, "hi, it has been a rough week, can someone talk?")
    wait_for(lambda: received(texter, line), timeout=DEADLINE, what="the welcome text")
    contact = scenario.contact(line)
    start = threading.Barrier(len(browsers))
    answers: dict[str, int] = {}

    def accept(name: str) -> None:
        start.wait(timeout=10)
        answers[name] = browsers[name].post(f"/api/contacts/{contact.id}/accept").status_code

    racers = [threading.Thread(target=accept, args=(name,)) for name in browsers]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=DEADLINE)

    assert sorted(answers.values()) == [200, 409], answers
    [winner] = [name for name, status in answers.items() if status == 200]
    [loser] = [name for name in browsers if name != winner]
    ids = {ana.name: ana.id, bo.name: bo.id}
    assert scenario.contact(line).specialist_id == ids[winner]
    live = scenario.live(line)
    assert live.texts_held(ids[winner]) == [contact.id]
    assert live.texts_held(ids[loser]) == []
    reply = browsers[winner].post(
        f"/api/contacts/{contact.id}/messages", {"body": "Hi, I'm here. What has been going on?"}
    )
    assert reply.status_code == 201, reply.text
    wait_for(
        lambda: "Hi, I'm here. What has been going on?" in received(texter, line),
        timeout=DEADLINE,
        what="the winner's reply to reach the texter",
    )
    not_theirs = browsers[loser].post(
        f"/api/contacts/{contact.id}/messages", {"body": "Hello, I'm here too."}
    )
    assert not_theirs.status_code == 404
    assert "Hello, I'm here too." not in received(texter, line)
    assert scenario.errors() == []


def test_a_crisis_texter_gets_the_crisis_reply_alone_and_the_chat_shows_it_with_its_time(
    scenario, open_dashboard
):
    """Issue 13, item 5: the crisis reply and nothing generic after it; the specialist's chat
    lists every text the line sent, marked as the line's, with its time."""
    line = scenario.line()
    ana = scenario.specialist(line, "Ana", on_shift=False)
    browser = open_dashboard(ana, line)
    texter = scenario.phone()

    texter.send_text(line.twilio_number, "I want to kill myself tonight")
    wait_for(lambda: received(texter, line), timeout=DEADLINE, what="the crisis reply")
    contact = scenario.contact(line)
    assert browser.post(f"/api/contacts/{contact.id}/accept").status_code == 200
    reply = browser.post(f"/api/contacts/{contact.id}/messages", {"body": "I'm here with you."})
    assert reply.status_code == 201, reply.text
    wait_for(
        lambda: "I'm here with you." in received(texter, line),
        timeout=DEADLINE,
        what="the specialist's reply",
    )

    referral = referral_script("caller", "sms", "en")
    assert received(texter, line) == [referral, "I'm here with you."]
    chat = browser.http.get(
        f"{browser.base_url}/api/contacts/{contact.id}/messages", timeout=10
    ).json()
    listed = [(m["sender"], m["kind"], m["body"]) for m in chat["messages"]]
    assert listed == [
        ("texter", None, "I want to kill myself tonight"),
        ("line", "referral", referral),
        ("specialist", None, "I'm here with you."),
    ]
    assert all(datetime.fromisoformat(m["at"]) for m in chat["messages"])
    assert chat["referral_sent_at"] == chat["messages"][1]["at"]
    assert scenario.contact(line).crisis_referred_at is not None
    assert scenario.errors() == []


def test_the_welcome_is_in_the_chat_as_the_line_sent_it(scenario, open_dashboard):
    line = scenario.line()
    ana = scenario.specialist(line, "Ana", on_shift=False)
    browser = open_dashboard(ana, line)
    texter = scenario.phone()

    texter.send_text(line.twilio_number, "hi, it has been a rough week")
    wait_for(lambda: received(texter, line), timeout=DEADLINE, what="the welcome")
    contact = scenario.contact(line)
    assert browser.post(f"/api/contacts/{contact.id}/accept").status_code == 200
    chat = browser.http.get(
        f"{browser.base_url}/api/contacts/{contact.id}/messages", timeout=10
    ).json()

    [welcome] = received(texter, line)
    texter_text, line_text = chat["messages"]
    assert (line_text["sender"], line_text["kind"], line_text["body"]) == (
        "line",
        "welcome",
        welcome,
    )
    assert datetime.fromisoformat(texter_text["at"]) <= datetime.fromisoformat(line_text["at"])
    assert chat["referral_sent_at"] is None
    assert scenario.errors() == []


def test_a_flagged_texter_gets_the_crisis_numbers_before_stop_and_nothing_is_refused_after(
    scenario, open_dashboard
):
    """Twilio answers STOP itself and refuses anything sent after it (error 21610):
    https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out and
    https://www.twilio.com/docs/api/errors/21610
    """
    line = scenario.line()
    ana = scenario.specialist(line, "Ana", on_shift=False)
    browser = open_dashboard(ana, line)
    texter = scenario.phone()

    texter.send_text(line.twilio_number, "I want to kill myself tonight")
    wait_for(lambda: len(received(texter, line)) == 1, timeout=DEADLINE, what="the reply")
    contact = scenario.contact(line)
    assert browser.post(f"/api/contacts/{contact.id}/accept").status_code == 200
    texter.send_text(line.twilio_number, "STOP")
    wait_for(lambda: len(received(texter, line)) == 2, timeout=DEADLINE, what="Twilio's reply")
    wait_for(
        lambda: scenario.contact(line).ended_at is not None,
        timeout=DEADLINE,
        what="the conversation to close",
    )
    late = browser.post(f"/api/contacts/{contact.id}/messages", {"body": "Are you still there?"})

    referral, stopped = received(texter, line)
    assert referral == referral_script("caller", "sms", "en")
    assert stopped == REPLIES["STOP"]
    assert late.status_code != 201
    assert scenario.contact(line).outcome is Outcome.OPTED_OUT
    assert scenario.errors() == []


def test_a_texter_back_with_yes_is_heard_again_crisis_text_included(scenario):
    line = scenario.line()
    scenario.specialist(line, "Ana")
    texter = scenario.phone()

    for word in ("STOP", "YES"):
        texter.send_text(line.twilio_number, word)
    texter.send_text(line.twilio_number, "I want to kill myself tonight")
    wait_for(lambda: len(received(texter, line)) == 3, timeout=DEADLINE, what="the replies")

    assert received(texter, line) == [
        REPLIES["STOP"],
        REPLIES["START"],
        referral_script("caller", "sms", "en"),
    ]
    assert scenario.errors() == []


# Issue 18 item 2: a waiting texter is offered on a free specialist's dashboard, the way a
# call is; they accept it or let it pass, and then it goes to the next one.
OFFER_RING_TIMEOUT = 60


def test_a_texter_is_offered_on_the_dashboard_and_the_specialist_accepts(scenario, open_dashboard):
    line = scenario.line(ring_timeout_seconds=OFFER_RING_TIMEOUT)
    ana = scenario.specialist(line, "Ana", on_shift=False)
    browser = open_dashboard(ana, line)
    texter = scenario.phone()

    texter.send_text(line.twilio_number, "hi, can someone talk with me tonight?")
    wait_for(lambda: received(texter, line), timeout=DEADLINE, what="the welcome")
    contact = scenario.contact(line)
    wait_for(
        lambda: browser.text_offered() == contact.id,
        timeout=DEADLINE,
        what="the texter to be offered on Ana's dashboard",
    )
    [waiting] = browser.http.get(f"{browser.base_url}/api/queue", timeout=10).json()["waiting"]
    assert (waiting["id"], waiting["state"], waiting["takeable"]) == (contact.id, "offered", True)

    accepted = browser.post(f"/api/contacts/{contact.id}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["text_offer_contact_id"] is None
    assert accepted.json()["status"] == "texting"
    reply = browser.post(f"/api/contacts/{contact.id}/messages", {"body": "Hi, I'm here."})
    assert reply.status_code == 201, reply.text
    wait_for(
        lambda: "Hi, I'm here." in received(texter, line),
        timeout=DEADLINE,
        what="Ana's reply to reach the texter",
    )
    assert scenario.contact(line).specialist_id == ana.id
    assert scenario.live(line).waiting() == []
    assert scenario.errors() == []


def test_a_texter_one_specialist_lets_pass_is_offered_to_the_next(scenario, open_dashboard):
    line = scenario.line(ring_timeout_seconds=OFFER_RING_TIMEOUT)
    ana = scenario.specialist(line, "Ana", on_shift=False)
    bo = scenario.specialist(line, "Bo", on_shift=False)
    # Ana started first: she has been idle longest, and is offered the texter first.
    browsers = {ana.name: open_dashboard(ana, line), bo.name: open_dashboard(bo, line)}
    texter = scenario.phone()

    texter.send_text(line.twilio_number, "is anyone there? it has been a long day")
    wait_for(lambda: received(texter, line), timeout=DEADLINE, what="the welcome")
    contact = scenario.contact(line)
    wait_for(
        lambda: browsers["Ana"].text_offered() == contact.id,
        timeout=DEADLINE,
        what="the texter to be offered to Ana",
    )
    assert browsers["Bo"].text_offered() is None, "one specialist at a time"

    passed = browsers["Ana"].post(f"/api/contacts/{contact.id}/pass")
    assert passed.status_code == 200, passed.text
    assert passed.json()["status"] == "available", "letting a text pass is no missed call"
    wait_for(
        lambda: browsers["Bo"].text_offered() == contact.id,
        timeout=DEADLINE,
        what="the texter to be offered to Bo next",
    )
    assert browsers["Ana"].text_offered() is None, "not offered back to Ana at once"
    again = browsers["Ana"].post(f"/api/contacts/{contact.id}/pass")
    assert again.status_code == 409
    assert "no longer offered to you" in again.json()["error"]

    accepted = browsers["Bo"].post(f"/api/contacts/{contact.id}/accept")
    assert accepted.status_code == 200, accepted.text
    late = browsers["Ana"].post(f"/api/contacts/{contact.id}/accept")
    assert late.status_code == 409
    assert late.json()["error"] == "Someone else took that text conversation."
    reply = browsers["Bo"].post(f"/api/contacts/{contact.id}/messages", {"body": "Bo here."})
    assert reply.status_code == 201, reply.text
    wait_for(
        lambda: "Bo here." in received(texter, line),
        timeout=DEADLINE,
        what="Bo's reply to reach the texter",
    )
    assert scenario.contact(line).specialist_id == bo.id
    assert browsers["Ana"].shift()["status"] == "available"
    assert scenario.errors() == []
