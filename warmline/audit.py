"""The audit trail: every change to people, roster and settings, with who made it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline.models import AuditEvent
from warmline.sentences import N_, Refusal, Say, english


class FieldRefused(Refusal, ValueError):
    """A value a row refuses, with the name of the field it was for."""

    def __init__(self, field: str, message: str, **values: Any) -> None:
        super().__init__(message, **values)
        self.field = field

    @classmethod
    def of_error(cls, field: str, error: ValueError) -> FieldRefused:
        """Name the field a row's refusal was for, keeping its words to translate."""
        refused = cls(field, str(error))
        if isinstance(error, Refusal):
            refused.sentences = error.sentences
        return refused


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
            raise FieldRefused.of_error(name, error) from None
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
# A sentence is said through a `Say`, gettext's shape: the console passes its translator,
# so the trail reads in the coordinator's language; `english` says it as written here.


@dataclass(frozen=True)
class Names:
    """The names a sentence uses for the ids events hold, and the words it is said in.

    An id left out reads generically ("someone", "a line").
    """

    people: Mapping[int, str]
    lines: Mapping[int, str]
    say: Say = english

    def person(self, user_id: Any) -> str:
        return self.people.get(user_id) or self.say("someone")

    def line(self, line_id: Any) -> str:
        return self.lines.get(line_id) or self.say("a line")


Shown = Callable[[Any, Say], str]
Said = Callable[[Any, Any, Say], str]


def _listed(values: Any, say: Say) -> str:
    if values in (None, "", [], {}):
        return say("none")
    if isinstance(values, dict):
        return "; ".join(f"{key} {_listed(value, say)}" for key, value in values.items())
    if isinstance(values, list):
        return ", ".join(
            _listed(value, say) if isinstance(value, list) else str(value) for value in values
        )
    return str(values)


def _hours(values: Any, say: Say) -> str:
    return "; ".join(
        f"{day} {', '.join(f'{a}-{b}' for a, b in ranges)}" for day, ranges in values.items()
    ) or say("closed every day")


# A change of a number of units, as a sentence ends with it.
CHANGES_IN = {
    "seconds": N_("from %(before)s to %(after)s seconds"),
    "minutes": N_("from %(before)s to %(after)s minutes"),
    "hours": N_("from %(before)s to %(after)s hours"),
    "days": N_("from %(before)s to %(after)s days"),
}


def _duration(unit: str) -> Said:
    """Say a change of seconds in minutes when both are whole minutes, as people say it."""

    def said(before: Any, after: Any, say: Say) -> str:
        if unit == "seconds" and before % 60 == 0 and after % 60 == 0:
            return say(CHANGES_IN["minutes"], before=before // 60, after=after // 60)
        return say(CHANGES_IN[unit], before=before, after=after)

    return said


def _from_to(shown: Shown = _listed) -> Said:
    return lambda before, after, say: say(
        "from %(before)s to %(after)s", before=shown(before, say), after=shown(after, say)
    )


def _asked(asks: Any, say: Say) -> str:
    return say("asked after each conversation") if asks else say("not asked")


# A line's settings: what each is called, and how a change of it reads (None: not the values).
LINE_SETTINGS: dict[str, tuple[str, Said | None]] = {
    "name": (N_("name"), _from_to()),
    "opening_hours": (N_("opening hours"), _from_to(_hours)),
    "holidays": (N_("holidays"), _from_to()),
    "languages": (N_("languages"), _from_to()),
    "voices": (N_("voices callers hear"), _from_to()),
    "routing_strategy": (
        N_("way of choosing who is offered the next caller"),
        _from_to(lambda value, _say: str(value).replace("_", " ")),
    ),
    "crisis_number": (N_("crisis line number"), _from_to()),
    "overflow_number": (N_("overflow number"), _from_to()),
    "wrap_up_topics": (N_("wrap-up topics"), _from_to()),
    "crisis_terms": (N_("extra crisis words"), None),
    "ring_timeout_seconds": (N_("ring time"), _duration("seconds")),
    "wrap_up_seconds": (N_("wrap-up time"), _duration("seconds")),
    "max_wait_seconds": (N_("longest wait in line"), _duration("seconds")),
    "daily_contact_limit": (N_("contacts a caller may make each day"), _from_to()),
    "retention_days": (N_("time contact records are kept"), _duration("days")),
    "max_texts_per_specialist": (
        N_("text conversations a specialist holds at once"),
        _from_to(),
    ),
    "min_specialists": (N_("specialists needed on shift"), _from_to()),
    "twilio_opt_out": (
        N_("answerer of STOP, START and HELP texts"),
        _from_to(lambda twilio, say: "Twilio" if twilio else say("the line")),
    ),
    "crisis_carry_hours": (N_("time a crisis flag carries over"), _duration("hours")),
    "survey_enabled": (
        N_("feedback questions after a conversation"),
        _from_to(_asked),
    ),
    "survey_asks_return": (
        N_("question whether a caller would call again"),
        _from_to(_asked),
    ),
    "survey_window_hours": (N_("time a texter may answer the feedback text"), _duration("hours")),
    "recovery_seconds": (N_("recovery break"), _duration("seconds")),
    "long_call_minutes": (N_("call length that earns a recovery break"), _duration("minutes")),
    "contacts_before_break": (N_("contacts in a row before a recovery break"), _from_to()),
    "monitoring_enabled": (
        N_("whether supervisors may listen to calls"),
        _from_to(lambda on, say: say("yes") if on else say("no")),
    ),
    "callbacks_enabled": (
        N_("offer of a call back to waiting callers"),
        _from_to(lambda on, say: say("on") if on else say("off")),
    ),
    "max_pending_callbacks": (N_("call backs waiting at once"), _from_to()),
    "callback_retry_seconds": (N_("wait before a call back is tried again"), _duration("seconds")),
}
PROFILE: dict[str, tuple[str, Said | None]] = {
    "display_name": (N_("name"), _from_to()),
    "phone": (N_("phone"), None),
    "email": (N_("email"), None),
    "languages": (N_("languages"), _from_to()),
    "max_texts": (
        N_("texts at once"),
        _from_to(lambda n, say: say("the line's limit") if n is None else str(n)),
    ),
    "role": (N_("role"), _from_to()),
    "supervisor": (
        N_("supervisor"),
        _from_to(lambda on, say: say("yes") if on else say("no")),
    ),
    "in_training": (
        N_("in training"),
        _from_to(lambda on, say: say("yes") if on else say("no")),
    ),
}


ROLES = {
    "specialist": N_("a specialist"),
    "coordinator": N_("a coordinator"),
    "admin": N_("an administrator"),
}


def _changes(
    actor: str,
    whose: str,
    changed: Mapping[str, list[Any]],
    fields: Mapping[str, tuple[str, Said | None]],
    say: Say,
) -> list[str]:
    sentences = []
    for name, (before, after) in changed.items():
        if name == "active":
            if after:
                sentences.append(say("%(actor)s reactivated %(whose)s.", actor=actor, whose=whose))
            else:
                sentences.append(say("%(actor)s deactivated %(whose)s.", actor=actor, whose=whose))
            continue
        label, said = fields.get(name, (name.replace("_", " "), None))
        setting = say(label) if name in fields else label
        if said is None:
            sentences.append(
                say(
                    "%(actor)s changed %(whose)s's %(setting)s.",
                    actor=actor,
                    whose=whose,
                    setting=setting,
                )
            )
        else:
            sentences.append(
                say(
                    "%(actor)s changed %(whose)s's %(setting)s %(change)s.",
                    actor=actor,
                    whose=whose,
                    setting=setting,
                    change=said(before, after, say),
                )
            )
    return sentences


def _shift_times(detail: Mapping[str, Any], say: Say) -> str:
    if not {"date", "start", "end"} <= detail.keys():
        return ""
    return say(
        " on %(date)s from %(start)s to %(end)s",
        date=detail["date"],
        start=detail["start"],
        end=detail["end"],
    )


def sentences(event: AuditEvent, names: Names) -> list[str]:
    """Say what an event changed, a sentence per change, with the names of who and what."""
    say, detail = names.say, event.detail or {}
    if event.actor_id is not None:
        actor = names.person(event.actor_id)
    elif event.via == "worker":
        actor = say("The line's scheduled jobs")
    else:
        actor = say("The operator")
    actor = actor[:1].upper() + actor[1:]
    line = names.line(
        detail.get("line_id", event.target_id if event.target_type == "line" else None)
    )
    target = names.person(event.target_id) if event.target_type == "user" else ""
    action = event.action
    if action == "line.update":
        return _changes(actor, line, detail.get("changed", {}), LINE_SETTINGS, say)
    if action == "user.update":
        return _changes(actor, target, detail.get("changed", {}), PROFILE, say)
    if action == "user.lines":
        before, after = detail.get("changed", {}).get("line_ids", [[], []])
        shown = [", ".join(names.line(i) for i in ids) or say("none") for ids in (before, after)]
        return [
            say(
                "%(actor)s changed the lines %(target)s answers from %(before)s to %(after)s.",
                actor=actor,
                target=target,
                before=shown[0],
                after=shown[1],
            )
        ]
    if action == "retention.purge":
        removed = sum(int(n) for n in (detail.get("removed") or {}).values())
        return [
            say(
                "%(actor)s deleted %(removed)s contact records older than their line keeps them.",
                actor=actor,
                removed=removed,
            )
        ]
    said = _said(action, actor, line, target, detail, names)
    if said is not None:
        return [said]
    return [say("%(actor)s made a change (%(action)s).", actor=actor, action=action)]


def _said(
    action: str, actor: str, line: str, target: str, detail: Mapping[str, Any], names: Names
) -> str | None:
    say = names.say
    values = {
        "actor": actor,
        "line": line,
        "target": target,
        "person": names.person(detail.get("user_id")),
        "times": _shift_times(detail, say),
    }
    if action == "line.add":
        return say("%(actor)s added the line %(name)s.", actor=actor, name=detail.get("name", line))
    if action == "user.add":
        role = say(ROLES[detail["role"]]) if detail.get("role") in ROLES else say("someone")
        return say("%(actor)s added %(target)s as %(role)s.", actor=actor, target=target, role=role)
    if action == "user.password_chosen":
        return say("%(target)s chose a new password.", target=target[:1].upper() + target[1:])
    if action == "shift.reassign":
        values["from"] = names.person(detail.get("from_user_id"))
        values["to"] = names.person(detail.get("to_user_id"))
    if action == "shift.swap":
        values["people"] = say(" and ").join(names.person(u) for u in detail.get("users", []))
    if action == "pattern.add":
        values.update(
            weekday=detail.get("weekday"),
            start=detail.get("start"),
            end=detail.get("end"),
            starts_on=detail.get("starts_on"),
            ends_on=detail.get("ends_on"),
        )
        if detail.get("ends_on"):
            action = "pattern.add_until"
    if action == "pattern.end":
        values.update(last_day=detail.get("last_day"), removed=detail.get("shifts_removed", 0))
    if action == "roster.import":
        values.update(shifts=detail.get("shifts", 0), patterns=detail.get("patterns", 0))
    if action in ("script.save", "script.reset"):
        values.update(
            kind=str(detail.get("kind", "")).replace("_", " "),
            channel=detail.get("channel", ""),
            language=detail.get("language", ""),
        )
    if action == "block.add":
        values["until"] = str(detail.get("expires_at") or "")[:10]
        if values["until"]:
            action = "block.add_until"
    sentence = SENTENCES.get(action)
    return None if sentence is None else say(sentence, **values)


# The sentence each kind of event reads as, filled in with the names and times it holds.
SENTENCES = {
    "line.coordinator_add": N_("%(actor)s made %(person)s a coordinator of %(line)s."),
    "line.coordinator_remove": N_("%(actor)s stopped %(person)s coordinating %(line)s."),
    "user.password_reset": N_("%(actor)s set a new password for %(target)s."),
    "calendar.issue": N_("%(actor)s made a calendar link for %(target)s."),
    "calendar.revoke": N_("%(actor)s turned off %(target)s's calendar link."),
    "shift.add": N_("%(actor)s put %(person)s on shift on %(line)s%(times)s."),
    "shift.cancel": N_("%(actor)s cancelled %(person)s's shift on %(line)s%(times)s."),
    "shift.reassign": N_("%(actor)s gave %(from)s's shift on %(line)s to %(to)s."),
    "shift.swap": N_("%(actor)s swapped the shifts of %(people)s on %(line)s."),
    "shift.override": N_(
        "%(actor)s started %(target)s's shift on %(line)s without a rostered shift."
    ),
    "pattern.add": N_(
        "%(actor)s put %(person)s on a weekly shift on %(line)s, %(weekday)s %(start)s to "
        "%(end)s, from %(starts_on)s."
    ),
    "pattern.add_until": N_(
        "%(actor)s put %(person)s on a weekly shift on %(line)s, %(weekday)s %(start)s to "
        "%(end)s, from %(starts_on)s until %(ends_on)s."
    ),
    "pattern.end": N_(
        "%(actor)s ended a weekly shift on %(line)s after %(last_day)s, removing %(removed)s "
        "later shifts."
    ),
    "roster.import": N_(
        "%(actor)s imported %(shifts)s shifts and %(patterns)s weekly shifts into %(line)s's "
        "roster."
    ),
    "script.save": N_(
        "%(actor)s saved %(line)s's own %(kind)s %(channel)s script in %(language)s."
    ),
    "script.reset": N_(
        "%(actor)s put %(line)s's %(kind)s %(channel)s script in %(language)s back to the one "
        "shipped."
    ),
    "wellbeing.check_in": N_(
        "%(actor)s asked the coordinators on shift on %(line)s to check in with them."
    ),
    "block.add": N_("%(actor)s blocked a caller from %(line)s until the block is lifted."),
    "block.add_until": N_("%(actor)s blocked a caller from %(line)s until %(until)s."),
    "block.lift": N_("%(actor)s lifted a block on %(line)s."),
    "handoff.counselor_joined": N_("A crisis counselor joined a call %(actor)s handed over."),
    "support.request": N_(
        "%(actor)s asked for a supervisor's support during a contact on %(line)s."
    ),
    "supervision.listen": N_("%(actor)s listened to %(person)s's call on %(line)s."),
    "supervision.coach": N_("%(actor)s coached %(person)s during a call on %(line)s."),
    "supervision.join": N_("%(actor)s joined %(person)s's call on %(line)s."),
    "practice.open": N_("%(actor)s set up a practice call for %(person)s on %(line)s."),
    "practice.debrief": N_(
        "%(actor)s ticked the debrief of %(person)s's practice call on %(line)s."
    ),
}
