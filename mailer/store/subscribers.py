"""The subscriber store: open it, look people up, change status and preferences.

    from mailer.store.subscribers import Store
    with Store.open() as store:                 # $NEWSLETTER_DB or var/newsletter.db; migrates
        for batch in store.recipient_batches(segment):   # subscribed only, by id, streaming
            ...
        store.set_status("a@example.org", "unsubscribed", by="webhook:sendgrid", reason="one-click")

Addresses are normalized (mailer.emails) on the way in, so callers may pass them as typed.
Suppressed addresses (unsubscribed, bounced, complained) are kept forever so nothing can
subscribe them again except an explicit set_status(..., "subscribed") on the family's request.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, Engine, insert, select, update

from mailer.store import database as db
from mailer.store import queries
from mailer.values.emails import BadEmail, normalize_email
from common.errors import StoreError, StoreUnreachable
from mailer.values.languages import UnknownLanguage, language_code
from mailer.store.serial import SerialWrites
from mailer.store.row_types import Recipient, SegmentCount, StatusChange, Subscriber
from mailer.store.tables import STATUSES, status_history, subscribers, utcnow
from mailer.store.writes import replace_unknown, replace_values
from mailer.values.topics import TOPICS


class Store:
    """A subscriber store on one database. Thread-compatible; open one per process."""

    def __init__(self, engine: Engine, url: str):
        self.engine = engine
        self.url = url

    @classmethod
    def open(cls, url: str | None = None, *, migrate: bool = True, publication: str = "") -> "Store":
        """Open the store at `url` (Settings.db: NEWSLETTER_DB), or var/newsletter.db (created with its folder).

        Pending schema migrations are applied first (`migrate=False` skips that; `publication`: see
        engine.migrate).
        """
        resolved = db.resolve_url(url)
        engine = db.make_engine(resolved)
        try:
            if migrate:
                db.migrate(engine, publication=publication)
        except Exception as e:
            engine.dispose()
            if isinstance(e, StoreError):
                raise
            raise StoreUnreachable(f"cannot open the subscriber store {db.describe(resolved)}: {e}",
                             f"check {db.ENV_VAR} and that the database server is running") from e
        return cls(engine, resolved)

    @classmethod
    def of(cls, settings) -> "Store":
        """The store an install's settings name (NEWSLETTER_DB; NEWSLETTER_PUBLICATION for the
        upgrade of a store from before publications): what every face and workflow opens."""
        return cls.open(settings.db, publication=settings.legacy_publication)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    @property
    def description(self) -> str:
        """Where the store is, fit to print (no password)."""
        return db.describe(self.url)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection in a read transaction."""
        with self.engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A read transaction whose queries all see the store at one moment (REPEATABLE READ on
        PostgreSQL; a SQLite read transaction already is one): counts that must add up."""
        options = {"isolation_level": "REPEATABLE READ"} if self.engine.dialect.name == "postgresql" else {}
        with self.engine.connect().execution_options(**options) as connection, connection.begin():
            yield connection

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection in a write transaction: committed at the end, rolled back on any error."""
        with self.engine.connect().execution_options(sqlite_immediate=True) as connection, connection.begin():
            yield connection

    def serial_writes(self) -> SerialWrites:
        """Like write(), for many small transactions from several threads (the send journal):
        one held connection, one transaction at a time. Use as a context manager."""
        return SerialWrites(self.engine)

    # -- reading ---------------------------------------------------------------------------------

    def get(self, email: str, *, history: bool = False) -> Subscriber | None:
        """The subscriber with this address (any status), or None."""
        with self.read() as connection:
            return queries.subscriber(connection, normalize(email), history=history)

    def recipient_batches(self, segment=None, *, batch_size: int = 1000, after_id: int = 0,
                          skip_logged: tuple[str, tuple[str, ...]] | None = None) -> Iterator[list[Recipient]]:
        """Subscribed recipients of `segment` (a Segment, Rule or None for everyone), in batches.

        Ordered by id and fetched one batch per short query (keyset pagination), so memory
        stays bounded however large the audience; `after_id` resumes after a given id;
        `skip_logged=(issue, statuses)` leaves out families done with that issue.
        """
        return queries.recipient_batches(self.engine, segment, batch_size, after_id, skip_logged)

    def recipients(self, segment=None, *, batch_size: int = 1000, after_id: int = 0) -> Iterator[Recipient]:
        """Like recipient_batches, one Recipient at a time."""
        for batch in self.recipient_batches(segment, batch_size=batch_size, after_id=after_id):
            yield from batch

    def count(self, segment=None) -> SegmentCount:
        """Subscribed families of `segment` per language and per school, and who is excluded."""
        with self.read() as connection:
            return queries.count(connection, segment)

    def subscribers(self, *, batch_size: int = 1000) -> Iterator[Subscriber]:
        """Every stored address, any status, by id, streaming (for export)."""
        return queries.all_subscribers(self.engine, batch_size)

    # -- changing --------------------------------------------------------------------------------

    def set_status(self, email: str, status: str, *, by: str, reason: str = "", create: bool = True,
                   only_from: Iterable[str] | None = None) -> StatusChange | None:
        """Change an address's status and append the change to its history.

        `by` says who or what did it ("cli", "webhook:sendgrid", "preferences", ...).
        Returns the change, or None when nothing changed: the status already was `status`, or
        it is not one of `only_from` (e.g. a link may unsubscribe only a subscribed family, so
        a bounce or a complaint stays). An unknown address is added with that status when
        `create` (so a later import cannot subscribe it), else StoreError.
        """
        address = normalize(email)
        with self.write() as connection:
            return set_status_in(connection, address, status, by=by, reason=reason, create=create,
                                 only_from=only_from)

    def opt_in(self, email: str, *, source: str, by: str, at: datetime | None = None) -> StatusChange | None:
        """A fresh, explicit opt-in, the only way back after a complaint (links never call this).

        `source` says how the family asked ("signed form at Aiken"); it and the time (`at`,
        default now) go into the history and `consent_at`. None if already subscribed.
        """
        if not source.strip():
            raise StoreError("an opt-in needs its source", "say how and where the family asked to be subscribed")
        address, when = normalize(email), at or utcnow()
        with self.write() as connection:
            change = set_status_in(connection, address, "subscribed", by=by, create=False,
                                   reason=f"explicit opt-in at {when.isoformat(timespec='minutes')}: {source.strip()}")
            connection.execute(update(subscribers).where(subscribers.c.email == address).values(consent_at=when))
            return change

    def update_preferences(self, email: str, *, language: str | None = None, topics: Iterable[str] | None = None,
                           schools: Iterable[str] | None = None, by: str = "preferences") -> Subscriber:
        """Set a family's chosen language, topics and/or schools (None leaves a field alone).

        Values are validated: language names or codes ("Español", "es"), topics from
        mailer.topics.TOPICS; school ids are stored as given (validate them against
        audiences.yaml first). Once a family has chosen, roster imports no longer change
        their language or topics. Raises StoreError for an unknown address or bad value.
        """
        address = normalize(email)
        values: dict[str, object] = {"preferences_at": utcnow(), "updated_at": utcnow()}
        if language is not None:
            try:
                values["language"] = language_code(language)
            except UnknownLanguage as e:
                raise StoreError(str(e)) from None
        if topics is not None:
            topics = sorted(set(topics))
            unknown = [t for t in topics if t not in TOPICS]
            if unknown:
                raise StoreError(f"unknown topic {', '.join(unknown)}", f"topics are: {', '.join(TOPICS)}")
            values["all_topics"] = False  # the family's own list from now on
        with self.write() as connection:
            row = connection.execute(select(subscribers.c.id).where(subscribers.c.email == address)).first()
            if row is None:
                raise StoreError(f"{address} is not in the subscriber store")
            connection.execute(update(subscribers).where(subscribers.c.id == row.id).values(**values))
            if topics is not None:
                replace_values(connection, "topics", {row.id: topics})
            if schools is not None:
                replace_values(connection, "schools", {row.id: sorted(set(schools))})
            chosen = [f for f, value in (("language", language), ("topic", topics)) if value is not None]
            replace_unknown(connection, chosen, {row.id: ()})  # the family's choice replaces what a roster said
            return queries.subscriber(connection, address)


def normalize(email: str) -> str:
    try:
        return normalize_email(email)
    except BadEmail as e:
        raise StoreError(str(e)) from None


# How far an address is from getting mail: automatic changes (webhooks) only ever go up.
SUPPRESSION_RANK = {"subscribed": 0, "unsubscribed": 1, "bounced": 2, "complained": 3}


def stronger(old: str, new: str) -> bool:
    """Whether `new` suppresses more than `old` (a bounce after an unsubscribe; never the reverse)."""
    return SUPPRESSION_RANK[new] > SUPPRESSION_RANK[old]


def set_status_in(connection: Connection, address: str, status: str, *, by: str, reason: str = "",
                  create: bool = True, only_from: Iterable[str] | None = None) -> StatusChange | None:
    """Store.set_status inside the caller's transaction (`address` already normalized)."""
    if status not in STATUSES:
        raise StoreError(f"unknown status '{status}'", f"use one of: {', '.join(STATUSES)}")
    row = connection.execute(select(subscribers.c.id, subscribers.c.status)
                             .where(subscribers.c.email == address).with_for_update()).first()
    if row is None:
        if not create:
            raise StoreError(f"{address} is not in the subscriber store")
        add_subscriber(connection, address, status=status, by=by, reason=reason)
        return StatusChange(None, status, by, utcnow(), reason)
    if row.status == status or (only_from is not None and row.status not in only_from):
        return None
    return change_status(connection, row.id, row.status, status, by=by, reason=reason)


def add_subscriber(connection: Connection, email: str, *, status: str, by: str, reason: str = "",
                   name: str | None = None, language: str = "en", consent: bool = False) -> int:
    """Insert one address (already normalized) with its first history row; returns its id."""
    now = utcnow()
    new_id = connection.execute(insert(subscribers).values(
        email=email, name=name, language=language, status=status, source=by,
        consent_at=now if consent else None, created_at=now, updated_at=now)).inserted_primary_key[0]
    connection.execute(insert(status_history).values(
        subscriber_id=new_id, old_status=None, new_status=status, changed_by=by, changed_at=now, reason=reason))
    return new_id


def change_status(connection: Connection, subscriber_id: int, old: str, new: str, *, by: str,
                  reason: str = "") -> StatusChange:
    now = utcnow()
    connection.execute(update(subscribers).where(subscribers.c.id == subscriber_id)
                       .values(status=new, updated_at=now))
    connection.execute(insert(status_history).values(
        subscriber_id=subscriber_id, old_status=old, new_status=new, changed_by=by, changed_at=now, reason=reason))
    return StatusChange(old, new, by, now, reason)


def email_for(store: Store, subscriber_id: int) -> str | None:
    """The address of subscriber number `subscriber_id` (from a signed link), or None."""
    with store.read() as connection:
        return connection.execute(select(subscribers.c.email).where(subscribers.c.id == subscriber_id)).scalar()
