"""Which publications a family follows (the subscriptions table; see mailer/store/tables.py).

A roster import subscribes its families to the publications it names, once: a family who
unsubscribed from one keeps that choice at every re-import. One-click unsubscribe and the
preference page change one publication; each change is a history row naming the publication.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import Connection, exists, insert, literal, select, update

from mailer.store.tables import UTCDateTime, status_history, subscribers, subscriptions, utcnow

BATCH = 1000
_OTHER = {"subscribed": "unsubscribed", "unsubscribed": "subscribed"}   # the state before a first row


def subscribe_new(connection: Connection, emails: list[str], publications: Iterable[str], *, by: str) -> dict[str, int]:
    """Subscribe the families with these (normalized) addresses to each publication, except those
    who already have a row for it (subscribed, or unsubscribed by their own choice). Returns how
    many were newly subscribed, per publication."""
    now, added = utcnow(), {}
    for publication in publications:
        added[publication] = 0
        for start in range(0, len(emails), BATCH):
            new = select(subscribers.c.id, literal(publication), literal("subscribed"), literal(by[:200]),
                         literal(now, UTCDateTime())).where(
                subscribers.c.email.in_(emails[start:start + BATCH]),
                ~exists().where(subscriptions.c.subscriber_id == subscribers.c.id,
                                subscriptions.c.publication == publication))
            result = connection.execute(insert(subscriptions).from_select(
                ["subscriber_id", "publication", "status", "changed_by", "changed_at"], new)
                .execution_options(preserve_rowcount=True))
            added[publication] += max(result.rowcount, 0)
    return added


def set_subscription(connection: Connection, subscriber_id: int, publication: str, status: str, *, by: str,
                     reason: str = "") -> bool:
    """Subscribe to or unsubscribe from one publication (with a history row); whether it changed."""
    old = connection.execute(select(subscriptions.c.status).where(
        subscriptions.c.subscriber_id == subscriber_id, subscriptions.c.publication == publication)
        .with_for_update()).scalar()
    if old == status:       # (no row: following by default, or never subscribed: a row records the choice)
        return False
    now = utcnow()
    values = {"status": status, "changed_by": by[:200], "changed_at": now}
    if old is None:
        connection.execute(insert(subscriptions).values(subscriber_id=subscriber_id, publication=publication, **values))
    else:
        connection.execute(update(subscriptions).where(subscriptions.c.subscriber_id == subscriber_id,
                                                       subscriptions.c.publication == publication).values(**values))
    connection.execute(insert(status_history).values(
        subscriber_id=subscriber_id, old_status=old or _OTHER[status], new_status=status, changed_by=by[:200],
        changed_at=now, reason=reason, publication=publication))
    return True


def subscriptions_of(connection: Connection, subscriber_id: int) -> dict[str, str]:
    """{publication: "subscribed" | "unsubscribed"} for one family."""
    return dict(connection.execute(select(subscriptions.c.publication, subscriptions.c.status)
                                   .where(subscriptions.c.subscriber_id == subscriber_id)).all())


def follows(rows: dict[str, str], publication: str, by_default: bool) -> bool:
    """Whether a family with these subscriptions rows gets `publication` (the same rule as
    mailer.store.rules.Follows: a "subscribed" row, or none for a default_subscribe publication)."""
    return rows.get(publication, "subscribed" if by_default else "unsubscribed") == "subscribed"
