"""Plain, immutable records the store hands out (no SQLAlchemy objects escape it)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Recipient:
    """What a send needs about one subscribed family: cheap to make 100,000 of."""

    id: int
    email: str
    name: str | None
    language: str
    schools: tuple[str, ...]
    topics: tuple[str, ...]


@dataclass(frozen=True)
class StatusChange:
    """One row of a subscriber's append-only status history."""

    old_status: str | None  # None: the subscriber was created with new_status
    new_status: str
    changed_by: str  # "import:roster.csv", "cli", "webhook:sendgrid", "preferences", ...
    changed_at: datetime
    reason: str
    publication: str | None = None   # a change to one publication's subscription, not the family's status


@dataclass(frozen=True)
class Subscriber:
    """Everything stored about one address, with its history (oldest first) when asked for."""

    id: int
    email: str
    name: str | None
    language: str
    status: str
    source: str
    consent_at: datetime | None
    preferences_at: datetime | None
    created_at: datetime
    updated_at: datetime
    schools: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()     # every topic when all_topics
    history: tuple[StatusChange, ...] = field(default=())
    all_topics: bool = False         # follows every topic, new ones too (until the family chooses)
    unknown: tuple[tuple[str, str], ...] = ()   # (field, value as the roster wrote it) nobody knows


@dataclass(frozen=True)
class SegmentCount:
    """Who a segment reaches: subscribed families by language and by school, and who is excluded.

    `by_school` counts a family once per school it follows (so it can add up to more than
    `total`); families with no school at all are under "". `unknown` counts the families with a
    value the roster gave that nobody knows, per field and value ({"school": {"Whiting Lane": 38}}):
    a family whose only school is unknown is there, not under "". `excluded` counts addresses
    that match the segment but are suppressed, by status (unsubscribed, bounced, complained).
    """

    total: int
    by_language: dict[str, int]
    by_school: dict[str, int]
    excluded: dict[str, int]
    unknown: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())
