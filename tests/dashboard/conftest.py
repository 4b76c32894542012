"""Fixtures for the dashboard: a line, its people, and browsers signed in as them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import LINE_NUMBER, call_sid, make_line, make_specialist, message_sid
from warmline import urls
from warmline.lines import assign_coordinator
from warmline.models import Channel, Contact, Role
from warmline.people import add_user

PASSWORD = "a long enough password"
CALLER = "+14155550123"
TEXTER = "+14155550145"


class Dashboard:
    """One browser's view of the API: its own cookies and CSRF token."""

    def __init__(self, client) -> None:
        self.client = client
        self.csrf = ""

    def token(self) -> str:
        self.csrf = self.client.get("/api/session").json["csrf_token"]
        return self.csrf

    def sign_in(self, email: str, password: str = PASSWORD, **kwargs):
        response = self.post("/api/session", {"email": email, "password": password}, **kwargs)
        if response.status_code == 200:
            self.csrf = response.json["csrf_token"]
        return response

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, body=None, **kwargs):
        headers = {"X-CSRF-Token": self.csrf or self.token(), **kwargs.pop("headers", {})}
        return self.client.post(path, json=body, headers=headers, **kwargs)

    def start_shift(self, line_id: int):
        return self.post("/api/shift/start", {"line_id": line_id})

    def queue(self) -> dict:
        return self.get("/api/queue").json


@pytest.fixture
def browser(app):
    """A fresh browser with nobody signed in."""
    return Dashboard(app.test_client())


@pytest.fixture
def line(session):
    return make_line(session)


@pytest.fixture
def ana(session, line):
    return make_specialist(session, line, name="Ana", phone="+14155550171")


@pytest.fixture
def bo(session, line):
    return make_specialist(session, line, name="Bo", phone="+14155550172")


@pytest.fixture
def coordinator(session, line):
    """A coordinator who runs `line`."""
    user = add_user(
        session,
        email="cora@example.org",
        display_name="Cora",
        password=PASSWORD,
        role=Role.COORDINATOR,
    )
    assign_coordinator(session, line, user)
    session.commit()
    return user


def signed_in(app, user) -> Dashboard:
    dashboard = Dashboard(app.test_client())
    assert dashboard.sign_in(user.email).status_code == 200
    return dashboard


@pytest.fixture
def ana_browser(app, ana):
    return signed_in(app, ana)


@pytest.fixture
def bo_browser(app, bo):
    return signed_in(app, bo)


@pytest.fixture
def coordinator_browser(app, coordinator):
    return signed_in(app, coordinator)


def caller_arrives(twilio, session, *, caller: str = CALLER, to: str = LINE_NUMBER) -> int:
    """Ring the line through the signed voice webhook; return the new contact's id."""
    sid = call_sid()
    response = twilio.post(
        "/webhooks/voice/incoming",
        {"CallSid": sid, "To": to, "From": caller, "CallStatus": "ringing"},
    )
    assert response.status_code == 200
    session.expire_all()
    return session.scalar(select(Contact.id).where(Contact.call_sid == sid))


def texter_sends(twilio, session, body: str, *, texter: str = TEXTER) -> int:
    """Text the line through the signed SMS webhook; return the conversation's contact id."""
    response = twilio.post(
        "/webhooks/sms/incoming",
        {
            "MessageSid": message_sid(),
            "From": texter,
            "To": LINE_NUMBER,
            "Body": body,
            "NumMedia": "0",
        },
    )
    assert response.status_code == 200
    session.expire_all()
    return session.scalar(
        select(Contact.id).where(Contact.channel == Channel.SMS).order_by(Contact.id.desc())
    )


def call_sid_of(session, contact_id: int) -> str:
    session.expire_all()
    return session.get(Contact, contact_id).call_sid


def caller_connects(twilio, session, contact_id: int) -> None:
    """The specialist's phone was answered, and the worker moved the caller into their
    conference: Twilio reports the answer, then fetches the caller's TwiML."""
    sid = call_sid_of(session, contact_id)
    specialist_id = session.get(Contact, contact_id).specialist_id
    answered = {"CallSid": call_sid(), "CallStatus": "in-progress"}
    assert twilio.post(urls.offer_status(contact_id, specialist_id), answered).status_code == 200
    assert twilio.post(urls.connect(contact_id), {"CallSid": sid}).status_code == 200


def caller_hangs_up(twilio, session, contact_id: int) -> None:
    sid = call_sid_of(session, contact_id)
    response = twilio.post(
        "/webhooks/voice/status", {"CallSid": sid, "CallStatus": "completed", "SequenceNumber": "9"}
    )
    assert response.status_code == 200
