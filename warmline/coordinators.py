"""The coordinators on shift on a line, and the notices a specialist sends them.

Coordinators are not rostered: the roster is for specialists taking contacts. A coordinator
is on shift on a line, here, while a console page of theirs is open for it: every console
page asks for notices every few seconds (`keep_watch`), from any web process or host, and
counts as open for WATCH_MS after its last ask. That is who a notice would reach now.

A notice names the specialist who sent it (or none, when the line itself warns of something)
and when, never a contact: it may be shown on any coordinator's screen. Notices live in
Redis for NOTICE_MS, under the line's hash tag.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

import redis
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from warmline.models import LineCoordinator, Role, User

# A console page asks every 5 s; three missed asks and it counts as closed.
WATCH_MS = 15_000
# How long a notice is shown to a coordinator who opens the console after it was sent.
NOTICE_MS = 15 * 60_000


@dataclass(frozen=True)
class Notice:
    """Something a specialist asked the coordinators on shift for."""

    id: str
    kind: str
    line_id: int
    from_id: int | None
    from_name: str | None
    at_ms: int

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "line_id": self.line_id,
            "from_id": self.from_id,
            "from_name": self.from_name,
            "at_ms": self.at_ms,
        }


def _key(line_id: int, name: str) -> str:
    return f"warmline:{{line:{line_id}}}:coordinators:{name}"


def keep_watch(client: redis.Redis, line_ids: list[int], coordinator_id: int, at_ms: int) -> None:
    """Note that a console page of this coordinator is open for these lines at `at_ms`."""
    for line_id in line_ids:
        client.zadd(_key(line_id, "watching"), {coordinator_id: at_ms}, gt=True)


def on_shift(session: Session, client: redis.Redis, line_id: int, *, at_ms: int) -> list[User]:
    """Return the line's coordinators (and administrators) with a console open, by name."""
    watching = [
        int(c) for c in client.zrangebyscore(_key(line_id, "watching"), at_ms - WATCH_MS, "+inf")
    ]
    if not watching:
        return []
    runs_line = select(LineCoordinator.user_id).where(LineCoordinator.line_id == line_id)
    return list(
        session.scalars(
            select(User)
            .where(
                User.id.in_(watching),
                User.active.is_(True),
                or_(
                    User.role == Role.ADMIN,
                    (User.role == Role.COORDINATOR) & User.id.in_(runs_line),
                ),
            )
            .order_by(User.display_name)
        )
    )


def notify(
    client: redis.Redis, line_id: int, kind: str, *, from_id: int, from_name: str, at_ms: int
) -> Notice:
    """Send a notice to the line's coordinators' consoles (and keep it a while for late ones)."""
    return _send(client, Notice(secrets.token_hex(8), kind, line_id, from_id, from_name, at_ms))


def warn(client: redis.Redis, line_id: int, kind: str, *, at_ms: int) -> Notice:
    """Send the line's coordinators a notice from the line itself, from no specialist."""
    return _send(client, Notice(secrets.token_hex(8), kind, line_id, None, None, at_ms))


def _send(client: redis.Redis, notice: Notice) -> Notice:
    key = _key(notice.line_id, "notices")
    at_ms = notice.at_ms
    with client.pipeline() as pipe:
        pipe.zadd(key, {json.dumps(notice.as_json()): at_ms})
        pipe.zremrangebyscore(key, "-inf", at_ms - NOTICE_MS)
        pipe.pexpire(key, NOTICE_MS)
        pipe.execute()
    return notice


def notices(client: redis.Redis, line_ids: list[int], *, at_ms: int) -> list[Notice]:
    """Return the notices sent to these lines' coordinators lately, oldest first."""
    found = []
    for line_id in line_ids:
        for raw in client.zrangebyscore(_key(line_id, "notices"), at_ms - NOTICE_MS, "+inf"):
            found.append(Notice(**json.loads(raw)))
    return sorted(found, key=lambda notice: notice.at_ms)
