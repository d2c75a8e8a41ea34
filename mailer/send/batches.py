"""Whole-batch claims: N `send` workers share one send, a full backend request at a time.

A worker asks the store for its next batch: up to `size` families of one edition (all the
family languages routed to it), the lowest ids still free, and claims them in the send log
in the same transaction. Claim transactions of an issue run one at a time (SQLite: the write
transaction, BEGIN IMMEDIATE; PostgreSQL: a transaction-level advisory lock on the issue), so
every claim sees the ones before it, takes `size` families while that many are left and the
rest only at the end: however many workers share a send, it makes ceil(families / size)
requests per edition, as one worker does. Row-level locking alone (FOR UPDATE SKIP LOCKED)
would let two concurrent claimers interleave and split a batch between them. The claim
itself is sendlog.claim (insert unless present, compare-and-swap otherwise), so a row
changed between the read and the write is simply not taken.

"Free" is what plan.decide says "send" to: no row yet; "failed"; "pending" or "sending"
whose owner's lease expired or whose process on this machine is gone; and, as the run asks,
anything not in flight (--resend), "in_doubt" (--resend-in-doubt), or a rejection caused by
a wrong setting (--retry-failed).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, and_, false, func, or_, select, true

from mailer.backends.base import REJECTED
from mailer.send import sendlog
from mailer.store.queries import SUBSCRIBED, topics_for, values_for
from mailer.store.records import Recipient
from mailer.store.rules import clause_for
from mailer.store.tables import send_log, subscribers, utcnow

CONFIG_CAUSED = ("401", "403", "530", "535")     # legacy rejections caused by a wrong setting, not the family
IN_FLIGHT = (sendlog.PENDING, sendlog.SENDING)
_LOCK_CLASS = 0x6E6C   # advisory-lock key space of claims ("nl")


@dataclass(frozen=True)
class Policy:
    """Which send-log rows this run may take, besides new, failed and abandoned ones."""

    issue: str
    owner: str
    resend: bool = False
    resend_in_doubt: bool = False
    retry_failed: bool = False
    gone: tuple[str, ...] = ()       # owners of live-looking claims whose process on this machine is gone

    def free(self, now):
        """SQL: the (outer-joined) log row lets this run claim its family."""
        c = send_log.c
        abandoned = or_(c.owner == "", c.lease_until < now, c.owner.in_(self.gone) if self.gone else false())
        ways = [c.subscriber_id.is_(None), c.status == sendlog.FAILED,
                and_(c.status.in_(IN_FLIGHT), c.owner != self.owner, abandoned)]
        if self.resend:
            ways.append(c.status.not_in(IN_FLIGHT))
        if self.resend_in_doubt:
            ways.append(c.status == sendlog.IN_DOUBT)
        if self.retry_failed:
            ways.append(and_(c.status == REJECTED, or_(*(c.detail.startswith(p) for p in CONFIG_CAUSED))))
        return or_(*ways)

    def held_elsewhere(self, now):
        """SQL: the log row is a live claim of another worker."""
        c = send_log.c
        return and_(c.status.in_(IN_FLIGHT), c.owner != self.owner, c.owner != "", c.lease_until >= now,
                    c.owner.not_in(self.gone) if self.gone else true())


def gone_owners(connection: Connection, issue: str) -> tuple[str, ...]:
    """Owners of unexpired claims of `issue` that ran on this machine and whose process is gone."""
    owners = connection.execute(select(send_log.c.owner).distinct().where(
        send_log.c.issue == issue, send_log.c.status.in_(IN_FLIGHT), send_log.c.owner != "",
        send_log.c.lease_until >= utcnow())).scalars()
    return tuple(owner for owner in owners if sendlog.owner_is_gone(owner))


def _joined(policy: Policy):
    return subscribers.outerjoin(send_log, and_(send_log.c.issue == policy.issue,
                                                send_log.c.subscriber_id == subscribers.c.id))


def languages(connection: Connection, segment, policy: Policy) -> dict[str, int]:
    """Family language -> families of `segment` this run may claim now or that others hold."""
    now = utcnow()
    rows = connection.execute(
        select(subscribers.c.language, func.count()).select_from(_joined(policy))
        .where(SUBSCRIBED, clause_for(segment), or_(policy.free(now), policy.held_elsewhere(now)))
        .group_by(subscribers.c.language))
    return dict(rows.all())


def settled(connection: Connection, segment, policy: Policy) -> dict[str, int]:
    """Log status -> families of `segment` done with this issue for this run (skipped)."""
    now = utcnow()
    rows = connection.execute(
        select(send_log.c.status, func.count()).select_from(_joined(policy))
        .where(SUBSCRIBED, clause_for(segment), send_log.c.subscriber_id.is_not(None),
               send_log.c.status.not_in((*IN_FLIGHT, sendlog.FAILED)), ~policy.free(now))
        .group_by(send_log.c.status))
    return dict(rows.all())


def held_elsewhere(connection: Connection, segment, policy: Policy) -> int:
    """Families of `segment` another live worker holds right now."""
    return connection.execute(
        select(func.count()).select_from(_joined(policy))
        .where(SUBSCRIBED, clause_for(segment), policy.held_elsewhere(utcnow()))).scalar_one()


@dataclass
class Batch:
    items: list[tuple[Recipient, sendlog.Logged | None]]    # claimed, with the log row as it was
    lost: int                                                # free when read, taken by another before the write
    last_id: int                                             # the highest id looked at (the next claim starts after)


def claim_batch(connection: Connection, segment, family_languages: list[str], after_id: int, size: int,
                policy: Policy, status: str, row_for: Callable[[object, sendlog.Logged | None], dict]) -> Batch:
    """Claim the next batch of up to `size` families (languages `family_languages`, ids after `after_id`).

    `connection` is in a write transaction; `row_for(candidate, logged)` gives the log row to
    write (subscriber_id, email, language, segment, backend, message_id)."""
    _serialize(connection, policy.issue)
    c = send_log.c
    found = connection.execute(
        select(subscribers.c.id, subscribers.c.email, subscribers.c.name, subscribers.c.language,
               subscribers.c.all_topics, c.subscriber_id.label("logged"), c.status, c.attempts, c.message_id,
               c.owner, c.lease_until, c.detail)
        .select_from(_joined(policy))
        .where(SUBSCRIBED, clause_for(segment), subscribers.c.language.in_(family_languages),
               subscribers.c.id > after_id, policy.free(utcnow()))
        .order_by(subscribers.c.id).limit(size)).all()
    if not found:
        return Batch([], 0, after_id)
    seen = {r.id: sendlog.Logged(r.status, r.attempts, r.message_id, r.owner, r.lease_until, r.detail)
            for r in found if r.logged is not None}
    claimed = sendlog.claim(connection, policy.issue, [row_for(r, seen.get(r.id)) for r in found],
                            policy.owner, status, seen)
    rows = [r for r in found if r.id in claimed]
    schools, topics = values_for(connection, "schools", [r.id for r in rows]), topics_for(connection, rows)
    items = [(Recipient(r.id, r.email, r.name, r.language, schools.get(r.id, ()), topics[r.id]), seen.get(r.id))
             for r in rows]
    return Batch(items, len(found) - len(rows), found[-1].id)


def _serialize(connection: Connection, issue: str) -> None:
    """Claims of one issue, one transaction at a time (SQLite's write transaction already is)."""
    if connection.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.blake2b(issue.encode(), digest_size=4).digest(), "big", signed=True)
        connection.execute(select(func.pg_advisory_xact_lock(_LOCK_CLASS, key)))
