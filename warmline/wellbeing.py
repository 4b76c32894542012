"""Wellbeing: a recovery break after a hard contact, and a specialist's wish to check in.

A recovery break is the end of the specialist's place on the rota moved later: their score
in the free set is the moment it ends, so no claim offers them anything before then and
nothing has to wake up to end it (DESIGN.md: no in-process timers). It follows the wrap-up
of a contact that showed crisis signs at any point (or was referred to the crisis line), of
a call longer than the line's threshold, or of the line's cap of contacts in a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import redis
from sqlalchemy.orm import Session

from warmline import audit, coordinators
from warmline.jobs import Jobs
from warmline.live import LiveLine, now_ms
from warmline.models import Contact, Line, User

# What "5 more minutes" adds to a recovery break, and the longest it may then run from now.
EXTEND_MINUTES = 5
LONGEST_RECOVERY_MINUTES = 60


@dataclass(frozen=True)
class AfterContact:
    """When offers start again after a contact: wrap-up, then a recovery break if earned."""

    wrap_up_ends_ms: int
    ready_ms: int

    @property
    def recovering(self) -> bool:
        return self.ready_ms > self.wrap_up_ends_ms

    @property
    def status(self) -> str:
        return "recovery" if self.recovering else "wrap_up"

    @property
    def recovery_from_ms(self) -> int:
        return self.wrap_up_ends_ms if self.recovering else 0

    @property
    def seconds(self) -> int:
        """How long from now until offers start again, for the job that makes them then."""
        return max(0, (self.ready_ms - now_ms() + 999) // 1000)


def earns_recovery(
    line: Line, *, crisis_tier: int, crisis_referred: bool, talk_seconds: int, in_a_row: int
) -> bool:
    """Whether a contact just ended earns its specialist a recovery break."""
    if line.recovery_seconds <= 0:
        return False
    long_call = line.long_call_minutes > 0 and talk_seconds > line.long_call_minutes * 60
    capped = line.contacts_before_break > 0 and in_a_row >= line.contacts_before_break
    return crisis_tier >= 1 or crisis_referred or long_call or capped


def after_contact(live: LiveLine, line: Line, specialist_id: int, contact: Contact) -> AfterContact:
    """Count a finished contact in the specialist's run and say when offers start again.

    A practice call counts in no run: its trainee gets the wrap-up time alone.
    """
    wrap_up_ends = now_ms() + line.wrap_up_seconds * 1000
    if contact.practice:
        return AfterContact(wrap_up_ends, wrap_up_ends)
    in_a_row = live.count_contact(specialist_id)
    owed = live.specialist(specialist_id).get("owed_recovery") == "1"
    crisis_tier = max(contact.crisis_tier, int(live.recall(contact.id, "tier") or 0))
    earned = owed or earns_recovery(
        line,
        crisis_tier=crisis_tier,
        crisis_referred=contact.crisis_referred_at is not None,
        talk_seconds=contact.talk_seconds or 0,
        in_a_row=in_a_row,
    )
    if not earned or line.recovery_seconds <= 0:
        return AfterContact(wrap_up_ends, wrap_up_ends)
    # A recovery break starts when the wrap-up ends, so it never shortens the time to write it.
    return AfterContact(wrap_up_ends, wrap_up_ends + line.recovery_seconds * 1000)


def settle(live: LiveLine, specialist_id: int, after: AfterContact, *, given: bool) -> None:
    """Start the specialist's run of contacts over once a recovery break is given.

    A break earned while they still hold other texts is owed until the last one closes.
    """
    if not after.recovering:
        return
    if given:
        live.rested(specialist_id)
    else:
        live.owe_recovery(specialist_id)


def extend_recovery(client: redis.Redis, jobs: Jobs, *, line_id: int, specialist_id: int) -> bool:
    """Give a specialist on a recovery break five more minutes; False if they are on none."""
    live = LiveLine(client, line_id)
    ready = int(live.specialist(specialist_id).get("ready") or 0)
    latest = now_ms() + LONGEST_RECOVERY_MINUTES * 60_000
    extended = min(ready + EXTEND_MINUTES * 60_000, latest)
    if not live.extend_recovery(specialist_id, extended):
        return False
    live.publish("recovery_extended", specialist_id=specialist_id)
    jobs.offer_contacts(line_id, after_seconds=(extended - now_ms() + 999) // 1000)
    return True


@dataclass(frozen=True)
class CheckIn:
    """Who a specialist's check-in reached: the coordinators on shift, by name."""

    reached: tuple[str, ...]


def check_in(
    session: Session, client: redis.Redis, *, line: Line, specialist: User, at: datetime
) -> CheckIn:
    """Tell the line's coordinators on shift that a specialist would like them to check in.

    The audit trail records who asked and how many it reached, never anything of a contact.
    """
    reached = coordinators.on_shift(session, client, line.id, at_ms=int(at.timestamp() * 1000))
    coordinators.notify(
        client,
        line.id,
        "check_in",
        from_id=specialist.id,
        from_name=specialist.display_name,
        at_ms=int(at.timestamp() * 1000),
    )
    audit.record(
        session,
        "wellbeing.check_in",
        "user",
        specialist.id,
        actor_id=specialist.id,
        via="dashboard",
        detail={"line_id": line.id, "reached": len(reached)},
    )
    session.commit()
    return CheckIn(tuple(person.display_name for person in reached))
