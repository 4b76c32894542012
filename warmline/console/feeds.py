"""Calendar feeds of someone's shifts: the feed itself, and the page that issues its URL."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for

from warmline import calendar_feed
from warmline.console import forms
from warmline.web import db_session
from warmline.web.auth import require_user, signed_in_user
from warmline.web.security import require_csrf

# The calendar feed is fetched by calendar apps that never sign in: its secret is the URL.
feeds = Blueprint("feeds", __name__)


@feeds.get("/calendar/<token>.ics")
def calendar(token: str):
    session = db_session()
    user = calendar_feed.user_for_token(session, token[:100])
    if user is None:
        abort(404)
    return Response(
        calendar_feed.feed(session, user),
        mimetype="text/calendar",
        headers={"Cache-Control": "private, max-age=300"},
    )


@feeds.route("/console/my-calendar", methods=["GET", "POST"])
@require_user()
def my_calendar():
    """Let anyone signed in, specialists included, get or renew their own feed URL."""
    require_csrf()
    user, url = signed_in_user(), None
    if request.method == "POST":
        token = calendar_feed.issue_token(db_session(), user, actor_id=user.id, via=forms.VIA)
        db_session().commit()
        url = url_for("feeds.calendar", token=token, _external=True)
    return render_template("console/my_calendar.html", user=user, feed_url=url)
