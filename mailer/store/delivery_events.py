"""Delivery events (delivered, open, click, bounce, unsubscribe...) from SendGrid and our own links.

Each event is applied on its own, in one transaction: its row here (event_id is unique:
SendGrid retries a batch for 24 hours) and, for bounces, complaints and unsubscribes, the
subscriber's new status with history. So a batch interrupted half-way is finished by the
retry, and events already applied are not applied twice. An event that is malformed, of an
unknown type, or about an address we do not have is stored as `skipped` with the reason in
`detail`, and never fails the others.

Statuses only ever get stronger through events (subscribed < unsubscribed < bounced <
complained): nothing here subscribes anyone, and a complaint is never turned into a bounce.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from mailer.store.tables import delivery_events, send_log, subscribers
from mailer.store.subscribers import change_status, stronger
from mailer.store.subscriptions import set_subscription
from mailer.values.emails import BadEmail, normalize_email

SKIPPED = "skipped"   # the `event` of a row that was recorded but not applied; `detail` says why
KINDS = ("processed", "delivered", "deferred", "bounce", "dropped", "open", "click", "spamreport", "unsubscribe",
         "group_unsubscribe", "group_resubscribe")

# Dropped messages: SendGrid's reason -> what it means for the address.
_DROPPED = {"bounced address": "bounced", "invalid": "bounced", "spam reporting address": "complained",
            "unsubscribed address": "unsubscribed"}
_REFERENCE = re.compile(r"[0-9]{1,18}")


@dataclass(frozen=True)
class Event:
    event_id: str
    provider: str
    event: str
    email: str                      # normalized, or "" when the event is malformed
    issue: str
    subscriber_id: int | None       # our own reference (custom arg), checked against `email` before use
    occurred_at: dt.datetime
    detail: str = ""
    problem: str = ""               # why it cannot be applied; it is then recorded as skipped

    @property
    def new_status(self) -> str | None:
        """The subscriber status this event calls for, if any."""
        if self.problem:
            return None
        if self.event == "bounce":
            return None if self.detail.startswith("blocked") else "bounced"   # blocks are temporary
        if self.event == "dropped":
            return _DROPPED.get(self.detail.lower())
        if self.event == "spamreport":
            return "complained"
        if self.event in ("unsubscribe", "group_unsubscribe"):
            return "unsubscribed"
        return None


@dataclass(frozen=True)
class Applied:
    """What one delivery of events did: events new to us (skipped ones included), and skipped ones."""

    new: int = 0
    skipped: int = 0


def from_sendgrid(raw: object) -> Event:
    """One event of SendGrid's webhook payload; a malformed one comes back with its `problem`."""
    if not isinstance(raw, dict):
        return _malformed(raw, "not an event object")
    event_id, kind = raw.get("sg_event_id"), raw.get("event")
    if not isinstance(event_id, str) or not event_id.strip():
        return _malformed(raw, "no sg_event_id")
    problem = ""
    if not isinstance(kind, str) or kind not in KINDS:
        problem = f"unknown event type '{kind[:32]}'" if isinstance(kind, str) else "no event type"
        kind = "unknown"
    try:
        email = normalize_email(raw.get("email")) if isinstance(raw.get("email"), str) else ""
    except BadEmail:
        email = ""
    if not email and not problem:
        problem = "no valid email address"
    detail = {"bounce": f"{raw.get('type', 'bounce')}: {raw.get('reason', '')}",
              "dropped": str(raw.get("reason", "")), "click": str(raw.get("url", ""))}.get(kind, "")
    return Event(event_id[:100], "sendgrid", kind, email, str(raw.get("issue", ""))[:100],
                 _reference(raw.get("subscriber")), _when(raw.get("timestamp")), detail[:2000], problem)


def _malformed(raw: object, problem: str) -> Event:
    """A skipped event: its id is a hash of its content, so SendGrid's retry is recognised."""
    content = json.dumps(raw, sort_keys=True, default=str).encode()
    return Event("malformed-" + hashlib.sha256(content).hexdigest()[:40], "sendgrid", "unknown", "", "", None,
                 now(), "", problem)


def _reference(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value > 0 else None
    if isinstance(value, str) and _REFERENCE.fullmatch(value):
        return int(value)
    return None


def _when(value: object) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(int(value), dt.timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return now()


def apply(store, events: list[Event]) -> Applied:
    """Record and apply each event once, each in its own transaction (see the module docstring)."""
    ids = list({e.event_id for e in events})
    seen: set[str] = set()
    with store.read() as connection:
        for start in range(0, len(ids), 500):
            seen.update(connection.execute(select(delivery_events.c.event_id)
                                           .where(delivery_events.c.event_id.in_(ids[start:start + 500]))).scalars())
    new = skipped = 0
    for event in events:
        if event.event_id in seen:
            continue
        seen.add(event.event_id)
        outcome = _apply_one(store, event)
        if outcome is not None:
            new += 1
            skipped += outcome == SKIPPED
    return Applied(new, skipped)


def _apply_one(store, event: Event) -> str | None:
    """'changed', 'recorded' or SKIPPED; None if another delivery of it got there first."""
    try:
        with store.write() as connection:
            if _stored(connection, event.event_id):
                return None
            row = _subscriber(connection, event)
            problem = event.problem or ("address not in the subscriber store" if event.new_status and row is None
                                        else "")
            _insert(connection, event, row.id if row else None, problem)
            if problem:
                return SKIPPED
            if row is not None:
                settle_in_doubt(connection, event, row.id)
            if event.new_status and stronger(row.status, event.new_status):
                change_status(connection, row.id, row.status, event.new_status, by=f"webhook:{event.provider}",
                              reason=f"{event.event} {event.detail}".strip())
                return "changed"
            return "recorded"
    except IntegrityError:
        with store.read() as connection:
            if _stored(connection, event.event_id):     # a concurrent delivery of the same event
                return None
        raise


# What an event says about a request cut off by a crash: SendGrid took it (or dropped it).
_TAKEN = {"processed": "queued", "deferred": "queued", "delivered": "queued", "bounce": "queued",
          "open": "queued", "click": "queued", "spamreport": "queued", "dropped": "rejected"}


def settle_in_doubt(connection: Connection, event: Event, subscriber_id: int) -> None:
    """A send-log row of this issue left "in_doubt" becomes queued (or rejected, if dropped)."""
    status = _TAKEN.get(event.event)
    if status is None or not event.issue:
        return
    connection.execute(update(send_log).where(
        _same_issue(event.issue), send_log.c.subscriber_id == subscriber_id, send_log.c.status == "in_doubt")
        .values(status=status, detail=f"settled by a {event.event} event from {event.provider}",
                updated_at=now()))


def _stored(connection: Connection, event_id: str) -> bool:
    return connection.execute(select(delivery_events.c.id).where(delivery_events.c.event_id == event_id)).first() \
        is not None


def _subscriber(connection: Connection, event: Event):
    """(id, status) of the event's family: our reference if it names this address, else by address."""
    columns = (subscribers.c.id, subscribers.c.email, subscribers.c.status)
    if event.subscriber_id is not None:
        row = connection.execute(select(*columns).where(subscribers.c.id == event.subscriber_id)
                                 .with_for_update()).first()
        if row is not None and row.email == event.email:
            return row
    if not event.email:
        return None
    return connection.execute(select(*columns).where(subscribers.c.email == event.email).with_for_update()).first()


def _insert(connection: Connection, event: Event, subscriber_id: int | None, problem: str) -> None:
    kind = SKIPPED if problem else event.event
    detail = f"{problem}: {event.event} {event.detail}".strip()[:2000] if problem else event.detail
    issue = event.issue
    if issue and "/" not in issue and subscriber_id is not None:     # sent before publications: its key now
        issue = connection.execute(select(send_log.c.issue).where(
            send_log.c.subscriber_id == subscriber_id, _same_issue(issue)).limit(1)).scalar() or issue
    connection.execute(insert(delivery_events).values(
        event_id=event.event_id, provider=event.provider, issue=issue, subscriber_id=subscriber_id,
        event=kind, occurred_at=event.occurred_at, detail=detail))


def _same_issue(issue: str):
    """Send-log rows of `issue`: its key, or, for an event of a message sent before publications
    (custom_args with the bare issue name), that issue in any publication."""
    return send_log.c.issue == issue if "/" in issue else send_log.c.issue.endswith("/" + issue)


def unsubscribe_by_link(store, subscriber_id: int, email: str, issue: str, *, publication: str, by: str) -> bool:
    """A family's own one-click unsubscribe from the publication of the message (RFC 8058), with
    its event, in one transaction. Their other publications and their own status stay; a
    bounced or complained address stays as it is. Returns whether anything changed."""
    with store.write() as connection:
        status = connection.execute(select(subscribers.c.status).where(subscribers.c.id == subscriber_id)
                                    .with_for_update()).scalar()
        if status != "subscribed" or not set_subscription(connection, subscriber_id, publication, "unsubscribed",
                                                          by=by, reason=f"issue {issue}"):
            return False
        event = Event(f"link-unsubscribe-{issue}-{subscriber_id}"[:100], "link", "unsubscribe", email, issue[:100],
                      subscriber_id, now())
        if not _stored(connection, event.event_id):
            _insert(connection, event, subscriber_id, "")
        return True


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
