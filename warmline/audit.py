"""The audit trail: every change to people, roster and settings, with who made it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline.models import AuditEvent


class FieldRefused(ValueError):
    """A value a row refuses, with the name of the field it was for."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def record(
    session: Session,
    action: str,
    target_type: str,
    target_id: int | None,
    *,
    actor_id: int | None = None,
    via: str = "cli",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session; the caller's commit makes it durable."""
    event = AuditEvent(
        action=action,
        target_type=target_type,
        target_id=target_id,
        actor_id=actor_id,
        via=via,
        detail=detail or {},
    )
    session.add(event)
    return event


def _plain(target: object, names: list[str]) -> dict[str, Any]:
    values = {name: getattr(target, name) for name in names}
    return {name: v.value if isinstance(v, Enum) else v for name, v in values.items()}


def update(
    session: Session,
    target: Any,
    values: Any,
    *,
    action: str,
    target_type: str,
    actor_id: int | None,
    via: str,
    **detail: Any,
) -> dict[str, list[Any]]:
    """Copy a dataclass's fields onto a row, auditing what changed as [before, after].

    A value the row refuses raises FieldRefused naming its field.
    """
    names = [f.name for f in fields(values)]
    before = _plain(target, names)
    for name in names:
        try:
            setattr(target, name, getattr(values, name))
        except ValueError as error:
            raise FieldRefused(name, str(error)) from None
    after = _plain(target, names)
    changed = {name: [before[name], after[name]] for name in names if before[name] != after[name]}
    if changed:
        record(
            session,
            action,
            target_type,
            target.id,
            actor_id=actor_id,
            via=via,
            detail={**detail, "changed": changed},
        )
    return changed


# The audit page looks this far back for the events it may show.
EVENTS_SEARCHED = 1000


def events_about(session: Session, line_ids: set[int] | None, limit: int) -> list[AuditEvent]:
    """Return the newest events about these lines or about people; every event for None."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    events = session.scalars(query.limit(EVENTS_SEARCHED))
    return [
        e
        for e in events
        if line_ids is None
        or (e.detail or {}).get("line_id") in line_ids
        or (e.target_type == "line" and e.target_id in line_ids)
        or e.target_type == "user"
    ][:limit]


def last_purge(session: Session, line_id: int) -> dict[str, Any] | None:
    """Return when the retention purge last ran and how many of this line's contacts it removed."""
    event = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "retention.purge")
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()
    if event is None:
        return None
    removed = (event.detail or {}).get("removed", {})
    return {"at": event.at, "removed": int(removed.get(str(line_id), 0))}


# Reading the trail: a sentence per change, in plain words, never a caller's data (a block's
# reason and the contact it came from stay in the record, out of the sentences).


@dataclass(frozen=True)
class Names:
    """The names a sentence uses for the ids events hold; an id left out reads generically."""

    people: Mapping[int, str]
    lines: Mapping[int, str]

    def person(self, user_id: Any) -> str:
        return self.people.get(user_id, "someone")

    def line(self, line_id: Any) -> str:
        return self.lines.get(line_id, "a line")


def _listed(values: Any) -> str:
    if values in (None, "", [], {}):
        return "none"
    if isinstance(values, dict):
        return "; ".join(f"{key} {_listed(value)}" for key, value in values.items())
    if isinstance(values, list):
        return ", ".join(
            _listed(value) if isinstance(value, list) else str(value) for value in values
        )
    return str(values)


def _hours(values: Any) -> str:
    return (
        "; ".join(
            f"{day} {', '.join(f'{a}-{b}' for a, b in ranges)}" for day, ranges in values.items()
        )
        or "closed every day"
    )


def _duration(unit: str) -> Callable[[Any, Any], str]:
    """Say a change of seconds in minutes when both are whole minutes, as people say it."""

    def said(before: Any, after: Any) -> str:
        if unit == "seconds" and before % 60 == 0 and after % 60 == 0:
            before, after, unit_said = before // 60, after // 60, "minutes"
        else:
            unit_said = unit
        return f"from {before} to {after} {unit_said}"

    return said


def _from_to(shown: Callable[[Any], str] = _listed) -> Callable[[Any, Any], str]:
    return lambda before, after: f"from {shown(before)} to {shown(after)}"


# A line's settings: what each is called, and how a change of it reads (None: not the values).
LINE_SETTINGS: dict[str, tuple[str, Callable[[Any, Any], str] | None]] = {
    "name": ("name", _from_to()),
    "opening_hours": ("opening hours", _from_to(_hours)),
    "holidays": ("holidays", _from_to()),
    "languages": ("languages", _from_to()),
    "voices": ("voices callers hear", _from_to()),
    "routing_strategy": (
        "way of choosing who is offered the next caller",
        _from_to(lambda value: str(value).replace("_", " ")),
    ),
    "crisis_number": ("crisis line number", _from_to()),
    "overflow_number": ("overflow number", _from_to()),
    "wrap_up_topics": ("wrap-up topics", _from_to()),
    "crisis_terms": ("extra crisis words", None),
    "ring_timeout_seconds": ("ring time", _duration("seconds")),
    "wrap_up_seconds": ("wrap-up time", _duration("seconds")),
    "max_wait_seconds": ("longest wait in line", _duration("seconds")),
    "daily_contact_limit": ("contacts a caller may make each day", _from_to()),
    "retention_days": ("time contact records are kept", _duration("days")),
    "max_texts_per_specialist": ("text conversations a specialist holds at once", _from_to()),
    "min_specialists": ("specialists needed on shift", _from_to()),
    "twilio_opt_out": (
        "answerer of STOP, START and HELP texts",
        _from_to(lambda twilio: "Twilio" if twilio else "the line"),
    ),
    "crisis_carry_hours": ("time a crisis flag carries over", _duration("hours")),
}
PROFILE = {
    "display_name": ("name", _from_to()),
    "phone": ("phone", None),
    "email": ("email", None),
    "languages": ("languages", _from_to()),
    "max_texts": ("texts at once", _from_to(lambda n: "the line's limit" if n is None else str(n))),
    "role": ("role", _from_to()),
}


ROLES = {"specialist": "a specialist", "coordinator": "a coordinator", "admin": "an administrator"}


def _changes(
    actor: str,
    whose: str,
    changed: Mapping[str, list[Any]],
    fields: Mapping[str, tuple[str, Callable[[Any, Any], str] | None]],
) -> list[str]:
    sentences = []
    for name, (before, after) in changed.items():
        if name == "active":
            sentences.append(f"{actor} {'reactivated' if after else 'deactivated'} {whose}.")
            continue
        label, said = fields.get(name, (name.replace("_", " "), None))
        how = f" {said(before, after)}" if said else ""
        sentences.append(f"{actor} changed {whose}'s {label}{how}.")
    return sentences


def _shift_times(detail: Mapping[str, Any]) -> str:
    if not {"date", "start", "end"} <= detail.keys():
        return ""
    return f" on {detail['date']} from {detail['start']} to {detail['end']}"


def sentences(event: AuditEvent, names: Names) -> list[str]:
    """Say what an event changed, a sentence per change, with the names of who and what."""
    detail = event.detail or {}
    if event.actor_id is not None:
        actor = names.person(event.actor_id)
    else:
        actor = {"worker": "The line's scheduled jobs"}.get(event.via, "The operator")
    actor = actor[:1].upper() + actor[1:]
    line = names.line(
        detail.get("line_id", event.target_id if event.target_type == "line" else None)
    )
    target = names.person(event.target_id) if event.target_type == "user" else ""
    action = event.action
    if action == "line.update":
        return _changes(actor, line, detail.get("changed", {}), LINE_SETTINGS)
    if action == "user.update":
        return _changes(actor, target, detail.get("changed", {}), PROFILE)
    if action == "user.lines":
        before, after = detail.get("changed", {}).get("line_ids", [[], []])
        shown = [", ".join(names.line(i) for i in ids) or "none" for ids in (before, after)]
        return [f"{actor} changed the lines {target} answers from {shown[0]} to {shown[1]}."]
    if action == "retention.purge":
        removed = sum(int(n) for n in (detail.get("removed") or {}).values())
        return [f"{actor} deleted {removed} contact records older than their line keeps them."]
    said = _said(action, actor, line, target, detail, names)
    return [said if said is not None else f"{actor} made a change ({action})."]


def _said(
    action: str, actor: str, line: str, target: str, detail: Mapping[str, Any], names: Names
) -> str | None:
    person = names.person(detail.get("user_id"))
    kind = str(detail.get("kind", "")).replace("_", " ")
    script = f"{kind} {detail.get('channel', '')} script in {detail.get('language', '')}"
    expires = str(detail.get("expires_at") or "")[:10]
    return {
        "line.add": f"{actor} added the line {detail.get('name', line)}.",
        "line.coordinator_add": f"{actor} made {person} a coordinator of {line}.",
        "line.coordinator_remove": f"{actor} stopped {person} coordinating {line}.",
        "user.add": f"{actor} added {target} as {ROLES.get(detail.get('role'), 'someone')}.",
        "user.password_reset": f"{actor} set a new password for {target}.",
        "user.password_chosen": f"{target[:1].upper() + target[1:]} chose a new password.",
        "calendar.issue": f"{actor} made a calendar link for {target}.",
        "calendar.revoke": f"{actor} turned off {target}'s calendar link.",
        "shift.add": f"{actor} put {person} on shift on {line}{_shift_times(detail)}.",
        "shift.cancel": f"{actor} cancelled {person}'s shift on {line}{_shift_times(detail)}.",
        "shift.reassign": f"{actor} gave {names.person(detail.get('from_user_id'))}'s shift on "
        f"{line} to {names.person(detail.get('to_user_id'))}.",
        "shift.swap": f"{actor} swapped the shifts of "
        f"{' and '.join(names.person(u) for u in detail.get('users', []))} on {line}.",
        "shift.override": f"{actor} started {target}'s shift on {line} without a rostered shift.",
        "pattern.add": f"{actor} put {person} on a weekly shift on {line}, "
        f"{detail.get('weekday')} {detail.get('start')} to {detail.get('end')}, "
        f"from {detail.get('starts_on')}"
        + (f" until {detail['ends_on']}." if detail.get("ends_on") else "."),
        "pattern.end": f"{actor} ended a weekly shift on {line} after {detail.get('last_day')}, "
        f"removing {detail.get('shifts_removed', 0)} later shifts.",
        "roster.import": f"{actor} imported {detail.get('shifts', 0)} shifts and "
        f"{detail.get('patterns', 0)} weekly shifts into {line}'s roster.",
        "script.save": f"{actor} saved {line}'s own {script}.",
        "script.reset": f"{actor} put {line}'s {script} back to the one shipped.",
        "block.add": f"{actor} blocked a caller from {line}"
        + (f" until {expires}." if expires else " until the block is lifted."),
        "block.lift": f"{actor} lifted a block on {line}.",
        "handoff.counselor_joined": f"A crisis counselor joined a call {actor} handed over.",
    }.get(action)
