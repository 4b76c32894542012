"""Text offers: a waiting texter offered on a free specialist's dashboard, the way a call is.

The one who gets it (on shift with a dashboard open, room for one more text, speaking the
text's language; fewest open texts, then idle longest) accepts it or lets it pass; then the
next. The text keeps its place in line meanwhile and may still be taken from the list.
Letting it pass, by the Pass button or by not answering in time, is no fault: the same text
is not offered to them again for `PASSED_FOR_SECONDS`. Only someone who let an offer lapse
while holding no conversation at all goes on break, as after a missed call: they are away.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline.jobs import Jobs
from warmline.live import LiveLine, now_ms
from warmline.models import Line, User

# A text offer stands for the line's ring timeout and this long for turning to the dashboard.
SCREEN_SECONDS = 10
# How long a text someone let pass is offered to others first, before them again.
PASSED_FOR_SECONDS = 120


def texts_allowed(line: Line, specialist: User) -> int:
    """Return how many texts a specialist may hold at once: the line's limit or their lower one.

    None for someone in training: they take practice calls only.
    """
    if specialist.in_training:
        return 0
    return min(line.max_texts_per_specialist, specialist.max_texts or line.max_texts_per_specialist)


def offer_seconds(line: Line) -> int:
    """Return how long a text offer waits for an answer."""
    return line.ring_timeout_seconds + SCREEN_SECONDS


def offer_texts(session: Session, live: LiveLine, line: Line, *, ahead_of_calls: bool) -> int:
    """Offer waiting texts to whoever can take one until no pair is left; return how many.

    With `ahead_of_calls`, only texts ahead of every waiting caller in line, so that a caller
    who came first (or is in crisis) is rung before a text takes their specialist.
    """
    present = live.present()
    if not present:
        return 0
    people = session.scalars(select(User).where(User.id.in_(present), User.active.is_(True)))
    limits = {person.id: texts_allowed(line, person) for person in people}
    offered = 0
    for _ in limits:
        offer = live.offer_text(
            limits,
            ends_ms=now_ms() + offer_seconds(line) * 1000,
            during_calls=line.texts_during_calls,
            ahead_of_calls=ahead_of_calls,
        )
        if offer is None:
            break
        offered += 1
        live.publish(
            "text_offer",
            contact_id=offer.contact_id,
            specialist_id=offer.specialist_id,
            channel="sms",
        )
    return offered


def _offer_again(live: LiveLine, jobs: Jobs) -> None:
    """Offer the text to the next one now, and to whoever let it pass once their turn is over."""
    jobs.offer_contacts(live.line_id)
    jobs.offer_contacts(live.line_id, after_seconds=PASSED_FOR_SECONDS)


def pass_text_offer(live: LiveLine, jobs: Jobs, *, contact_id: int, specialist_id: int) -> bool:
    """Let the text offered to a specialist pass to the next; False if no such offer stands."""
    ended = live.end_text_offer(
        contact_id,
        specialist_id,
        "pass",
        passed_until_ms=now_ms() + PASSED_FOR_SECONDS * 1000,
    )
    if ended is None:
        return False
    live.publish("text_offer_passed", contact_id=contact_id, specialist_id=specialist_id)
    _offer_again(live, jobs)
    return True


def expire_text_offers(live: LiveLine, jobs: Jobs) -> int:
    """End the line's text offers nobody answered in time; return how many."""
    expired = 0
    for contact_id in live.expired_text_offers(now_ms()):
        ended = live.end_text_offer(
            contact_id, None, "expire", passed_until_ms=now_ms() + PASSED_FOR_SECONDS * 1000
        )
        if ended is None:
            continue
        expired += 1
        if ended.on_break:
            live.publish(
                "specialist_paused",
                specialist_id=ended.specialist_id,
                reason="missed_text_offer",
            )
        else:
            live.publish(
                "text_offer_expired", contact_id=contact_id, specialist_id=ended.specialist_id
            )
        _offer_again(live, jobs)
    return expired


def withdraw_text_offer(live: LiveLine, jobs: Jobs, contact_id: int) -> None:
    """End the offer of a text that left the line; its specialist may be offered the next."""
    ended = live.end_text_offer(contact_id, None, "withdraw")
    if ended is not None:
        live.publish("text_offer_taken", contact_id=contact_id, specialist_id=ended.specialist_id)
        jobs.offer_contacts(live.line_id)


def take_back_text_offer(live: LiveLine, jobs: Jobs, specialist_id: int) -> None:
    """End the text offer of a specialist leaving the line; the text goes to the next one."""
    contact_id = live.text_offer_of(specialist_id)
    if contact_id is not None and live.end_text_offer(contact_id, specialist_id, "withdraw"):
        jobs.offer_contacts(live.line_id)
