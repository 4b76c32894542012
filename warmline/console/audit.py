"""The console's audit log: who changed what, for the lines the coordinator runs."""

from __future__ import annotations

from flask import render_template

from warmline import audit, people
from warmline.console.blueprint import coordinator_route
from warmline.models import Role
from warmline.web import db_session
from warmline.web.access import visible_lines
from warmline.web.auth import signed_in_user

EVENTS_SHOWN = 300


@coordinator_route("/audit", methods=["GET"])
def audit_page():
    session, me = db_session(), signed_in_user()
    # An administrator sees every event; a coordinator those of their lines and of people.
    mine = None if me.role == Role.ADMIN else {line.id for line in visible_lines(session, me)}
    events = audit.events_about(session, mine, EVENTS_SHOWN)
    names = {u.id: u.display_name for u in people.everyone(session)}
    return render_template("console/audit.html", events=events, names=names)
