"""Live support for a specialist: asking for a supervisor, and a supervisor listening,
coaching or joining a call.

A supervisor is a person with the supervisor mark who serves the line (answers it, runs it,
or administers every line); they are on duty on a line while its live board is open in
their browser. A supervisor enters a call through Twilio's Participants API, their phone
rung from the line's number: muted to listen, heard by the specialist alone to coach
(`coaching` with `callSidToCoach`), heard by everyone once joined. Only a line whose
greeting tells callers so (`monitoring_enabled`) lets a supervisor in. Each step is in the
audit log, with ids alone: nothing about the caller.
"""

from __future__ import annotations

import enum
import logging

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline import audit, calls, people, urls
from warmline.jobs import Jobs
from warmline.live import LiveLine
from warmline.models import Channel, Contact, Line, Role, User
from warmline.runtime import Runtime

log = logging.getLogger(__name__)
# A supervisor counts as on duty this long after their live board last asked for news
# (it asks every 5 s): a closed tab stops counting within half a minute.
ON_DUTY_MS = 30_000
# A contact's support note outlives any conversation; the call's end deletes it sooner.
SUPPORT_TTL_SECONDS = 12 * 3600
# What a supervisor's leg reports when it is over: busy, unanswered, failed or hung up.
LEG_OVER = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})


class Mode(enum.StrEnum):
    """What a supervisor does on a call."""

    LISTEN = "listen"
    COACH = "coach"
    JOIN = "join"


# The contact's support state once a supervisor has chosen each mode.
STATE = {Mode.LISTEN: "listening", Mode.COACH: "coaching", Mode.JOIN: "joined"}
MODE_OF_STATE = {state: mode for mode, state in STATE.items()}
REQUESTED = "requested"


class Refusal(enum.Enum):
    """Why a supervisor may not do what they asked; the adapter says it in their words."""

    NOT_A_SUPERVISOR = "not_a_supervisor"
    NO_SUCH_CONTACT = "no_such_contact"
    NOT_A_CALL = "not_a_call"
    NOT_MONITORED = "not_monitored"
    NO_PHONE = "no_phone"
    ANOTHER_SUPERVISOR = "another_supervisor"
    OWN_CONTACT = "own_contact"


class Refused(Exception):
    """The request was refused, for a `Refusal`."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


def serves(session: Session, user: User, line_id: int) -> bool:
    """Whether `user` is an active supervisor of the line: one they answer, run, or all."""
    if not (user.supervisor and user.active):
        return False
    if user.role is Role.ADMIN:
        return session.get(Line, line_id) is not None
    coordinated = people.coordinated_lines(session, user) or set()
    return line_id in coordinated or people.serves(session, user.id, line_id)


def supervised_lines(session: Session, user: User) -> list[Line]:
    """Return the lines `user` supervises, by name."""
    lines = session.scalars(select(Line).order_by(Line.name, Line.id))
    return [line for line in lines if serves(session, user, line.id)]


def keep_on_duty(client: redis.Redis, *, line_id: int, supervisor_id: int, at_ms: int) -> None:
    """Count a supervisor whose live board of the line is open as on duty there."""
    LiveLine(client, line_id).supervising(supervisor_id, at_ms)


def on_duty(client: redis.Redis, line_id: int, at_ms: int) -> list[int]:
    """Return the ids of the supervisors on duty on a line now."""
    return LiveLine(client, line_id).supervisors_since(at_ms - ON_DUTY_MS)


def state_of(live: LiveLine, contact_id: int) -> str:
    """Return a contact's support: "", requested, listening, coaching or joined."""
    return live.support(contact_id).get("state", "")


def ask_for_support(
    session: Session, client: redis.Redis, *, contact: Contact, specialist_id: int, at_ms: int
) -> int:
    """A specialist asks for a supervisor during their contact; return how many on duty heard.

    The board of every supervisor on duty sounds at once. Asking again while a supervisor is
    already with the call changes nothing but the alert.
    """
    live = LiveLine(client, contact.line_id)
    if not state_of(live, contact.id):
        live.note_support(contact.id, SUPPORT_TTL_SECONDS, state=REQUESTED, asked_ms=at_ms)
    audit.record(
        session,
        "support.request",
        "contact",
        contact.id,
        actor_id=specialist_id,
        via="dashboard",
        detail={"line_id": contact.line_id},
    )
    session.commit()
    live.publish("support_requested", specialist_id=specialist_id, contact_id=contact.id)
    return len(on_duty(client, contact.line_id, at_ms))


def supervise(
    session: Session,
    client: redis.Redis,
    jobs: Jobs,
    *,
    supervisor: User,
    contact_id: int,
    mode: Mode,
) -> str:
    """Listen to, coach in, or join a call a supervisor serves; return the call's new state.

    Raises Refused. The supervisor's phone is rung into the call on the first step; each
    later step changes how they are heard.
    """
    contact = session.get(Contact, contact_id)
    if contact is None or contact.ended_at is not None:
        raise Refused(Refusal.NO_SUCH_CONTACT)
    if not serves(session, supervisor, contact.line_id):
        raise Refused(Refusal.NOT_A_SUPERVISOR)
    if contact.specialist_id == supervisor.id:
        raise Refused(Refusal.OWN_CONTACT)
    if contact.channel is not Channel.VOICE or contact.connected_at is None:
        raise Refused(Refusal.NOT_A_CALL)
    line = session.get(Line, contact.line_id)
    # A practice call's caller is a trainer, who knows: training is coached on any line.
    if not (line.monitoring_enabled or contact.practice):
        raise Refused(Refusal.NOT_MONITORED)
    if not supervisor.phone:
        raise Refused(Refusal.NO_PHONE)
    live = LiveLine(client, line.id)
    if not live.claim_support(contact.id, supervisor.id):
        raise Refused(Refusal.ANOTHER_SUPERVISOR)
    state = STATE[mode]
    live.note_support(contact.id, SUPPORT_TTL_SECONDS, state=state)
    audit.record(
        session,
        f"supervision.{mode.value}",
        "contact",
        contact.id,
        actor_id=supervisor.id,
        via="console",
        detail={"line_id": line.id, "user_id": contact.specialist_id},
    )
    session.commit()
    live.publish(
        "supervision", specialist_id=contact.specialist_id, contact_id=contact.id, state=state
    )
    jobs.supervise_call(contact.id)
    return state


def supervise_call(runtime: Runtime, contact_id: int) -> None:
    """Bring the contact's supervisor into the call, or change how they are heard there.

    Reads what the supervisor last chose, so a job run late or twice does the right thing.
    """
    with runtime.sessions() as session:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.ended_at is not None:
            return
        live = LiveLine(runtime.redis, contact.line_id)
        support = live.support(contact_id)
        mode = MODE_OF_STATE.get(support.get("state", ""))
        supervisor = session.get(User, int(support.get("supervisor") or 0))
        if mode is None or supervisor is None or not supervisor.phone:
            return
        coached = live.offer_legs(contact_id).get(contact.specialist_id or 0)
        if mode is Mode.COACH and coached is None:
            # Never heard by the caller when only the specialist was meant to hear them.
            log.warning("no specialist leg to coach on contact %s: listening only", contact_id)
            mode = Mode.LISTEN
        if mode is not Mode.COACH:
            coached = None
        if support.get("leg"):
            runtime.gateway.change_supervisor(
                conference_sid=support["room"],
                call_sid=support["leg"],
                muted=mode is Mode.LISTEN,
                coach_call_sid=coached,
            )
            return
        line = session.get(Line, contact.line_id)
        joined = runtime.gateway.add_supervisor(
            conference=calls.conference_name(contact_id),
            to=supervisor.phone,
            from_=line.twilio_number,
            status_callback=runtime.url(urls.supervisor_leg_status(contact_id)),
            timeout_seconds=line.ring_timeout_seconds,
            muted=mode is Mode.LISTEN,
            coach_call_sid=coached,
        )
        live.note_support(
            contact_id, SUPPORT_TTL_SECONDS, leg=joined.call_sid, room=joined.conference_sid
        )


def supervisor_leg_status(
    client: redis.Redis, *, contact: Contact, call_sid: str, status: str
) -> bool:
    """Follow a supervisor's leg: once it is over, the call has no supervisor. True if so."""
    live = LiveLine(client, contact.line_id)
    if status not in LEG_OVER or live.support(contact.id).get("leg") != call_sid:
        return False
    live.forget_support(contact.id)
    live.publish(
        "supervision", specialist_id=contact.specialist_id, contact_id=contact.id, state=""
    )
    return True
