"""Fixtures for the coordinator console: a line in Chicago and the people who run it."""

from __future__ import annotations

import pytest

from tests.factories import make_line
from warmline.models import Role
from warmline.people import add_user

PASSWORD = "a long enough password"
BOTH = pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)


def make_person(session, name: str, role: Role = Role.SPECIALIST, **fields):
    user = add_user(
        session,
        email=f"{name.lower()}@example.org",
        display_name=name,
        password=PASSWORD,
        role=role,
        **fields,
    )
    session.commit()
    return user


@pytest.fixture
def line(session):
    # Chicago: clocks go forward on 2026-03-08 and back on 2026-11-01.
    return make_line(session, timezone="America/Chicago")


@pytest.fixture
def ana(session, line):
    """A specialist of `line`."""
    return make_person(session, "Ana", phone="+14155550171", line_ids=[line.id])


@pytest.fixture
def bo(session, line):
    """A specialist of `line`."""
    return make_person(session, "Bo", phone="+14155550172", line_ids=[line.id])


@pytest.fixture
def cora(session):
    return make_person(session, "Cora", Role.COORDINATOR)
