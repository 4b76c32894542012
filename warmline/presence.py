"""Specialists on shift: starting, pausing and ending the time they take calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline import audit, on_shift, people
from warmline.jobs import Jobs
from warmline.live import LiveLine, now_ms
from warmline.models import Channel, Contact, Line, Shift, User
from warmline.sentences import N_, Refusal
from warmline.texts import conversation, offering


class NotRostered(Refusal, PermissionError):
    """The specialist may not take this line's contacts now: not one of its active
    specialists with a phone, or no shift now and no coordinator overrode that."""


class SignOff(Enum):
    """What signing off did to a specialist's shift on a line."""

    ENDED = "ended"
    # Their call goes on to its end; their shift ends with it.
    AFTER_CALL = "after_call"


@dataclass(frozen=True)
class Withdrawn:
    """What taking someone off every line did: the lines they left, the texts given back."""

    lines: int
    texts: int


def is_rostered(session: Session, *, line_id: int, specialist_id: int, at: datetime) -> bool:
    return (
        session.scalar(
            select(Shift.id).where(
                Shift.line_id == line_id,
                Shift.user_id == specialist_id,
                Shift.starts_at <= at,
                Shift.ends_at > at,
            )
        )
        is not None
    )


def start_shift(
    session: Session,
    client: redis.Redis,
    jobs: Jobs,
    *,
    line_id: int,
    specialist_id: int,
    at: datetime,
    override_by: int | None = None,
) -> None:
    """Make a rostered specialist available for offers (unrostered, on a coordinator's say).

    Only an active specialist of the line with a phone: anyone else raises NotRostered.
    """
    specialist = session.get(User, specialist_id)
    if specialist is None or not specialist.active:
        raise NotRostered(N_("That specialist is not active."))
    if not people.serves(session, specialist_id, line_id):
        raise NotRostered(N_("Only the line's own specialists take its contacts."))
    if not specialist.phone:
        raise NotRostered(N_("Set a phone number for offers to ring before starting a shift."))
    if not is_rostered(session, line_id=line_id, specialist_id=specialist_id, at=at):
        if override_by is None:
            raise NotRostered(N_("No shift on this line now: ask a coordinator to start yours."))
        audit.record(
            session,
            "shift.override",
            "user",
            specialist_id,
            actor_id=override_by,
            via="dashboard",
            detail={"line_id": line_id},
        )
        session.commit()
    become_available(session, client, jobs, line_id=line_id, specialist_id=specialist_id)


def become_available(
    session: Session, client: redis.Redis, jobs: Jobs, *, line_id: int, specialist_id: int
) -> None:
    """Put a specialist on shift back in line for offers, longest idle from now."""
    on_shift.started(session, line_id=line_id, specialist_id=specialist_id)
    specialist = session.get(User, specialist_id)
    line = session.get(Line, line_id)
    live = LiveLine(client, line_id)
    live.go_available(
        specialist_id,
        specialist.languages,
        ready_ms=now_ms(),
        training=specialist.in_training,
    )
    if live.texts_held(specialist_id) and not line.texts_during_calls:
        live.keep_texting(specialist_id)
    live.publish("specialist_available", specialist_id=specialist_id)
    jobs.offer_contacts(line_id)


def restore_rota(session: Session, live: LiveLine, line: Line, *, ready_ms: int) -> int:
    """Put back on the live rota everyone on shift (the durable record) that Redis forgot.

    A specialist in a call, or being put through to one, is on that call again; texts they
    held are theirs again; the others are free for offers from `ready_ms`. Each counts as
    seen now, so whoever has no dashboard open any more is signed off after the presence
    grace. Someone deactivated since is taken off the record instead. Return how many came
    back.
    """
    present = set(live.present())
    restored = 0
    for specialist_id in on_shift.on_shift(session, line.id):
        if specialist_id in present:
            continue
        specialist = session.get(User, specialist_id)
        if specialist is None or not specialist.active:
            on_shift.ended(session, line_id=line.id, specialist_id=specialist_id)
            continue
        held = _open_contacts(session, line.id, specialist_id)
        for contact in held:
            if contact.channel is Channel.SMS:
                live.restore_held_text(
                    contact.id,
                    specialist_id,
                    language=contact.language,
                    tier=contact.crisis_tier,
                    arrived_ms=conversation.epoch_ms(contact.arrived_at),
                )
        call = next((c for c in held if c.channel is Channel.VOICE), None)
        if call is not None:
            live.restore_on_call(call.id, specialist_id, specialist.languages)
        else:
            live.go_available(specialist_id, specialist.languages, ready_ms=ready_ms)
            if live.texts_held(specialist_id) and not line.texts_during_calls:
                live.keep_texting(specialist_id)
        live.saw(specialist_id, now_ms())
        restored += 1
    return restored


def _open_contacts(session: Session, line_id: int, specialist_id: int) -> list[Contact]:
    return list(
        session.scalars(
            select(Contact)
            .where(
                Contact.line_id == line_id,
                Contact.specialist_id == specialist_id,
                Contact.ended_at.is_(None),
            )
            .order_by(Contact.arrived_at)
        )
    )


def take_break(client: redis.Redis, *, line_id: int, specialist_id: int, reason: str) -> None:
    live = LiveLine(client, line_id)
    live.go_on_break(specialist_id, reason)
    live.publish("specialist_paused", specialist_id=specialist_id, reason=reason)


def end_shift(session: Session, client: redis.Redis, *, line_id: int, specialist_id: int) -> None:
    """Take a specialist off the line's rota: the durable record first, so they stay off."""
    on_shift.ended(session, line_id=line_id, specialist_id=specialist_id)
    live = LiveLine(client, line_id)
    live.go_offline(specialist_id)
    live.publish("specialist_offline", specialist_id=specialist_id)


def sign_off(
    session: Session, client: redis.Redis, jobs: Jobs, *, line_id: int, specialist_id: int
) -> SignOff:
    """End a specialist's availability on a line: nothing more is offered to them.

    Nobody can answer from a closed dashboard, so a phone offer ringing them goes to the next
    specialist and their open texts go back in line, each in its old place. A call under way
    goes on to its end, and their shift ends with it (`calls.start_wrap_up`).
    """
    live = LiveLine(client, line_id)
    live.stop_offers(specialist_id)
    _take_back_offer(live, jobs, specialist_id)
    conversation.return_texts(session, client, jobs, line_id=line_id, specialist_id=specialist_id)
    if live.specialist(specialist_id).get("status") == "on_call":
        live.publish("specialist_signing_off", specialist_id=specialist_id)
        return SignOff.AFTER_CALL
    end_shift(session, client, line_id=line_id, specialist_id=specialist_id)
    return SignOff.ENDED


def sign_off_everywhere(
    session: Session, client: redis.Redis, jobs: Jobs, *, specialist_id: int
) -> list[SignOff]:
    """Sign a specialist off every line they are on shift on (they signed out)."""
    return [
        sign_off(session, client, jobs, line_id=line_id, specialist_id=specialist_id)
        for line_id in session.scalars(select(Line.id).order_by(Line.id))
        if LiveLine(client, line_id).specialist(specialist_id)
    ]


def end_absent_shifts(
    session: Session, client: redis.Redis, jobs: Jobs, *, line_id: int, grace_ms: int, at_ms: int
) -> int:
    """Sign off whoever closed their last dashboard on the line longer than the grace ago.

    Also ends the shift of anyone signing off whose call is over, in case that ending was
    missed. Return how many were signed off.
    """
    live = LiveLine(client, line_id)
    absent = live.unseen_since(at_ms - grace_ms)
    for specialist_id in absent:
        sign_off(session, client, jobs, line_id=line_id, specialist_id=specialist_id)
    for specialist_id in live.signing_off_ids():
        if live.specialist(specialist_id).get("status") != "on_call":
            end_shift(session, client, line_id=line_id, specialist_id=specialist_id)
    return len(absent)


def withdraw(session: Session, client: redis.Redis, jobs: Jobs, *, user_id: int) -> Withdrawn:
    """Take a deactivated person off shift on every line at once.

    An offer ringing their phone is taken back (the call hung up, the caller offered to the
    next specialist) and their open texts go back in line. A conversation already under way
    on their phone goes on to its end, so no caller is cut off; they are not offered again.
    """
    lines = texts = 0
    for line_id in session.scalars(select(Line.id).order_by(Line.id)):
        live = LiveLine(client, line_id)
        if not live.specialist(user_id) and not live.texts_held(user_id):
            continue
        _take_back_offer(live, jobs, user_id)
        texts += conversation.return_texts(
            session, client, jobs, line_id=line_id, specialist_id=user_id
        )
        end_shift(session, client, line_id=line_id, specialist_id=user_id)
        lines += 1
    return Withdrawn(lines, texts)


def _take_back_offer(live: LiveLine, jobs: Jobs, specialist_id: int) -> None:
    offering.take_back_text_offer(live, jobs, specialist_id)
    offer = live.specialist(specialist_id).get("offer")
    if not offer:
        return
    contact_id = int(offer)
    leg = live.offer_legs(contact_id).get(specialist_id)
    resolution = live.resolve(contact_id, specialist_id, "decline")
    if leg is not None:
        jobs.hang_up([leg])
    if resolution.requeued:
        jobs.offer_contacts(live.line_id)
