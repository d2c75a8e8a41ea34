"""Delivery events (delivered, open, click, bounce, unsubscribe...) from SendGrid and our own links.

Each event is stored once (event_id is unique: SendGrid retries webhooks for 24 hours), and
the events that change what we may send - bounces, complaints, unsubscribes - update the
subscriber's status with history.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import (Column, Connection, DateTime, ForeignKey, Index, Integer, String, Table, Text, insert,
                        select)

from mailer.store.tables import metadata

delivery_events = Table(
    "delivery_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", String(100), nullable=False, unique=True),
    Column("provider", String(16), nullable=False),
    Column("issue", String(100), nullable=False, default=""),
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="SET NULL")),
    Column("event", String(32), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Index("ix_delivery_events_issue_event", "issue", "event"),
)

# Dropped messages: SendGrid's reason -> what it means for the address.
_DROPPED = {"bounced address": "bounced", "invalid": "bounced", "spam reporting address": "complained",
            "unsubscribed address": "unsubscribed"}


@dataclass(frozen=True)
class Event:
    event_id: str
    provider: str
    event: str
    email: str
    issue: str
    subscriber_id: int | None
    occurred_at: dt.datetime
    detail: str = ""

    @property
    def new_status(self) -> str | None:
        """The subscriber status this event calls for, if any."""
        if self.event == "bounce":
            return None if self.detail.startswith("blocked") else "bounced"   # blocks are temporary
        if self.event == "dropped":
            return _DROPPED.get(self.detail.lower())
        if self.event == "spamreport":
            return "complained"
        if self.event in ("unsubscribe", "group_unsubscribe"):
            return "unsubscribed"
        return None


def from_sendgrid(raw: dict) -> Event | None:
    """One event of SendGrid's webhook payload; None if it lacks what we need."""
    event_id, kind, email = raw.get("sg_event_id"), raw.get("event"), raw.get("email")
    if not (isinstance(event_id, str) and isinstance(kind, str) and isinstance(email, str)):
        return None
    subscriber = str(raw.get("subscriber", ""))
    detail = {"bounce": f"{raw.get('type', 'bounce')}: {raw.get('reason', '')}",
              "dropped": str(raw.get("reason", "")), "click": str(raw.get("url", ""))}.get(kind, "")
    try:
        when = dt.datetime.fromtimestamp(int(raw.get("timestamp", 0)), dt.timezone.utc)
    except (TypeError, ValueError, OverflowError):
        when = dt.datetime.now(dt.timezone.utc)
    return Event(event_id[:100], "sendgrid", kind[:32], email, str(raw.get("issue", ""))[:100],
                 int(subscriber) if subscriber.isdigit() else None, when, detail[:2000])


def store_new(connection: Connection, events: list[Event]) -> list[Event]:
    """Insert the events not seen before; return those (the duplicates are dropped)."""
    ids = list({e.event_id for e in events})
    if not ids:
        return []
    seen = set(connection.execute(select(delivery_events.c.event_id)
                                  .where(delivery_events.c.event_id.in_(ids))).scalars())
    new, taken = [], set(seen)
    for event in events:
        if event.event_id not in taken:
            taken.add(event.event_id)
            new.append(event)
    if new:
        connection.execute(insert(delivery_events), [
            {"event_id": e.event_id, "provider": e.provider, "issue": e.issue, "subscriber_id": e.subscriber_id,
             "event": e.event, "occurred_at": e.occurred_at, "detail": e.detail} for e in new])
    return new


def apply(store, events: list[Event]) -> list[Event]:
    """Store events once each and update statuses; returns the events that were new."""
    with store.write() as connection:
        new = store_new(connection, events)
    for event in new:
        if event.new_status:
            store.set_status(event.email, event.new_status, by=f"webhook:{event.provider}",
                             reason=f"{event.event} {event.detail}".strip())
    return new


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
