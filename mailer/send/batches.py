"""Whole-batch claims: N `send` workers share one send, a full backend request at a time.

A worker asks the store for its next batch: up to `size` families of one edition (all the
family languages routed to it), the lowest ids after the last it looked at that are free to
send, and claims them in the send log in the same transaction. Claim transactions of an issue
run one at a time (SQLite: the write transaction, BEGIN IMMEDIATE; PostgreSQL: a
transaction-level advisory lock on the issue), so every claim sees the ones before it and
takes `size` families while that many are left, the rest only at the end: however many
workers share a send, it makes ceil(families / size) requests per edition, as one worker
does. (Row locks alone, FOR UPDATE SKIP LOCKED, would let two claimers interleave and split a
batch between them; and new families have no row to lock yet.) The write is sendlog.claim
(insert unless present, compare-and-swap otherwise), so a row changed since it was read is
not taken. Each claim first lets go of the claims of stopped runs that say how many messages
they transmit at once, naming the families they were transmitting (sendlog.take_over_in_flight).

Which families are free is decided per family as the dry run decides (Sender.decide): no log
row, failed, a claim whose lease expired or whose process on this machine is gone, and what
the run's options say. Live claims (other workers' batches) are left out by the page query
itself (sendlog.held_ids): read back one by one, every worker would read every batch the
others hold, inside the one-at-a-time claim transaction. What a run left to others (done
before, being sent by another run) is counted once, at its end, with the rest of the segment,
in one query (`standing`). Pages are
read by id (keyset), the log rows of a page by (issue, subscriber_id) and live claims as a
hashed NOT IN, so the plans do not depend on the database's statistics (a send log filling up
during the send has none). The families' schools and topics are read after the claim
commits, outside it.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, and_, case, func, select

from mailer.backends.backend import DELIVERED
from mailer.send import sendlog
from mailer.store.queries import SUBSCRIBED, topics_for, values_for
from mailer.store.row_types import Recipient
from mailer.store.rules import clause_for
from mailer.store.tables import send_log, subscribers, utcnow

_LOCK_CLASS = 0x6E6C   # advisory-lock key space of claims ("nl")


def languages(connection: Connection, segment) -> dict[str, int]:
    """Family language -> subscribed families of `segment`."""
    return dict(connection.execute(select(subscribers.c.language, func.count())
                                   .where(SUBSCRIBED, clause_for(segment)).group_by(subscribers.c.language)).all())


@dataclass
class Batch:
    items: list[tuple]                                       # claimed rows, with the log row as it was
    last_id: int                                             # the highest id looked at (the next claim starts after)
    in_flight: list = field(default_factory=list)            # sendlog.InFlight: what stopped runs were transmitting


@dataclass(frozen=True)
class Claims:
    """What one run claims, batch after batch: an edition's families of `segment` reading
    `family_languages`, `size` at a time, for `owner`, as `status`. `decide(logged or None, now)`
    says "send", "busy" or "skip"; `row_for(candidate, logged or None)` gives the log row to write
    (subscriber_id, email, language, segment, backend, message_id)."""
    issue: str
    owner: str
    segment: object
    family_languages: list[str]
    size: int
    decide: Callable
    status: str
    row_for: Callable
    clock: Callable = field(default=utcnow)                  # now, as an aware UTC datetime (tests: a fake)


def claim_batch(connection: Connection, claims: Claims, after_id: int, *, retake: bool = False) -> Batch:
    """Claim the next batch of `claims`: up to `claims.size` families with ids after `after_id`
    (`connection` is in a write transaction). `retake`: only families another run left behind
    or sent back to the queue and now due (sendlog.retake_ids), for the passes after the first."""
    issue, owner, segment, family_languages, size, decide, status, row_for = (
        claims.issue, claims.owner, claims.segment, claims.family_languages, claims.size, claims.decide,
        claims.status, claims.row_for)
    _serialize(connection, issue)
    now, chosen, batch = claims.clock(), [], Batch([], after_id)
    batch.in_flight = sendlog.take_over_in_flight(connection, issue, now, owner)
    free = subscribers.c.id.not_in(sendlog.held_ids(connection, issue, now))
    columns = (subscribers.c.id, subscribers.c.email, subscribers.c.name, subscribers.c.language,
               subscribers.c.all_topics)
    ours = (SUBSCRIBED, clause_for(segment), subscribers.c.language.in_(family_languages))
    if retake:
        ours += (subscribers.c.id.in_(sendlog.retake_ids(connection, issue, now, owner)),)
    while len(chosen) < size:
        page = connection.execute(select(*columns).where(*ours, free, subscribers.c.id > batch.last_id)
                                  .order_by(subscribers.c.id).limit(size)).all()
        if not page:
            break
        logged = sendlog.logged(connection, issue, [r.id for r in page])
        for row in page:
            batch.last_id, entry = row.id, logged.get(row.id)
            if decide(entry, now) == "send":
                chosen.append((row, entry))
                if len(chosen) == size:
                    break
    if not chosen:
        return batch
    seen = {row.id: entry for row, entry in chosen if entry is not None}
    claimed = sendlog.claim(connection, issue, [row_for(row, entry) for row, entry in chosen], owner, status, seen)
    batch.items = [(row, entry) for row, entry in chosen if row.id in claimed]
    return batch


@dataclass
class Standing:
    """A segment's families as the send log stands at one moment (one query): what a run's
    summary says beside its own results, adding up to `total`."""
    total: int = 0
    held: Counter = field(default_factory=Counter)           # family language -> families no edition is sent to
    delivered: int = 0                                       # sent or queued, by any run
    done_by_others: Counter = field(default_factory=Counter)  # log status -> families other runs are done with
    busy_runs: dict = field(default_factory=dict)            # "pid@host" -> families that live run holds
    not_reached: Counter = field(default_factory=Counter)    # failed, rejected, invalid, in_doubt, pending


def standing(connection: Connection, issue: str, owner: str, segment, family_languages: list[str],
             now=None) -> Standing:
    """How every subscribed family of `segment` stands for `issue` now, in one query (the
    families reading a language outside `family_languages` are held). Counted claim by claim
    or query by query instead, a family another run finished in between would be counted
    twice or not at all (PostgreSQL worker summaries once added up to 591-596 of 597)."""
    c = send_log.c
    held = case((subscribers.c.id.in_(sendlog.held_ids(connection, issue, now or utcnow())), 1), else_=0)
    joined = subscribers.outerjoin(send_log, and_(c.subscriber_id == subscribers.c.id, c.issue == issue))
    rows = connection.execute(select(subscribers.c.language, c.status, c.owner, held, func.count())
                              .select_from(joined).where(SUBSCRIBED, clause_for(segment))
                              .group_by(subscribers.c.language, c.status, c.owner, held)).all()
    result, busy = Standing(), Counter()
    for language, status, who, is_held, count in rows:
        result.total += count
        if language not in family_languages:
            result.held[language] += count
        elif status is None:
            result.not_reached["pending"] += count           # never tried
        elif is_held and who != owner:
            busy[sendlog.run_name(who)] += count
        else:
            if status in DELIVERED:
                result.delivered += count
            else:
                result.not_reached["pending" if status in (sendlog.PENDING, sendlog.SENDING) else status] += count
            if who != owner and status in sendlog.DONE:
                result.done_by_others[status] += count
    result.busy_runs = dict(busy)
    return result


def segment_ids(segment, family_languages: list[str] | None = None):
    """SQL: the ids of the subscribed families of `segment` (reading `family_languages`, if given)."""
    also = (subscribers.c.language.in_(family_languages),) if family_languages is not None else ()
    return select(subscribers.c.id).where(SUBSCRIBED, clause_for(segment), *also)


def recipients(connection: Connection, items: list) -> list[tuple[Recipient, sendlog.Logged | None]]:
    """A batch's claimed families as Recipients, with their schools and topics (read after
    the claim is committed: the claim transaction, one at a time per issue, stays short)."""
    rows = [row for row, _ in items]
    schools, topics = values_for(connection, "schools", [r.id for r in rows]), topics_for(connection, rows)
    return [(Recipient(r.id, r.email, r.name, r.language, schools.get(r.id, ()), topics[r.id]), entry)
            for r, entry in items]


def _serialize(connection: Connection, issue: str) -> None:
    """Claims of one issue, one transaction at a time (SQLite's write transaction already is)."""
    if connection.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.blake2b(issue.encode(), digest_size=4).digest(), "big", signed=True)
        connection.execute(select(func.pg_advisory_xact_lock(_LOCK_CLASS, key)))
