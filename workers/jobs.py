"""RQ jobs: plain functions that take ids, reload state, and do nothing if it moved on."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from warmline import audit
from warmline.models import Contact, Line, utcnow
from workers.context import current


def purge_expired_contacts() -> dict[str, int]:
    """Delete contact metadata (and its wrap-ups) older than each line's retention period."""
    removed: dict[str, int] = {}
    with current().sessions() as session:
        for line in session.scalars(select(Line)):
            cutoff = utcnow() - timedelta(days=line.retention_days)
            result = session.execute(
                delete(Contact).where(Contact.line_id == line.id, Contact.arrived_at < cutoff)
            )
            removed[str(line.id)] = result.rowcount
        audit.record(
            session, "retention.purge", "contact", None, via="worker", detail={"removed": removed}
        )
        session.commit()
    return removed
