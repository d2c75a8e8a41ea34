"""Every table of the store (SQLAlchemy Core), in one MetaData: the one Alembic's env.py compares
the database with, so declare no table anywhere else. Change them only together with a new
migration in mailer/store/migrations/versions/ (tests/mailer/test_store.py checks that autogenerate
proposes nothing on a store at head, on SQLite and PostgreSQL: types, indexes and server defaults
included).

Multi-valued fields (schools, grades, topics) live in association tables, so segment rules
become plain EXISTS subqueries that run the same on SQLite and PostgreSQL. A family that follows
every topic has `all_topics` set and no topic rows; values a roster gave that nothing knows are
kept in subscriber_unknown.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (Boolean, CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, LargeBinary, MetaData,
                        String, Table, Text, UniqueConstraint, false)
from sqlalchemy.types import TypeDecorator

STATUSES = ("subscribed", "unsubscribed", "bounced", "complained")
STATUS_CHECK = "status IN ('subscribed', 'unsubscribed', 'bounced', 'complained')"


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, on SQLite (which stores no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (UTC)")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


metadata = MetaData()

subscribers = Table(
    "subscribers", metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(200)),
    Column("language", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("source", String(200), nullable=False),
    Column("consent_at", UTCDateTime()),
    Column("preferences_at", UTCDateTime()),  # set when the family (or staff for them) chose language/topics
    # follows every topic, new ones too (what an imported family does until it chooses): no subscriber_topics rows
    Column("all_topics", Boolean, nullable=False, server_default=false()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    CheckConstraint(STATUS_CHECK, name="ck_subscribers_status"),
)
Index("ix_subscribers_status_language", subscribers.c.status, subscribers.c.language)


def _values_table(name: str, column: str, length: int) -> Table:
    return Table(
        name, metadata,
        Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True),
        Column(column, String(length), primary_key=True),
        Index(f"ix_{name}_{column}", column),
    )


subscriber_schools = _values_table("subscriber_schools", "school", 64)
subscriber_grades = _values_table("subscriber_grades", "grade", 4)
subscriber_topics = _values_table("subscriber_topics", "topic", 64)

VALUE_TABLES = {"schools": (subscriber_schools, "school"), "grades": (subscriber_grades, "grade"),
                "topics": (subscriber_topics, "topic")}

UNKNOWN_FIELDS = ("school", "grade", "topic", "language")
VALUE_MAX = 200  # the longest unknown value kept
# What a roster said that audiences.yaml or the mailer does not know (a school not listed yet, grade
# "Ungraded", language "Klingon"), kept as written so nobody is dropped for it: `audience show` lists
# them with the fix; a re-import after the fix turns them into known values.
subscriber_unknown = Table(
    "subscriber_unknown", metadata,
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True),
    Column("field", String(16), primary_key=True),  # one of UNKNOWN_FIELDS
    Column("value", String(VALUE_MAX), primary_key=True),
    Index("ix_subscriber_unknown_field_value", "field", "value"),
)

status_history = Table(
    "status_history", metadata,
    Column("id", Integer, primary_key=True),
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("old_status", String(16)),  # None when the subscriber was created
    Column("new_status", String(16), nullable=False),
    Column("changed_by", String(200), nullable=False),  # "import:roster.csv", "cli", "webhook:sendgrid", ...
    Column("changed_at", UTCDateTime(), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    # set when the change is to one publication's subscription (subscribed <-> unsubscribed), not the family's status
    Column("publication", String(64), nullable=True),
)

# Which publications a family follows (newsletters/<publication>/). A send of a publication's
# issue reaches subscribed families with a "subscribed" row for it; one-click unsubscribe turns
# that row to "unsubscribed" (a re-import never turns it back). The family's own status above
# stays global: unsubscribed from everything, bounced and complained stop every publication.
SUBSCRIPTION_STATUSES = ("subscribed", "unsubscribed")
subscriptions = Table(
    "subscriptions", metadata,
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True),
    Column("publication", String(64), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("changed_by", String(200), nullable=False),
    Column("changed_at", UTCDateTime(), nullable=False),
    CheckConstraint("status IN ('subscribed', 'unsubscribed')", name="ck_subscriptions_status"),
    Index("ix_subscriptions_publication_status", "publication", "status"),
)


# What was handed to which backend for which issue (functions in mailer/send/sendlog.py). `issue`
# is the issue's key, "<publication>/<issue>" (blocks.model.Issue.key).
send_log = Table(
    "send_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("issue", String(100), nullable=False),
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=False),
    Column("email", String(320), nullable=False),
    Column("language", String(16), nullable=False),
    Column("segment", String(100), nullable=False),
    Column("backend", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("message_id", String(300), nullable=False),
    Column("provider_id", String(200), nullable=False, default="", server_default=""),
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),
    Column("detail", Text, nullable=False, default="", server_default=""),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("owner", String(64), nullable=False, default="", server_default=""),   # worker holding the claim
    Column("lease_until", UTCDateTime(), nullable=True),                          # ... until then
    # temporary refusals in a row (SMTP 451/421/452): a `failed` row with a lease_until waits
    # for that time, then any run tries it again, up to the retry schedule (mailer/send/sendlog.py)
    Column("deferrals", Integer, nullable=False, default=0, server_default="0"),
    UniqueConstraint("issue", "subscriber_id", name="uq_send_log_issue_subscriber"),
    Index("ix_send_log_issue_status", "issue", "status"),
)


# What each send published for the web (mailer/publish/): every language edition as it was sent
# (the email's HTML with its per-family tokens still in place) and its calendar files, served by
# the preference center at /<publication>/<issue>/ and written for a static host by `publish`.
web_editions = Table(
    "web_editions", metadata,
    Column("id", Integer, primary_key=True),
    Column("publication", String(64), nullable=False),
    Column("issue", String(100), nullable=False),
    Column("lang", String(16), nullable=False),
    Column("kind", String(16), nullable=False),        # original, human, partial or machine
    Column("web_url", String(500), nullable=False),    # the issue's address the messages carry
    Column("subject", Text, nullable=False),
    Column("preheader", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("period", Text, nullable=False),
    Column("direction", String(3), nullable=False),
    Column("html", Text, nullable=False),
    Column("published_at", UTCDateTime(), nullable=False),   # first published
    Column("updated_at", UTCDateTime(), nullable=False),     # last replaced by a send of this language
    UniqueConstraint("publication", "issue", "lang", name="uq_web_editions_issue_lang"),
)

web_files = Table(
    "web_files", metadata,
    Column("id", Integer, primary_key=True),
    Column("publication", String(64), nullable=False),
    Column("issue", String(100), nullable=False),
    Column("name", String(200), nullable=False),       # e.g. kickoff-en.ics
    Column("lang", String(16), nullable=False),
    Column("block_type", String(64), nullable=False),  # event, foodshare_calendar...
    Column("title", Text, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("publication", "issue", "name", name="uq_web_files_issue_name"),
)


# Delivery events from SendGrid's event webhook and our own links, one row per event (event_id is
# SendGrid's sg_event_id, so a retried batch is not applied twice); applied by mailer/store/delivery_events.py.
delivery_events = Table(
    "delivery_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", String(100), nullable=False, unique=True),
    Column("provider", String(16), nullable=False),
    Column("issue", String(100), nullable=False, default="", server_default=""),
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="SET NULL")),
    Column("event", String(32), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("detail", Text, nullable=False, default="", server_default=""),
    Index("ix_delivery_events_issue_event", "issue", "event"),
)


# Facts about the store itself, one row each (mailer/store/facts.py): e.g. "legacy_publication", the
# publication whose issues this store sent before publications existed (links of those newsletters
# name only the issue; the preference center needs to know whose they are).
store_facts = Table(
    "store_facts", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)


# The staff studio (studio/): staff accounts, their roles per publication, sign-in attempts (for
# the limits), the audit log and each person's autosaved draft of an issue. Functions in studio/.
staff_accounts = Table(
    "staff_accounts", metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=True),   # argon2id; None until set (or OpenID Connect only)
    Column("link_hash", String(64), nullable=True),        # sha256 of the one-time sign-in link's token
    Column("link_expires", UTCDateTime(), nullable=True),
    Column("session_epoch", Integer, nullable=False, server_default="0"),   # bumped: every session ends
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

STAFF_ROLES = ("editor", "translator", "sender", "admin")
staff_roles = Table(
    "staff_roles", metadata,
    Column("account_id", Integer, ForeignKey("staff_accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("publication", String(64), primary_key=True),    # "*" for admin: every publication
    Column("role", String(16), primary_key=True),
    CheckConstraint("role IN ('editor', 'translator', 'sender', 'admin')", name="ck_staff_roles_role"),
)

staff_sign_ins = Table(
    "staff_sign_ins", metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False),           # as typed (normalized), whether or not an account
    Column("address", String(64), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("ok", Boolean, nullable=False),
    Index("ix_staff_sign_ins_email_at", "email", "at"),
    Index("ix_staff_sign_ins_address_at", "address", "at"),
)

staff_audit = Table(
    "staff_audit", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(320), nullable=False),           # the staff member's email, or "cli"
    Column("action", String(32), nullable=False),           # sign-in, sign-in-refused, save, new-issue, staff-add...
    Column("publication", String(64), nullable=True),
    Column("path", String(500), nullable=True),             # the file changed, e.g. newsletters/equity/x/issue.yaml
    Column("detail", Text, nullable=False, default=""),     # what changed: a unified diff for a save
    Index("ix_staff_audit_publication_path", "publication", "path"),
)

studio_drafts = Table(
    "studio_drafts", metadata,
    Column("account_id", Integer, ForeignKey("staff_accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("publication", String(64), primary_key=True),
    Column("issue", String(100), primary_key=True),
    Column("base_hash", String(64), nullable=False),        # sha256 of issue.yaml as it was opened
    Column("text", Text, nullable=False),                   # the edited issue.yaml
    Column("undo", Text, nullable=False, default=""),       # the text before the last removal, for undo
    Column("updated_at", UTCDateTime(), nullable=False),
)


# Sending from the studio and the worker (workflows/approval.py, workflows/schedule.py,
# workflows/progress.py). An issue's approval: the content fingerprint it was marked ready and
# approved with (any change to what the fingerprint covers voids it).
issue_approvals = Table(
    "issue_approvals", metadata,
    Column("publication", String(64), primary_key=True),
    Column("issue", String(100), primary_key=True),         # the issue's folder name
    Column("ready_fingerprint", String(64), nullable=True),
    Column("ready_by", String(320), nullable=True),
    Column("ready_at", UTCDateTime(), nullable=True),
    Column("approved_fingerprint", String(64), nullable=True),
    Column("approved_by", String(320), nullable=True),
    Column("approved_at", UTCDateTime(), nullable=True),
)

SCHEDULE_STATES = ("scheduled", "running", "done", "stopped", "cancelled")
# Sends to start at a time (now: as soon as a worker sees it); a worker claims one (owner, lease)
# and runs it with workflows.sending.send; a row left "running" by a dead worker is taken over.
scheduled_sends = Table(
    "scheduled_sends", metadata,
    Column("id", Integer, primary_key=True),
    Column("publication", String(64), nullable=False),
    Column("issue", String(100), nullable=False),           # the issue's folder name
    Column("issue_dir", String(500), nullable=False),        # where the worker reads it
    Column("segment", String(100), nullable=False),
    Column("backend", String(16), nullable=False),
    Column("families", Integer, nullable=False),             # as confirmed (the plan's total then)
    Column("fingerprint", String(64), nullable=False),       # of the content confirmed
    Column("run_at", UTCDateTime(), nullable=False),
    Column("forced", Boolean, nullable=False, server_default=false()),    # inside quiet hours on purpose
    Column("retry_failed", Boolean, nullable=False, server_default=false()),
    Column("resend_in_doubt", Boolean, nullable=False, server_default=false()),
    Column("state", String(16), nullable=False),
    Column("created_by", String(320), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("started_at", UTCDateTime(), nullable=True),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("owner", String(64), nullable=False, server_default=""),
    Column("lease_until", UTCDateTime(), nullable=True),
    Column("late_seconds", Integer, nullable=True),          # how long after run_at it started
    Column("detail", Text, nullable=False, server_default=""),
    CheckConstraint("state IN ('scheduled', 'running', 'done', 'stopped', 'cancelled')",
                    name="ck_scheduled_sends_state"),
    Index("ix_scheduled_sends_state_run_at", "state", "run_at"),
)

# Every send's progress (CLI, worker or studio), written by workflows.sending.send as results come
# in; read by the studio's live progress. `counts` is JSON: {lang: {planned, sent, queued, ...}}.
send_runs = Table(
    "send_runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("issue", String(100), nullable=False),            # the issue's key, "<publication>/<issue>"
    Column("segment", String(100), nullable=False),
    Column("backend", String(16), nullable=False),
    Column("owner", String(64), nullable=False),
    Column("state", String(16), nullable=False),             # running, done, stopped
    Column("total", Integer, nullable=False),
    Column("done", Integer, nullable=False, server_default="0"),
    Column("counts", Text, nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("detail", Text, nullable=False, server_default=""),
    Index("ix_send_runs_issue", "issue"),
)

# The languages a translator reviews, per publication (studio/review_pages.py): a translator of
# equity with es and pt here may change only the Spanish and Portuguese translations of equity.
staff_languages = Table(
    "staff_languages", metadata,
    Column("account_id", Integer, ForeignKey("staff_accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("publication", String(64), primary_key=True),
    Column("language", String(16), primary_key=True),        # a publication language's code, e.g. es, zh_Hans
)
