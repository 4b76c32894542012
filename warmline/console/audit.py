"""The console's audit log: who changed what, for the lines the coordinator runs."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext

from warmline import audit, people
from warmline.console.blueprint import coordinator_route
from warmline.models import AuditEvent
from warmline.web import db_session
from warmline.web.access import visible_lines
from warmline.web.auth import signed_in_user

EVENTS_SHOWN = 300


def _about(event: AuditEvent, line_ids: set[int], person_ids: set[int]) -> bool:
    """Whether an event is about one of these lines or one of these people."""
    detail = event.detail or {}
    if detail.get("line_id") in line_ids:
        return True
    if event.target_type == "line":
        return event.target_id in line_ids
    return event.target_type == "user" and event.target_id in person_ids


@coordinator_route("/audit", methods=["GET"])
def audit_page():
    session, me = db_session(), signed_in_user()
    # An administrator sees every event; a coordinator those of their lines and of the
    # people the people page shows them.
    mine = people.coordinated_lines(session, me)
    shown = people.visible_to(session, me)
    events = audit.events_about(session, None, audit.EVENTS_SEARCHED)
    if mine is not None:
        ids = {person.id for person in shown}
        events = [event for event in events if _about(event, mine, ids)]
    names = audit.Names(
        people={u.id: u.display_name for u in shown},
        lines={line.id: line.name for line in visible_lines(session, me)},
        say=gettext,
    )
    said = [(event, audit.sentences(event, names)) for event in events[:EVENTS_SHOWN]]
    return render_template("console/audit.html", events=said)
