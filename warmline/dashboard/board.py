"""What a dashboard shows: a specialist's shift, the waiting line and their own contacts.

Nothing here reads a number, a name, a place or a message: only the contact metadata
whitelist, the live state in Redis, a count of this caller tag's contacts this month, and
when an earlier contact of theirs showed crisis signs (a flag carried over).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warmline import calls, reports, supervision
from warmline.crisis.carry import carried_flag
from warmline.live import LiveLine
from warmline.models import Channel, Contact, Line, Outcome, User, WrapUp
from warmline.texts import texts_allowed

# Contacts older than this no longer ask their specialist for a wrap-up.
WRAP_UP_LOOKBACK = timedelta(hours=12)
# A specialist in one of these is talking or texting with someone.
BUSY_STATUSES = frozenset({"on_call", "texting"})
# The dashboard's own mark that a specialist asked to stop after the current contact.
ENDING_KEY = "warmline:{{line:{line_id}}}:dashboard:ending:{specialist_id}"


@dataclass(frozen=True)
class Shift:
    """A specialist's place on a line right now."""

    line: Line
    status: str
    reason: str
    ready_ms: int
    contact_id: int | None
    offer_id: int | None
    ending: bool
    # The waiting text being offered on their dashboard, if one is.
    text_offer_id: int | None = None
    recovery_from_ms: int = 0

    def status_at(self, at_ms: int) -> str:
        return status_at(self.status, self.ready_ms, at_ms, self.recovery_from_ms)

    def wrap_up_seconds_left(self, at_ms: int) -> int:
        return _left(self.status, self.ready_ms, at_ms, self.recovery_from_ms)[0]

    def recovery_seconds_left(self, at_ms: int) -> int:
        return _left(self.status, self.ready_ms, at_ms, self.recovery_from_ms)[1]


@dataclass(frozen=True)
class ContactView:
    """One contact as a specialist may see it."""

    id: int
    channel: str
    language: str
    crisis_tier: int
    waiting_seconds: int
    contacts_this_month: int | None
    state: str
    crisis_leg: str = ""
    # The specialist transferred this contact to the crisis line: a crisis referral.
    crisis_referred: bool = False
    # How many hours ago an earlier contact of this caller tag showed crisis signs, if one
    # did within the line's carry-over period: why this contact is flagged.
    flagged_hours_ago: int | None = None
    # Whether the line would give this waiting contact to the specialist asking, were they
    # to take it now: the dashboard shows no Accept button the line would refuse.
    takeable: bool = False
    # How long the conversation has gone on, from when the caller was connected.
    talking_seconds: int | None = None
    # What a supervisor does for it: "", requested, listening, coaching or joined.
    support: str = ""
    # The caller asked to be called back: taking them makes the line call them.
    callback: bool = False
    # A practice call a trainer placed for a specialist in training, not a real caller.
    practice: bool = False
    # The texter wrote in a language the line does not speak (they were told how to reach 988
    # with an interpreter): its code, or None.
    unspoken_language: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "channel": self.channel,
            "language": self.language,
            "unspoken_language": self.unspoken_language,
            "crisis_tier": self.crisis_tier,
            "waiting_seconds": self.waiting_seconds,
            "contacts_this_month": self.contacts_this_month,
            "state": self.state,
            "crisis_leg": self.crisis_leg,
            "crisis_referred": self.crisis_referred,
            "flagged_hours_ago": self.flagged_hours_ago,
            "takeable": self.takeable,
            "talking_seconds": self.talking_seconds,
            "support": self.support,
            "callback": self.callback,
            "practice": self.practice,
        }


@dataclass(frozen=True)
class InConversation:
    """A call or text in progress as a supervisor sees it: never who the caller is."""

    id: int
    channel: str
    language: str
    crisis_tier: int
    talking_seconds: int
    specialist: str
    support: str
    practice: bool = False

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "channel": self.channel,
            "language": self.language,
            "crisis_tier": self.crisis_tier,
            "talking_seconds": self.talking_seconds,
            "specialist": self.specialist,
            "support": self.support,
            "practice": self.practice,
        }


@dataclass(frozen=True)
class OnShift:
    """A specialist on shift as a coordinator sees them: who, and in what state."""

    id: int
    name: str
    status: str
    reason: str
    wrap_up_seconds_left: int
    ending: bool
    recovery_seconds_left: int = 0
    crisis_contacts_this_week: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "reason": self.reason,
            "wrap_up_seconds_left": self.wrap_up_seconds_left,
            "recovery_seconds_left": self.recovery_seconds_left,
            "ending": self.ending,
            "crisis_contacts_this_week": self.crisis_contacts_this_week,
        }


def status_at(status: str, ready_ms: int, at_ms: int, recovery_from_ms: int = 0) -> str:
    """Return a specialist's status as the line treats it: a wrap-up whose time is up is over.

    Redis keeps "wrap_up" (or "recovery") until something else changes it, but from
    `ready_ms` on the specialist is free for offers like anyone available. A recovery break
    starts once its wrap-up, up to `recovery_from_ms`, is over.
    """
    if status in ("wrap_up", "recovery") and ready_ms <= at_ms:
        return "available"
    if status == "recovery" and at_ms < recovery_from_ms:
        return "wrap_up"
    return status


def _left(status: str, ready_ms: int, at_ms: int, recovery_from_ms: int) -> tuple[int, int]:
    """Return the whole seconds of wrap-up and of recovery break left at `at_ms`."""
    now = status_at(status, ready_ms, at_ms, recovery_from_ms)
    wrap_up_ends = recovery_from_ms if status == "recovery" else ready_ms
    wrap_up = max(0, (wrap_up_ends - at_ms + 999) // 1000) if now == "wrap_up" else 0
    recovery = max(0, (ready_ms - max(at_ms, recovery_from_ms) + 999) // 1000)
    return wrap_up, recovery if status == "recovery" and now != "available" else 0


def _ending_key(line_id: int, specialist_id: int) -> str:
    return ENDING_KEY.format(line_id=line_id, specialist_id=specialist_id)


def current_shift(session: Session, client: redis.Redis, specialist_id: int) -> Shift | None:
    """Return the line a specialist is on shift on (started and not ended), if any."""
    for line in session.scalars(select(Line).order_by(Line.id)):
        live = LiveLine(client, line.id)
        state = live.specialist(specialist_id)
        if state:
            return Shift(
                line=line,
                status=state.get("status", "available"),
                reason=state.get("reason", ""),
                ready_ms=int(state.get("ready") or 0),
                contact_id=int(state["contact"]) if state.get("contact") else None,
                offer_id=int(state["offer"]) if state.get("offer") else None,
                ending=bool(client.exists(_ending_key(line.id, specialist_id)))
                or live.signing_off(specialist_id),
                text_offer_id=int(state["text_offer"]) if state.get("text_offer") else None,
                recovery_from_ms=int(state.get("recovery_from") or 0),
            )
    return None


def on_shift(session: Session, client: redis.Redis, line: Line, at_ms: int) -> list[OnShift]:
    """Return who is on shift on a line and in what state, by name."""
    live = LiveLine(client, line.id)
    ids = live.present()
    names = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())
    at = datetime.fromtimestamp(at_ms / 1000, tz=UTC)
    crisis_counts = reports.crisis_contacts_this_week(session, line, at)
    team = []
    for specialist_id in ids:
        state = live.specialist(specialist_id)
        if not state or specialist_id not in names:
            continue
        ready_ms = int(state.get("ready") or 0)
        recovery_from = int(state.get("recovery_from") or 0)
        raw = state.get("status", "available")
        wrap_up_left, recovery_left = _left(raw, ready_ms, at_ms, recovery_from)
        team.append(
            OnShift(
                id=specialist_id,
                name=names[specialist_id],
                status=status_at(raw, ready_ms, at_ms, recovery_from),
                reason=state.get("reason", ""),
                wrap_up_seconds_left=wrap_up_left,
                ending=bool(client.exists(_ending_key(line.id, specialist_id))),
                recovery_seconds_left=recovery_left,
                crisis_contacts_this_week=crisis_counts.get(specialist_id, 0),
            )
        )
    return sorted(team, key=lambda person: person.name.casefold())


def mark_ending(client: redis.Redis, *, line_id: int, specialist_id: int, ending: bool) -> None:
    key = _ending_key(line_id, specialist_id)
    if ending:
        client.set(key, 1, ex=int(WRAP_UP_LOOKBACK.total_seconds()))
    else:
        client.delete(key)


def _month_start(line: Line, at: datetime) -> datetime:
    local = at.astimezone(ZoneInfo(line.timezone))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _monthly_counts(session: Session, line: Line, tags: set[str], at: datetime) -> dict[str, int]:
    """Count each caller tag's contacts with this line since the start of its month."""
    if not tags:
        return {}
    rows = session.execute(
        select(Contact.caller_tag, func.count())
        .where(
            Contact.line_id == line.id,
            Contact.caller_tag.in_(tags),
            Contact.arrived_at >= _month_start(line, at),
        )
        .group_by(Contact.caller_tag)
    )
    return {tag: count for tag, count in rows}


def _flagged_hours_ago(session: Session, line: Line, contact: Contact, at: datetime) -> int | None:
    """Return how long ago the flag this contact carries over was raised, if it carries one."""
    carried = carried_flag(
        session, line, contact.caller_tag, contact.arrived_at, before_id=contact.id
    )
    return carried.hours_ago(at) if carried else None


def _view(
    contact: Contact,
    live: LiveLine,
    counts: dict[str, int],
    at: datetime,
    state: str,
    flagged_hours_ago: int | None,
    *,
    takeable: bool = False,
) -> ContactView:
    live_tier = live.recall(contact.id, "tier")
    talking = contact.connected_at is not None and contact.ended_at is None
    return ContactView(
        id=contact.id,
        channel=contact.channel.value,
        language=contact.language,
        crisis_tier=max(contact.crisis_tier, int(live_tier or 0)),
        waiting_seconds=_seconds_since(contact.arrived_at, at),
        contacts_this_month=counts.get(contact.caller_tag) if contact.caller_tag else None,
        state=state,
        crisis_leg=live.recall(contact.id, "crisis_leg") or "",
        crisis_referred=contact.crisis_referred_at is not None,
        flagged_hours_ago=flagged_hours_ago,
        takeable=takeable,
        talking_seconds=_seconds_since(contact.connected_at, at) if talking else None,
        support=supervision.state_of(live, contact.id) if talking else "",
        callback=calls.awaits_callback(contact),
        practice=contact.practice,
        unspoken_language=contact.unspoken_language,
    )


def _seconds_since(moment: datetime, at: datetime) -> int:
    return max(0, int((at - moment).total_seconds()))


def _channels_open(live: LiveLine, line: Line, taker: User, at: datetime) -> set[Channel]:
    """Return the channels of which the line would give this specialist a contact now."""
    at_ms = int(at.timestamp() * 1000)
    channels = set()
    if live.may_claim_one(taker.id, at_ms):
        channels.add(Channel.VOICE)
    if live.may_accept_text(
        taker.id,
        at_ms=at_ms,
        max_texts=texts_allowed(line, taker),
        during_calls=line.texts_during_calls,
    ):
        channels.add(Channel.SMS)
    return channels


def waiting(
    session: Session, client: redis.Redis, line: Line, at: datetime, taker: User | None = None
) -> list[ContactView]:
    """Return the contacts waiting on a line, calls being offered first, in line order.

    Given a `taker`, each says whether the line would give it to them, were they to take it
    now (the same checks as taking it, read without changing anything).
    """
    live = LiveLine(client, line.id)
    states = {contact_id: "ringing" for contact_id in live.offered()}
    for contact_id in live.waiting():
        states.setdefault(contact_id, "offered" if live.text_offered_to(contact_id) else "waiting")
    contacts = {
        c.id: c
        for c in session.scalars(
            select(Contact).where(
                Contact.id.in_(states), Contact.line_id == line.id, Contact.ended_at.is_(None)
            )
        )
    }
    tags = {c.caller_tag for c in contacts.values() if c.caller_tag}
    counts = _monthly_counts(session, line, tags, at)
    channels = _channels_open(live, line, taker, at) if taker else set()
    languages = set(taker.languages) if taker else set()
    return [
        _view(
            contacts[contact_id],
            live,
            counts,
            at,
            state,
            _flagged_hours_ago(session, line, contacts[contact_id], at),
            # A text being offered to someone may still be taken from the list.
            takeable=state in {"waiting", "offered"}
            and contacts[contact_id].channel in channels
            and contacts[contact_id].language in languages
            and calls.may_take(contacts[contact_id], taker),
        )
        for contact_id, state in states.items()
        if contact_id in contacts
    ]


def own_contacts(
    session: Session, client: redis.Redis, specialist_id: int, at: datetime
) -> list[ContactView]:
    """Return a specialist's contacts still in conversation or waiting for their wrap-up."""
    contacts = session.scalars(
        select(Contact)
        .outerjoin(WrapUp, WrapUp.contact_id == Contact.id)
        .where(
            Contact.specialist_id == specialist_id,
            WrapUp.id.is_(None),
            Contact.arrived_at >= at - WRAP_UP_LOOKBACK,
            Contact.outcome.in_([Outcome.OPEN, Outcome.ANSWERED, Outcome.CRISIS_REFERRED]),
        )
        .order_by(Contact.arrived_at)
    ).all()
    views = []
    for contact in contacts:
        line = session.get(Line, contact.line_id)
        live = LiveLine(client, contact.line_id)
        counts = _monthly_counts(session, line, {contact.caller_tag} - {None}, at)
        state = _own_state(contact, live, specialist_id)
        flagged = _flagged_hours_ago(session, line, contact, at)
        views.append(_view(contact, live, counts, at, state, flagged))
    return views


def in_conversation(
    session: Session, client: redis.Redis, line: Line, at: datetime
) -> list[InConversation]:
    """Return the line's calls and texts in progress, longest first, with who is on each."""
    live = LiveLine(client, line.id)
    rows = session.execute(
        select(Contact, User.display_name)
        .join(User, User.id == Contact.specialist_id)
        .where(
            Contact.line_id == line.id,
            Contact.ended_at.is_(None),
            Contact.connected_at.is_not(None),
            Contact.arrived_at >= at - WRAP_UP_LOOKBACK,
        )
        .order_by(Contact.connected_at, Contact.id)
    ).all()
    return [
        InConversation(
            id=contact.id,
            channel=contact.channel.value,
            language=contact.language,
            crisis_tier=max(contact.crisis_tier, int(live.recall(contact.id, "tier") or 0)),
            talking_seconds=_seconds_since(contact.connected_at, at),
            specialist=name,
            support=supervision.state_of(live, contact.id),
            practice=contact.practice,
        )
        for contact, name in rows
    ]


def _own_state(contact: Contact, live: LiveLine, specialist_id: int) -> str:
    if contact.ended_at is not None:
        return "wrap_up"
    if contact.channel is Channel.SMS:
        return "live"
    mine = live.specialist(specialist_id)
    in_call = mine.get("status") == "on_call" and mine.get("contact") == str(contact.id)
    return "live" if in_call else "wrap_up"


def find_own_contact(session: Session, contact_id: int, specialist_id: int) -> Contact | None:
    """Return the contact if this specialist has it; anyone else's is as good as missing."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.specialist_id != specialist_id:
        return None
    return contact
