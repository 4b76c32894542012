"""The console's block list: the line's recent contacts to block from, blocks to lift, as files."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import jsonify, render_template, request
from flask_babel import gettext as _

from warmline import blocks, people
from warmline.console import forms
from warmline.console.blueprint import ID, coordinator_route, on_line
from warmline.models import Block, Contact, Line, utcnow
from warmline.web import db_session
from warmline.web.access import coordinated_line
from warmline.web.auth import signed_in_user

MAX_CONTACTS_LISTED = 200
CONTACT_DAYS = 30
BLOCK_HEADER = ["id", "caller", "reason", "blocked", "by", "expires", "lifted", "in_force"]


@coordinator_route(f"/lines/<{ID}:line_id>/contacts", methods=["GET"])
def contacts_page(line_id: int):
    line = coordinated_line(line_id)
    contacts = blocks.recent_contacts(
        db_session(), line.id, days=CONTACT_DAYS, limit=MAX_CONTACTS_LISTED
    )
    return render_template(
        "console/contacts.html",
        line=line,
        contacts=contacts,
        reference=blocks.reference,
        local=lambda m: forms.local_time(line, m),
        days=CONTACT_DAYS,
    )


@coordinator_route(f"/lines/<{ID}:line_id>/contacts/<{ID}:contact_id>/block", methods=["POST"])
def block_contact(line_id: int, contact_id: int):
    line = coordinated_line(line_id)
    contact = on_line(Contact, contact_id, line, _("No such contact on this line."))
    try:
        days = request.form.get("days", "").strip()
        expires = utcnow() + timedelta(days=forms.whole_number("days", 1, 3650)) if days else None
        blocks.block_from_contact(
            db_session(),
            contact,
            reason=forms.text("reason"),
            expires_at=expires,
            actor_id=signed_in_user().id,
            via=forms.VIA,
        )
        db_session().commit()
    except ValueError as error:
        return forms.refused(error, "console.contacts_page", line_id=line.id)
    return forms.done(_("Caller blocked."), "console.blocks_page", line_id=line.id)


def _block_rows(line: Line) -> list[list[Any]]:
    session = db_session()
    names = {u.id: u.display_name for u in people.everyone(session)}
    return [
        [
            b.id,
            b.reference,
            b.reason,
            forms.local_time(line, b.created_at),
            names.get(b.created_by_id or 0, ""),
            forms.local_time(line, b.expires_at),
            forms.local_time(line, b.lifted_at),
            "yes" if b.active else "no",
        ]
        for b in blocks.list_blocks(session, line.id)
    ]


@coordinator_route(f"/lines/<{ID}:line_id>/blocks", methods=["GET"])
def blocks_page(line_id: int):
    line = coordinated_line(line_id)
    return render_template(
        "console/blocks.html", line=line, header=BLOCK_HEADER, rows=_block_rows(line)
    )


@coordinator_route(f"/lines/<{ID}:line_id>/blocks.json", methods=["GET"])
def blocks_json(line_id: int):
    line = coordinated_line(line_id)
    return jsonify(blocks=[dict(zip(BLOCK_HEADER, r, strict=True)) for r in _block_rows(line)])


@coordinator_route(f"/lines/<{ID}:line_id>/blocks.csv", methods=["GET"])
def blocks_csv(line_id: int):
    line = coordinated_line(line_id)
    return forms.csv_download(f"blocks-{line.id}.csv", BLOCK_HEADER, _block_rows(line))


@coordinator_route(f"/lines/<{ID}:line_id>/blocks/<{ID}:block_id>/lift", methods=["POST"])
def lift_block(line_id: int, block_id: int):
    line = coordinated_line(line_id)
    block = on_line(Block, block_id, line, _("No such block on this line."))
    try:
        blocks.lift_block(db_session(), block, actor_id=signed_in_user().id, via=forms.VIA)
        db_session().commit()
    except ValueError as error:
        return forms.refused(error, "console.blocks_page", line_id=line.id)
    return forms.done(_("Block lifted."), "console.blocks_page", line_id=line.id)
