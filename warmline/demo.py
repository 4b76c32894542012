"""The demo line `make run` seeds: a coordinator, three specialists on shift now, en and es."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline import presence
from warmline.jobs import Jobs
from warmline.lines import add_line, assign_coordinator, find_line
from warmline.models import Role, Shift, User, utcnow
from warmline.people import add_user, find_user
from warmline.roster import add_shift

DEMO_LINE = "+15017122661"
DEMO_PASSWORD = "warmline-demo-only"
PEOPLE = (
    ("coordinator@demo.warmline.test", "Casey (coordinator)", Role.COORDINATOR, None, ["en"]),
    ("ana@demo.warmline.test", "Ana", Role.SPECIALIST, "+14155550101", ["en", "es"]),
    ("bo@demo.warmline.test", "Bo", Role.SPECIALIST, "+14155550102", ["en"]),
    ("carmen@demo.warmline.test", "Carmen", Role.SPECIALIST, "+14155550103", ["es"]),
)
SHIFT_HOURS = 12


@dataclass(frozen=True)
class Demo:
    line_number: str
    sign_ins: tuple[tuple[str, str, str], ...]  # (name, email, phone)
    password: str = DEMO_PASSWORD


def seed(session: Session) -> Demo:
    """Create the demo line and its people once; roster the specialists around now."""
    line = find_line(session, DEMO_LINE) or add_line(
        session,
        name="Demo Warm Line",
        twilio_number=DEMO_LINE,
        languages=["en", "es"],
        overflow_number="+18002738255",
        ring_timeout_seconds=30,
        wrap_up_seconds=30,
    )
    now = utcnow()
    sign_ins = []
    for email, name, role, phone, languages in PEOPLE:
        user = find_user(session, email) or add_user(
            session,
            email=email,
            display_name=name,
            password=DEMO_PASSWORD,
            role=role,
            phone=phone,
            languages=languages,
        )
        sign_ins.append((name, email, phone or ""))
        if role is Role.COORDINATOR:
            assign_coordinator(session, line, user, via="demo")
        if role is Role.SPECIALIST and not _rostered_now(session, line.id, user.id):
            add_shift(
                session,
                line=line,
                user=user,
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(hours=SHIFT_HOURS),
            )
    session.commit()
    return Demo(line_number=line.twilio_number, sign_ins=tuple(sign_ins))


def _rostered_now(session: Session, line_id: int, user_id: int) -> bool:
    return presence.is_rostered(session, line_id=line_id, specialist_id=user_id, at=utcnow())


def start_shifts(session: Session, client: redis.Redis, jobs: Jobs) -> None:
    """Put the demo specialists on shift, as each would from the dashboard."""
    line = find_line(session, DEMO_LINE)
    specialists = session.scalars(
        select(User)
        .join(Shift, Shift.user_id == User.id)
        .where(Shift.line_id == line.id, User.role == Role.SPECIALIST)
    ).unique()
    for specialist in specialists:
        presence.start_shift(
            session, client, jobs, line_id=line.id, specialist_id=specialist.id, at=utcnow()
        )
