"""What specialists ask of the coordinators on shift, asked for by every console page."""

from __future__ import annotations

from flask import jsonify

from warmline import coordinators
from warmline.console.blueprint import coordinator_route
from warmline.live import now_ms
from warmline.web import db_session, runtime
from warmline.web.access import visible_lines
from warmline.web.auth import signed_in_user


@coordinator_route("/notices.json", methods=["GET"])
def notices_json():
    """Return the notices for the lines the coordinator runs; asking keeps them on shift."""
    lines = {line.id: line for line in visible_lines(db_session(), signed_in_user())}
    client, at_ms = runtime().redis, now_ms()
    coordinators.keep_watch(client, list(lines), signed_in_user().id, at_ms)
    return jsonify(
        notices=[
            {
                **notice.as_json(),
                "line_name": lines[notice.line_id].name,
                "line_timezone": lines[notice.line_id].timezone,
            }
            for notice in coordinators.notices(client, list(lines), at_ms=at_ms)
        ]
    )
