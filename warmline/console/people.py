"""The console's people page: add and edit specialists and coordinators, passwords, calendars.

A coordinator sees the specialists of the lines they run and changes only those whose every
line is one of theirs; an administrator sees and changes everyone. Anyone else is 404.
"""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from warmline import calendar_feed, people, presence
from warmline.console import forms
from warmline.console.blueprint import ID, coordinator_route
from warmline.models import Role, User
from warmline.web import db_session, runtime
from warmline.web.access import visible_lines
from warmline.web.auth import signed_in_user


def _may_edit(actor: User, user: User) -> bool:
    if actor.role != Role.ADMIN and user.role != Role.SPECIALIST and user.id != actor.id:
        return False
    return people.may_act_on(db_session(), actor, user)


def _people_page(**feed: object) -> str:
    me, session = signed_in_user(), db_session()
    shown = people.visible_to(session, me)
    return render_template(
        "console/people.html",
        people=shown,
        served={u.id: people.lines_served(session, u.id) for u in shown},
        lines=visible_lines(session, me),
        me=me,
        may_edit=lambda u: _may_edit(me, u),
        roles=list(Role) if me.role == Role.ADMIN else [Role.SPECIALIST],
        **feed,
    )


@coordinator_route("/people", methods=["GET"])
def people_page():
    return _people_page(feed_url=None)


def _role() -> Role:
    raw = request.form.get("role", Role.SPECIALIST.value)
    if raw not in {r.value for r in Role}:
        raise forms.FormError(_("choose a role from the list"))
    role = Role(raw)
    if role != Role.SPECIALIST and signed_in_user().role != Role.ADMIN:
        raise forms.FormError(_("only an administrator can make coordinators and administrators"))
    return role


def _line_ids(*, for_someone_else: bool) -> set[int]:
    """Return the lines the form ticks, each one the signed-in user runs.

    A coordinator gives someone else one of their lines at least, or nobody could manage them.
    """
    me = signed_in_user()
    mine = {line.id for line in visible_lines(db_session(), me)}
    chosen = set()
    for raw in request.form.getlist("line_ids"):
        if not raw.isdigit() or int(raw) not in mine:
            raise forms.FormError(_("choose lines from the list"))
        chosen.add(int(raw))
    if not chosen and for_someone_else and me.role != Role.ADMIN:
        raise forms.FormError(_("choose at least one of your lines"))
    return chosen


@coordinator_route("/people", methods=["POST"])
def add_person():
    session = db_session()
    try:
        user = people.add_user(
            session,
            email=forms.text("email", limit=254),
            display_name=forms.text("display_name", limit=120),
            role=_role(),
            phone=forms.text("phone", required=False, limit=30) or None,
            languages=forms.language_codes(forms.text("languages", limit=100)),
            password=forms.text("password", limit=1024),
            line_ids=_line_ids(for_someone_else=True),
            actor_id=signed_in_user().id,
            via=forms.VIA,
        )
        session.commit()
    except (ValueError, IntegrityError) as error:
        return forms.refused(error, "console.people_page")
    return forms.done(_("%(name)s added.", name=user.display_name), "console.people_page")


def _editable(user_id: int) -> User:
    """Return someone the signed-in user may change: 404 for anyone they cannot see."""
    session, me = db_session(), signed_in_user()
    user = session.get(User, user_id)
    if user is None or user not in people.visible_to(session, me):
        abort(404, description=_("No such person."))
    if not _may_edit(me, user):
        abort(403, description=_("Only an administrator can change this person."))
    return user


def _profile(user: User) -> people.Profile:
    me = signed_in_user()
    return people.Profile(
        display_name=forms.text("display_name", limit=120),
        phone=forms.text("phone", required=False, limit=30) or None,
        languages=forms.language_codes(forms.text("languages", limit=100)),
        max_texts=forms.optional_number("max_texts", 1, 10),
        active=request.form.get("active") == "yes",
        supervisor=request.form.get("supervisor") == "yes",
        in_training=request.form.get("in_training") == "yes",
        # Nobody changes their own role, lest the last administrator demote themselves.
        role=_role() if me.role == Role.ADMIN and user.id != me.id else user.role,
    )


@coordinator_route(f"/people/<{ID}:user_id>", methods=["POST"])
def edit_person(user_id: int):
    user = _editable(user_id)
    session, me = db_session(), signed_in_user()
    was_active, was_in_training = user.active, user.in_training
    try:
        people.update_user(session, user, _profile(user), actor_id=me.id, via=forms.VIA)
        people.set_lines(
            session,
            user,
            _line_ids(for_someone_else=user.id != me.id),
            actor_id=me.id,
            via=forms.VIA,
        )
        session.commit()
    except ValueError as error:
        return forms.refused(error, "console.people_page")
    saved = _("%(name)s saved.", name=user.display_name)
    if (was_active and not user.active) or was_in_training != user.in_training:
        # Their next shift starts with the offers their new mark allows, never a stale one.
        saved += " " + _take_off_every_line(user)
    return forms.done(saved, "console.people_page")


def _take_off_every_line(user: User) -> str:
    """End a deactivated person's shifts and give their texts back; say what was done."""
    services = runtime()
    withdrawn = presence.withdraw(db_session(), services.redis, services.jobs, user_id=user.id)
    return _(
        "Taken off shift on %(lines)s line(s); %(texts)s open text(s) back in line for others.",
        lines=withdrawn.lines,
        texts=withdrawn.texts,
    )


@coordinator_route(f"/people/<{ID}:user_id>/password", methods=["POST"])
def reset_password(user_id: int):
    user = _editable(user_id)
    try:
        password = forms.text("password", limit=1024)
        people.set_password(
            db_session(), user, password, actor_id=signed_in_user().id, via=forms.VIA
        )
    except ValueError as error:
        return forms.refused(error, "console.people_page")
    db_session().commit()
    return forms.done(
        _("New password set for %(name)s.", name=user.display_name), "console.people_page"
    )


@coordinator_route(f"/people/<{ID}:user_id>/calendar", methods=["POST"])
def issue_calendar(user_id: int):
    user = _editable(user_id)
    token = calendar_feed.issue_token(
        db_session(), user, actor_id=signed_in_user().id, via=forms.VIA
    )
    db_session().commit()
    feed_url = url_for("feeds.calendar", token=token, _external=True)
    return _people_page(feed_url=feed_url, feed_for=user)
