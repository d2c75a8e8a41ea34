"""What was handed to which backend for which issue: the memory that makes sends resumable.

Before a batch goes out its rows are claimed (status "sending"); results replace that
status as they come back. A rerun skips families already delivered (queued/sent) or
permanently refused (rejected/invalid), retries those that failed, and asks the backend
about rows still "sending" after a crash.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import (Column, Connection, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint,
                        and_, bindparam, func, insert, select, update)

from mailer.store.tables import UTCDateTime, metadata, utcnow

PENDING = "pending"      # claimed, not handed over yet: safe to send on a rerun
SENDING = "sending"      # handed over, result not recorded: after a crash, delivery is uncertain

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
    Column("provider_id", String(200), nullable=False, default=""),
    Column("attempts", Integer, nullable=False, default=0),
    Column("detail", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("owner", String(64), nullable=False, default="", server_default=""),   # worker holding the claim
    Column("lease_until", UTCDateTime(), nullable=True),                          # ... until then
    UniqueConstraint("issue", "subscriber_id", name="uq_send_log_issue_subscriber"),
    Index("ix_send_log_issue_status", "issue", "status"),
)


@dataclass(frozen=True)
class Logged:
    status: str
    attempts: int
    message_id: str


def logged(connection: Connection, issue: str, subscriber_ids: list[int]) -> dict[int, Logged]:
    """The log rows of these subscribers for this issue (one query per batch)."""
    if not subscriber_ids:
        return {}
    rows = connection.execute(
        select(send_log.c.subscriber_id, send_log.c.status, send_log.c.attempts, send_log.c.message_id)
        .where(and_(send_log.c.issue == issue, send_log.c.subscriber_id.in_(subscriber_ids))))
    return {r.subscriber_id: Logged(r.status, r.attempts, r.message_id) for r in rows}


def claim(connection: Connection, issue: str, rows: list[dict], existing: Iterable[int],
          status: str = SENDING) -> None:
    """Mark rows `status` before they are handed over (new rows inserted, old ones updated).

    Each row: subscriber_id, email, language, segment, backend, message_id.
    """
    now = utcnow()
    existing = set(existing)
    new = [dict(row, issue=issue, status=status, attempts=1, provider_id="", detail="", created_at=now,
                updated_at=now) for row in rows if row["subscriber_id"] not in existing]
    old = [dict(row, b_id=row["subscriber_id"], now=now) for row in rows if row["subscriber_id"] in existing]
    if new:
        connection.execute(insert(send_log), new)
    if old:
        connection.execute(
            update(send_log)
            .where(and_(send_log.c.issue == issue, send_log.c.subscriber_id == bindparam("b_id")))
            .values(status=status, attempts=send_log.c.attempts + 1, email=bindparam("email"),
                    language=bindparam("language"), segment=bindparam("segment"), backend=bindparam("backend"),
                    message_id=bindparam("message_id"), updated_at=bindparam("now")),
            [{k: r[k] for k in ("b_id", "email", "language", "segment", "backend", "message_id", "now")}
             for r in old])


def mark_sending(connection: Connection, issue: str, subscriber_id: int) -> None:
    connection.execute(update(send_log).where(and_(send_log.c.issue == issue,
                                                   send_log.c.subscriber_id == subscriber_id))
                       .values(status=SENDING, updated_at=utcnow()))


def record(connection: Connection, issue: str, results: list) -> None:
    """Store backend results (SendResult) over the "sending" claims."""
    if not results:
        return
    now = utcnow()
    connection.execute(
        update(send_log)
        .where(and_(send_log.c.issue == issue, send_log.c.subscriber_id == bindparam("b_id")))
        .values(status=bindparam("b_status"), provider_id=bindparam("b_provider"),
                detail=bindparam("b_detail"), updated_at=now),
        [{"b_id": r.subscriber_id, "b_status": r.status, "b_provider": r.provider_id[:200],
          "b_detail": r.detail[:2000]} for r in results])


def release(connection: Connection, issue: str, subscriber_ids: list[int], reason: str) -> int:
    """After a send stopped before handing these over (a refused key, a wrong setting): their
    claims become "failed", so the next run sends to them. Rows with a result are left alone."""
    if not subscriber_ids:
        return 0
    result = connection.execute(
        update(send_log)
        .where(and_(send_log.c.issue == issue, send_log.c.subscriber_id.in_(subscriber_ids),
                    send_log.c.status.in_((PENDING, SENDING))))
        .values(status="failed", detail=f"not sent: {reason}"[:2000], updated_at=utcnow()))
    return result.rowcount


def summary(connection: Connection, issue: str) -> dict[tuple[str, str], int]:
    """How many rows per (language, status) this issue has."""
    rows = connection.execute(
        select(send_log.c.language, send_log.c.status, func.count())
        .where(send_log.c.issue == issue).group_by(send_log.c.language, send_log.c.status))
    return {(language, status): count for language, status, count in rows}
