"""What was handed to which backend for which issue: the memory that makes sends resumable.

One row per (issue, family). A worker claims rows for itself (`owner`, `lease_until`) before
handing them over, atomically: new rows with INSERT ... ON CONFLICT DO NOTHING, old ones
with a compare-and-swap UPDATE, so two or more `send` processes on one store (one machine
or many against PostgreSQL) never take the same family. Statuses:

    pending    claimed, not handed over: safe to send on a rerun
    sending    handed over, result not recorded: after a crash, delivery is uncertain
    queued / sent            delivered for good: never sent again (unless --resend)
    rejected / invalid       refused for good: not retried
    failed                   not delivered for now: the next run retries
    in_doubt                 a request whose outcome is unknown (SendGrid killed mid-request):
                             resolved by the event webhook, or sent with --resend-in-doubt

A crashed worker's rows are taken over once its lease expires, at once if it ran on this
machine and its process is gone (`retake_ids`): by any run, before it ends and whenever it runs
out of other work. A `failed` row with a `lease_until` is a family sent back to the queue by a
temporary refusal (SMTP 451/421/452): `lease_until` is then its not-before time, `deferrals`
how many times in a row it was refused so, and any run retries it once that time has come (so
a waiting family whose run died is not lost); a `failed` row without one waits for the next run.

Which families were being transmitted when a run died (SMTP: one message per connection, sent
again by the rerun with the same Message-ID) is known without a write per message: such a run's
owner name ends with how many messages it transmits at once (`new_owner(in_flight=4)`), its
threads take a batch's messages in the batch's order (by id) from one queue, and each result is
recorded before its thread takes the next. So the messages in transmission at the crash are
among the first N unrecorded rows of its claim, by id. The first run that finds such a run gone
(`take_over_in_flight`, inside the claim transaction) names them, marks their rows, and lets
go of the dead run's claims (owner ""), so no later run names them again.
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import Connection, Select, and_, bindparam, func, insert, or_, select, update

from mailer.store.tables import send_log, utcnow

PENDING, SENDING, IN_DOUBT, FAILED = "pending", "sending", "in_doubt", "failed"
LEASE = dt.timedelta(minutes=10)
DONE = ("sent", "queued", "rejected", "invalid", IN_DOUBT)   # final unless the run says otherwise


def new_owner(in_flight: int = 0) -> str:
    """This worker's name in the log: host, process, and a random part (unique per run); with
    `in_flight`, how many messages it may be transmitting at any moment (see take_over_in_flight)."""
    name = f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"
    return f"{name}:{in_flight}" if in_flight > 0 else name


def in_flight_at_most(owner: str) -> int:
    """How many messages the run `owner` may have been transmitting at once (0: not recorded)."""
    parts = owner.split(":")
    return int(parts[3]) if len(parts) == 4 and parts[3].isdigit() else 0


def run_name(owner: str) -> str:
    """An owner as staff read it: "4242@mailer-1" (process id at host)."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    return f"{pid}@{host}" if pid else owner


def owner_is_gone(owner: str) -> bool:
    """True if `owner` ran on this machine and its process no longer exists."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname()[:30] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Logged(NamedTuple):
    """A family's send-log row for an issue, as read (a named tuple: a claim reads thousands)."""

    status: str
    attempts: int
    message_id: str
    owner: str = ""
    lease_until: dt.datetime | None = None
    detail: str = ""
    deferrals: int = 0                 # temporary refusals in a row (sent back to the queue)

    def waiting(self, now: dt.datetime) -> bool:
        """Sent back to the queue by a temporary refusal, and its not-before time has not come."""
        return self.status == FAILED and self.lease_until is not None and self.lease_until > now

    def held_by_another(self, now: dt.datetime) -> bool:
        """A claim another live worker is working on right now."""
        if self.status not in (PENDING, SENDING) or not self.owner:
            return False
        if self.lease_until is not None and self.lease_until < now:
            return False
        return not owner_is_gone(self.owner)


def held_ids(connection: Connection, issue: str, now: dt.datetime) -> Select:
    """SQL for Logged.held_by_another, as the families it holds: the subscriber ids with a live
    claim on `issue`, one whose lease has not run out and whose worker is not known to be gone.
    Claim queries leave these out in the database (`id NOT IN (this)`) instead of reading each
    one back: with N workers, each would otherwise read every batch the others hold.

    NOT IN a subquery, not a join: PostgreSQL hashes it once whatever its statistics say (a
    send log filling up during the send has none yet, and a join planned on them once took
    seconds a query), SQLite builds a temporary index. Gone workers are looked up among the
    few owners holding claims now (the issue-and-status index), so their families are free."""
    c = send_log.c
    gone = _gone_owners(connection, issue)
    held = select(c.subscriber_id).where(c.issue == issue, c.status.in_(_LIVE), c.owner != "",
                                         or_(c.lease_until.is_(None), c.lease_until >= now))
    return held.where(c.owner.not_in(gone)) if gone else held


_LIVE = (PENDING, SENDING)


def _gone_owners(connection: Connection, issue: str) -> list[str]:
    """Owners of claims on `issue` whose process on this machine no longer exists."""
    c = send_log.c
    owners = connection.execute(select(c.owner).distinct().where(c.issue == issue, c.status.in_(_LIVE))).scalars()
    return [owner for owner in owners if owner and owner_is_gone(owner)]


def retake_ids(connection: Connection, issue: str, now: dt.datetime, owner: str) -> Select:
    """The families of `issue` a run takes again after its first pass over the list: claims of a
    run that is gone (its process on this machine no longer exists, or its lease ran out) and
    families sent back to the queue whose not-before time has come. (Not plain `failed` rows:
    those failed for this run; the next run retries them.)"""
    c = send_log.c
    gone = _gone_owners(connection, issue)
    abandoned = and_(c.status.in_(_LIVE), c.owner != owner,
                     or_(c.owner == "", c.lease_until < now, *([c.owner.in_(gone)] if gone else [])))
    due = and_(c.status == FAILED, c.lease_until.is_not(None), c.lease_until <= now)
    return select(c.subscriber_id).where(c.issue == issue, or_(abandoned, due))


class InFlight(NamedTuple):
    """A family a run was (or may have been) transmitting to when it stopped."""

    subscriber_id: int
    email: str
    language: str
    run: str                                    # the stopped run, "4242@mailer-1"


IN_FLIGHT = "in transmission when run {run} stopped: sent again, it may get this issue twice"


def take_over_in_flight(connection: Connection, issue: str, now: dt.datetime, owner: str) -> list[InFlight]:
    """The families stopped runs were transmitting to, named once (`connection` is in the claim
    transaction, one at a time per issue). A run whose owner name says how many messages it had in
    transmission at once (N), gone from this machine or whose lease ran out: the first N of its
    claims not recorded, by id, were in transmission or next (its threads take its batch in id
    order from one queue and record each result before taking the next). Their rows get a note
    saying so; all its claims are let go (owner ""), free for any run, so no later run names them.
    One query when no such run exists; nothing is written per message."""
    c = send_log.c
    rows = connection.execute(select(c.owner, func.max(c.lease_until)).where(
        c.issue == issue, c.status.in_(_LIVE), c.owner != owner, c.owner != "").group_by(c.owner)).all()
    found: list[InFlight] = []
    for who, lease in rows:
        count = in_flight_at_most(who)
        if not count or not ((lease is not None and lease < now) or owner_is_gone(who)):
            continue
        run = run_name(who)
        first = connection.execute(select(c.subscriber_id, c.email, c.language).where(
            c.issue == issue, c.owner == who, c.status.in_(_LIVE)).order_by(c.subscriber_id).limit(count)).all()
        found += [InFlight(r.subscriber_id, r.email, r.language, run) for r in first]
        if first:
            connection.execute(update(send_log).where(c.issue == issue, c.owner == who, c.status.in_(_LIVE),
                                                      c.subscriber_id.in_([r.subscriber_id for r in first]))
                               .values(detail=IN_FLIGHT.format(run=run)))
        connection.execute(update(send_log).where(c.issue == issue, c.owner == who, c.status.in_(_LIVE))
                           .values(owner=""))
    return found


def holders(connection: Connection, issue: str, now: dt.datetime, owner: str, ids: Select) -> dict[str, int]:
    """Live claims of other runs among `ids` (a select of subscriber ids): run name -> families."""
    c = send_log.c
    rows = connection.execute(select(c.owner, func.count()).where(
        c.issue == issue, c.owner != owner, c.subscriber_id.in_(held_ids(connection, issue, now)),
        c.subscriber_id.in_(ids)).group_by(c.owner)).all()
    return {run_name(who): count for who, count in rows}


def waiting_until(connection: Connection, issue: str, ids: Select) -> dt.datetime | None:
    """The earliest not-before time of the families among `ids` sent back to the queue."""
    c = send_log.c
    return connection.execute(select(func.min(c.lease_until)).where(
        c.issue == issue, c.status == FAILED, c.lease_until.is_not(None), c.subscriber_id.in_(ids))).scalar()


def logged(connection: Connection, issue: str, subscriber_ids: list[int]) -> dict[int, Logged]:
    """The log rows of these subscribers for this issue (one query per batch)."""
    if not subscriber_ids:
        return {}
    c = send_log.c
    rows = connection.execute(
        select(c.subscriber_id, c.status, c.attempts, c.message_id, c.owner, c.lease_until, c.detail, c.deferrals)
        .where(and_(c.issue == issue, c.subscriber_id.in_(subscriber_ids)))).all()
    return {row[0]: Logged._make(row[1:]) for row in rows}


def claim(connection: Connection, issue: str, rows: list[dict], owner: str, status: str,
          seen: dict[int, Logged]) -> set[int]:
    """Claim rows for `owner` as `status`; returns the subscriber ids it now holds.

    Each row: subscriber_id, email, language, segment, backend, message_id. A row with no
    entry in `seen` (what was read before) is inserted unless another worker got there
    first; a row in `seen` is taken only if it is still exactly as it was read.
    """
    if not rows:
        return set()
    now = utcnow()
    lease = now + LEASE
    new = [dict(row, issue=issue, status=status, attempts=1, provider_id="", detail="", created_at=now,
                updated_at=now, owner=owner, lease_until=lease) for row in rows if row["subscriber_id"] not in seen]
    old = [dict(row, b_id=row["subscriber_id"], b_status=seen[row["subscriber_id"]].status,
                b_owner=seen[row["subscriber_id"]].owner) for row in rows if row["subscriber_id"] in seen]
    if new:
        # (RETURNING would say which were inserted, but made this insert 5x slower on PostgreSQL)
        connection.execute(_insert_ignoring_conflicts(connection), new)
    if old:
        c = send_log.c
        connection.execute(
            update(send_log)
            .where(and_(c.issue == issue, c.subscriber_id == bindparam("b_id"), c.status == bindparam("b_status"),
                        c.owner == bindparam("b_owner")))
            .values(status=status, attempts=c.attempts + 1, email=bindparam("email"),
                    language=bindparam("language"), segment=bindparam("segment"), backend=bindparam("backend"),
                    message_id=bindparam("message_id"), updated_at=now, owner=owner, lease_until=lease,
                    detail=""),
            [{k: r[k] for k in ("b_id", "b_status", "b_owner", "email", "language", "segment", "backend",
                                "message_id")} for r in old])
    ids = [row["subscriber_id"] for row in rows]
    return set(connection.execute(select(send_log.c.subscriber_id).where(and_(
        send_log.c.issue == issue, send_log.c.subscriber_id.in_(ids), send_log.c.owner == owner,
        send_log.c.status == status))).scalars())


def _insert_ignoring_conflicts(connection: Connection):
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif connection.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:                                                   # pragma: no cover - other databases
        return insert(send_log)
    return dialect_insert(send_log).on_conflict_do_nothing(index_elements=["issue", "subscriber_id"])


def mark_sending(connection: Connection, issue: str, subscriber_ids: Iterable[int]) -> None:
    """These are being handed over now (their lease renewed)."""
    ids = list(subscriber_ids)
    now = utcnow()
    connection.execute(update(send_log).where(and_(send_log.c.issue == issue, send_log.c.subscriber_id.in_(ids)))
                       .values(status=SENDING, updated_at=now, lease_until=now + LEASE))


# Built once: SMTP records each message as it is accepted, and building this statement
# anew each time cost more CPU than SQLite's own work for the row.
_RECORD = (update(send_log)
           .where(and_(send_log.c.issue == bindparam("b_issue"), send_log.c.subscriber_id == bindparam("b_id")))
           .values(status=bindparam("b_status"), provider_id=bindparam("b_provider"), detail=bindparam("b_detail"),
                   updated_at=bindparam("b_now"), lease_until=bindparam("b_until"),
                   deferrals=bindparam("b_deferrals")))

_NOT_DEFERRED = (None, 0)


def record(connection: Connection, issue: str, results: list,
           deferred: dict[int, tuple[dt.datetime, int]] | None = None) -> None:
    """Store backend results (SendResult) over the claims; the claim is let go. `deferred`:
    families sent back to the queue (failed for now): when they may be tried again, and how
    many times in a row they were refused for now (the others' count starts again at 0)."""
    if not results:
        return
    now, deferred = utcnow(), deferred or {}
    rows = []
    for r in results:
        until, deferrals = deferred.get(r.subscriber_id, _NOT_DEFERRED)
        rows.append({"b_issue": issue, "b_id": r.subscriber_id, "b_status": r.status,
                     "b_provider": r.provider_id[:200], "b_detail": r.detail[:2000], "b_now": now,
                     "b_until": until, "b_deferrals": deferrals})
    connection.execute(_RECORD, rows)


def release(connection: Connection, issue: str, owner: str, reason: str) -> int:
    """After a send stopped (a refused key, an unreachable server): this owner's claims not
    handed over become "failed", so the next run sends to them. Rows with a result stay."""
    result = connection.execute(
        update(send_log)
        .where(and_(send_log.c.issue == issue, send_log.c.owner == owner,
                    send_log.c.status.in_((PENDING, SENDING))))
        .values(status=FAILED, detail=f"not sent: {reason}"[:2000], updated_at=utcnow(), lease_until=None))
    return result.rowcount


def summary(connection: Connection, issue: str) -> dict[tuple[str, str], int]:
    """How many rows per (language, status) this issue has."""
    rows = connection.execute(
        select(send_log.c.language, send_log.c.status, func.count())
        .where(send_log.c.issue == issue).group_by(send_log.c.language, send_log.c.status))
    return {(language, status): count for language, status, count in rows}
